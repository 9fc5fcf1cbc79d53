"""The legal parameter sets in force: the built-in table with the administrators' values laid over it.

Every part of the product that needs legal parameters asks `parameter_sets()` (or `parameters_for(date)`) and
hands the result to the engine, so a value the platform administrator fills in (e.g. the 2026 aftoppingsgrenzen)
is used everywhere, and the version every decision records says which figures it used. With no values in the
database the result is exactly the built-in table.

A decision made for one corporation asks `parameters_for(date, corporation=...)`: the corporation's own, stricter
values (`LocalParameterValue`, `rules.local_parameters`) are laid over the legal set for it alone.

Caching: the effective sets are built once per process and reused while the database's values are unchanged.
Whether they changed is one small aggregate query, asked once per web request (and on every call outside a
request: commands and jobs call this rarely). A change made in this process clears the cache at once.
"""

from __future__ import annotations

import logging
import threading
from datetime import date

from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models import Count, Max

from buurtbalans.engine.parameters import VALUE_FIELDS, ParameterSet, effective_parameter_sets, set_in_force
from buurtbalans.rules.local_parameters import LocalValue, overlay

logger = logging.getLogger(__name__)

# The source (and note) of a value that only the demo filled in: shown next to the value on the parameter
# screens, and the banner for administrators lists every value in force that carries it.
DEMO_VALUE_MARK = "demo-waarde, niet officieel"


def is_demo_value(params: ParameterSet, name: str) -> bool:
    """Whether the value of `name` in force in `params` is a demo value, not an official figure."""
    return DEMO_VALUE_MARK in params.sources.get(name, "") or DEMO_VALUE_MARK in params.notes.get(name, "")


_lock = threading.Lock()
_cache: tuple[tuple, tuple[ParameterSet, ...]] | None = None
_request = threading.local()


def _database_revision() -> tuple:
    """What identifies the stored values: changes when a value is added, changed or removed."""
    from buurtbalans.rules.models import ParameterValue

    figures = ParameterValue.objects.aggregate(rows=Count("pk"), last=Max("pk"), changed=Max("changed"))
    return (figures["rows"], figures["last"], figures["changed"])


def _revision() -> tuple:
    if getattr(_request, "active", False):
        revision = getattr(_request, "revision", None)
        if revision is None:
            revision = _request.revision = _database_revision()
        return revision
    return _database_revision()


def _stored_rows():
    from buurtbalans.rules.models import ParameterValue

    rows = []
    for value in ParameterValue.objects.order_by("valid_from", "key"):
        if value.key not in VALUE_FIELDS:
            # A key the engine no longer knows (renamed in a later release): skipped, not fatal.
            logger.warning("stored parameter %s for %s is not a known parameter; ignored", value.key, value.valid_from)
            continue
        rows.append(value.as_row())
    return rows


def parameter_sets() -> tuple[ParameterSet, ...]:
    """The effective parameter sets, oldest first: built-in values, replaced value by value by stored ones."""
    global _cache
    revision = _revision()
    cached = _cache
    if cached is not None and cached[0] == revision:
        return cached[1]
    sets = effective_parameter_sets(_stored_rows())
    with _lock:
        _cache = (revision, sets)
    return sets


def parameters_for(reference_date: date, corporation=None) -> ParameterSet:
    """The effective parameter set valid on `reference_date`; for `corporation`, with its own values.

    Args:
        reference_date: the decision's date.
        corporation: the corporation (or its id) a decision is made for; its own values apply where they are
            stricter than the law (a lower cap). None: the legal values only (reports to the regulator, the
            compliance account, the `rules` command).

    Raises:
        LookupError: when the date lies before the first set.
    """
    params = set_in_force(parameter_sets(), reference_date)
    if corporation is None:
        return params
    return overlay(params, local_values_of(getattr(corporation, "pk", corporation)), reference_date)


def local_values_of(corporation_id: int) -> tuple[LocalValue, ...]:
    """The corporation's own values; read once per web request (every call outside a request)."""
    cached = getattr(_request, "local", None) if getattr(_request, "active", False) else None
    if cached is not None and corporation_id in cached:
        return cached[corporation_id]
    from buurtbalans.rules.models import LocalParameterValue

    values = tuple(
        LocalValue(v.key, v.valid_from, v.valid_until, v.value, v.source, v.note)
        for v in LocalParameterValue.objects.filter(corporation_id=corporation_id).order_by("key", "valid_from")
    )
    if getattr(_request, "active", False):
        if cached is None:
            cached = _request.local = {}
        cached[corporation_id] = values
    return values


def local_values_changed() -> None:
    """Forget the own values read in this request (after a change of them)."""
    _request.local = None


def parameter_sets_changed() -> None:
    """Forget the cached sets now, and again when the surrounding transaction commits."""

    def forget() -> None:
        global _cache
        with _lock:
            _cache = None
        _request.revision = None

    forget()
    transaction.on_commit(forget)


def _request_begins(**kwargs) -> None:
    _request.active = True
    _request.revision = None
    _request.local = None


def _request_ends(**kwargs) -> None:
    _request.active = False
    _request.revision = None
    _request.local = None


request_started.connect(_request_begins, dispatch_uid="rules.parameters.request_started")
request_finished.connect(_request_ends, dispatch_uid="rules.parameters.request_finished")

__all__ = [
    "DEMO_VALUE_MARK",
    "is_demo_value",
    "local_values_changed",
    "local_values_of",
    "parameter_sets",
    "parameter_sets_changed",
    "parameters_for",
]
