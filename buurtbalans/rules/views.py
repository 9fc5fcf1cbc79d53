"""Screens of the legal rules: yearly compliance (with exports and a PDF report), parameters, agreements, caps on
selection on motivation.

Views stay thin: they check the right through the selectors, read with selectors, write through services.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buurtbalans.core.exports import export_response, personal_data_export_record, requested_format
from buurtbalans.core.pagination import paginate
from buurtbalans.core.permissions import Action, actions_of, can, require
from buurtbalans.engine.parameters import ParameterTableError
from buurtbalans.households.selectors import household_income_read_record
from buurtbalans.neighbourhoods.models import Municipality
from buurtbalans.portfolio.models import Complex
from buurtbalans.rules import selectors, services
from buurtbalans.rules.forms import (
    ComplianceFilterForm,
    LocalParameterValueForm,
    MotivationCapForm,
    ParameterConfirmForm,
    ParameterSetForm,
    ParameterUploadForm,
    PerformanceAgreementForm,
)
from buurtbalans.rules.labels import (
    PARAMETER_ORDER,
    UNKNOWN_MUNICIPALITY,
    UNKNOWN_MUNICIPALITY_LABEL,
    parameter_label,
)
from buurtbalans.rules.models import ParameterChange
from buurtbalans.rules.proposals import Proposal, ProposalInvalid, proposal_read, proposal_sign
from buurtbalans.rules.tables import (
    fallback_lines,
    figure_rows,
    motivation_cap_words,
    motivation_columns,
    non_fitting_columns,
    non_fitting_rows,
    norm_columns,
    room_columns,
)

NON_FITTING_PER_PAGE = 100


def _context(request, **extra) -> dict:
    return {"nav": "rules", "rules_rights": {r.value for r in actions_of(request.user)}, **extra}


def _municipality_choices(corporation) -> list[tuple[str, str]]:
    """The municipalities of the corporation's complexes, and "municipality unknown"."""
    rows = (
        Complex.objects.filter(corporation=corporation, neighbourhood__isnull=False)
        .values_list("neighbourhood__municipality__cbs_code", "neighbourhood__municipality__name")
        .distinct()
        .order_by("neighbourhood__municipality__name")
    )
    choices = [(code, f"{name} ({code})") for code, name in rows]
    return [*choices, (UNKNOWN_MUNICIPALITY, str(UNKNOWN_MUNICIPALITY_LABEL))]


# --- compliance ---------------------------------------------------------------------------------------------


@require_GET
def compliance(request):
    """The year's passend toewijzen and DAEB figures per municipality and in total; tables as CSV/Excel."""
    user = request.user
    membership = require(user, Action.VIEW_COMPLIANCE)
    today = timezone.localdate()
    years = selectors.compliance_years(today)
    form = ComplianceFilterForm(
        request.GET or None,
        years=years,
        municipalities=_municipality_choices(membership.corporation),
        initial={"year": today.year},
    )
    if form.is_bound and not form.is_valid():
        year, municipality = today.year, None
    else:
        filters = form.cleaned_data if form.is_bound else {}
        year, municipality = filters.get("year") or today.year, filters.get("municipality") or None
    outcome = selectors.compliance_get(user, year=year, municipality=municipality)
    with_households = can(user, Action.VIEW_HOUSEHOLDS)
    rows = figure_rows(outcome)
    non_fitting = non_fitting_rows(outcome, with_households=with_households)
    motivation = selectors.motivation_cap_use(user, year=year, municipality=municipality)

    export_format = requested_format(request)
    if export_format:
        table = request.GET.get("table") or "norms"
        name = f"compliance-{year}"
        if table == "norms":
            return export_response(export_format=export_format, name=f"{name}-norms", columns=norm_columns(), rows=rows)
        if table == "room":
            return export_response(export_format=export_format, name=f"{name}-room", columns=room_columns(), rows=rows)
        if table == "motivation":
            return export_response(export_format=export_format, name=f"{name}-motivation",
                                   columns=motivation_columns(), rows=motivation)
        if table == "non_fitting":
            if with_households:
                personal_data_export_record(
                    actor=user,
                    corporation=membership.corporation,
                    subject_type="compliance",
                    subject_ids=[r.household_code for r in non_fitting],
                    what=f"non-fitting lettings {year}",
                    export_format=export_format,
                    purpose="compliance",
                    rows=len(non_fitting),
                )
            return export_response(
                export_format=export_format,
                name=f"{name}-non-fitting",
                columns=non_fitting_columns(with_households=with_households),
                rows=non_fitting,
            )
        raise Http404

    non_fitting_page = paginate(request, non_fitting, per_page=NON_FITTING_PER_PAGE)
    if with_households and non_fitting_page.object_list:
        # The explanations name each household's income: what is shown is logged, as on the household page.
        household_income_read_record(
            user=user,
            households=[r.household_code for r in non_fitting_page.object_list],
            purpose="compliance",
            what=f"non-fitting lettings {year} (page {non_fitting_page.number})",
        )
    total = rows[-1]
    context = _context(
        request,
        form=form,
        year=year,
        municipality=municipality,
        outcome=outcome,
        report=outcome.report,
        rows=rows,
        total=total,
        non_fitting_page=non_fitting_page,
        with_households=with_households,
        fallbacks=fallback_lines(outcome),
        incomplete=outcome.facts.incomplete,
        missing=[parameter_label(name) for name in outcome.report.total.missing_parameters],
        year_parameters=outcome.year_parameters,
        is_current_year=year == today.year,
        motivation=[(use, motivation_cap_words(use)) for use in motivation],
    )
    return render(request, "rules/compliance.html", context)


