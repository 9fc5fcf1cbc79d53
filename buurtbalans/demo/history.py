"""Five years of history for the demo corporation, with two interventions whose effects are planted in the facts.

Issue 16: the demo shows what the history and the evaluation are for. Steps, all from one seed (the same seed and
reference date give the same history):

1. **Sales and demolition** (`stock_events_plan`, on the generated rows before they are stored): in one or two
   complexes the corporation sells about two thirds of the dwellings over the five years, so the owned share falls
   under the steering-power threshold (50 %); a few dwellings are sold here and there; part of one complex is
   demolished. The tenancy running on the day of a sale or demolition ends that day; later lettings of that dwelling
   are not made (their households and markers go with them).
2. **Two programmes** (`programmes_choose`), in complexes without sales, spread over the range of expected signals
   (not only the worst ones, so the comparison finds similar complexes and the trends before the start are alike):
   a social management programme from 1 January, R.year - 2, in about 10 complexes, after which each signal is
   reported with chance 0.5 (half as many); and a meeting place opening on 1 March, R.year - 1, in about 8 others,
   with 0.75 of the signals (a smaller effect). `demo.social` writes the signals that way.
3. **The history** (`demo_history_write`): for 1 January of each of the five years and the reference date, the
   stored stock and households are set to that day's state (status from the dated tenancies, sales and demolitions;
   the VvE from the first sale; the income year moved back, so incomes as known now are compared with that year's
   limits), and `history.services.history_record(source="demo")` records it as an import would. The last date is the
   reference date, whose state is the stored one. The register gets both programmes (`intervention_record`).

The vitality of each year is counted afterwards by the monitor itself (`liveability.services.vitality_refresh`
counts the reference date and the same day in the four years before it from the dated facts), so the evaluation
page finds the planted effects in what the product counted.
"""

from __future__ import annotations

import bisect
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np
from django.db.models import F
from django.utils.translation import gettext as _

from buurtbalans.core.audit_labels import DEMO_ACTOR
from buurtbalans.core.models import HousingCorporation
from buurtbalans.demo.rows import CorporationData
from buurtbalans.demo.social import ComplexFacts, Programme
from buurtbalans.evaluation.models import InterventionKind, InterventionSource
from buurtbalans.evaluation.services import intervention_record
from buurtbalans.history.services import history_record
from buurtbalans.households.models import Household
from buurtbalans.portfolio.models import Complex, Dwelling

HISTORY_YEARS = 5
SOURCE = "demo"
SOLD_SHARE_IN_SALE_COMPLEX = 0.65
DEMOLISHED_SHARE = 0.25
SCATTERED_SALE_CHANCE = 0.10
SOCIAL_MANAGEMENT_COMPLEXES = 10
SOCIAL_MANAGEMENT_SIGNALS_KEPT = 0.5
MEETING_PLACE_COMPLEXES = 8
MEETING_PLACE_SIGNALS_KEPT = 0.75


@dataclass(frozen=True)
class StockEvents:
    """Per dwelling (external id) the day it was sold or demolished."""

    sold: dict[str, date] = field(default_factory=dict)
    demolished: dict[str, date] = field(default_factory=dict)

    def complexes_touched(self, data: CorporationData) -> set[str]:
        gone = self.sold.keys() | self.demolished.keys()
        return {d.complex_external_id for d in data.dwellings if d.external_id in gone}


@dataclass(frozen=True)
class PlannedProgramme:
    kind: str
    complex_ids: tuple[int, ...]
    programme: Programme
    description: str


def history_dates(reference_date: date) -> list[date]:
    """1 January of each of the five years up to the reference date's, and the reference date itself."""
    days = [date(reference_date.year - back, 1, 1) for back in range(HISTORY_YEARS - 1, -1, -1)]
    return days if days[-1] == reference_date else [*days, reference_date]


def social_management_start(reference_date: date) -> date:
    return date(reference_date.year - 2, 1, 1)


def meeting_place_start(reference_date: date) -> date:
    return date(reference_date.year - 1, 3, 1)


# --- 1. sales and demolition, on the generated rows ---------------------------------------------------------------


