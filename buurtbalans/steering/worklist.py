"""Steering's part of the home page's work list (`core.worklist`): vacancies without a label decision."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from buurtbalans.core.permissions import Action, can, membership_of
from buurtbalans.core.worklist import WorkItem
from buurtbalans.portfolio.models import Dwelling, DwellingStatus
from buurtbalans.steering.models import LabelDecision


def work_items(user, *, today: date) -> list[WorkItem]:
    """Vacant dwellings with no label decided yet, as the vacancies page lists them (for who decides labels)."""
    membership = membership_of(user)
    if membership is None or not can(user, Action.DECIDE_LABELS):
        return []
    undecided = (
        Dwelling.objects.filter(corporation_id=membership.corporation_id, status=DwellingStatus.VACANT)
        .exclude(Exists(LabelDecision.objects.filter(dwelling_id=OuterRef("pk"))))
        .count()
    )
    return [WorkItem("labels", _("Vacancies without a label decision"), reverse("steering_vacancies"), undecided,
                     _("Decide for each empty home who it is for, before it is offered."))]
