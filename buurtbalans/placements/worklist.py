"""Placements' part of the home page's work list (`core.worklist`): contingents of this half year still below
their target."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from buurtbalans.core.permissions import Action, can
from buurtbalans.core.worklist import WorkItem
from buurtbalans.engine.placements import half_year_of
from buurtbalans.placements.selectors import contingent_list


def work_items(user, *, today: date) -> list[WorkItem]:
    """How many households the contingents of this half year still wait for (for who places households)."""
    if not can(user, Action.MANAGE_PLACEMENTS):
        return []
    half_year = half_year_of(today)
    short = sum(max(c.target - c.placed, 0) for c in contingent_list(user, half_year=half_year))
    return [WorkItem("contingents", _("Households still to place this half year"),
                     f"{reverse('placements_contingents')}?half={half_year}", short,
                     _("The contingents agreed with the municipality, minus the households already placed."))]