def stock_events_plan(data: CorporationData, *, reference_date: date, seed: int
                      ) -> tuple[CorporationData, StockEvents]:
    """Choose the sales and the demolition (a generator of their own: the rows drawn before stay the same) and
    apply them to the rows: statuses, tenancies ended on the day, later lettings left out."""
    rng = np.random.default_rng([seed, 16])
    first, last = history_dates(reference_date)[0], reference_date
    span = (last - first).days
    by_complex: dict[str, list[str]] = defaultdict(list)
    for dwelling in data.dwellings:
        if dwelling.status in ("occupied", "vacant"):
            by_complex[dwelling.complex_external_id].append(dwelling.external_id)
    codes = sorted(by_complex)
    large = [code for code in codes if len(by_complex[code]) >= 40]
    rng.shuffle(large)
    sale_complexes = large[: 2 if len(codes) >= 40 else 1]
    demolish_complexes = large[len(sale_complexes): len(sale_complexes) + (1 if len(codes) >= 20 else 0)]
    sold: dict[str, date] = {}
    demolished: dict[str, date] = {}
    for code in sale_complexes:
        homes = by_complex[code]
        n = round(SOLD_SHARE_IN_SALE_COMPLEX * len(homes))
        days = np.sort(rng.integers(30, span - 30, n))
        for home, offset in zip(rng.permutation(homes)[:n].tolist(), days.tolist(), strict=True):
            sold[home] = first + timedelta(days=int(offset))
    for code in demolish_complexes:
        homes = by_complex[code]
        day = date(reference_date.year - 3, 4, 1)
        for home in rng.permutation(homes)[: round(DEMOLISHED_SHARE * len(homes))].tolist():
            demolished[home] = day
    for code in codes:
        if code in sale_complexes or code in demolish_complexes or rng.random() >= SCATTERED_SALE_CHANCE:
            continue
        for home in rng.choice(by_complex[code], size=int(rng.integers(1, 4)), replace=False).tolist():
            sold[home] = first + timedelta(days=int(rng.integers(30, span - 30)))
    events = StockEvents(sold=sold, demolished=demolished)
    return stock_events_apply(data, events), events


def stock_events_apply(data: CorporationData, events: StockEvents) -> CorporationData:
    """The rows as they are after the sales and demolitions (see `stock_events_plan`)."""
    gone_on = {**events.sold, **events.demolished}
    tenancies, dropped = [], set()
    for tenancy in data.tenancies:
        day = gone_on.get(tenancy.dwelling_external_id)
        if day is None:
            tenancies.append(tenancy)
        elif tenancy.start_date >= day:
            dropped.add(tenancy.household_external_id)
        else:
            tenancies.append(tenancy if tenancy.end_date is not None and tenancy.end_date <= day
                             else replace(tenancy, end_date=day))
    dropped -= {a.household_external_id for a in data.applicants}
    dwellings = tuple(
        replace(d, status="sold") if d.external_id in events.sold
        else replace(d, status="demolished") if d.external_id in events.demolished else d
        for d in data.dwellings
    )
    return replace(
        data, dwellings=dwellings, tenancies=tuple(tenancies),
        households=tuple(h for h in data.households if h.external_id not in dropped),
        markers=tuple(m for m in data.markers if m.household_external_id not in dropped),
    )


def statuses_on(data: CorporationData, events: StockEvents, day: date) -> dict[str, str]:
    """Each dwelling's status on `day` (external id -> status), from the dated rows.

    Sold or demolished from its day; let while a tenancy runs (start <= day < end); otherwise under renovation when
    it is now and its last tenancy had ended, else vacant.
    """
    periods: dict[str, list[tuple[date, date | None]]] = defaultdict(list)
    for t in data.tenancies:
        periods[t.dwelling_external_id].append((t.start_date, t.end_date))
    result = {}
    for d in data.dwellings:
        key = d.external_id
        if key in events.sold and events.sold[key] <= day:
            result[key] = "sold"
        elif key in events.demolished and events.demolished[key] <= day:
            result[key] = "demolished"
        elif any(start <= day and (end is None or day < end) for start, end in periods.get(key, ())):
            result[key] = "occupied"
        elif d.status == "renovation" and all(end is not None and end <= day for _s, end in periods.get(key, ())):
            result[key] = "renovation"
        else:
            result[key] = "vacant"
    return result


# --- 2. the programmes -------------------------------------------------------------------------------------------


