"""The demo corporation's stock: complexes placed in buurten, and their dwellings with rents.

Steps 1 and 2 of `generator.generate_corporation`; each function draws from the generator in the order the demo
has always drawn, so the same seed keeps giving the same stock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from buurtbalans.demo.limits import LegalLimits
from buurtbalans.demo.rows import ComplexRow, DwellingRow, NeighbourhoodContext, as_decimals

COMPLEX_MIN_SIZE = 30
COMPLEX_MAX_SIZE = 150

# Building eras: (first year, last year, share of complexes, {type: share}, mean energy label index).
ERAS = (
    (1920, 1944, 0.05, {"single_family": 0.6, "apartment": 0.4}, 8.3),
    (1945, 1964, 0.20, {"single_family": 0.35, "apartment": 0.65}, 7.6),
    (1965, 1979, 0.30, {"single_family": 0.45, "apartment": 0.55}, 6.9),
    (1980, 1994, 0.20, {"single_family": 0.5, "apartment": 0.35, "senior": 0.15}, 6.0),
    (1995, 2009, 0.13, {"single_family": 0.25, "apartment": 0.55, "senior": 0.20}, 5.0),
    (2010, 2100, 0.12, {"single_family": 0.25, "apartment": 0.55, "senior": 0.20}, 3.0),
)
DWELLING_TYPES = ("single_family", "apartment", "senior", "room")
ROOM_COMPLEX_SHARE = 0.02

ENERGY_LABELS = ("A++++", "A+++", "A++", "A+", "A", "B", "C", "D", "E", "F", "G")
# WWS points for the energy label of a self-contained dwelling, roughly (index as ENERGY_LABELS).
LABEL_POINTS = (52, 48, 44, 40, 36, 32, 22, 15, 8, 4, 0)

# Social tenants have low incomes far more often than a buurt's households as a whole.
LOW_INCOME_TENANT_FACTOR = 2.2


@dataclass(frozen=True)
class Complexes:
    """The corporation's complexes, one entry per complex in each array, for the steps that follow."""

    sizes: np.ndarray  # dwellings per complex
    buurt: np.ndarray  # index into the neighbourhoods
    build_year: np.ndarray
    kind: np.ndarray  # the dwelling type of the whole complex
    label_mean: np.ndarray  # the mean energy label index of its dwellings
    is_mixed: np.ndarray  # built partly for the free sector (non-DAEB)
    under_renovation: np.ndarray


@dataclass(frozen=True)
class Dwellings:
    """The corporation's dwellings, one entry per dwelling in each array, in complex order."""

    complex: np.ndarray  # index into the complexes
    kind: np.ndarray
    build_year: np.ndarray
    rooms: np.ndarray
    floor_area: np.ndarray
    label: np.ndarray  # index into ENERGY_LABELS
    wws_points: np.ndarray
    is_daeb: np.ndarray
    base_rent: np.ndarray
    service_charges: np.ndarray
    status: np.ndarray
    accessibility: np.ndarray


def tenant_low_shares(neighbourhoods: Sequence[NeighbourhoodContext]) -> np.ndarray:
    """The share of low incomes among the corporation's tenants per buurt, from the buurt's public statistic.

    A buurt without the statistic (too few households to publish) gets the town's median, so it neither attracts
    nor repels the social stock.
    """
    known_pct = [n.low_income_pct for n in neighbourhoods if n.low_income_pct is not None]
    fallback_pct = float(np.median(known_pct)) if known_pct else 8.0
    pct = np.array([n.low_income_pct if n.low_income_pct is not None else fallback_pct for n in neighbourhoods])
    return np.clip(LOW_INCOME_TENANT_FACTOR * pct / 100, 0.02, 0.6)


def _placement_weights(neighbourhoods: Sequence[NeighbourhoodContext], tenant_low_share: np.ndarray) -> np.ndarray:
    """How likely a complex lands in each buurt: by its size, more so where incomes are low (social stock does)."""
    size_known = [n.dwellings for n in neighbourhoods if n.dwellings]
    fallback_size = float(np.median(size_known)) if size_known else 1000.0
    buurt_size = np.array([n.dwellings if n.dwellings is not None else fallback_size for n in neighbourhoods])
    # Industrial estates and parks (a handful of dwellings) get no complex.
    weight = np.where(buurt_size >= 100, buurt_size, 0) * (0.3 + tenant_low_share / tenant_low_share.mean())
    return weight / weight.sum() if weight.sum() > 0 else np.full(len(neighbourhoods), 1 / len(neighbourhoods))


