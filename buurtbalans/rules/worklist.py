"""The legal parameters' part of the home page's work list (`core.worklist`): values missing or only demo values,
for who enters them or answers for the corporation's decisions (the same people the banner addresses)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from buurtbalans.core.permissions import Action, can
from buurtbalans.core.worklist import WorkItem
from buurtbalans.rules.context_processors import parameter_notices
from buurtbalans.rules.parameters import parameter_sets


def work_items(user, *, today: date) -> list[WorkItem]:
    """How many legal values in force today (and, in December, on 1 January) are missing or demo values."""
    may_enter = can(user, Action.MANAGE_SHARED_PARAMETERS)
    if not may_enter and not can(user, Action.MANAGE_LOCAL_PARAMETERS):
        return []
    notices = parameter_notices(parameter_sets(), today)
    # A year with no set of its own counts as one thing to do: the whole set for 1 January.
    count = sum(len(n.missing) + len(n.demo) or (1 if n.valid_from is None else 0) for n in notices)
    explanation = (_("Enter the official values before they are used.") if may_enter else
                   _("The platform administrator enters them; until then decisions use what is there."))
    return [WorkItem("parameters", _("Legal values missing or not official"), reverse("rules_parameters"), count,
                     explanation)]
