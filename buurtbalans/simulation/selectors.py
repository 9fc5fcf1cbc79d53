"""Reads of the simulation app: studies of the user's corporation, for who may work with them (403 otherwise;
another corporation's study is 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from buurtbalans.core.permissions import require
from buurtbalans.portfolio.models import Complex
from buurtbalans.simulation.models import SIMULATE, PolicyStudy


def policy_study_list(user) -> QuerySet:
    require(user, SIMULATE)
    return (PolicyStudy.objects.visible_to(user, SIMULATE).select_related("job")
            .defer("result", "result_scenario", "estimates").order_by("-created", "-id"))


def finished_study_list(user) -> QuerySet:
    return policy_study_list(user).filter(result__isnull=False)


def policy_study_get(user, pk: int) -> PolicyStudy:
    study = PolicyStudy.objects.visible_to(user, SIMULATE).select_related("job").filter(pk=pk).first()
    if study is None:
        require(user, SIMULATE)  # 403 for a role without the right, 404 for an unknown or foreign study
        raise Http404
    return study


def complex_names(user, codes) -> dict[str, str]:
    """The names of the corporation's complexes by code (a code not in the stock any more has none)."""
    membership = require(user, SIMULATE)
    return dict(Complex.objects.filter(corporation_id=membership.corporation_id, external_id__in=list(codes))
                .values_list("external_id", "name"))
