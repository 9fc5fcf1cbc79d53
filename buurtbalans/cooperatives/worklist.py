"""Cooperatives' part of the home page's work list (`core.worklist`): commitment reviews that are due, and for a
board its yearly account."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from buurtbalans.cooperatives.measure import review_periods
from buurtbalans.cooperatives.models import Commitment, CommitmentReview, YearlyAccount
from buurtbalans.cooperatives.selectors import board_cooperative_get
from buurtbalans.core.permissions import Action, can, membership_of
from buurtbalans.core.worklist import WorkItem


def _reviews_due(corporation_id: int, today: date) -> int:
    """Commitment periods of this and last year that have ended, fall within the commitment, and have no review."""
    due = set()
    commitments = Commitment.objects.filter(agreement__cooperative__corporation_id=corporation_id)
    for commitment in commitments.only("pk", "valid_from", "valid_until", "review_rhythm"):
        for year in (today.year - 1, today.year):
            for period in review_periods(year, commitment.review_rhythm):
                ended = period.end < today
                overlaps = commitment.valid_from <= period.end and (
                    commitment.valid_until is None or commitment.valid_until >= period.start)
                if ended and overlaps:
                    due.add((commitment.pk, period.label))
    if not due:
        return 0
    reviewed = set(CommitmentReview.objects.filter(commitment_id__in={pk for pk, _label in due})
                   .values_list("commitment_id", "period"))
    return len(due - reviewed)


def work_items(user, *, today: date) -> list[WorkItem]:
    """Reviews due (who reviews commitments); the last year's account (a cooperative's board)."""
    items = []
    membership = membership_of(user)
    if membership is None:
        return items
    if can(user, Action.REVIEW_COOPERATIVES):
        items.append(WorkItem(
            "reviews", _("Reviews of commitments that are due"), reverse("cooperative_list"),
            _reviews_due(membership.corporation_id, today),
            _("Judge for each commitment whether the cooperative did what it promised in that period.")))
    cooperative = board_cooperative_get(user)
    if cooperative is not None:
        year = today.year - 1
        handed_in = YearlyAccount.objects.filter(cooperative=cooperative, year=year,
                                                 status=YearlyAccount.Status.SUBMITTED).exists()
        items.append(WorkItem(
            "account", _("Yearly account %(year)s to hand in") % {"year": year},
            reverse("cooperative_account", args=[cooperative.pk, year]), 0 if handed_in else 1,
            _("Write how the year went and hand it in to the corporation.")))
    return items
