"""The API's reads: querysets narrowed by `visible_to` after the same `require` as the screens, filtered as asked.

Each function takes the request's user (acting with the token's role, see tokens.acting_as) and returns a queryset
that `pagination.cursor_page` pages. The rights are core.permissions' ROLE_ACTIONS, as for every screen.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from buurtbalans.api.models import ApiToken
from buurtbalans.core.models import Job
from buurtbalans.core.permissions import Action, can, membership_of, require
from buurtbalans.core.selectors import job_list
from buurtbalans.households.models import Household, Tenancy
from buurtbalans.households.selectors import current_tenancy_q
from buurtbalans.portfolio.models import Complex, Dwelling


def _one(queryset: QuerySet, pk: int):
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def api_complex_list(user, *, external_id: str | None = None, neighbourhood: str | None = None) -> QuerySet:
    require(user, Action.VIEW_STOCK)
    rows = Complex.objects.visible_to(user).select_related("neighbourhood")
    if external_id:
        rows = rows.filter(external_id=external_id)
    if neighbourhood:
        rows = rows.filter(neighbourhood__cbs_code=neighbourhood)
    return rows


def api_complex_get(user, pk: int) -> Complex:
    return _one(api_complex_list(user), pk)


def api_dwelling_list(user, *, complex_id: int | None = None, status: str | None = None,
                      external_id: str | None = None) -> QuerySet:
    require(user, Action.VIEW_STOCK)
    rows = Dwelling.objects.visible_to(user)
    if complex_id is not None:
        rows = rows.filter(complex_id=complex_id)
    if status:
        rows = rows.filter(status=status)
    if external_id:
        rows = rows.filter(external_id=external_id)
    return rows


def api_dwelling_get(user, pk: int) -> Dwelling:
    return _one(api_dwelling_list(user), pk)


def api_household_list(user, *, external_id: str | None = None) -> QuerySet:
    """Single households with their income: VIEW_HOUSEHOLDS (never analysts). The caller records the read."""
    require(user, Action.VIEW_HOUSEHOLDS)
    rows = Household.objects.visible_to(user)
    if external_id:
        rows = rows.filter(external_id=external_id)
    return rows


def api_household_get(user, pk: int) -> Household:
    return _one(api_household_list(user), pk)


def api_tenancy_list(user, *, household_id: int | None = None, dwelling_id: int | None = None,
                     is_current: bool | None = None) -> QuerySet:
    require(user, Action.VIEW_HOUSEHOLDS)
    rows = Tenancy.objects.visible_to(user).select_related("household")
    if household_id is not None:
        rows = rows.filter(household_id=household_id)
    if dwelling_id is not None:
        rows = rows.filter(dwelling_id=dwelling_id)
    if is_current is not None:
        current = current_tenancy_q(timezone.localdate())
        rows = rows.filter(current) if is_current else rows.exclude(current)
    return rows


def api_tenancy_get(user, pk: int) -> Tenancy:
    return _one(api_tenancy_list(user), pk)


def api_job_list(user, *, status: str | None = None, kind: str | None = None) -> QuerySet:
    """The jobs the screens' job list shows this user (core.selectors.job_list: kinds by the runner's right)."""
    rows = job_list(user)
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def api_job_get(user, pk: int) -> Job:
    return _one(api_job_list(user), pk)


# --- tokens, for the token screens ---------------------------------------------------------------------------

def personal_token_list(user) -> QuerySet:
    return ApiToken.objects.filter(kind=ApiToken.Kind.PERSONAL, user_id=user.pk).order_by("-created", "-id")


def service_token_list(user) -> QuerySet:
    membership = require(user, Action.MANAGE_CORPORATION)
    return (ApiToken.objects.filter(kind=ApiToken.Kind.SERVICE, corporation_id=membership.corporation_id)
            .select_related("user").order_by("-created", "-id"))


def api_token_for_revoke(user, pk: int) -> ApiToken:
    """A token the user may revoke: their own personal one, or (administrator) any of the corporation's; else 404."""
    membership = membership_of(user)
    if membership is None:
        raise Http404
    token = ApiToken.objects.filter(pk=pk, corporation_id=membership.corporation_id).select_related("corporation",
                                                                                                    "user").first()
    if token is None:
        raise Http404
    if not (token.kind == ApiToken.Kind.PERSONAL and token.user_id == user.pk) and not can(
            user, Action.MANAGE_CORPORATION):
        raise Http404
    return token


