"""The monitor's part of the home page's work list (`core.worklist`): complexes with a warning."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from buurtbalans.core.permissions import Action, can, membership_of
from buurtbalans.core.worklist import WorkItem
from buurtbalans.liveability.models import ComplexVitality


def work_items(user, *, today: date) -> list[WorkItem]:
    """Complexes whose latest vitality count gave a warning, as the early-warning list shows them."""
    membership = membership_of(user)
    if membership is None or not can(user, Action.VIEW_MONITOR):
        return []
    warned = ComplexVitality.objects.filter(corporation_id=membership.corporation_id, is_latest=True,
                                            warning_count__gt=0).count()
    return [WorkItem("warnings", _("Complexes with a warning"), reverse("monitor_warnings"), warned,
                     _("See why the monitor warns, and what the neighbourhood team already does there."))]
