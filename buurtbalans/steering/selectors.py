"""Reading steering data for users: the concentration view, vacancies with their room and labels, profiles, plans.

Everything here is aggregate (counts and shares per complex or buurt) or about dwellings, and needs
VIEW_AGGREGATES; carrying roles are personal data and need VIEW_HOUSEHOLDS. The small-cell rule for what an
analyst sees is applied by the screens (`steering.reasons.Cell`).
"""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from buurtbalans.core.figures import is_protected
from buurtbalans.core.panels import Panel
from buurtbalans.core.permissions import Action, can, require
from buurtbalans.households.models import Tenancy
from buurtbalans.households.selectors import current_tenancy_q
from buurtbalans.portfolio.models import Complex, Dwelling, DwellingStatus
from buurtbalans.steering import mix
from buurtbalans.steering.models import (
    ComplexProfile,
    LabelDecision,
    LabellingPlan,
    PlanComplex,
    PlanFixedDwelling,
    ProposedLabel,
    SteeringRole,
)
from buurtbalans.steering.reasons import mix_view


def concentration_list(
    user,
    *,
    reference_date: date,
    level: str = "complex",
    lettings: int = mix.DEFAULT_LETTINGS,
    sort: str = mix.DEFAULT_MIX_SORT,
) -> tuple[list[mix.MixRow], str]:
    """Every complex (or buurt) of the user's corporation with its mix, sorted (worst first by default)."""
    membership = require(user, Action.VIEW_AGGREGATES)
    rows = mix.complex_mix_rows(membership.corporation_id, reference_date, lettings=lettings)
    if level == "neighbourhood":
        rows = mix.neighbourhood_rows(rows)
    return mix.sort_rows(rows, sort)


def complex_mix_get(user, complex_: Complex, *, reference_date: date, lettings: int = mix.DEFAULT_LETTINGS):
    """One complex's mix (the complex page's section), or None for users without VIEW_AGGREGATES."""
    membership = require(user, Action.VIEW_AGGREGATES)
    if complex_.corporation_id != membership.corporation_id:
        raise Http404
    (row,) = mix.complex_mix_rows(
        membership.corporation_id, reference_date, lettings=lettings, complex_ids=[complex_.pk]
    )
    return row


def mix_categories(user) -> tuple[mix.Category, ...]:
    membership = require(user, Action.VIEW_AGGREGATES)
    return mix.categories_for(membership.corporation_id)


# --- vacancies -----------------------------------------------------------------------------------------------


def _latest_proposal(dwelling_ref: str = "pk") -> QuerySet:
    return ProposedLabel.objects.filter(dwelling_id=OuterRef(dwelling_ref), plan__is_done=True).order_by(
        "-plan__created", "-plan_id"
    )


def _latest_decision(dwelling_ref: str = "pk") -> QuerySet:
    return LabelDecision.objects.filter(dwelling_id=OuterRef(dwelling_ref)).order_by("-created", "-id")


VACANCY_SORTS = {
    "address": ("street", "house_number", "house_number_suffix"),
    "complex": ("complex__external_id", "street", "house_number"),
    "rent": ("base_rent",),
    "label": ("proposed_label", "street", "house_number"),
}


def vacancy_list(user, *, sort: str = "complex") -> QuerySet:
    """The corporation's vacant dwellings, each with its newest proposed label and newest decision."""
    require(user, Action.VIEW_AGGREGATES)
    queryset = (
        Dwelling.objects.visible_to(user, Action.VIEW_AGGREGATES)
        .filter(status=DwellingStatus.VACANT)
        .select_related("complex")
        .annotate(
            proposed_label=Subquery(_latest_proposal().values("label")[:1]),
            proposed_plan=Subquery(_latest_proposal().values("plan_id")[:1]),
            decided_label=Subquery(_latest_decision().values("label")[:1]),
            decided_change=Subquery(_latest_decision().values("is_change")[:1]),
        )
    )
    descending = sort.startswith("-")
    fields = VACANCY_SORTS.get(sort.lstrip("-"), VACANCY_SORTS["complex"])
    order = [f"-{f}" if descending else f for f in fields]
    return queryset.order_by(*order, "pk")


def rooms_for(user, dwellings: list[Dwelling], *, reference_date: date, lettings: int = mix.DEFAULT_LETTINGS):
    """Complex id -> (mix row, room) for the complexes of these dwellings (one page: a handful of queries)."""
    membership = require(user, Action.VIEW_AGGREGATES)
    ids = sorted({d.complex_id for d in dwellings if d.complex_id})
    if not ids:
        return {}
    rows = mix.complex_mix_rows(membership.corporation_id, reference_date, lettings=lettings, complex_ids=ids)
    return {row.key: (row, mix.room_for_vulnerable(row)) for row in rows}


