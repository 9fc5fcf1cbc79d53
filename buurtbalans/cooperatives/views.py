"""Cooperative screens: the corporation's registry, reviews and co-optations, and the board's portal.

Views stay thin: selectors decide what the user may see (another corporation's or another cooperative's object
gives 404), services decide what they may change (a missing right gives 403).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buurtbalans.cooperatives import files, selectors, services
from buurtbalans.cooperatives.account import AccountContent, account_pdf, account_workbook
from buurtbalans.cooperatives.comparison import cooperative_comparison
from buurtbalans.cooperatives.forms import (
    AccountForm,
    ActivityForm,
    AgreementForm,
    BoardMemberForm,
    CandidateCheckForm,
    CommitmentForm,
    ComplexLinkForm,
    ContactForm,
    CooperativeForm,
    CoOptationForm,
    DocumentForm,
    EscalationForm,
    ReviewForm,
)
from buurtbalans.cooperatives.letting_check import LettingFacts, letting_check
from buurtbalans.cooperatives.models import cooperative_scope
from buurtbalans.cooperatives.tables import (
    activity_columns,
    commitment_year_columns,
    comparison_columns,
    complex_link_columns,
    contact_columns,
    cooperative_columns,
    document_columns,
    escalation_columns,
    review_columns,
)
from buurtbalans.core.exports import XLSX_CONTENT_TYPE, export_filename, export_response, requested_format
from buurtbalans.core.permissions import Action, actions_of, can, membership_of, require
from buurtbalans.core.views import paginate

ACTIVITIES_PER_PAGE = 50
FIRST_YEAR = 2000


def _context(request, cooperative=None, **extra) -> dict:
    scope = cooperative_scope(request.user)
    today = timezone.localdate()
    return {
        "nav": "cooperative_portal" if scope is not None and scope.is_board else "cooperatives",
        "is_board": scope is not None and scope.is_board,
        "coop_rights": {a.value for a in actions_of(request.user)},
        "cooperative": cooperative,
        "today": today,
        # The year the sub-navigation's account and review links open: the page's year, else this year.
        "nav_year": extra.get("year") or today.year,
        **extra,
    }


def _year(request, default: int) -> int:
    raw = request.GET.get("year") or request.POST.get("year")
    if raw is None or raw == "":
        return default
    try:
        year = int(raw)
    except ValueError as exc:
        raise Http404 from exc
    if not FIRST_YEAR <= year <= default + 1:
        raise Http404
    return year


def _form_page(
    request,
    *,
    cooperative,
    form,
    title: str,
    intro: str = "",
    submit: str,
    back: str,
    status=200,
    multipart: bool = False,
):
    return render(
        request,
        "cooperatives/form.html",
        _context(
            request, cooperative, form=form, title=title, intro=intro, submit=submit, back=back, multipart=multipart
        ),
        status=status,
    )


def _refused(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


# --- registry --------------------------------------------------------------------------------------------------


@require_GET
def cooperative_list(request):
    """The corporation's cooperatives (staff); a board member goes to their own portal."""
    scope = cooperative_scope(request.user)
    if scope is not None and scope.is_board:
        return redirect("cooperative_portal")
    cooperatives = selectors.cooperative_list(request.user)
    export_format = requested_format(request)
    if export_format:
        return export_response(
            export_format=export_format, name="cooperatives", columns=cooperative_columns(), rows=list(cooperatives)
        )
    return render(
        request,
        "cooperatives/cooperative_list.html",
        _context(request, cooperatives=list(cooperatives), may_manage=can(request.user, Action.MANAGE_COOPERATIVES)),
    )


@require_http_methods(["GET", "POST"])
def cooperative_new(request):
    require(request.user, Action.MANAGE_COOPERATIVES)
    form = CooperativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cooperative = services.cooperative_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The cooperative has been registered."))
            return redirect("cooperative_detail", pk=cooperative.pk)
    return _form_page(
        request,
        cooperative=None,
        form=form,
        title=_("Register a housing cooperative"),
        submit=_("Register"),
        back=reverse("cooperative_list"),
        status=400 if form.errors else 200,
    )


