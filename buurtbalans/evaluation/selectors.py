"""Reads of the evaluation app, narrowed to the user's corporation and right (core.permissions).

Interventions hold no personal data, so no read is logged.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from buurtbalans.core.permissions import Action
from buurtbalans.evaluation.models import Intervention
from buurtbalans.portfolio.models import Complex


def intervention_list(user, *, kind: str | None = None, complex_: Complex | None = None,
                      source: str | None = None, action: Action = Action.VIEW_INTERVENTIONS) -> QuerySet[Intervention]:
    """The user's interventions, newest start first, optionally of one kind, complex or source."""
    interventions = Intervention.objects.visible_to(user, action).select_related("complex")
    if kind:
        interventions = interventions.filter(kind=kind)
    if complex_ is not None:
        interventions = interventions.filter(complex=complex_)
    if source:
        interventions = interventions.filter(source=source)
    return interventions


def intervention_get(user, pk: int, action: Action = Action.VIEW_INTERVENTIONS) -> Intervention:
    """One intervention of the user's corporation (404 for another's, or without the right)."""
    return get_object_or_404(Intervention.objects.visible_to(user, action).select_related("complex"), pk=pk)


def intervention_start_years(user, kind: str) -> list[tuple[int, int]]:
    """Per start year, how many complexes got an intervention of `kind` then: (year, complexes), newest first."""
    counts: dict[int, set[int]] = {}
    for complex_id, started_on in Intervention.objects.visible_to(user, Action.EVALUATE_INTERVENTIONS).filter(
            kind=kind).values_list("complex_id", "started_on"):
        counts.setdefault(started_on.year, set()).add(complex_id)
    return sorted(((year, len(ids)) for year, ids in counts.items()), reverse=True)
