"""Screens of accountability: the objection register (allocation officers) and the follow-ups of tenants chosen on
motivation (neighbourhood managers). Thin: rights and reads through the selectors, writes through the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from buurtbalans.accountability import selectors, services
from buurtbalans.accountability.forms import DecisionForm, FollowUpForm, ObjectionForm
from buurtbalans.accountability.selectors import OBJECTION_STATES
from buurtbalans.accountability.terms import follow_up_due_on
from buurtbalans.core.exports import Column, export_response, personal_data_export_record, requested_format
from buurtbalans.core.pagination import paginate
from buurtbalans.core.permissions import Action, actions_of, can, membership_of, require

ROWS_PER_PAGE = 50


def _context(request, **extra) -> dict:
    rights = {a.value for a in actions_of(request.user)}
    return {"nav": "accountability", "may_objections": Action.MANAGE_OBJECTIONS.value in rights,
            "may_follow_ups": Action.RECORD_FOLLOW_UPS.value in rights, **extra}


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


@require_GET
def accountability_home(request):
    """The menu's entry: the register for officers, the follow-ups for neighbourhood managers."""
    if can(request.user, Action.MANAGE_OBJECTIONS):
        return redirect("accountability_objections")
    if can(request.user, Action.RECORD_FOLLOW_UPS):
        return redirect("accountability_follow_ups")
    raise PermissionDenied


# --- the objection register --------------------------------------------------------------------------------------


def objection_columns(today) -> list[Column]:
    return [
        Column(gettext_lazy("Objection number"), "pk"),
        Column(gettext_lazy("Listing code"), lambda o: o.listing.reference),
        Column(gettext_lazy("Address"), lambda o: o.listing.dwelling.address),
        Column(gettext_lazy("Kind"), lambda o: o.get_kind_display()),
        Column(gettext_lazy("Who objected"), "objector"),
        Column(gettext_lazy("Received on"), "received_on"),
        Column(gettext_lazy("Decide by"), "due_on"),
        Column(gettext_lazy("Too late"), lambda o: _yes_no(o.is_overdue_on(today) or o.was_decided_late)),
        Column(gettext_lazy("Decided on"), "decided_on"),
        Column(gettext_lazy("Outcome"), lambda o: o.get_outcome_display()),
        Column(gettext_lazy("What the objection is about"), "summary"),
        Column(gettext_lazy("Decision"), "decision"),
        Column(gettext_lazy("Registered by"), "registered_by_name"),
        Column(gettext_lazy("Decided by"), "decided_by_name"),
    ]


@require_GET
def objection_list(request):
    """The register: every objection with its term, filtered on open / overdue / decided and on a listing."""
    user = request.user
    require(user, Action.MANAGE_OBJECTIONS)
    today = timezone.localdate()
    state = request.GET.get("state") or None
    if state is not None and state not in OBJECTION_STATES:
        raise Http404
    listing = None
    if request.GET.get("listing"):
        if not request.GET["listing"].isdigit():
            raise Http404
        listing = selectors.objection_listing_get(user, int(request.GET["listing"]))
    objections = selectors.objection_list(user, today=today, state=state, listing=listing)
    export_format = requested_format(request)
    if export_format:
        rows = list(objections.select_related("applicant__household"))
        personal_data_export_record(
            actor=user, corporation=membership_of(user).corporation, subject_type="objection",
            subject_ids=sorted({o.applicant.household.external_id for o in rows if o.applicant_id}),
            what="objection register", export_format=export_format, purpose=services.OBJECTION_PURPOSE,
            rows=len(rows))
        return export_response(export_format=export_format, name="bezwaren", columns=objection_columns(today),
                               rows=rows)
    page = paginate(request, objections, per_page=ROWS_PER_PAGE)
    for objection in page.object_list:
        objection.overdue = objection.is_overdue_on(today)
    filters = [("", _("All")), ("open", _("Open")), ("overdue", _("Overdue")), ("decided", _("Decided"))]
    return render(request, "accountability/objection_list.html", _context(
        request, section="objections", page=page, state=state or "", listing=listing, today=today,
        filters=filters, counts=selectors.objection_counts(user, today=today, listing=listing),
    ))


@require_http_methods(["GET", "POST"])
def objection_new(request):
    user = request.user
    require(user, Action.MANAGE_OBJECTIONS)
    initial = {"received_on": timezone.localdate()}
    if request.GET.get("listing", "").isdigit():
        initial["listing"] = selectors.objection_listing_get(user, int(request.GET["listing"])).reference
    form = ObjectionForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            objection = services.objection_register(actor=user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The objection is registered. Decide by %(date)s.")
                             % {"date": objection.due_on.strftime("%d-%m-%Y")})
            return redirect("accountability_objection", pk=objection.pk)
    return render(request, "accountability/objection_form.html", _context(request, section="objections",
                                                                           form=form))