def programmes_choose(facts: list[ComplexFacts], *, excluded: set[int], reference_date: date
                      ) -> list[PlannedProgramme]:
    """The complexes of both programmes: spread evenly over the candidates ordered by their expected signals.

    Candidates are the complexes without sales or demolition (`excluded`) and with at least 30 dwellings. With
    enough of them, the lowest 40 % (few signals to lose) are left out; the rest is walked in steps, so treated
    complexes lie over the whole range and each has similar untreated complexes around it.
    """
    candidates = sorted((f for f in facts if f.complex_id not in excluded and f.dwellings >= 30),
                        key=lambda f: (3.8 + 56 * min(f.deprivation, 0.3), f.dwellings, f.complex_id))
    if len(candidates) >= 60:
        candidates = candidates[int(0.4 * len(candidates)):]
        first_n, second_n = SOCIAL_MANAGEMENT_COMPLEXES, MEETING_PLACE_COMPLEXES
    else:
        first_n, second_n = max(3, len(candidates) // 6), max(2, len(candidates) // 8)
    first_n = min(first_n, max(len(candidates) - 2, 0))
    picks = np.linspace(0, len(candidates) - 1, first_n).round().astype(int).tolist() if first_n else []
    first = [candidates[i] for i in sorted(set(picks))]
    rest = [f for f in candidates if f not in first]
    second_n = min(second_n, max(len(rest) - 1, 0))
    offset = len(rest) / (2 * second_n) if second_n else 0
    second = [rest[int(offset + i * len(rest) / second_n)] for i in range(second_n)] if second_n else []
    return [
        PlannedProgramme(
            InterventionKind.SOCIAL_MANAGEMENT, tuple(f.complex_id for f in first),
            Programme(social_management_start(reference_date), SOCIAL_MANAGEMENT_SIGNALS_KEPT),
            "Programma sociaal beheer: een wijkbeheerder is twee dagen per week in het complex, met "
            "portiekgesprekken en een vast spreekuur.",
        ),
        PlannedProgramme(
            InterventionKind.MEETING_PLACE, tuple(f.complex_id for f in second),
            Programme(meeting_place_start(reference_date), MEETING_PLACE_SIGNALS_KEPT, opens_meeting_place=True),
            "Een buurtkamer in het complex, open voor bewoners en de buurt.",
        ),
    ]


def programmes_by_complex(programmes: list[PlannedProgramme]) -> dict[int, Programme]:
    return {pk: p.programme for p in programmes for pk in p.complex_ids}


# --- 3. the history and the register ------------------------------------------------------------------------------


@dataclass
class HistoryWritten:
    dates: list[date]
    sold: int
    demolished: int
    interventions: dict[str, int]
    seconds: float = 0.0


def demo_history_write(corporation: HousingCorporation, *, data: CorporationData, events: StockEvents,
                       programmes: list[PlannedProgramme], reference_date: date) -> HistoryWritten:
    """Record the history as on each date of `history_dates` and put the programmes in the register.

    Runs in the caller's transaction, after the rows of `data` and the social records are stored. Leaves the stock
    and the households as they were (the state of the reference date).
    """
    started = time.perf_counter()
    pks, now = {}, {}
    for external_id, pk, status in Dwelling.objects.filter(corporation=corporation).values_list(
            "external_id", "pk", "status"):
        pks[external_id], now[external_id] = pk, status
    complex_of = {d.external_id: d.complex_external_id for d in data.dwellings}
    complex_pks = dict(Complex.objects.filter(corporation=corporation).values_list("external_id", "pk"))
    # What is stored now, which the last date (the reference date) records: the allocation demo has let a few
    # vacant dwellings since the rows were generated.
    stored = dict(now)
    sales = sorted((day, complex_of[home]) for home, day in events.sold.items())
    sale_days = [day for day, _code in sales]
    households = Household.objects.filter(corporation=corporation, income_year__isnull=False)
    dates = history_dates(reference_date)
    shifted = 0  # years the stored income years are moved back
    for day in dates:
        wanted = now if day == reference_date else statuses_on(data, events, day)
        changes: dict[str, list[int]] = defaultdict(list)
        for home, status in wanted.items():
            if stored[home] != status:
                changes[status].append(pks[home])
                stored[home] = status
        for status, ids in changes.items():
            for start in range(0, len(ids), 5000):
                Dwelling.objects.filter(pk__in=ids[start:start + 5000]).update(status=status)
        with_association = {complex_pks[code] for _d, code in sales[: bisect.bisect_right(sale_days, day)]}
        Complex.objects.filter(corporation=corporation).exclude(pk__in=with_association).update(
            has_owners_association=None)
        Complex.objects.filter(pk__in=with_association).update(has_owners_association=True)
        back = reference_date.year - day.year
        if back != shifted:
            households.update(income_year=F("income_year") - (back - shifted))
            shifted = back
        history_record(corporation=corporation, as_of=day, source=SOURCE)
    counts: dict[str, int] = {}
    complexes = Complex.objects.in_bulk([pk for p in programmes for pk in p.complex_ids])
    for planned in programmes:
        for pk in planned.complex_ids:
            intervention_record(corporation=corporation, complex_=complexes[pk], kind=planned.kind,
                                started_on=planned.programme.started_on, description=planned.description,
                                source=InterventionSource.ENTERED, actor_name=DEMO_ACTOR)
        counts[str(planned.kind)] = len(planned.complex_ids)
    return HistoryWritten(dates=dates, sold=len(events.sold), demolished=len(events.demolished),
                          interventions=counts, seconds=time.perf_counter() - started)


def say_written(name: str, written: HistoryWritten) -> str:
    return (_("%(name)s: history on %(dates)d dates from %(first)s: %(sold)d dwellings sold, %(demolished)d "
              "demolished; interventions in the register: %(interventions)s (%(seconds).1f s)")
            % {"name": name, "dates": len(written.dates), "first": written.dates[0].isoformat(),
               "sold": written.sold, "demolished": written.demolished,
               "interventions": ", ".join(f"{InterventionKind(kind).label} {n}"
                                          for kind, n in written.interventions.items()),
               "seconds": written.seconds})
