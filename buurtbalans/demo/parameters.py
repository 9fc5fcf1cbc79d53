"""Demo values for the legal parameters that no official source gives yet, so every demo screen works.

The built-in table (`engine/parameters/tables/parameters.csv`) holds only figures an official source states; what
it lacks stays "parameter missing" in a real installation. The demo must still show plans, rounds and compliance,
so `seed_demo` fills in each value that is missing in the set in force on the demo's reference date. It does so
the way an administrator would: as administrator values through the rules service (audited, in the parameter
history, shown as "Administrator" on the parameter screens), never in the shipped table. Each value is the latest
earlier year's value of the same parameter, with source and note "demo-waarde, niet officieel"; the banner for
administrators lists every such value until someone enters the official figure (docs/rules/parameters.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from buurtbalans.core.audit_labels import DEMO_ACTOR
from buurtbalans.engine.parameters import ParameterRow, ParameterSet, amount_text, set_in_force
from buurtbalans.rules.labels import parameter_label
from buurtbalans.rules.models import NOT_APPLICABLE_TEXT, ParameterChange
from buurtbalans.rules.parameters import DEMO_VALUE_MARK, parameter_sets
from buurtbalans.rules.services import parameter_values_save


@dataclass(frozen=True)
class DemoParameterResult:
    """What the demo filled in: the set's date, the rows written, and missing values it had nothing to copy for."""

    valid_from: date | None
    written: tuple[ParameterRow, ...] = ()
    not_filled: tuple[str, ...] = ()


def demo_parameter_rows(
    sets: Sequence[ParameterSet], reference_date: date
) -> tuple[date | None, list[ParameterRow], list[str]]:
    """Demo rows for the values missing in the set in force on `reference_date`; nothing else.

    A missing value gets the latest earlier set's known state of the same parameter: its value (e.g. the 2025
    middle-income limit for 2026) or "does not exist" (e.g. the 80-10-10 band after 2021), never an older value
    behind it. A parameter no earlier set knows is left missing and named in the third element.

    Returns:
        The date of the set in force (None before the first set), the rows, and the parameters left missing.
    """
    sets = tuple(sets)
    try:
        in_force = set_in_force(sets, reference_date)
    except LookupError:
        return None, [], []
    earlier = [s for s in sets if s.valid_from < in_force.valid_from]
    rows, not_filled = [], []
    for name in in_force.missing_parameters():
        known = next((s for s in reversed(earlier) if getattr(s, name) is not None or name in s.not_applicable), None)
        if known is None:
            not_filled.append(name)
            continue
        value = NOT_APPLICABLE_TEXT if name in known.not_applicable else amount_text(getattr(known, name))
        note = (
            f"{DEMO_VALUE_MARK}: de waarde van {known.valid_from.isoformat()} overgenomen, alleen voor de demo. "
            "Vul de officiële waarde in."
        )
        rows.append(ParameterRow(in_force.valid_from, name, value, DEMO_VALUE_MARK, note))
    return in_force.valid_from, rows, not_filled


def demo_parameters_seed(
    *, reference_date: date, dry_run: bool = False, progress: Callable[[str], None] | None = None
) -> DemoParameterResult:
    """Fill in, as marked demo values, the legal parameters missing in the set in force on `reference_date`.

    Values the set already has (built-in or entered by an administrator) are never touched, so running it again
    writes nothing. The values go through `rules.services.parameter_values_save` (checked, audited, in the
    parameter history as "Demo data").

    Args:
        reference_date: the demo's "today".
        dry_run: work out and report the values, then roll them back.
        progress: called with a line of text.
    """
    say = progress or (lambda line: None)
    with transaction.atomic():
        valid_from, rows, not_filled = demo_parameter_rows(parameter_sets(), reference_date)
        if rows:
            parameter_values_save(rows=rows, actor=None, via=ParameterChange.Via.DEMO, actor_name=DEMO_ACTOR)
        if dry_run:
            transaction.set_rollback(True)
    if rows:
        say(
            _("legal parameters from %(date)s: demo values (not official) filled in for %(names)s")
            % {"date": valid_from.isoformat(), "names": "; ".join(parameter_label(r.key) for r in rows)}
        )
    if not_filled:
        say(
            _("legal parameters from %(date)s: still missing, no earlier value to use: %(names)s")
            % {"date": valid_from.isoformat(), "names": "; ".join(parameter_label(n) for n in not_filled)}
        )
    return DemoParameterResult(valid_from, tuple(rows), tuple(not_filled))
