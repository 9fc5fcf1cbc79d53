"""The composition of a corporation's complexes on a reference date: the one place it is counted.

The overview and buurt tables and the complex page (`portfolio.selectors`), the mix of the steering screens and
the labelling plan (`steering.mix`) and the liveability monitor's indicators (`liveability.measures`) all read
their counts from `composition_by_complex`, so a complex shows the same households, income bands, markers and
vacancies wherever it appears. Reads for a corporation, not for a user: the callers check the user's right.
What is shown of a count (the small-cell rule, `core.figures`) is left to the screens.

Counting:
- dwellings: the complex's dwellings by their current status (the portfolio keeps no status history);
- households: every household with a tenancy running on the date in a dwelling of the complex, counted once per
  complex (a household renting two dwellings there is one household);
- per household, computed once per tenancy row in the database and grouped `GROUP BY complex, facts` (no
  household leaves the database): its income band under the parameters valid on the date (the engine's
  `income_band_ranges` through `households.selectors.income_band_case`; "unknown" when the income or a
  limit it needs is missing), whether it has a vulnerability marker valid on the date (of a kind that counts
  for concentration), and any further facts a caller asks for (the steering mix adds "carrying").
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import BooleanField, Case, CharField, Count, F, Q, Value, When

from buurtbalans.households.models import Tenancy
from buurtbalans.households.selectors import (
    INCOME_BANDS,
    active_marker_q,
    current_tenancy_q,
    income_band_case,
    income_band_limits,
)
from buurtbalans.portfolio.models import Dwelling, DwellingStatus, StockChange

# Statuses of dwellings that can no longer be let: left out of the monitor's "dwellings" and the lettable stock.
GONE = (DwellingStatus.SOLD, DwellingStatus.DEMOLISHED)
UNKNOWN_BAND = INCOME_BANDS[-1]


def flag(condition: Q | None):
    """A boolean column for a condition (False for every row when the condition is None: nobody meets it)."""
    if condition is None:
        return Value(False, output_field=BooleanField())
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def band_case(reference_date: date, prefix: str = "household__"):
    """The income band of the household at `prefix` as one CASE column under the limits valid on the date."""
    return income_band_case(income_band_limits(reference_date).parameters, prefix)


@dataclass
class Composition:
    """One complex on one date: its dwellings by status and its households by income band, marker and facts.

    `groups` holds the households per combination of the facts the caller asked for, keyed by
    (band, marked, *facts in the order asked); the other counts are sums over it.
    """

    dwellings_by_status: dict[str, int] = field(default_factory=dict)
    groups: dict[tuple, int] = field(default_factory=dict)

    @property
    def dwelling_count(self) -> int:
        return sum(self.dwellings_by_status.values())

    @property
    def lettable_count(self) -> int:
        """Dwellings that are not sold or demolished."""
        return sum(n for status, n in self.dwellings_by_status.items() if status not in GONE)

    @property
    def occupied_count(self) -> int:
        return self.dwellings_by_status.get(DwellingStatus.OCCUPIED, 0)

    @property
    def vacant_count(self) -> int:
        return self.dwellings_by_status.get(DwellingStatus.VACANT, 0)

    @property
    def household_count(self) -> int:
        return sum(self.groups.values())

    @property
    def marker_count(self) -> int:
        return sum(n for (_band, marked, *_facts), n in self.groups.items() if marked)

    def band_count(self, band: str) -> int:
        return sum(n for (key_band, *_rest), n in self.groups.items() if key_band == band)

    def as_counts(self) -> dict[str, int]:
        """The counts by name, as the overview's rows and the complex page carry them (`<band>_count` per band)."""
        return {
            "dwelling_count": self.dwelling_count,
            "occupied_count": self.occupied_count,
            "vacant_count": self.vacant_count,
            "household_count": self.household_count,
            **{f"{band}_count": self.band_count(band) for band in INCOME_BANDS},
            "marker_count": self.marker_count,
        }


def composition_by_complex(
    corporation_id: int,
    reference_date: date,
    *,
    complex_ids: Iterable[int] | None = None,
    facts: Mapping[str, Q] | None = None,
) -> dict[int, Composition]:
    """Per complex of the corporation (or of `complex_ids`): its composition on `reference_date`.

    The arguments and the result are those of `count_compositions`. Outside a transaction the whole corporation
    is counted once per version of the stock (`counted_once`) and the complexes asked for are taken from it;
    inside one (a service's write, a test) they are counted now. The compositions returned are shared: read them,
    do not change them.
    """
    whole = counted_once(corporation_id, reference_date, facts)
    if whole is None:
        return count_compositions(corporation_id, reference_date, complex_ids=complex_ids, facts=facts)
    if complex_ids is None:
        return dict(whole)
    return {pk: whole[pk] for pk in complex_ids if pk in whole}