# --- allocation (listings, bids, rounds, offers, letters) and compliance ---------------------------------------
# Thin: the allocation app's selectors (the screens' own) with the API's filters; rights and audit are theirs.

def api_listing_list(user, *, status: str | None = None, round_id: int | None = None,
                     dwelling_id: int | None = None) -> QuerySet:
    """The listings the listing screen shows this user (VIEW_ALLOCATION), filtered."""
    from buurtbalans.allocation.selectors import listing_list

    rows = listing_list(user, status=status or None)
    if round_id is not None:
        rows = rows.filter(allocation_round_id=round_id)
    if dwelling_id is not None:
        rows = rows.filter(dwelling_id=dwelling_id)
    return rows


def api_listing_get(user, pk: int):
    from buurtbalans.allocation.selectors import listing_get

    return listing_get(user, pk)


def api_listings_by_ids(user, pks: list[int]) -> list:
    """Open listings without a round, as the round screens offer them (MANAGE_ALLOCATION); 404 for any other id,
    so another corporation's listing is never named."""
    from buurtbalans.allocation.selectors import listing_list

    require(user, Action.MANAGE_ALLOCATION)
    wanted = set(pks)
    rows = list(listing_list(user).filter(pk__in=wanted))
    if len(rows) != len(wanted):
        raise Http404
    return rows


def api_decided_vacancy(user, dwelling_id: int):
    """The vacancy and its newest label decision, as the steering screen 'list the vacancy' reads them
    (DECIDE_LABELS); (dwelling, None) when no label was decided yet."""
    from buurtbalans.steering.selectors import label_decision_list, vacancy_get

    require(user, Action.DECIDE_LABELS)
    dwelling = vacancy_get(user, dwelling_id)
    decisions = label_decision_list(user, dwelling)
    return dwelling, (decisions[0] if decisions else None)


def api_round_list(user, *, status: str | None = None) -> QuerySet:
    from buurtbalans.allocation.selectors import round_list

    rows = round_list(user)
    if status:
        rows = rows.filter(status=status)
    return rows


def api_round_result_listings(user, allocation_round, run) -> QuerySet:
    """The round's listings that the run worked out (paged by the API as the result screen pages them)."""
    from buurtbalans.allocation.models import Listing
    from buurtbalans.allocation.selectors import run_listing_statuses

    require(user, Action.MANAGE_ALLOCATION)
    return (Listing.objects.visible_to(user, Action.MANAGE_ALLOCATION)
            .filter(allocation_round=allocation_round, reference__in=list(run_listing_statuses(run))))


def api_offer_list(user, *, round_id: int | None = None, status: str | None = None) -> QuerySet:
    """The offers of the user's corporation as the round screen shows them to officers (MANAGE_ALLOCATION)."""
    from buurtbalans.allocation.models import Offer

    require(user, Action.MANAGE_ALLOCATION)
    rows = (Offer.objects.visible_to(user, Action.MANAGE_ALLOCATION)
            .select_related("listing", "applicant", "tenancy", "allocation_round"))
    if round_id is not None:
        rows = rows.filter(allocation_round_id=round_id)
    if status:
        rows = rows.filter(status=status)
    return rows


def api_round_applicant(user, allocation_round, applicant_pk: int):
    """An applicant who bid in the round, as the letter screen finds them (MANAGE_ALLOCATION); else 404."""
    from buurtbalans.allocation.selectors import applicant_get, round_applicants

    applicant = applicant_get(user, applicant_pk)
    if not round_applicants(user, allocation_round).filter(pk=applicant.pk).exists():
        raise Http404
    return applicant


def api_compliance_municipalities(user) -> set[str]:
    """The municipality codes the compliance screen offers as a filter (VIEW_COMPLIANCE)."""
    from buurtbalans.rules.labels import UNKNOWN_MUNICIPALITY

    membership = require(user, Action.VIEW_COMPLIANCE)
    codes = (Complex.objects.filter(corporation=membership.corporation, neighbourhood__isnull=False)
             .values_list("neighbourhood__municipality__cbs_code", flat=True).distinct())
    return {*codes, UNKNOWN_MUNICIPALITY}
