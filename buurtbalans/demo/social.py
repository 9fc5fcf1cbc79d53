"""Synthetic social management records for a demo corporation, so the monitor has something to show.

Plain numpy with a seed (the same seed and reference date give the same records). Rates follow the buurt: where the
Leefbaarometer score is below the Dutch average there are more signals, more visits, more meeting places and more
arrears (the demo's own assumption, not a measured relation). Five years of records, ending on the reference date.

Per complex and year, with `d` = how far the buurt's score is below the average (0 when above, ~0.2 at worst):
- signals: Poisson(dwellings × (3 + 50·d) / 100), kinds nuisance 45%, pollution 25%, neglect 20%, loneliness 10%;
  60% resolved within 10-90 days;
- support needs: Poisson(dwellings × (0.8 + 6·d) / 100);
- visits: home visits Poisson(dwellings × 2 / 100); a portiek conversation round in 25% of the complexes a year
  (reaching 40-80% of the households);
- meeting places: one per complex with chance 4% + 60·d% (at most ~16%), and at least one (in the lowest-scoring
  buurt's largest complex), used 6-16 dayparts a month; 4-10 activities a year there;
- arrears: a complex total every quarter of the last two years, Binomial(households, 2% + 25·d%).

Programmes (`Programme`, planted by `demo.history` so the evaluation has effects to find): in a complex with a
programme, each signal reported on or after its start is kept with chance `signals_kept` (a social management
programme: about half fewer signals); a programme that opens a meeting place also adds that place, opened on the
start. Drawn from a random generator of their own, so the other complexes' records stay the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

SIGNAL_KINDS = ("nuisance", "pollution", "neglect", "loneliness")
SIGNAL_P = (0.45, 0.25, 0.20, 0.10)
ACTIVITY_TITLES = {
    "meeting": ("Koffieochtend", "Buurtmaaltijd", "Spelletjesmiddag"),
    "green": ("Opschoondag", "Geveltuinen planten"),
    "children": ("Kinderknutselmiddag", "Huiswerkklas"),
    "learning": ("Taalcafé", "Digitaal spreekuur"),
    "health": ("Wandelgroep", "Stoelyoga"),
    "residents": ("Bewonersavond",),
}


@dataclass(frozen=True)
class ComplexFacts:
    complex_id: int
    dwellings: int
    households: int
    deprivation: float  # how far the buurt's Leefbaarometer score is below the Dutch average (>= 0)
    name: str


@dataclass(frozen=True)
class Programme:
    """An intervention planted in a complex's records: from `started_on`, only `signals_kept` of its signals."""

    started_on: date
    signals_kept: float
    opens_meeting_place: bool = False


@dataclass
class DemoRecords:
    signals: list[tuple] = field(default_factory=list)  # (complex_id, kind, reported_on, resolved_on)
    support_needs: list[tuple] = field(default_factory=list)  # (complex_id, reported_on, referred_to)
    visits: list[tuple] = field(default_factory=list)  # (complex_id, kind, visited_on, households_reached)
    meeting_places: list[tuple] = field(default_factory=list)  # (complex_id, name, opened_on, capacity)
    uses: list[tuple] = field(default_factory=list)  # (place index, month, dayparts, visitors)
    activities: list[tuple] = field(default_factory=list)  # (place index, complex_id, held_on, title, kind, n)
    arrears: list[tuple] = field(default_factory=list)  # (complex_id, reference_date, households, amount)


def _day(rng, start: date, days: int) -> date:
    return start + timedelta(days=int(rng.integers(0, max(days, 1))))