def counted_once(corporation_id: int, reference_date: date, facts: Mapping[str, Q] | None) -> dict | None:
    """The whole corporation's compositions from this process's memory while the stock has not changed; None when
    the caller is inside a transaction.

    The complex pages, the overview's table and the steering panel each ask for a few complexes, at 12 ms of query
    building and counting per call; the whole corporation costs a quarter of a second once per change (issue 12
    item 7). Valid as `portfolio.selectors.stock_summary`'s cache is: the key holds the `StockChange` sum read
    before the counting (every committed write to the tables counted raises it, by database triggers, including
    the steering roles a fact may ask about) and the legal parameters of the income bands. Inside a transaction
    the sum may stand for writes that are later rolled back, so nothing is kept there.
    """
    if connection.in_atomic_block:
        return None
    params = income_band_limits(reference_date).parameters
    key = (corporation_id, reference_date, repr(params),
           tuple(sorted((name, repr(q)) for name, q in (facts or {}).items())))
    version = StockChange.objects.version()
    with _MEMORY_LOCK:
        kept = _MEMORY.get(key)
    if kept is not None and kept[0] == version:
        return kept[1]
    whole = count_compositions(corporation_id, reference_date, facts=facts)
    with _MEMORY_LOCK:
        _MEMORY[key] = (version, whole)
        while len(_MEMORY) > _MEMORY_SIZE:  # the oldest key out (another day, other parameters or facts)
            _MEMORY.pop(next(iter(_MEMORY)))
    return whole


# Per server process: (corporation, date, parameters, facts) -> (stock version, compositions). A few entries:
# the overview and the monitor count without facts, the steering mix with "carrying".
_MEMORY: dict[tuple, tuple[int, dict[int, Composition]]] = {}
_MEMORY_SIZE = 8
_MEMORY_LOCK = threading.Lock()


def count_compositions(
    corporation_id: int,
    reference_date: date,
    *,
    complex_ids: Iterable[int] | None = None,
    facts: Mapping[str, Q] | None = None,
) -> dict[int, Composition]:
    """Count the compositions now, in one query: what `composition_by_complex` returns, never from memory.

    Args:
        corporation_id: whose complexes.
        reference_date: the day the tenancies run, the markers are valid and the income limits apply.
        complex_ids: only these complexes (None: all of the corporation's).
        facts: further yes/no facts to count households by, as conditions on the tenancy (e.g. the steering
            mix's "carrying"); they become the last parts of the keys of `Composition.groups`.

    Returns:
        A Composition per complex that has dwellings; complexes without any are left out.
    """
    facts = dict(facts or {})
    ids = None if complex_ids is None else list(complex_ids)
    dwellings = Dwelling.objects.filter(corporation_id=corporation_id, complex__isnull=False)
    tenancies = Tenancy.objects.filter(current_tenancy_q(reference_date), corporation_id=corporation_id).filter(
        dwelling__complex__isnull=False
    )
    if ids is not None:
        dwellings = dwellings.filter(complex_id__in=ids)
        tenancies = tenancies.filter(dwelling__complex_id__in=ids)
    no = Value(False, output_field=BooleanField())
    columns = ("complex_ref", "part", "dwelling_status", "band", "marked", *facts)
    by_status = (
        dwellings.annotate(
            complex_ref=F("complex_id"),
            part=Value("dwellings", output_field=CharField()),
            dwelling_status=F("status"),
            band=Value("", output_field=CharField()),
            marked=no,
            **dict.fromkeys(facts, no),
        )
        .order_by()
        .values_list(*columns)
        .annotate(n=Count("pk"))
    )
    by_facts = (
        tenancies.annotate(
            complex_ref=F("dwelling__complex_id"),
            part=Value("households", output_field=CharField()),
            dwelling_status=Value("", output_field=CharField()),
            band=band_case(reference_date),
            marked=flag(active_marker_q("household_id", reference_date)),
            **{name: flag(condition) for name, condition in facts.items()},
        )
        .order_by()
        .values_list(*columns)
        # Households, not tenancies: one household renting two dwellings of the complex counts once (its band
        # and marker are the household's, so it falls in one group unless a tenancy-level fact differs).
        .annotate(n=Count("household_id", distinct=True))
    )
    result: dict[int, Composition] = {}
    # Both grouped queries in one round trip.
    for complex_ref, part, status, band, marked, *values in by_status.union(by_facts, all=True):
        composition = result.setdefault(complex_ref, Composition())
        n = values[-1]
        if part == "dwellings":
            composition.dwellings_by_status[status] = n
        else:
            key = (band, bool(marked), *(bool(v) for v in values[:-1]))
            composition.groups[key] = composition.groups.get(key, 0) + n
    return result
