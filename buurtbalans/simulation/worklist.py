"""The simulation's part of the home page's work list (`core.worklist`): studies being calculated, else a place."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from buurtbalans.core.permissions import can, membership_of
from buurtbalans.core.worklist import WorkItem
from buurtbalans.simulation.models import SIMULATE, PolicyStudy


def work_items(user, *, today: date) -> list[WorkItem]:
    """For who works with studies: how many are being calculated now (the place to start one when none)."""
    membership = membership_of(user)
    if membership is None or not can(user, SIMULATE):
        return []
    running = PolicyStudy.objects.filter(corporation_id=membership.corporation_id, result__isnull=True,
                                         job__status__in=("queued", "running")).count()
    return [WorkItem("simulation", _("Policy simulations being calculated"), reverse("simulation_studies"),
                     running or None, _("See what a letting policy does to the mix and to waiting times."))]