@require_http_methods(["GET", "POST"])
def objection_detail(request, pk: int):
    """One objection with its term; the form for the decision while there is none."""
    user = request.user
    objection = selectors.objection_get(user, pk)
    today = timezone.localdate()
    form = None
    if not objection.is_decided:
        form = DecisionForm(request.POST or None, initial={"decided_on": today})
    elif request.method == "POST":
        messages.error(request, _("This objection was decided already; nothing was changed."))
        return redirect("accountability_objection", pk=objection.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_decide(actor=user, objection=objection, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("accountability_objection", pk=objection.pk)
    return render(request, "accountability/objection_detail.html", _context(
        request, section="objections", objection=objection, form=form, today=today,
        overdue=objection.is_overdue_on(today),
    ))


# --- follow-ups of tenants chosen on motivation -----------------------------------------------------------------


def due_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Contract code"), "external_id"),
        Column(gettext_lazy("Household code"), lambda t: t.household.external_id),
        Column(gettext_lazy("Address"), lambda t: t.dwelling.address),
        Column(gettext_lazy("Start"), "start_date"),
        Column(gettext_lazy("Follow-up from"), lambda t: follow_up_due_on(t.start_date)),
    ]


def follow_up_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Contract code"), lambda f: f.tenancy.external_id),
        Column(gettext_lazy("Household code"), lambda f: f.tenancy.household.external_id),
        Column(gettext_lazy("Address"), lambda f: f.tenancy.dwelling.address),
        Column(gettext_lazy("Date"), "held_on"),
        Column(gettext_lazy("Wanted to talk"), lambda f: _yes_no(f.took_part)),
        Column(gettext_lazy("What they did for the neighbourhood"), "contribution"),
        Column(gettext_lazy("Note"), "note"),
        Column(gettext_lazy("Recorded by"), "recorded_by_name"),
        Column(gettext_lazy("Voluntary"), lambda f: _("Voluntary: never a condition of the tenancy")),
    ]


@require_GET
def follow_up_list(request):
    """Tenancies let on motivation whose twelve months have passed without a follow-up, and those recorded."""
    user = request.user
    require(user, Action.RECORD_FOLLOW_UPS)
    today = timezone.localdate()
    tables = {"due": (selectors.follow_ups_due(user, today=today), due_columns(), lambda t: t.household),
              "recorded": (selectors.follow_up_list(user), follow_up_columns(), lambda f: f.tenancy.household)}
    export_format = requested_format(request)
    if export_format:
        table = request.GET.get("table") or "due"
        if table not in tables:
            raise Http404
        queryset, columns, household_of = tables[table]
        rows = list(queryset)
        personal_data_export_record(
            actor=user, corporation=membership_of(user).corporation, subject_type="follow_up",
            subject_ids=sorted({household_of(r).external_id for r in rows}), what=f"follow-ups ({table})",
            export_format=export_format, purpose=services.FOLLOW_UP_PURPOSE, rows=len(rows))
        return export_response(export_format=export_format, name=f"nagesprekken-{table}", columns=columns,
                               rows=rows)
    due = paginate(request, tables["due"][0], per_page=ROWS_PER_PAGE)
    for tenancy in due.object_list:
        tenancy.follow_up_from = follow_up_due_on(tenancy.start_date)
    recorded = list(tables["recorded"][0][:ROWS_PER_PAGE])
    selectors.follow_ups_read_record(
        user=user, households=[t.household for t in due.object_list] + [f.tenancy.household for f in recorded],
        what="follow-ups of motivation tenants")
    return render(request, "accountability/follow_up_list.html", _context(
        request, section="follow_ups", due=due, recorded=recorded, recorded_total=tables["recorded"][0].count(),
        rows_shown=ROWS_PER_PAGE,
    ))


@require_http_methods(["GET", "POST"])
def follow_up_new(request, pk: int):
    user = request.user
    tenancy = selectors.follow_up_tenancy_get(user, pk)
    selectors.follow_ups_read_record(user=user, households=[tenancy.household],
                                     what=f"follow-up form of tenancy {tenancy.external_id}")
    form = FollowUpForm(request.POST or None, initial={"held_on": timezone.localdate(), "took_part": "yes"})
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_record(actor=user, tenancy=tenancy, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The follow-up is recorded."))
            return redirect("accountability_follow_ups")
    return render(request, "accountability/follow_up_form.html", _context(
        request, section="follow_ups", form=form, tenancy=tenancy,
        follow_up_from=follow_up_due_on(tenancy.start_date),
    ))