@require_POST
def compliance_report_start(request):
    """Start a PDF report of the year's compliance as a background task; the task page offers the download."""
    user = request.user
    membership = require(user, Action.VIEW_COMPLIANCE)
    today = timezone.localdate()
    form = ComplianceFilterForm(
        request.POST,
        years=selectors.compliance_years(today),
        municipalities=_municipality_choices(membership.corporation),
    )
    if not form.is_valid():
        messages.error(request, _("Choose a year from the list."))
        return redirect("rules_compliance")
    job = services.compliance_report_enqueue(
        actor=user, year=form.cleaned_data["year"], municipality=form.cleaned_data.get("municipality")
    )
    return redirect("job_detail", pk=job.pk)


@require_GET
def compliance_report_download(request, pk: int):
    """The PDF of a finished compliance report task of the user's corporation."""
    report = selectors.compliance_report_file_get(request.user, pk)
    response = HttpResponse(bytes(report.content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.file_name}"'
    return response


# --- parameters ---------------------------------------------------------------------------------------------


def _date_or_404(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise Http404 from exc


@require_GET
def parameter_list(request):
    """Every parameter set: its date, version, values from administrators and missing values."""
    user = request.user
    sets = selectors.parameter_set_list(user)
    context = _context(
        request,
        sets=sets,
        changes=selectors.parameter_change_list(user, limit=20),
        may_manage=can(user, Action.MANAGE_SHARED_PARAMETERS),
        may_manage_own=can(user, Action.MANAGE_LOCAL_PARAMETERS),
    )
    return render(request, "rules/parameter_list.html", context)


@require_http_methods(["GET", "POST"])
def parameter_set(request, valid_from: str):
    """One parameter set, value by value with its origin; the platform administrator corrects values here.

    A valid post shows the change for confirmation (`parameter_confirm` writes it).
    """
    user = request.user
    day = _date_or_404(valid_from)
    if request.method == "POST":
        require(user, Action.MANAGE_SHARED_PARAMETERS)
    set_view = selectors.parameter_set_get(user, day)
    may_manage = can(user, Action.MANAGE_SHARED_PARAMETERS)
    form = ParameterSetForm(request.POST or None, set_view=set_view) if may_manage else None
    if request.method == "POST" and form.is_valid():
        proposal = Proposal(via=ParameterChange.Via.FORM, rows=tuple(form.rows(day)), valid_from=day)
        response = _propose(request, proposal, form)
        if response is not None:
            return response
    context = _context(
        request,
        set_view=set_view,
        form=form,
        may_manage=may_manage,
        changes=selectors.parameter_change_list(user, valid_from=day),
    )
    return render(request, "rules/parameter_set.html", context, status=400 if form is not None and form.errors else 200)


def _propose(request, proposal: Proposal, form=None, *, errors: list | None = None):
    """The confirmation page of `proposal`, or a redirect when it changes nothing; None when it is refused (the
    problems are added to `form`, or to `errors`)."""
    try:
        if proposal.removal is not None:
            diff = services.parameter_removal_preview(
                valid_from=proposal.removal[0], key=proposal.removal[1], actor=request.user
            )
            if diff is None:
                raise Http404
            diffs = (diff,)
        else:
            diffs = services.parameter_changes_preview(rows=proposal.rows, actor=request.user)
    except ParameterTableError as exc:
        for error in exc.errors:
            if form is not None:
                form.add_error(None, error)
            elif errors is not None:
                errors.append(error)
        return None
    if not diffs:
        messages.info(request, _("Nothing changed: every value was already so."))
        return _back(proposal)
    return _confirmation(request, proposal, diffs)


def _confirmation(request, proposal: Proposal, diffs, *, status: int = 200, stale: bool = False):
    confirm = ParameterConfirmForm(
        initial={"proposal": proposal_sign(proposal, request.user), "shown": services.diff_fingerprint(diffs)}
    )
    context = _context(request, proposal=proposal, diffs=diffs, confirm=confirm, stale=stale, back=_back_url(proposal))
    return render(request, "rules/parameter_confirm.html", context, status=status)


def _back_url(proposal: Proposal) -> str:
    if proposal.valid_from is not None:
        return reverse("rules_parameter_set", args=[proposal.valid_from.isoformat()])
    return reverse("rules_parameters")


def _back(proposal: Proposal):
    return redirect(_back_url(proposal))


@require_POST
def parameter_confirm(request):
    """Write a change the platform administrator saw (old and new, value by value) and confirmed."""
    user = request.user
    require(user, Action.MANAGE_SHARED_PARAMETERS)
    form = ParameterConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise ProposalInvalid
        proposal = proposal_read(form.cleaned_data["proposal"], user)
    except ProposalInvalid:
        messages.error(request, _("This confirmation is no longer valid (after an hour, or from another login). "
                                  "Nothing was saved. Enter the change again."))
        return redirect("rules_parameters")
    shown = form.cleaned_data["shown"]
    try:
        if proposal.removal is not None:
            day, key = proposal.removal
            services.parameter_value_remove(valid_from=day, key=key, actor=user, confirmed=shown)
            messages.success(request, _("The value of “%(name)s” was removed.") % {"name": parameter_label(key)})
        else:
            result = services.parameter_values_save(
                rows=proposal.rows, actor=user, via=proposal.via, file_name=proposal.file_name, confirmed=shown
            )
            _saved_message(request, result)
    except services.ParameterProposalStale:
        # Someone changed values after this page was shown: show what the change means now.
        return _propose_again(request, proposal)
    except ParameterTableError as exc:
        messages.error(request, "; ".join(exc.errors))
    if proposal.valid_from is not None and any(
        s.valid_from == proposal.valid_from for s in selectors.parameter_set_list(user)
    ):
        return redirect("rules_parameter_set", valid_from=proposal.valid_from.isoformat())
    return redirect("rules_parameters")


def _propose_again(request, proposal: Proposal):
    messages.warning(request, _("The values changed after you checked them. Nothing was saved. "
                                "Check the changes below again."))
    try:
        if proposal.removal is not None:
            diff = services.parameter_removal_preview(
                valid_from=proposal.removal[0], key=proposal.removal[1], actor=request.user
            )
            diffs = (diff,) if diff is not None else ()
        else:
            diffs = services.parameter_changes_preview(rows=proposal.rows, actor=request.user)
    except ParameterTableError as exc:
        messages.error(request, "; ".join(exc.errors))
        return _back(proposal)
    if not diffs:
        messages.info(request, _("Nothing changed: every value was already so."))
        return _back(proposal)
    return _confirmation(request, proposal, diffs, status=409, stale=True)


def _saved_message(request, result) -> None:
    if not result.changed:
        messages.info(request, _("Nothing changed: every value was already so."))
        return
    versions = ", ".join(sorted(result.versions.values()))
    count = len(result.changed)
    messages.success(
        request,
        ngettext(
            "%(count)d value saved. New version: %(versions)s.",
            "%(count)d values saved. New version: %(versions)s.",
            count,
        )
        % {"count": count, "versions": versions},
    )


@require_http_methods(["GET", "POST"])
def parameter_new(request):
    """Add a parameter set for a new date, starting from the values in force the day before."""
    user = request.user
    require(user, Action.MANAGE_SHARED_PARAMETERS)
    latest = selectors.parameter_set_list(user)[0]
    form = ParameterSetForm(request.POST or None, set_view=latest, with_date=True)
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["valid_from"]
        if any(s.valid_from == day for s in selectors.parameter_set_list(user)):
            form.add_error("valid_from", _("A set for this date exists already. Change it on its own page."))
        else:
            proposal = Proposal(via=ParameterChange.Via.FORM, rows=tuple(form.rows()), valid_from=day)
            response = _propose(request, proposal, form)
            if response is not None:
                return response
    context = _context(request, form=form, latest=latest)
    return render(request, "rules/parameter_new.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def parameter_upload(request):
    """Upload a parameter table (CSV, the built-in table's format, every parameter of each date); the change is
    shown for confirmation, then all rows are stored, or none."""
    user = request.user
    require(user, Action.MANAGE_SHARED_PARAMETERS)
    form = ParameterUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["file"].name[:200]
        try:
            rows = services.parameter_file_rows(text=form.text, file_name=name)
        except ParameterTableError as exc:
            errors = exc.errors
        else:
            response = _propose(request, Proposal(via=ParameterChange.Via.FILE, rows=rows, file_name=name),
                                errors=errors)
            if response is not None:
                return response
    # The codes a file writes in its key column, each with the name the screens use for it.
    keys = [(key, parameter_label(key)) for key in PARAMETER_ORDER]
    context = _context(request, form=form, errors=errors, keys=keys)
    return render(request, "rules/parameter_upload.html", context, status=400 if errors or form.errors else 200)


@require_POST
def parameter_remove(request, valid_from: str, key: str):
    """Propose removing a stored value (the built-in table's value is in force again); shown for confirmation."""
    user = request.user
    require(user, Action.MANAGE_SHARED_PARAMETERS)
    day = _date_or_404(valid_from)
    proposal = Proposal(via=ParameterChange.Via.REMOVED, removal=(day, key), valid_from=day)
    errors: list[str] = []
    response = _propose(request, proposal, errors=errors)
    if response is None:
        messages.error(request, "; ".join(errors))
        return _back(proposal)
    return response


# --- a corporation's own values -----------------------------------------------------------------------------


def _saved(request, form, save, refused: type[Exception], message: str) -> bool:
    """Run `save` (a service call); False with the service's reasons on the form when it refuses, else say `message`."""
    try:
        save()
    except refused as exc:
        for problem in exc.problems:
            form.add_error(None, problem)
        return False
    messages.success(request, message)
    return True


def _local_save(request, form, membership, instance=None) -> bool:
    """Save the form's own value through the service; False (with the reasons on the form) when refused."""
    data = form.cleaned_data
    return _saved(request, form, lambda: services.local_parameter_value_save(
        actor=request.user, corporation=membership.corporation, key=data["key"], valid_from=data["valid_from"],
        valid_until=data["valid_until"], value=data["amount"], source=data["source"], note=data["note"],
        instance=instance,
    ), services.LocalParameterRefused, _("Your own value was saved. It applies to your corporation only."))


@require_http_methods(["GET", "POST"])
def local_parameter_list(request):
    """The corporation's own values beside the legal ones; its administrators record new ones here."""
    user = request.user
    membership = require(user, Action.VIEW_COMPLIANCE)
    may_manage = can(user, Action.MANAGE_LOCAL_PARAMETERS)
    if request.method == "POST":
        require(user, Action.MANAGE_LOCAL_PARAMETERS)
    form = LocalParameterValueForm(request.POST or None) if may_manage else None
    if request.method == "POST" and form.is_valid() and _local_save(request, form, membership):
        return redirect("rules_local_parameters")
    context = _context(
        request,
        values=selectors.local_parameter_value_views(user, timezone.localdate()),
        form=form,
        may_manage=may_manage,
    )
    status = 400 if form is not None and form.errors else 200
    return render(request, "rules/local_parameters.html", context, status=status)


@require_http_methods(["GET", "POST"])
def local_parameter_edit(request, pk: int):
    user = request.user
    value = selectors.local_parameter_value_get(user, pk)
    membership = require(user, Action.MANAGE_LOCAL_PARAMETERS)
    form = LocalParameterValueForm(request.POST or None, instance=value)
    if request.method == "POST" and form.is_valid() and _local_save(request, form, membership, instance=value):
        return redirect("rules_local_parameters")
    context = _context(request, value=value, form=form)
    return render(request, "rules/local_parameter_edit.html", context, status=400 if form.errors else 200)


@require_POST
def local_parameter_remove(request, pk: int):
    value = selectors.local_parameter_value_get(request.user, pk)
    services.local_parameter_value_remove(actor=request.user, value=value)
    messages.success(request, _("Your own value was removed. The legal value applies again."))
    return redirect("rules_local_parameters")


# --- performance agreements ---------------------------------------------------------------------------------


def _agreement_municipalities(corporation):
    codes = Complex.objects.filter(corporation=corporation, neighbourhood__isnull=False).values(
        "neighbourhood__municipality_id"
    )
    own = Municipality.objects.filter(pk__in=codes)
    return own if own.exists() else Municipality.objects.all()


@require_http_methods(["GET", "POST"])
def agreement_list(request):
    """The corporation's performance agreements; analysts and administrators record new ones here."""
    user = request.user
    membership = require(user, Action.VIEW_COMPLIANCE)
    may_manage = can(user, Action.MANAGE_AGREEMENTS)
    if request.method == "POST":
        require(user, Action.MANAGE_AGREEMENTS)
    form = None
    if may_manage:
        form = PerformanceAgreementForm(
            request.POST or None, municipalities=_agreement_municipalities(membership.corporation)
        )
        if request.method == "POST" and form.is_valid():
            services.performance_agreement_save(
                actor=user,
                corporation=membership.corporation,
                municipality=form.cleaned_data["municipality"],
                valid_from=form.cleaned_data["valid_from"],
                valid_until=form.cleaned_data["valid_until"],
                free_allocation_share=form.free_allocation_share,
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("The performance agreement was saved."))
            return redirect("rules_agreements")
    context = _context(
        request, agreements=list(selectors.performance_agreement_list(user)), form=form, may_manage=may_manage
    )
    status = 400 if form is not None and form.errors else 200
    return render(request, "rules/agreement_list.html", context, status=status)


@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk: int):
    user = request.user
    agreement = selectors.performance_agreement_get(user, pk)
    membership = require(user, Action.MANAGE_AGREEMENTS)
    form = PerformanceAgreementForm(
        request.POST or None, instance=agreement, municipalities=_agreement_municipalities(membership.corporation)
    )
    if request.method == "POST" and form.is_valid():
        services.performance_agreement_save(
            actor=user,
            corporation=membership.corporation,
            municipality=form.cleaned_data["municipality"],
            valid_from=form.cleaned_data["valid_from"],
            valid_until=form.cleaned_data["valid_until"],
            free_allocation_share=form.free_allocation_share,
            note=form.cleaned_data["note"],
            agreement=agreement,
        )
        messages.success(request, _("The performance agreement was saved."))
        return redirect("rules_agreements")
    context = _context(request, agreement=agreement, form=form)
    return render(request, "rules/agreement_edit.html", context, status=400 if form.errors else 200)


@require_POST
def agreement_delete(request, pk: int):
    agreement = selectors.performance_agreement_get(request.user, pk)
    services.performance_agreement_delete(agreement=agreement)
    messages.success(request, _("The performance agreement was removed."))
    return redirect("rules_agreements")


# --- caps on selection on motivation -------------------------------------------------------------------------


def _cap_save(request, form, membership, cap=None) -> bool:
    """Save the form's cap through the service; False (with the reasons on the form) when refused."""
    data = form.cleaned_data
    return _saved(request, form, lambda: services.motivation_cap_save(
        actor=request.user, corporation=membership.corporation, municipality=data["municipality"],
        year=data["year"], max_share=form.max_share, max_number=data["max_number"], source=data["source"],
        note=data["note"], cap=cap,
    ), services.MotivationCapRefused, _("The cap on selection on motivation was saved."))


@require_http_methods(["GET", "POST"])
def motivation_cap_list(request):
    """The caps on selection on motivation per municipality and year; analysts and administrators set them here."""
    user = request.user
    membership = require(user, Action.VIEW_COMPLIANCE)
    may_manage = can(user, Action.MANAGE_AGREEMENTS)
    if request.method == "POST":
        require(user, Action.MANAGE_AGREEMENTS)
    form = None
    if may_manage:
        form = MotivationCapForm(
            request.POST or None,
            municipalities=_agreement_municipalities(membership.corporation),
            initial={"year": timezone.localdate().year},
        )
        if request.method == "POST" and form.is_valid() and _cap_save(request, form, membership):
            return redirect("rules_motivation_caps")
    context = _context(request, caps=list(selectors.motivation_cap_list(user)), form=form, may_manage=may_manage)
    status = 400 if form is not None and form.errors else 200
    return render(request, "rules/motivation_caps.html", context, status=status)


@require_http_methods(["GET", "POST"])
def motivation_cap_edit(request, pk: int):
    user = request.user
    cap = selectors.motivation_cap_get(user, pk)
    membership = require(user, Action.MANAGE_AGREEMENTS)
    form = MotivationCapForm(
        request.POST or None, instance=cap, municipalities=_agreement_municipalities(membership.corporation)
    )
    if request.method == "POST" and form.is_valid() and _cap_save(request, form, membership, cap=cap):
        return redirect("rules_motivation_caps")
    context = _context(request, cap=cap, form=form)
    return render(request, "rules/motivation_cap_edit.html", context, status=400 if form.errors else 200)


@require_POST
def motivation_cap_delete(request, pk: int):
    cap = selectors.motivation_cap_get(request.user, pk)
    services.motivation_cap_delete(actor=request.user, cap=cap)
    messages.success(request, _("The cap was removed: the product sets no limit there in that year."))
    return redirect("rules_motivation_caps")