@require_GET
def cooperative_portal(request):
    """The board's home: their own cooperative. Staff go to the list."""
    scope = cooperative_scope(request.user)
    if scope is not None and not scope.is_board:
        return redirect("cooperative_list")
    cooperative = selectors.board_cooperative_get(request.user)
    if cooperative is None:
        require(request.user, Action.COOPERATIVE_PORTAL)
        return render(request, "cooperatives/portal_unlinked.html", _context(request))
    return _detail(request, cooperative)


@require_GET
def cooperative_detail(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    return _detail(request, cooperative)


def _detail(request, cooperative):
    user = request.user
    today = timezone.localdate()
    year = _year(request, today.year)
    figures = selectors.cooperative_year_figures(user, cooperative, year, today=today)
    links = selectors.complex_link_list(user, cooperative)
    contacts = selectors.contact_list(user, cooperative)
    documents = selectors.document_list(user, cooperative)
    reviews = selectors.review_list(user, cooperative)
    escalations = selectors.escalation_list(user, cooperative)
    export_format = requested_format(request)
    if export_format:
        table = request.GET.get("table") or "commitments"
        tables = {
            "commitments": (commitment_year_columns(), figures),
            "complexes": (complex_link_columns(), links),
            "contacts": (contact_columns(), contacts),
            "documents": (document_columns(), documents),
            "reviews": (review_columns(), reviews),
            "escalations": (escalation_columns(), escalations),
        }
        if table not in tables:
            raise Http404
        columns, rows = tables[table]
        return export_response(
            export_format=export_format, name=f"{cooperative.name}-{table}-{year}", columns=columns, rows=rows
        )
    context = _context(
        request,
        cooperative,
        today=today,
        year=year,
        years=selectors.activity_years(user, cooperative, today),
        figures=figures,
        links=links,
        contacts=contacts,
        documents=documents,
        agreements=selectors.agreement_list(user, cooperative),
        reviews=reviews[:20],
        escalations=escalations,
        board_members=selectors.board_member_list(user, cooperative) if can(user, Action.MANAGE_COOPERATIVES) else [],
        accounts=selectors.account_list(user, cooperative),
        recent_activities=list(selectors.activity_list(user, cooperative)[:5]),
        co_optations=selectors.co_optation_list(user, cooperative) if can(user, Action.RECORD_CO_OPTATION) else [],
        with_check_reasons=can(user, Action.VIEW_HOUSEHOLDS),
    )
    return render(request, "cooperatives/cooperative_detail.html", context)


@require_http_methods(["GET", "POST"])
def cooperative_edit(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    services.require_staff(request.user, cooperative, Action.MANAGE_COOPERATIVES)
    form = CooperativeForm(request.POST or None, instance=cooperative)
    if request.method == "POST" and form.is_valid():
        try:
            services.cooperative_update(actor=request.user, cooperative=cooperative, data=form.cleaned_data)
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("cooperative_detail", pk=cooperative.pk)
    return _form_page(
        request,
        cooperative=cooperative,
        form=form,
        title=_("Change %(name)s") % {"name": cooperative.name},
        submit=_("Save"),
        back=reverse("cooperative_detail", args=[cooperative.pk]),
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def complex_add(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    services.require_staff(request.user, cooperative, Action.MANAGE_COOPERATIVES)
    form = ComplexLinkForm(request.POST or None, corporation=cooperative.corporation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.cooperative_complex_add(
                actor=request.user,
                cooperative=cooperative,
                complex_=data["complex_code"],
                arrangement=data["arrangement"],
                valid_from=data["valid_from"],
                valid_until=data.get("valid_until"),
                dwellings=data["dwellings"],
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The complex has been added."))
            return redirect("cooperative_detail", pk=cooperative.pk)
    return _form_page(
        request,
        cooperative=cooperative,
        form=form,
        title=_("Add a complex"),
        intro=_("The complex, or some of its dwellings, that the cooperative rents, manages or owns."),
        submit=_("Add"),
        back=reverse("cooperative_detail", args=[cooperative.pk]),
        status=400 if form.errors else 200,
    )


@require_POST
def complex_remove(request, pk: int):
    link = selectors.complex_link_get(request.user, pk)
    services.cooperative_complex_remove(actor=request.user, link=link)
    messages.success(request, _("The complex has been removed from the cooperative."))
    return redirect("cooperative_detail", pk=link.cooperative_id)


@require_http_methods(["GET", "POST"])
def contact_add(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    services.require_staff(request.user, cooperative, Action.MANAGE_COOPERATIVES)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.contact_add(
            actor=request.user, cooperative=cooperative, data={k: form.cleaned_data[k] for k in ContactForm.Meta.fields}
        )
        messages.success(request, _("The contact has been added."))
        return redirect("cooperative_detail", pk=cooperative.pk)
    return _form_page(
        request,
        cooperative=cooperative,
        form=form,
        title=_("Add a contact"),
        submit=_("Add"),
        back=reverse("cooperative_detail", args=[cooperative.pk]),
        status=400 if form.errors else 200,
    )


@require_POST
def contact_delete(request, pk: int):
    contact = selectors.contact_get(request.user, pk)
    services.contact_delete(actor=request.user, contact=contact)
    messages.success(request, _("The contact has been removed."))
    return redirect("cooperative_detail", pk=contact.cooperative_id)


@require_http_methods(["GET", "POST"])
def document_add(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    services.require_staff(request.user, cooperative, Action.MANAGE_COOPERATIVES)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_add(
                actor=request.user,
                cooperative=cooperative,
                data=form.data_for_service(),
                upload=form.cleaned_data.get("file"),
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The document has been recorded."))
            return redirect("cooperative_detail", pk=cooperative.pk)
    return _form_page(
        request,
        cooperative=cooperative,
        form=form,
        title=_("Record a document"),
        intro=_(
            "The management agreement, the demarcation list, the co-optation right or another "
            "agreement. The file is optional: you can also record a paper original."
        ),
        submit=_("Record"),
        back=reverse("cooperative_detail", args=[cooperative.pk]),
        status=400 if form.errors else 200,
        multipart=True,
    )


def _file_response(row):
    if not row.has_file:
        raise Http404
    try:
        path = files.absolute(row.file_path)
        handle = path.open("rb")
    except OSError as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=row.file_name or path.name,
        content_type=files.content_type(row.file_name or path.name),
    )


@require_GET
def document_file(request, pk: int):
    return _file_response(selectors.document_get(request.user, pk))


@require_POST
def document_delete(request, pk: int):
    document = selectors.document_get(request.user, pk)
    services.document_delete(actor=request.user, document=document)
    messages.success(request, _("The document has been removed."))
    return redirect("cooperative_detail", pk=document.cooperative_id)


@require_http_methods(["GET", "POST"])
def agreement_add(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    services.require_staff(request.user, cooperative, Action.MANAGE_COOPERATIVES)
    form = AgreementForm(request.POST or None, cooperative=cooperative)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(
                actor=request.user,
                cooperative=cooperative,
                data={k: form.cleaned_data[k] for k in AgreementForm.Meta.fields},
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The agreement has been recorded. Now add its commitments."))
            return redirect("cooperative_commitment_add", pk=agreement.pk)
    return _form_page(
        request,
        cooperative=cooperative,
        form=form,
        title=_("Record an agreement"),
        intro=_("An agreement holds the measurable commitments of the cooperative."),
        submit=_("Record"),
        back=reverse("cooperative_detail", args=[cooperative.pk]),
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def commitment_add(request, pk: int):
    agreement = selectors.agreement_get(request.user, pk)
    return _commitment_form(request, agreement, None)


@require_http_methods(["GET", "POST"])
def commitment_edit(request, pk: int):
    commitment = selectors.commitment_get(request.user, pk)
    return _commitment_form(request, commitment.agreement, commitment)


def _commitment_form(request, agreement, commitment):
    cooperative = agreement.cooperative
    services.require_staff(request.user, cooperative, Action.MANAGE_COOPERATIVES)
    initial = {} if commitment else {"valid_from": agreement.valid_from, "valid_until": agreement.valid_until}
    form = CommitmentForm(request.POST or None, instance=commitment, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.commitment_save(
                actor=request.user, agreement=agreement, data=form.data_for_service(), commitment=commitment
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The commitment has been saved."))
            return redirect("cooperative_detail", pk=cooperative.pk)
    title = _("Change a commitment") if commitment else _("Add a commitment to %(title)s") % {"title": agreement.title}
    return _form_page(
        request,
        cooperative=cooperative,
        form=form,
        title=title,
        intro=_(
            "A commitment is measured against the activity log: activities, participants, "
            "participants from the buurt, or weeks with an opening."
        ),
        submit=_("Save"),
        back=reverse("cooperative_detail", args=[cooperative.pk]),
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def board_add(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    services.require_staff(request.user, cooperative, Action.MANAGE_COOPERATIVES)
    form = BoardMemberForm(request.POST or None, corporation=cooperative.corporation)
    if request.method == "POST" and form.is_valid():
        try:
            services.board_member_link(actor=request.user, cooperative=cooperative, user=form.cleaned_data["username"])
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The board member can now use the portal of this cooperative."))
            return redirect("cooperative_detail", pk=cooperative.pk)
    return _form_page(
        request,
        cooperative=cooperative,
        form=form,
        title=_("Link a board member"),
        intro=_("A board member sees only this cooperative: its log, account, agreements and reviews."),
        submit=_("Link"),
        back=reverse("cooperative_detail", args=[cooperative.pk]),
        status=400 if form.errors else 200,
    )


@require_POST
def board_remove(request, pk: int):
    link = selectors.board_member_get(request.user, pk)
    services.board_member_unlink(actor=request.user, link=link)
    messages.success(request, _("The board member has been unlinked."))
    return redirect("cooperative_detail", pk=link.cooperative_id)


# --- the activity log ----------------------------------------------------------------------------------------------


@require_GET
def activity_list(request, pk: int):
    user = request.user
    cooperative = selectors.cooperative_get(user, pk)
    today = timezone.localdate()
    year = _year(request, today.year)
    activities = selectors.activity_list(user, cooperative, year=year)
    export_format = requested_format(request)
    if export_format:
        return export_response(
            export_format=export_format,
            name=f"{cooperative.name}-activities-{year}",
            columns=activity_columns(),
            rows=activities.iterator(chunk_size=500),
        )
    page = paginate(request, activities, per_page=ACTIVITIES_PER_PAGE)
    scope = cooperative_scope(user)
    return render(
        request,
        "cooperatives/activity_list.html",
        _context(
            request,
            cooperative,
            year=year,
            years=selectors.activity_years(user, cooperative, today),
            page=page,
            may_log=scope is not None and scope.cooperative_id == cooperative.pk,
        ),
    )


@require_http_methods(["GET", "POST"])
def activity_add(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    services.require_board(request.user, cooperative)
    today = timezone.localdate()
    form = ActivityForm(request.POST or None, request.FILES or None, cooperative=cooperative, initial={"day": today})
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_record(
                actor=request.user,
                cooperative=cooperative,
                data=form.data_for_service(),
                upload=form.cleaned_data.get("file"),
                today=today,
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The activity has been added to the log."))
            return redirect(f"{reverse('cooperative_activities', args=[cooperative.pk])}?year={activity.day.year}")
    return _form_page(
        request,
        cooperative=cooperative,
        form=form,
        title=_("Log an activity"),
        intro=_("What happened, for which agreement, and how many people took part."),
        submit=_("Add to the log"),
        back=reverse("cooperative_activities", args=[cooperative.pk]),
        status=400 if form.errors else 200,
        multipart=True,
    )


@require_http_methods(["GET", "POST"])
def activity_edit(request, pk: int):
    activity = selectors.activity_get(request.user, pk)
    cooperative = activity.cooperative
    services.require_board(request.user, cooperative)
    today = timezone.localdate()
    form = ActivityForm(request.POST or None, request.FILES or None, cooperative=cooperative, instance=activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(
                actor=request.user,
                activity=activity,
                data=form.data_for_service(),
                upload=form.cleaned_data.get("file"),
                remove_file=form.cleaned_data.get("remove_file", False),
                today=today,
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The activity has been changed."))
            return redirect(f"{reverse('cooperative_activities', args=[cooperative.pk])}?year={activity.day.year}")
    return _form_page(
        request,
        cooperative=cooperative,
        form=form,
        title=_("Change an activity"),
        submit=_("Save"),
        back=reverse("cooperative_activities", args=[cooperative.pk]),
        status=400 if form.errors else 200,
        multipart=True,
    )


@require_POST
def activity_delete(request, pk: int):
    activity = selectors.activity_get(request.user, pk)
    try:
        services.activity_delete(actor=request.user, activity=activity)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The activity has been removed from the log."))
    return redirect(f"{reverse('cooperative_activities', args=[activity.cooperative_id])}?year={activity.day.year}")


@require_GET
def activity_file(request, pk: int):
    return _file_response(selectors.activity_get(request.user, pk))


# --- the yearly account --------------------------------------------------------------------------------------------


def _account_content(user, cooperative, year: int, today) -> AccountContent:
    return AccountContent(
        cooperative=cooperative,
        year=year,
        account=selectors.account_get(user, cooperative, year),
        figures=selectors.cooperative_year_figures(user, cooperative, year, today=today),
        reviews=[r for r in selectors.review_list(user, cooperative) if r.period_start.year == year],
        activities=list(selectors.activity_list(user, cooperative, year=year).order_by("day", "pk")),
    )


@require_http_methods(["GET", "POST"])
def account(request, pk: int, year: int):
    """The yearly account: the board writes and hands it in; the corporation reads it; Excel and PDF for both."""
    user = request.user
    cooperative = selectors.cooperative_get(user, pk)
    today = timezone.localdate()
    if not FIRST_YEAR <= year <= today.year:
        raise Http404
    content = _account_content(user, cooperative, year, today)
    export_format = requested_format(request)
    if export_format == "xlsx":
        filename = export_filename(f"{cooperative.name}-account-{year}", "xlsx")
        return FileResponse(
            account_workbook(content), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
        )
    if export_format == "csv":
        return export_response(
            export_format="csv",
            name=f"{cooperative.name}-account-{year}",
            columns=commitment_year_columns(),
            rows=content.figures,
        )
    scope = cooperative_scope(user)
    is_own_board = scope is not None and scope.cooperative_id == cooperative.pk
    may_edit = is_own_board and not (content.account and content.account.is_submitted)
    form = None
    if may_edit:
        form = AccountForm(request.POST or None, request.FILES or None, instance=content.account)
    elif request.method == "POST":
        services.require_board(user, cooperative)
        messages.error(request, _("The yearly account of %(year)s has been handed in already.") % {"year": year})
        return redirect("cooperative_account", pk=cooperative.pk, year=year)
    if request.method == "POST" and form is not None and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.account_save(
                actor=user,
                cooperative=cooperative,
                year=year,
                data=form.data_for_service(),
                upload=form.cleaned_data.get("file"),
                submit=submit,
                today=today,
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(
                request,
                _("The yearly account has been handed in. Thank you.") if submit else _("The draft has been saved."),
            )
            return redirect("cooperative_account", pk=cooperative.pk, year=year)
    return render(
        request,
        "cooperatives/account.html",
        _context(
            request,
            cooperative,
            year=year,
            content=content,
            form=form,
            may_submit=year < today.year,
        ),
        status=400 if form is not None and form.errors else 200,
    )


@require_GET
def account_pdf_view(request, pk: int, year: int):
    user = request.user
    cooperative = selectors.cooperative_get(user, pk)
    today = timezone.localdate()
    if not FIRST_YEAR <= year <= today.year:
        raise Http404
    content = _account_content(user, cooperative, year, today)
    pdf = account_pdf(content, generated=timezone.localtime())
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = export_filename(f"{cooperative.name}-account-{year}", "pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def account_file(request, pk: int, year: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    row = selectors.account_get(request.user, cooperative, year)
    if row is None:
        raise Http404
    return _file_response(row)


# --- reviews and escalation --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_year(request, pk: int, year: int):
    """Per commitment and review period of `year`: the log's figures, the suggestion and the corporation's verdict."""
    user = request.user
    cooperative = selectors.cooperative_get(user, pk)
    today = timezone.localdate()
    if not FIRST_YEAR <= year <= today.year:
        raise Http404
    if cooperative_scope(user).is_board and request.method == "POST":
        require(user, Action.REVIEW_COOPERATIVES)
    may_review = can(user, Action.REVIEW_COOPERATIVES)
    posted = None
    if request.method == "POST":
        services.require_staff(user, cooperative, Action.REVIEW_COOPERATIVES)
        posted = ReviewForm(request.POST)
        if posted.is_valid():
            commitment = selectors.commitment_get(user, posted.cleaned_data["commitment"])
            if commitment.agreement.cooperative_id != cooperative.pk:
                raise Http404
            try:
                services.commitment_review(
                    actor=user,
                    commitment=commitment,
                    period_label=posted.cleaned_data["period"],
                    verdict=posted.cleaned_data["verdict"],
                    notes=posted.cleaned_data["notes"],
                    follow_up=posted.cleaned_data["follow_up"],
                    today=today,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The review has been saved."))
                return redirect("cooperative_reviews", pk=cooperative.pk, year=year)
        else:
            messages.error(request, _("Choose a verdict."))
    figures = selectors.cooperative_year_figures(user, cooperative, year, today=today)
    rows = []
    for item in figures:
        for period in item.periods:
            form = None
            if may_review and period.is_ended:
                initial = {
                    "commitment": item.commitment.pk,
                    "period": period.period.label,
                    "verdict": period.review.verdict if period.review else period.suggested.value,
                    "notes": period.review.notes if period.review else "",
                    "follow_up": period.review.follow_up if period.review else "",
                }
                form = ReviewForm(initial=initial, prefix=f"c{item.commitment.pk}-{period.period.label}")
            rows.append((item, period, form))
    return render(
        request,
        "cooperatives/review_year.html",
        _context(
            request,
            cooperative,
            year=year,
            rows=rows,
            may_review=may_review,
            years=[y for y in selectors.activity_years(user, cooperative, today) if y <= today.year],
        ),
    )


@require_http_methods(["GET", "POST"])
def escalation_add(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    services.require_staff(request.user, cooperative, Action.REVIEW_COOPERATIVES)
    form = EscalationForm(request.POST or None, cooperative=cooperative, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.escalation_record(actor=request.user, cooperative=cooperative, data=form.data_for_service())
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("The escalation step has been recorded."))
            return redirect("cooperative_detail", pk=cooperative.pk)
    return _form_page(
        request,
        cooperative=cooperative,
        form=form,
        title=_("Record an escalation step"),
        intro=_(
            "Steps: a conversation, a written notice, an improvement plan, the corporation takes "
            "over a task, notice to end the management agreement. Steps cannot be removed."
        ),
        submit=_("Record"),
        back=reverse("cooperative_detail", args=[cooperative.pk]),
        status=400 if form.errors else 200,
    )


# --- comparison and co-optation ----------------------------------------------------------------------------------


@require_GET
def comparison(request, pk: int):
    user = request.user
    cooperative = selectors.cooperative_get(user, pk)
    result = cooperative_comparison(user, cooperative, today=timezone.localdate())
    export_format = requested_format(request)
    if export_format:
        group_coop, group_other = _("Complexes of the cooperative"), _("Comparable complexes")
        rows = [(group_coop, f) for f in result.cooperative] + [(group_other, f) for f in result.comparable]
        return export_response(
            export_format=export_format, name=f"{cooperative.name}-comparison", columns=comparison_columns(), rows=rows
        )
    turnover = [(a.year, a.turnover_per_100, b.turnover_per_100) for a, b in result.rows]
    return render(
        request,
        "cooperatives/comparison.html",
        _context(
            request,
            cooperative,
            result=result,
            chart=_line_chart(turnover),
        ),
    )


def _line_chart(points: list[tuple[int, float | None, float | None]], width: int = 480, height: int = 180) -> dict:
    """Coordinates of two lines (cooperative, comparable) for an inline SVG; the data table shows the figures."""
    values = [v for _year, a, b in points for v in (a, b) if v is not None]
    top = max(values + [1.0])
    left, bottom, right = 40, height - 24, width - 24
    step = (right - left) / max(len(points) - 1, 1)

    def y(value):
        return round(bottom - (bottom - 10) * value / top, 1)

    series = []
    for index in (1, 2):
        coordinates = [(round(left + i * step, 1), y(p[index])) for i, p in enumerate(points) if p[index] is not None]
        series.append(" ".join(f"{cx},{cy}" for cx, cy in coordinates))
    labels = [{"x": round(left + i * step, 1), "year": p[0]} for i, p in enumerate(points)]
    return {
        "width": width,
        "height": height,
        "cooperative": series[0],
        "comparable": series[1],
        "labels": labels,
        "top": round(top, 1),
        "bottom": bottom,
        "left": left,
        "label_y": height - 6,
    }


@require_http_methods(["GET", "POST"])
def co_optation_add(request, pk: int):
    """Record a co-optation on a letting, and check a proposed candidate before a letting (nothing stored)."""
    user = request.user
    cooperative = selectors.cooperative_get(user, pk)
    services.require_staff(user, cooperative, Action.RECORD_CO_OPTATION)
    form = CoOptationForm(request.POST or None, corporation=cooperative.corporation)
    check_form = CandidateCheckForm(request.GET if "dwelling_code" in request.GET else None, cooperative=cooperative)
    candidate = None
    if check_form.is_bound and check_form.is_valid():
        data = check_form.cleaned_data
        try:
            candidate = letting_check(
                LettingFacts(
                    letting_date=data["letting_date"],
                    base_rent=data["dwelling"].base_rent,
                    household_size=data["household_size"],
                    assessed_income=data["assessed_income"],
                    is_pension_age=data["is_pension_age"],
                    assets=None,
                    is_daeb_dwelling=data["dwelling"].is_daeb,
                )
            )
        except LookupError:
            check_form.add_error("letting_date", _("No legal parameters cover this date."))
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.co_optation_record(
                actor=user,
                cooperative=cooperative,
                tenancy=form.cleaned_data["contract_code"],
                decided_on=form.cleaned_data["decided_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(
                request,
                _("The co-optation has been recorded as the selection method of letting %(code)s.")
                % {"code": recorded.tenancy.external_id},
            )
            return redirect("cooperative_detail", pk=cooperative.pk)
    membership = membership_of(user)
    return render(
        request,
        "cooperatives/co_optation.html",
        _context(
            request,
            cooperative,
            form=form,
            check_form=check_form,
            candidate=candidate,
            corporation=membership.corporation,
        ),
        status=400 if form.errors else 200,
    )


@require_GET
def cooperative_map(request):
    """The cooperatives' complexes on the liveability monitor's map of a municipality (issue 6), with a table."""
    from django.apps import apps

    user = request.user
    require(user, Action.VIEW_COOPERATIVES)
    require(user, Action.VIEW_MONITOR)
    if not apps.is_installed("buurtbalans.liveability"):
        raise Http404
    from buurtbalans.liveability.selectors import map_data

    rows = selectors.cooperative_map_rows(user, today=timezone.localdate())
    municipalities: dict[str, str] = {}
    for row in rows:
        buurt = row.link.complex.neighbourhood
        if buurt is not None:
            municipalities.setdefault(buurt.municipality.cbs_code, buurt.municipality.name)
    municipality = request.GET.get("municipality") or next(iter(sorted(municipalities)), None)
    if municipality is not None and municipality not in municipalities:
        raise Http404
    data = map_data(user, municipality_code=municipality, indicator="vitality") if municipality else None
    positions = {c["id"]: c for c in data["complexes"]} if data else {}
    table = []
    for row in rows:
        buurt = row.link.complex.neighbourhood
        position = positions.get(row.link.complex_id)
        table.append({
            "cooperative": row.cooperative.name, "cooperative_pk": row.cooperative.pk,
            "complex": row.link.complex.name, "complex_code": row.link.complex.external_id,
            "neighbourhood": buurt.name if buurt else "", "municipality": buurt.municipality.cbs_code if buurt else "",
            "arrangement": row.link.get_arrangement_display(),
            "x": position["x"] if position else None, "y": position["y"] if position else None,
        })
    export_format = requested_format(request)
    if export_format:
        from buurtbalans.core.exports import Column

        columns = [Column(_("Cooperative"), "cooperative"), Column(_("Complex code"), "complex_code"),
                   Column(_("Complex"), "complex"), Column(_("Neighbourhood"), "neighbourhood"),
                   Column(_("Municipality"), "municipality"), Column(_("Arrangement"), "arrangement")]
        return export_response(export_format=export_format, name="cooperatives-map", columns=columns, rows=table)
    return render(request, "cooperatives/map.html", _context(
        request, data=data, rows=table, municipalities=sorted(municipalities.items()), municipality=municipality,
        markers=[r for r in table if r["x"] is not None and r["municipality"] == municipality],
    ))
