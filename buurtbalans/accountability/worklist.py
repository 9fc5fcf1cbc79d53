"""Accountability's part of the home page's work list (`core.worklist`): objections to decide, and the follow-ups
of motivation tenants whose twelve months have passed."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from buurtbalans.accountability.selectors import follow_ups_due, objection_counts
from buurtbalans.core.permissions import Action, can
from buurtbalans.core.worklist import WorkItem


def work_items(user, *, today: date) -> list[WorkItem]:
    """Open objections (urgent when one is past its six weeks) and follow-ups that are due, for who handles them."""
    items = []
    if can(user, Action.MANAGE_OBJECTIONS):
        counts = objection_counts(user, today=today)
        overdue = counts.get("overdue", 0)
        explanation = _("Decide within six weeks of receipt.")
        if overdue:
            explanation = _("%(n)s past the six weeks: decide them first.") % {"n": overdue}
        items.append(WorkItem("objections", _("Objections to decide"),
                              f"{reverse('accountability_objections')}?state=open", counts.get("open", 0),
                              explanation, urgent=bool(overdue)))
    if can(user, Action.RECORD_FOLLOW_UPS):
        items.append(WorkItem("follow_ups", _("Follow-ups of tenants chosen on motivation"),
                              reverse("accountability_follow_ups"), follow_ups_due(user, today=today).count(),
                              _("Ask after twelve months how it goes. Taking part is voluntary.")))
    return items