def generate(complexes: list[ComplexFacts], reference_date: date, seed: int = 1, years: int = 5,
             programmes: dict[int, Programme] | None = None) -> DemoRecords:
    rng = np.random.default_rng(seed)
    programmes = programmes or {}
    out = DemoRecords()
    start = reference_date - timedelta(days=365 * years)
    span = (reference_date - start).days
    for position, facts in enumerate(complexes):
        d = min(max(facts.deprivation, 0.0), 0.3)
        first_signal = len(out.signals)
        n = int(rng.poisson(facts.dwellings * (3 + 50 * d) / 100 * years))
        for kind_index in rng.choice(len(SIGNAL_KINDS), size=n, p=SIGNAL_P):
            reported = _day(rng, start, span)
            resolved = reported + timedelta(days=int(rng.integers(10, 90))) if rng.random() < 0.6 else None
            if resolved is not None and resolved > reference_date:
                resolved = None
            out.signals.append((facts.complex_id, SIGNAL_KINDS[kind_index], reported, resolved))
        if facts.complex_id in programmes:
            _programme(out, np.random.default_rng([seed, 16, position]), facts, programmes[facts.complex_id],
                       first_signal, start, reference_date, years)
        for _ in range(int(rng.poisson(facts.dwellings * (0.8 + 6 * d) / 100 * years))):
            out.support_needs.append((facts.complex_id, _day(rng, start, span),
                                      str(rng.choice(["wijkteam", "maatschappelijk werk", "huisarts", ""]))))
        for _ in range(int(rng.poisson(facts.dwellings * 2 / 100 * years))):
            out.visits.append((facts.complex_id, "home_visit", _day(rng, start, span), 1))
        for year in range(years):
            if rng.random() < 0.25:
                reached = int(facts.households * rng.uniform(0.4, 0.8))
                out.visits.append((facts.complex_id, "portiek_conversation",
                                   _day(rng, start + timedelta(days=365 * year), 365), reached))
        if rng.random() < min(0.16, 0.04 + 0.6 * d):
            _meeting_place(out, rng, facts, start, reference_date, years)
        p = min(0.5, 0.02 + 0.25 * d)
        for quarter in range(8):
            day = reference_date - timedelta(days=91 * quarter)
            households = int(rng.binomial(facts.households, p)) if facts.households else 0
            amount = round(float(households * rng.uniform(300, 1200)), 2)
            out.arrears.append((facts.complex_id, day, households, amount))
    if complexes and not out.meeting_places:
        # A small demo may draw none: the monitor should still show one, in the buurt that scores lowest.
        lowest = max(complexes, key=lambda f: (f.deprivation, f.dwellings, -f.complex_id))
        _meeting_place(out, rng, lowest, start, reference_date, years)
    return out


def _programme(out: DemoRecords, rng, facts: ComplexFacts, programme: Programme, first_signal: int, start: date,
               reference_date: date, years: int) -> None:
    """Thin the complex's signals (those from `first_signal` on) from the programme's start; open its meeting
    place."""
    out.signals[first_signal:] = [
        signal for signal in out.signals[first_signal:]
        if signal[2] < programme.started_on or rng.random() < programme.signals_kept
    ]
    if programme.opens_meeting_place:
        _meeting_place(out, rng, facts, start, reference_date, years, opened=programme.started_on)


def _meeting_place(out: DemoRecords, rng, facts: ComplexFacts, start: date, reference_date: date, years: int,
                   opened: date | None = None) -> None:
    """A meeting place at the complex, opened up to a year before `start` (or on `opened`), with its use per month
    and activities."""
    index = len(out.meeting_places)
    if opened is None:
        opened = _day(rng, start - timedelta(days=365), 365)
    else:
        start = max(start, opened)
    span = (reference_date - start).days
    out.meeting_places.append((facts.complex_id, f"Buurtkamer {facts.name}", opened, int(rng.integers(15, 40))))
    month = date(start.year, start.month, 1)
    while month <= reference_date:
        dayparts = int(rng.integers(6, 17))
        out.uses.append((index, month, dayparts, int(dayparts * rng.uniform(6, 14))))
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    for _ in range(int(rng.integers(4, 11)) * years):
        kind = str(rng.choice(list(ACTIVITY_TITLES)))
        title = str(rng.choice(ACTIVITY_TITLES[kind]))
        out.activities.append((index, facts.complex_id, _day(rng, start, span), title, kind,
                               int(rng.integers(5, 30))))
