"""Placement screens: the proposal per vacancy, recording a placement, contingents, intake conversations.

Views stay thin: they check the right, read with selectors (which log reads of personal data), write through
services, and render or export. Every screen needs MANAGE_PLACEMENTS (allocation officers).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from buurtbalans.core.exports import Column, export_response, personal_data_export_record, requested_format
from buurtbalans.core.figures import percent
from buurtbalans.core.pagination import paginate
from buurtbalans.core.permissions import Action, membership_of, require
from buurtbalans.engine.placements import half_year_of
from buurtbalans.steering.models import Label
from buurtbalans.steering.reasons import room_label

from . import selectors, services
from .forms import ContingentForm, IntakeForm, PlacementForm
from .text import half_year_label

ROWS_PER_PAGE = 50


def _context(section: str, **extra) -> dict:
    return {"nav": "placements", "section": section, **extra}


def _label_name(label: str | None) -> str:
    return str(Label(label).label) if label in Label.values else "–"


# --- proposal per vacancy ---------------------------------------------------------------------------------------


def _proposal_view(row, k: int) -> dict:
    p = row.proposal
    return {
        "row": row,
        "dwelling": row.dwelling,
        "label": _label_name(row.label),
        "room_label": room_label(row.room.answer) if row.room is not None else "–",
        "is_proposed": p.is_proposed,
        "needs_reason": p.needs_reason,
        "answer": _("Yes") if p.is_proposed else (_("Only with a reason") if p.needs_reason else _("No")),
        "why": " ".join(services.ground_text(g, k=k) for g in p.grounds),
        "placements_before": p.placements_before,
        "share_after": percent(p.share_after) if p.share_after is not None else "–",
        "max_share": percent(row.mix_row.profile.max_vulnerable_share) if row.mix_row is not None else "–",
    }


def proposal_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Dwelling code"), lambda v: v["dwelling"].external_id),
        Column(gettext_lazy("Address"), lambda v: v["dwelling"].address),
        Column(gettext_lazy("Complex"), lambda v: v["dwelling"].complex.external_id if v["dwelling"].complex else ""),
        Column(gettext_lazy("Label"), "label"),
        Column(gettext_lazy("Room for a vulnerable household"), "room_label"),
        Column(gettext_lazy("Placements in the complex this year"), "placements_before"),
        Column(gettext_lazy("Vulnerable share after one more"), "share_after"),
        Column(gettext_lazy("Maximum share"), "max_share"),
        Column(gettext_lazy("Placement possible"), "answer"),
        Column(gettext_lazy("Why"), "why"),
    ]


@require_GET
def proposals(request):
    """Every vacancy: can it take a placement of a vulnerable household, and why (room check and spread rule)."""
    user = request.user
    require(user, Action.MANAGE_PLACEMENTS)
    today = timezone.localdate()
    rows, k = selectors.proposal_list(user, on=today)
    views = [_proposal_view(row, k) for row in rows]
    export_format = requested_format(request)
    if export_format:
        return export_response(export_format=export_format, name="plaatsingsvoorstel", columns=proposal_columns(),
                               rows=views)
    page = paginate(request, views, per_page=ROWS_PER_PAGE)
    return render(request, "placements/proposals.html", _context(
        "proposals", page=page, k=k, today=today, proposed=sum(1 for v in views if v["is_proposed"]), total=len(views),
    ))  # fmt: skip


@require_http_methods(["GET", "POST"])
def placement_new(request, pk: int):
    """One vacancy: the check and why; the form that places a household from a contingent in it."""
    user = request.user
    membership = require(user, Action.MANAGE_PLACEMENTS)
    dwelling = selectors.vacancy_get(user, pk)
    today = timezone.localdate()
    row = selectors.proposal_for(user, dwelling, on=today)
    if row is None:
        raise Http404
    k = selectors.placements_per_complex_per_year(user)
    neighbourhood = dwelling.complex.neighbourhood if dwelling.complex_id else None
    contingents = selectors.contingent_choices(user, municipality_id=neighbourhood.municipality_id if neighbourhood
                                               else None)
    form = PlacementForm(request.POST or None, contingents=contingents,
                         initial={"placed_on": today, "contract_kind": "indefinite"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = selectors.household_by_code(user, data["household_code"])
        if household is None:
            form.add_error("household_code", _("No household with this code in your corporation."))
        else:
            try:
                services.placement_record(
                    corporation=membership.corporation, actor=user, contingent=data["contingent"],
                    household=household, dwelling=dwelling, placed_on=data["placed_on"], reason=data["reason"],
                    contract_kind=data["contract_kind"], temporary_group=data["temporary_group"],
                    temporary_months=data["temporary_months"],
                )  # fmt: skip
            except services.PlacementInputError as exc:
                for error in exc.errors:
                    form.add_error(None, error)
            else:
                messages.success(request, _("The placement was recorded. It counts against the contingent."))
                return redirect("placements_placed")
    context = _context("proposals", dwelling=dwelling, view=_proposal_view(row, k), form=form, k=k,
                       has_contingents=contingents.exists())
    return render(request, "placements/placement_new.html", context, status=400 if form.errors else 200)


# --- placements recorded --------------------------------------------------------------------------------------------


def placement_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Date"), "placed_on"),
        Column(gettext_lazy("Household code"), lambda p: p.household.external_id),
        Column(gettext_lazy("Dwelling code"), lambda p: p.dwelling.external_id),
        Column(gettext_lazy("Complex"), "complex_code"),
        Column(gettext_lazy("Half year"), lambda p: half_year_label(p.contingent.half_year)),
        Column(gettext_lazy("Municipality"), lambda p: p.contingent.municipality.name),
        Column(gettext_lazy("Contingent"), lambda p: p.contingent.get_kind_display()),
        Column(gettext_lazy("Contract"), lambda p: p.get_contract_kind_display()),
        Column(gettext_lazy("Term in months"), "temporary_months"),
        Column(gettext_lazy("Reason"), "reason"),
        Column(gettext_lazy("Recorded by"), "recorded_by_name"),
    ]


@require_GET
def placed(request):
    """The placements recorded (personal data: every page and export is logged)."""
    user = request.user
    require(user, Action.MANAGE_PLACEMENTS)
    placements = selectors.placement_list(user)
    export_format = requested_format(request)
    if export_format:
        rows = list(placements)
        personal_data_export_record(
            actor=user, corporation=membership_of(user).corporation, subject_type="household",
            subject_ids=sorted({p.household.external_id for p in rows}), what="placements",
            export_format=export_format, purpose=selectors.PURPOSE, rows=len(rows),
        )  # fmt: skip
        return export_response(export_format=export_format, name="plaatsingen", columns=placement_columns(), rows=rows)
    page = paginate(request, placements, per_page=ROWS_PER_PAGE)
    selectors.placement_read_record(user, page.object_list, what="placements list")
    for p in page.object_list:
        p.half_year_label = half_year_label(p.contingent.half_year)
    return render(request, "placements/placed.html", _context("placed", page=page))


# --- contingents ------------------------------------------------------------------------------------------------------


def contingent_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Half year"), lambda c: half_year_label(c.half_year)),
        Column(gettext_lazy("Municipality"), lambda c: c.municipality.name),
        Column(gettext_lazy("Kind"), lambda c: c.get_kind_display()),
        Column(gettext_lazy("Target"), "target"),
        Column(gettext_lazy("Placed"), "placed"),
        Column(gettext_lazy("Still to place"), lambda c: max(0, c.target - c.placed)),
        Column(gettext_lazy("Source or agreement"), "note"),
    ]


@require_http_methods(["GET", "POST"])
def contingents(request):
    """The contingents per half year: target and placed; the form sets a target."""
    user = request.user
    membership = require(user, Action.MANAGE_PLACEMENTS)
    today = timezone.localdate()
    half = request.GET.get("half") or ""
    try:
        rows = selectors.contingent_list(user, half_year=half or None)
    except ValueError:
        raise Http404 from None
    form = ContingentForm(request.POST or None, municipalities=selectors.municipality_choices(user), today=today,
                          known_half_years=selectors.half_years(user),
                          initial={"half_year": half or half_year_of(today)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contingent_set(
                corporation=membership.corporation, actor=user, municipality=data["municipality"],
                half_year=data["half_year"], kind=data["kind"], target=data["target"], note=data["note"],
            )  # fmt: skip
        except services.PlacementInputError as exc:
            for error in exc.errors:
                form.add_error(None, error)
        else:
            messages.success(request, _("The target was saved."))
            return redirect(f"{request.path}?half={data['half_year']}")
    export_format = requested_format(request)
    if export_format:
        return export_response(export_format=export_format, name="contingenten", columns=contingent_columns(),
                               rows=list(rows))
    rows = list(rows)
    for c in rows:
        c.half_year_label = half_year_label(c.half_year)
        c.left = max(0, c.target - c.placed)
    halves = [(h, half_year_label(h)) for h in selectors.half_years(user)]
    return render(request, "placements/contingents.html", _context(
        "contingents", rows=rows, form=form, half=half, halves=halves,
        half_label=half_year_label(half) if half else "",
    ), status=400 if form.errors else 200)  # fmt: skip


# --- intake conversations -----------------------------------------------------------------------------------------


def intake_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Date of the conversation"), "held_on"),
        Column(gettext_lazy("Household code"), lambda r: r.household.external_id),
        Column(gettext_lazy("Kind of home the household wishes"), lambda r: r.get_wish_dwelling_display()),
        Column(gettext_lazy("At least this many rooms"), "wish_rooms_min"),
        Column(gettext_lazy("Where (places or neighbourhoods)"), "wish_area"),
        Column(gettext_lazy("Housing wish, in a few words"), "wish_note"),
        Column(gettext_lazy("Support arranged"), lambda r: r.get_support_kind_display()),
        Column(gettext_lazy("Organisation that gives the support"), "support_organisation"),
        Column(gettext_lazy("Support, in a few words"), "support_note"),
        Column(gettext_lazy("Follow-up on"), "follow_up_on"),
        Column(gettext_lazy("Follow-up by"), lambda r: r.get_follow_up_by_display()),
        Column(gettext_lazy("Name or team"), "follow_up_name"),
        Column(gettext_lazy("Agreement, in a few words"), "follow_up_note"),
        Column(gettext_lazy("Recorded by"), "recorded_by_name"),
    ]


@require_GET
def intakes(request):
    """The intake conversations (personal data: every page and export is logged)."""
    user = request.user
    require(user, Action.MANAGE_PLACEMENTS)
    code = (request.GET.get("household") or "").strip()
    records = selectors.intake_list(user, household_code=code)
    export_format = requested_format(request)
    if export_format:
        rows = list(records)
        selectors.intake_read_record(user, rows, what="intake conversations (export)")
        personal_data_export_record(
            actor=user, corporation=membership_of(user).corporation, subject_type="household",
            subject_ids=sorted({r.household.external_id for r in rows}), what="intake conversations",
            export_format=export_format, purpose=selectors.PURPOSE, rows=len(rows),
        )  # fmt: skip
        return export_response(export_format=export_format, name="intakegesprekken", columns=intake_columns(),
                               rows=rows)
    page = paginate(request, records, per_page=ROWS_PER_PAGE)
    selectors.intake_read_record(user, page.object_list, what="intake conversations list")
    return render(request, "placements/intakes.html", _context("intakes", page=page, household=code))


@require_http_methods(["GET", "POST"])
def intake_new(request):
    user = request.user
    membership = require(user, Action.MANAGE_PLACEMENTS)
    today = timezone.localdate()
    form = IntakeForm(request.POST or None, initial={"held_on": today})
    if request.method == "POST" and form.is_valid():
        household = selectors.household_by_code(user, form.cleaned_data["household_code"])
        if household is None:
            form.add_error("household_code", _("No household with this code in your corporation."))
        else:
            try:
                intake = services.intake_record(
                    corporation=membership.corporation, actor=user, household=household, values=form.values()
                )
            except services.PlacementInputError as exc:
                for error in exc.errors:
                    form.add_error(None, error)
                for field, errors in exc.field_errors.items():
                    for error in errors:
                        form.add_error(field, error)
            else:
                messages.success(request, _("The intake conversation was recorded."))
                return redirect("placements_intake", pk=intake.pk)
    return render(request, "placements/intake_new.html", _context("intakes", form=form),
                  status=400 if form.errors else 200)


@require_GET
def intake_detail(request, pk: int):
    record = selectors.intake_get(request.user, pk)
    return render(request, "placements/intake_detail.html", _context("intakes", record=record))