def vacancy_get(user, pk: int) -> Dwelling:
    require(user, Action.VIEW_AGGREGATES)
    dwelling = (
        Dwelling.objects.visible_to(user, Action.VIEW_AGGREGATES)
        .select_related("complex", "complex__neighbourhood")
        .filter(pk=pk)
        .first()
    )
    if dwelling is None:
        raise Http404
    return dwelling


def proposal_current(user, dwelling: Dwelling) -> ProposedLabel | None:
    """The newest finished plan's proposal for this dwelling."""
    require(user, Action.VIEW_AGGREGATES)
    return (
        ProposedLabel.objects.visible_to(user, Action.VIEW_AGGREGATES)
        .filter(dwelling=dwelling, plan__is_done=True)
        .select_related("plan", "plan_complex")
        .order_by("-plan__created", "-plan_id")
        .first()
    )


def label_decision_list(user, dwelling: Dwelling) -> list[LabelDecision]:
    require(user, Action.VIEW_AGGREGATES)
    return list(
        LabelDecision.objects.visible_to(user, Action.VIEW_AGGREGATES)
        .filter(dwelling=dwelling)
        .select_related("proposal")
        .order_by("-created", "-id")
    )


def listing_list_for_dwelling(user, dwelling: Dwelling) -> list:
    """The dwelling's listings for the allocation round (allocation app), newest first, for officers and analysts."""
    from buurtbalans.allocation.models import Listing

    require(user, Action.VIEW_AGGREGATES)
    return list(Listing.objects.filter(dwelling=dwelling, corporation_id=dwelling.corporation_id).order_by("-pk")[:10])


def listing_effect_for(user, dwelling: Dwelling, *, on: date):
    """What a label decision on this vacancy would do to its listing (`steering.listings.listing_effect`)."""
    from buurtbalans.steering.listings import listing_effect

    require(user, Action.VIEW_AGGREGATES)
    return listing_effect(dwelling, on=on)


# --- profiles ------------------------------------------------------------------------------------------------


def complex_profile_list(user) -> QuerySet:
    """The corporation's complexes (ordered by code), for the profile table; profiles are attached per page."""
    require(user, Action.VIEW_AGGREGATES)
    return (
        Complex.objects.visible_to(user, Action.VIEW_AGGREGATES)
        .select_related("neighbourhood")
        .only("pk", "corporation_id", "external_id", "name", "neighbourhood__name", "neighbourhood__cbs_code")
        .order_by("external_id", "pk")
    )


def profiles_in_force(user, complexes, *, on: date) -> tuple[mix.Profile, dict[int, mix.Profile]]:
    """The corporation's default profile and the profile in force on `on` of each of these complexes."""
    membership = require(user, Action.VIEW_AGGREGATES)
    categories = mix.categories_for(membership.corporation_id)
    profiles = mix.profiles_for(membership.corporation_id, categories, [c.pk for c in complexes], on=on)
    return profiles.default, {c.pk: profiles.for_complex(c.pk) for c in complexes}


def complex_profile_history(user, complex_: Complex | None) -> list[ComplexProfile]:
    """Every decision for a complex (or the default profile), newest first."""
    membership = require(user, Action.VIEW_AGGREGATES)
    rows = ComplexProfile.objects.filter(corporation_id=membership.corporation_id)
    rows = rows.filter(complex=complex_) if complex_ is not None else rows.filter(complex__isnull=True)
    return list(rows.order_by("-decided_on", "-created", "-id"))


def complex_get(user, pk: int) -> Complex:
    require(user, Action.VIEW_AGGREGATES)
    complex_ = Complex.objects.visible_to(user, Action.VIEW_AGGREGATES).filter(pk=pk).first()
    if complex_ is None:
        raise Http404
    return complex_


# --- plans ---------------------------------------------------------------------------------------------------


def label_plan_list(user) -> QuerySet:
    require(user, Action.VIEW_AGGREGATES)
    return (
        LabellingPlan.objects.visible_to(user, Action.VIEW_AGGREGATES)
        .select_related("job")
        .defer("input_document", "result_document", "estimates")
        .order_by("-created", "-id")
    )


def label_plan_get(user, pk: int, *, with_documents: bool = False) -> LabellingPlan:
    queryset = label_plan_list(user)
    if with_documents:
        queryset = queryset.defer(None).defer("input_document", "estimates")
    plan = queryset.filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