def generate_complexes(
    rng: np.random.Generator,
    neighbourhoods: Sequence[NeighbourhoodContext],
    tenant_low_share: np.ndarray,
    *,
    dwellings: int,
    ref_year: int,
) -> Complexes:
    """Step 1: complexes of 30-150 dwellings that add up to `dwellings`, placed in buurten, with era and type.

    Older complexes were partly renovated (a better label), some newer ones are partly free sector, and one or
    two old ones are under renovation now, so the demo shows the statuses a real stock has.
    """
    sizes = np.array(_complex_sizes(rng, dwellings))
    n_complexes = len(sizes)
    buurt = _place_complexes(rng, sizes, neighbourhoods, _placement_weights(neighbourhoods, tenant_low_share))
    era, build_year, kind = _eras_and_types(rng, sizes, ref_year)
    is_renovated = (build_year < 1980) & (rng.random(n_complexes) < 0.4)
    label_mean = np.array([ERAS[e][4] for e in era.tolist()]) - 2.0 * is_renovated
    # Some newer complexes were built partly for the free sector (non-DAEB).
    is_mixed = (build_year >= 1985) & (kind != "room") & (rng.random(n_complexes) < 0.08)
    under_renovation = _under_renovation(rng, build_year, ref_year)
    return Complexes(sizes, buurt, build_year, kind, label_mean, is_mixed, under_renovation)


def _complex_sizes(rng: np.random.Generator, total: int) -> list[int]:
    """Complex sizes between 30 and 150 (most around 60) that add up to `total` exactly."""
    sizes = []
    remaining = total
    while remaining > 0:
        if remaining <= COMPLEX_MAX_SIZE:
            sizes.append(remaining)
            break
        size = int(round(rng.triangular(COMPLEX_MIN_SIZE, 60, COMPLEX_MAX_SIZE)))
        size = min(size, remaining - COMPLEX_MIN_SIZE)
        sizes.append(size)
        remaining -= size
    return sizes


def _place_complexes(rng, sizes: np.ndarray, neighbourhoods, weight: np.ndarray) -> np.ndarray:
    """The buurt (index) of each complex, drawn by weight among the buurten that still have room.

    A corporation owns at most 80% of a buurt's dwellings; only when the town is too small for the corporation
    (a large demo on a small municipality) do buurten fill up beyond that.
    """
    capacity = np.array([0.8 * n.dwellings if n.dwellings else np.inf for n in neighbourhoods])
    used = np.zeros(len(neighbourhoods))
    complex_buurt = np.empty(len(sizes), dtype=int)
    for i, size in enumerate(sizes.tolist()):
        room = weight * (used + size <= capacity)
        p = room / room.sum() if room.sum() > 0 else weight
        complex_buurt[i] = rng.choice(len(neighbourhoods), p=p)
        used[complex_buurt[i]] += size
    return complex_buurt


