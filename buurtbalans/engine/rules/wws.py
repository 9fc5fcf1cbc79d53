"""Adapter to the `woningwaardering` package: WWS points for a dwelling that carries a VERA `Eenheid` JSON.

Kept apart so the rest of the engine does not depend on the package (it pulls in pandas and pydantic).
The package implements one WWS year per version (6.202607.x: peildatum in 2026 only) and refuses other dates;
this adapter passes that refusal on as a ValueError. See docs/rules/maximum-rent-wws.md.

Importing woningwaardering changes process-wide state (`woningwaardering._setup.initialize`): the thread's decimal
context becomes `BasicContext` (9 digits), UserWarnings become errors, and `sys.excepthook`, the locale and TZ
are replaced. In a web process that would silently round our money sums, so `_woningwaardering()` restores all
of it after the import, and each valuation runs in its own decimal context and warning filter.
"""

from __future__ import annotations

import decimal
import json
import locale
import os
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any


@cache
def _woningwaardering():
    """Import the package once and undo the global changes its import makes."""
    saved_context = decimal.getcontext().copy()
    saved_hook = sys.excepthook
    saved_tz = os.environ.get("TZ")
    saved_locale = locale.setlocale(locale.LC_ALL)
    with warnings.catch_warnings():  # restores the filters and showwarning the import replaces
        import woningwaardering
        from woningwaardering.vera.bvg.generated import EenhedenEenheid
    decimal.setcontext(saved_context)
    sys.excepthook = saved_hook
    if saved_tz is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved_tz
    time.tzset()
    try:
        locale.setlocale(locale.LC_ALL, saved_locale)
    except locale.Error:  # pragma: no cover - the saved locale was valid a moment ago
        pass
    return woningwaardering.Woningwaardering, EenhedenEenheid


@dataclass(frozen=True)
class WwsValuation:
    """WWS points of one dwelling as valued by woningwaardering.

    Attributes:
        points: the point total (whole points, as the package rounds it).
        package_maximum_rent: the package's own maximum rent without surcharges (for cross-checking).
        surcharge_share: the surcharge percentage as a share (monuments, new build), or None.
        package_version: woningwaardering's version, recorded with the decision.
        warnings: the package's warnings about the input (e.g. a room valued as another kind than supplied).
    """

    points: Decimal
    package_maximum_rent: Decimal | None
    surcharge_share: Decimal | None
    package_version: str
    warnings: tuple[str, ...] = ()


def wws_points_for_eenheid(eenheid: str | dict[str, Any], reference_date: date) -> WwsValuation:
    """Value a VERA `Eenheid` (JSON text or parsed dict) with woningwaardering on `reference_date`.

    Args:
        eenheid: the VERA `Eenheid` with `woningwaarderingstelsel` set (zelfstandige or onzelfstandige woonruimten).
        reference_date: the peildatum; must be one the installed package supports.

    Returns:
        The valuation.

    Raises:
        ValueError: when the JSON does not validate as an `Eenheid`, or the package refuses the date or the unit.
    """
    from importlib.metadata import version

    from pydantic import ValidationError

    woningwaardering_class, eenheid_model = _woningwaardering()
    # The package also reports validation problems as UserWarnings; keep them out of the caller's warnings.
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always", UserWarning)
        try:
            if isinstance(eenheid, str):
                model = eenheid_model.model_validate_json(eenheid)
            else:
                model = eenheid_model.model_validate(json.loads(json.dumps(eenheid)))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ValueError(
                f"not a valid VERA Eenheid: {exc.error_count()} error(s), first: {where}: {first['msg']}"
            ) from exc
    # The package computes in BasicContext (ROUND_HALF_UP); give it that without leaking it to the caller.
    with decimal.localcontext(decimal.BasicContext), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        result = woningwaardering_class(peildatum=reference_date).waardeer(model)
    if result.punten is None:
        raise ValueError(f"woningwaardering gave no points for Eenheid {model.id}")
    return WwsValuation(
        points=Decimal(str(result.punten)),
        package_maximum_rent=Decimal(str(result.maximale_huur)).quantize(Decimal("0.01"))
        if result.maximale_huur is not None
        else None,
        surcharge_share=Decimal(str(result.opslagpercentage)) if result.opslagpercentage else None,
        package_version=version("woningwaardering"),
        warnings=tuple(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, UserWarning))),
    )