PLAN_COMPLEX_SORTS = {
    "code": "complex_code",
    "households": "households",
    "vacancies": "vacancies",
    "vulnerable": "vulnerable_share",
    "projected_vulnerable": "projected_vulnerable_share",
    "primary": "primary_share",
    "projected_primary": "projected_primary_share",
    "before": "excess_before",
    "after": "excess_after",
}


def plan_complex_list(user, plan: LabellingPlan, *, sort: str = "-vacancies") -> QuerySet:
    require(user, Action.VIEW_AGGREGATES)
    field = PLAN_COMPLEX_SORTS.get(sort.lstrip("-"), "vacancies")
    order = f"-{field}" if sort.startswith("-") else field
    return (
        PlanComplex.objects.filter(plan=plan, plan__corporation_id=plan.corporation_id)
        .select_related("complex")
        .order_by(order, "complex_code", "pk")
    )


PROPOSAL_SORTS = {
    "dwelling": ("dwelling__external_id",),
    "complex": ("plan_complex__complex_code", "dwelling__external_id"),
    "label": ("label", "dwelling__external_id"),
    "rent": ("base_rent",),
}


def proposed_label_list(user, plan: LabellingPlan, *, sort: str = "complex", label: str = "") -> QuerySet:
    require(user, Action.VIEW_AGGREGATES)
    fields = PROPOSAL_SORTS.get(sort.lstrip("-"), PROPOSAL_SORTS["complex"])
    order = [f"-{f}" if sort.startswith("-") else f for f in fields]
    queryset = (
        ProposedLabel.objects.visible_to(user, Action.VIEW_AGGREGATES)
        .filter(plan=plan)
        .select_related("dwelling", "plan_complex")
        .annotate(decided_label=Subquery(_latest_decision("dwelling_id").values("label")[:1]))
    )
    if label:
        queryset = queryset.filter(label=label)
    return queryset.order_by(*order, "pk")


def plan_fixed_list(user, plan: LabellingPlan) -> QuerySet:
    """The dwellings the plan left out as fixed ("vast"), by complex and address."""
    require(user, Action.VIEW_AGGREGATES)
    return (
        PlanFixedDwelling.objects.filter(plan=plan, plan__corporation_id=plan.corporation_id)
        .select_related("dwelling")
        .order_by("complex_code", "dwelling__street", "dwelling__house_number", "pk")
    )


def label_counts(user, plan: LabellingPlan) -> dict[str, int]:
    from django.db.models import Count

    require(user, Action.VIEW_AGGREGATES)
    return dict(
        ProposedLabel.objects.filter(plan=plan)
        .order_by()
        .values_list("label")
        .annotate(n=Count("pk"))
        .values_list("label", "n")
    )


# --- carrying roles (personal data) --------------------------------------------------------------------------


def steering_role_list(user, *, complex_: Complex | None = None) -> QuerySet:
    """Carrying roles of the corporation's tenants, newest first (needs VIEW_HOUSEHOLDS)."""
    require(user, Action.VIEW_HOUSEHOLDS)
    roles = SteeringRole.objects.visible_to(user).select_related("tenancy", "tenancy__household", "tenancy__dwelling")
    if complex_ is not None:
        roles = roles.filter(tenancy__dwelling__complex=complex_)
    return roles.order_by("-valid_from", "-id")


def tenancy_for_role(user, code: str, *, reference_date: date) -> Tenancy | None:
    """The user's corporation's tenancy with this contract code, running on the date."""
    require(user, Action.VIEW_HOUSEHOLDS)
    return (
        Tenancy.objects.visible_to(user)
        .filter(current_tenancy_q(reference_date))
        .filter(Q(external_id=code.strip()))
        .select_related("household", "dwelling")
        .first()
    )


# --- the complex page -----------------------------------------------------------------------------------------


def complex_panel(user, complex_, *, reference_date: date) -> Panel | None:
    """The complex page's steering section: its mix, targets and room for a vulnerable household; None without
    the right to see aggregates."""
    if not can(user, Action.VIEW_AGGREGATES):
        return None
    row = complex_mix_get(user, complex_, reference_date=reference_date)
    categories = mix_categories(user)
    return Panel("steering/complex_mix.html", {
        "steering_mix": mix_view(row, categories, is_protected(user), with_room=True),
        "steering_categories": categories,
        "steering_may_manage": can(user, Action.MANAGE_PROFILES),
    })