def _eras_and_types(rng, sizes: np.ndarray, ref_year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Era, build year and dwelling type per complex: the era decides which types were built (no senior flats
    before 1980); a few small complexes are student rooms."""
    n_complexes = len(sizes)
    era = rng.choice(len(ERAS), size=n_complexes, p=[e[2] for e in ERAS])
    build_year = np.array(
        [rng.integers(ERAS[e][0], min(ERAS[e][1], ref_year - 1) + 1) for e in era.tolist()], dtype=int
    )
    kind = np.array(
        [str(rng.choice(list(ERAS[e][3]), p=list(ERAS[e][3].values()))) for e in era.tolist()], dtype=object
    )
    is_room_complex = (rng.random(n_complexes) < ROOM_COMPLEX_SHARE) & (sizes <= 90)
    kind[is_room_complex] = "room"
    return era, build_year, kind


def _under_renovation(rng, build_year: np.ndarray, ref_year: int) -> np.ndarray:
    """One complex in about 80 of 30 years or older is being renovated now (none in a stock under 20 complexes)."""
    n_complexes = len(build_year)
    under_renovation = np.zeros(n_complexes, dtype=bool)
    candidates = np.flatnonzero(build_year <= ref_year - 30)
    if n_complexes >= 20 and len(candidates):
        picks = rng.choice(candidates, size=min(len(candidates), max(1, round(n_complexes / 80))), replace=False)
        under_renovation[picks] = True
    return under_renovation


def complex_rows(complexes: Complexes, complex_names: list[str], neighbourhoods, prefix: str) -> tuple[ComplexRow, ...]:
    """The complexes as rows, with ids VW-C0001, ... in the order they were drawn."""
    return tuple(
        ComplexRow(f"{prefix}-C{i + 1:04d}", complex_names[i], neighbourhoods[complexes.buurt[i]].cbs_code)
        for i in range(len(complexes.sizes))
    )


def generate_dwellings(rng: np.random.Generator, complexes: Complexes, limits: LegalLimits, ref_year: int) -> Dwellings:
    """Step 2: the dwellings of each complex, with size, label, points, rent, status and accessibility.

    Floor area follows the type and rooms, WWS points the floor area and label, and the rent the points relative
    to the allowance caps, so that rents, points and labels relate as a real stock's do.
    """
    cx = np.repeat(np.arange(len(complexes.sizes)), complexes.sizes)
    kind = complexes.kind[cx]
    n = len(cx)
    rooms, area = _rooms_and_area(rng, kind)
    label = np.clip(np.round(complexes.label_mean[cx] + rng.normal(0, 0.6, n)), 0, len(ENERGY_LABELS) - 1).astype(int)
    points = np.round(35 + 1.3 * area + np.array(LABEL_POINTS)[label] + rng.normal(0, 5, n))
    is_daeb = ~(complexes.is_mixed[cx] & (rng.random(n) < 0.6)) & (rng.random(n) >= 0.01)
    base_rent, service = _rents(rng, limits, ref_year, kind, points, is_daeb)
    status, accessibility = _status_and_accessibility(rng, complexes.under_renovation[cx], kind)
    return Dwellings(
        cx, kind, complexes.build_year[cx], rooms, area, label, points, is_daeb, base_rent, service, status,
        accessibility,
    )


def _rooms_and_area(rng, kind: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rooms by dwelling type, and a floor area (m²) that grows with the rooms, with noise."""
    n = len(kind)
    rooms = np.select(
        [kind == "single_family", kind == "apartment", kind == "senior"],
        [
            rng.choice([3, 4, 5], size=n, p=[0.2, 0.55, 0.25]),
            rng.choice([2, 3, 4], size=n, p=[0.3, 0.45, 0.25]),
            rng.choice([2, 3], size=n, p=[0.45, 0.55]),
        ],
        1,
    )
    noise = rng.normal(0, 1, n)
    area = np.select(
        [kind == "single_family", kind == "apartment", kind == "senior"],
        [62 + 9 * rooms + 7 * noise, 22 + 14 * rooms + 6 * noise, 30 + 12 * rooms + 5 * noise],
        20 + 3 * noise,
    )
    return rooms, np.round(np.clip(area, 14, 160), 1)


def _rents(rng, limits: LegalLimits, ref_year: int, kind, points, is_daeb) -> tuple[np.ndarray, np.ndarray]:
    """Base rent and service charges per month.

    A DAEB dwelling's rent follows its points, mostly below the low allowance cap and always below the DAEB rent
    limit; a free-sector dwelling's lies above that limit, as the law requires of each.
    """
    n = len(kind)
    cap_low = limits.scalar("allowance_cap_low", ref_year)
    daeb_rent_limit = limits.scalar("daeb_rent_limit", ref_year)
    social_rent = cap_low * (0.46 + 0.0029 * points + rng.normal(0, 0.07, n))
    social_rent = np.where(kind == "room", cap_low * rng.uniform(0.5, 0.68, n), social_rent)
    social_rent = np.clip(social_rent, 0.5 * cap_low, daeb_rent_limit - 1)
    free_rent = daeb_rent_limit * rng.uniform(1.03, 1.35, n)
    base_rent = np.round(np.where(is_daeb, social_rent, free_rent), 2)
    service = np.select(
        [kind == "single_family", kind == "room"],
        [rng.uniform(0, 12, n), rng.uniform(40, 90, n)],
        rng.uniform(20, 60, n),
    )
    return base_rent, np.round(service, 2)


def _status_and_accessibility(rng, in_renovated_complex, kind) -> tuple[np.ndarray, np.ndarray]:
    """Occupied, vacant (about 2%) or under renovation; senior flats zero-step, a few wheelchair dwellings."""
    n = len(kind)
    status = np.full(n, "occupied", dtype=object)
    renovating = in_renovated_complex & (rng.random(n) < rng.uniform(0.3, 0.6))
    vacant = (rng.random(n) < 0.02) & ~renovating
    status[renovating] = "renovation"
    status[vacant] = "vacant"
    accessibility = np.full(n, "", dtype=object)
    accessibility[kind == "senior"] = "zero_step"
    accessibility[(kind != "room") & (rng.random(n) < 0.02)] = "wheelchair"
    return status, accessibility


def dwelling_rows(
    homes: Dwellings, complex_ids: list[str], addresses: list[tuple[str, int, str, str]], *, prefix: str, city: str
) -> tuple[DwellingRow, ...]:
    """The dwellings as rows, with ids VW-D000001, ... in complex order."""
    return tuple(
        DwellingRow(
            external_id=f"{prefix}-D{i + 1:06d}",
            complex_external_id=complex_ids[c],
            street=street,
            house_number=number,
            house_number_suffix=suffix,
            postcode=postcode,
            city=city,
            dwelling_type=t,
            rooms=r,
            floor_area=fa,
            build_year=by,
            energy_label=ENERGY_LABELS[lb],
            base_rent=br,
            service_charges=sc,
            wws_points=pt,
            is_daeb=daeb,
            accessibility_label=acc,
            status=st,
        )
        for i, ((street, number, suffix, postcode), c, t, r, fa, by, lb, br, sc, pt, daeb, acc, st) in enumerate(
            zip(
                addresses, homes.complex.tolist(), homes.kind.tolist(), homes.rooms.tolist(),
                as_decimals(homes.floor_area), homes.build_year.tolist(), homes.label.tolist(),
                as_decimals(homes.base_rent), as_decimals(homes.service_charges), as_decimals(homes.wws_points),
                homes.is_daeb.tolist(), homes.accessibility.tolist(), homes.status.tolist(), strict=True,
            )
        )
    )
