"""Allocation's part of the home page's work list (`core.worklist`): offers without an answer, rounds to review,
motivations to score."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from buurtbalans.allocation.assessment_selectors import assess_listing_list
from buurtbalans.allocation.models import AllocationRound, Offer, OfferStatus, RoundStatus
from buurtbalans.core.permissions import Action, can, membership_of
from buurtbalans.core.worklist import WorkItem


def work_items(user, *, today: date) -> list[WorkItem]:
    """What waits for the user in allocation (nothing for a role without the rights)."""
    items = []
    membership = membership_of(user)
    if membership is None:
        return items
    if can(user, Action.MANAGE_ALLOCATION):
        offers = Offer.objects.filter(corporation_id=membership.corporation_id, status=OfferStatus.OFFERED).count()
        items.append(WorkItem(
            "offers", _("Offers waiting for an answer"), reverse("allocation_round_list"), offers,
            _("Record the answer when the home-seeker accepts or declines.")))
        rounds = AllocationRound.objects.filter(corporation_id=membership.corporation_id,
                                                status=RoundStatus.REVIEW).count()
        items.append(WorkItem(
            "rounds", _("Rounds to review"), reverse("allocation_round_list"), rounds,
            _("Check who gets which home, then approve the round to make the offers.")))
    if can(user, Action.ASSESS_MOTIVATION):
        open_scores = sum(max(row["applicants"] - row["scored_by_me"], 0) for row in assess_listing_list(user))
        items.append(WorkItem(
            "assess", _("Motivations to score"), reverse("allocation_assess_list"), open_scores,
            _("Score each motivation on the published criteria. You do not see who wrote it.")))
    return items
