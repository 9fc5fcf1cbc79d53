"""Generate a synthetic town and a synthetic housing corporation (the demo), as plain rows.

Pure Python + numpy: no Django, no clock, no global random state. The caller passes the random generator
(`numpy.random.default_rng(seed)`), the reference date and the neighbourhoods; the same inputs always give
the same rows, which `writer.py` then stores. Nothing here describes a real person or address.

Steps (`generate_corporation`):
1. Complexes of 30-150 dwellings, placed in buurten with a weight that grows with the buurt's size and its
   share of low incomes (social stock concentrates where incomes are low).
2. Dwellings per complex: type and build year by era, rooms and floor area by type, energy label by era
   (older complexes partly renovated), WWS points from floor area and label, base rent from the points
   relative to the allowance caps (mostly below the low cap), a few non-DAEB dwellings above the DAEB rent
   limit, some vacancies and one or two complexes under renovation.
3. Tenancies per dwelling, walked back from the reference date: durations are exponential with a mean of
   1 / 7% per year, so about 7% of dwellings turn over each year; a tenancy that started within the
   history window (5 years) is preceded by the tenancy that ended before it, whose household moved out.
4. A household per tenancy: size by dwelling type, adults and children, pension age; an income band drawn
   so that the buurt's share of low incomes follows its public low-income statistic and the overall mix is
   about 70% primary target group, 20% secondary and 10% middle or high, all relative to the legal limits
   of each year (`engine.parameters`). Lettings in the history window are made to fit passend toewijzen
   (rent within the allowance cap for the primary target group); a few knowingly do not and carry an
   exception reason.
5. Vulnerability markers: 3-5 complexes in low-income buurten get 25-40% marked households, the others 2-5%.
6. A waiting list of about three times the yearly lettings, registered over the last 15 years, each applicant
   with a made-up name and a home address in the town (for letters).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from buurtbalans.demo import names
from buurtbalans.engine.parameters import ParameterSet, builtin_parameter_sets, set_in_force

# Public indicator keys, the same as the open-data import writes (neighbourhoods/indicators.py): CBS's
# inhabitants and dwelling stock, the municipal low-income table's own column name, and Leefbaarometer 3.0.
INDICATOR_INHABITANTS = "inhabitants"
INDICATOR_DWELLINGS = "dwellings"
INDICATOR_LOW_INCOME = "pct_hh_onder_105_sociaal_minimum"
# Leefbaarometer file column -> our key.
LEEFBAAROMETER_KEYS = {
    "lbm": "lbm", "afw": "lbm_afw", "won": "lbm_won", "fys": "lbm_fys", "vrz": "lbm_vrz", "soc": "lbm_soc",
    "onv": "lbm_onv",
}
LEEFBAAROMETER_DIMENSIONS = ("won", "fys", "vrz", "soc", "onv")
# Only the Leefbaarometer 3.0 measurements are comparable with each other.
LEEFBAAROMETER_YEARS = (2014, 2018, 2020)
# In Leefbaarometer 3.0, the score is the national reference plus the deviation: lbm = afw + 4.1023.
LBM_REFERENCE = 4.1023
FIRST_STATISTICS_YEAR = 2015

# The default kinds of vulnerability marker (households migration 0002) and how often each occurs.
VULNERABILITY_KINDS = ("shelter_outflow", "medical_urgency", "social_urgency", "care_indication", "status_holder")
VULNERABILITY_WEIGHTS = (0.15, 0.15, 0.15, 0.30, 0.25)
MARKER_SOURCES = {
    "shelter_outflow": "municipality, outflow agreement (synthetic)",
    "medical_urgency": "urgency committee (synthetic)",
    "social_urgency": "urgency committee (synthetic)",
    "care_indication": "care provider (synthetic)",
    "status_holder": "COA (synthetic)",
}

COMPLEX_MIN_SIZE = 30
COMPLEX_MAX_SIZE = 150
HISTORY_YEARS = 5
TURNOVER_RATE = 0.07
WAITING_LIST_YEARS = 15
DAYS_PER_YEAR = 365.25
# Legal limits are indexed yearly; where the parameter table has no value for a year the demo assumes this.
INDEXATION = 0.02
RENT_INCREASE = 0.03

ENERGY_LABELS = ("A++++", "A+++", "A++", "A+", "A", "B", "C", "D", "E", "F", "G")
# WWS points for the energy label of a self-contained dwelling, roughly (index as ENERGY_LABELS).
LABEL_POINTS = (52, 48, 44, 40, 36, 32, 22, 15, 8, 4, 0)

# Income bands relative to the legal limits of the household's type.
LOW, PRIMARY, SECONDARY, MIDDLE, HIGH = range(5)
BAND_NAMES = ("low", "primary", "secondary", "middle", "high")
# "Low" stands for below 105% of the social minimum: below this fraction of the allowance income limit.
LOW_INCOME_FRACTION = 0.65
# Target mix over the DAEB stock before lettings are made to fit (which moves a few percent up a band).
TARGET_PRIMARY, TARGET_SECONDARY, TARGET_MIDDLE, TARGET_HIGH = 0.74, 0.17, 0.07, 0.02
# Social tenants have low incomes far more often than a buurt's households as a whole.
LOW_INCOME_TENANT_FACTOR = 2.2


# --- rows ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaRow:
    """A municipality, district or neighbourhood with its GeoJSON geometry (WGS84)."""

    cbs_code: str
    name: str
    geometry: dict
    district_code: str | None = None
    municipality_code: str | None = None
    centroid_lon: float | None = None
    centroid_lat: float | None = None


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    area_code: str
    key: str
    year: int
    value: float
    source: str


@dataclass(frozen=True, slots=True)
class Town:
    municipality: AreaRow
    districts: tuple[AreaRow, ...]
    neighbourhoods: tuple[AreaRow, ...]
    indicators: tuple[IndicatorRow, ...]


@dataclass(frozen=True, slots=True)
class NeighbourhoodContext:
    """What the stock generator needs to know of a buurt: its public low-income share and size."""

    cbs_code: str
    name: str
    low_income_pct: float | None = None  # % households below 105% of the social minimum
    dwellings: float | None = None  # all dwellings in the buurt, any owner


@dataclass(frozen=True, slots=True)
class ComplexRow:
    external_id: str
    name: str
    neighbourhood_code: str


@dataclass(frozen=True, slots=True)
class DwellingRow:
    external_id: str
    complex_external_id: str
    street: str
    house_number: int
    house_number_suffix: str
    postcode: str
    city: str
    dwelling_type: str
    rooms: int
    floor_area: Decimal
    build_year: int
    energy_label: str
    base_rent: Decimal
    service_charges: Decimal
    wws_points: Decimal
    is_daeb: bool
    accessibility_label: str
    status: str


@dataclass(frozen=True, slots=True)
class HouseholdRow:
    external_id: str
    size: int
    adults: int
    children: int
    is_pension_age_household: bool
    assessed_income: Decimal | None
    income_year: int | None
    income_source: str


@dataclass(frozen=True, slots=True)
class TenancyRow:
    external_id: str
    dwelling_external_id: str
    household_external_id: str
    start_date: date
    end_date: date | None
    income_at_start: Decimal
    rent_at_start: Decimal
    contract_type: str
    exception_reason: str


@dataclass(frozen=True, slots=True)
class MarkerRow:
    household_external_id: str
    kind: str
    source: str
    valid_from: date
    valid_until: date | None


@dataclass(frozen=True, slots=True)
class ApplicantRow:
    external_id: str
    household_external_id: str
    registration_date: date
    # A made-up name and home address in the demo town, for letters (see names.person_names, home_addresses).
    name: str = ""
    street_address: str = ""
    postal_code: str = ""
    city: str = ""


@dataclass(frozen=True, slots=True)
class CorporationData:
    """Everything the demo stores for one corporation; rows refer to each other by external id."""

    complexes: tuple[ComplexRow, ...]
    dwellings: tuple[DwellingRow, ...]
    households: tuple[HouseholdRow, ...]
    tenancies: tuple[TenancyRow, ...]
    markers: tuple[MarkerRow, ...]
    applicants: tuple[ApplicantRow, ...]

    def counts(self) -> dict[str, int]:
        return {
            "complexes": len(self.complexes),
            "dwellings": len(self.dwellings),
            "households": len(self.households),
            "tenancies": len(self.tenancies),
            "current_tenancies": sum(1 for t in self.tenancies if t.end_date is None),
            "markers": len(self.markers),
            "applicants": len(self.applicants),
        }


# --- legal limits per year ----------------------------------------------------------------------------

LIMIT_NAMES = (
    "allowance_cap_low",
    "allowance_cap_high",
    "daeb_rent_limit",
    "allowance_income_limit_single",
    "allowance_income_limit_multi",
    "allowance_income_limit_single_pension",
    "allowance_income_limit_multi_pension",
    "daeb_income_limit_single",
    "daeb_income_limit_multi",
    "middle_income_limit_single",
    "middle_income_limit_multi",
)


@dataclass(frozen=True)
class LegalLimits:
    """The legal limits the demo needs, per calendar year, as float arrays indexed by `year - first_year`.

    Taken from the set in force on 1 January of the year (the database's sets in `seed_demo`). Where the table
    gives no value for a year ("n/f", or a year before the table starts) the demo uses the nearest known year's
    value indexed by 2% a year: good enough for synthetic incomes and rents, never for a real decision.
    """

    first_year: int
    last_year: int
    values: dict[str, np.ndarray]

    def at(self, name: str, years: np.ndarray) -> np.ndarray:
        index = np.clip(np.asarray(years) - self.first_year, 0, self.last_year - self.first_year)
        return self.values[name][index]

    def scalar(self, name: str, year: int) -> float:
        return float(self.at(name, np.array([year]))[0])

    def allowance_income_limit(self, years, is_multi, is_pension) -> np.ndarray:
        """Inkomensgrens passend toewijzen per household type (1-person / multi-person × AOW age)."""
        return np.where(
            is_pension,
            np.where(is_multi, self.at("allowance_income_limit_multi_pension", years),
                     self.at("allowance_income_limit_single_pension", years)),
            np.where(is_multi, self.at("allowance_income_limit_multi", years),
                     self.at("allowance_income_limit_single", years)),
        )

    def daeb_income_limit(self, years, is_multi) -> np.ndarray:
        return np.where(is_multi, self.at("daeb_income_limit_multi", years), self.at("daeb_income_limit_single", years))

    def middle_income_limit(self, years, is_multi) -> np.ndarray:
        return np.where(
            is_multi, self.at("middle_income_limit_multi", years), self.at("middle_income_limit_single", years)
        )

    def allowance_cap(self, years, size) -> np.ndarray:
        """Aftoppingsgrens that passend toewijzen applies: low for 1-2 persons, high for 3 or more."""
        high, low = self.at("allowance_cap_high", years), self.at("allowance_cap_low", years)
        return np.where(np.asarray(size) >= 3, high, low)


def legal_limits(first_year: int, last_year: int, sets: tuple[ParameterSet, ...] | None = None) -> LegalLimits:
    """Collect the limits for every year from `first_year` to `last_year` (see LegalLimits)."""
    sets = sets or builtin_parameter_sets()
    known: dict[str, dict[int, float]] = {name: {} for name in LIMIT_NAMES}
    for parameter_set in sets:
        year = parameter_set.valid_from.year
        in_force = set_in_force(sets, date(year, 1, 1))
        for name in LIMIT_NAMES:
            value = getattr(in_force, name)
            if value is not None:
                known[name][year] = float(value)
    first_year = min(first_year, last_year)
    years = range(first_year, last_year + 1)
    values = {}
    for name, by_year in known.items():
        if not by_year:
            raise ValueError(f"the parameter table has no value at all for {name}")
        column = []
        for year in years:
            nearest = min(by_year, key=lambda known_year, y=year: (abs(known_year - y), known_year))
            column.append(by_year[nearest] * (1 + INDEXATION) ** (year - nearest))
        values[name] = np.array(column)
    return LegalLimits(first_year, last_year, values)


def income_band(income: float, size: int, is_pension_age_household: bool, parameters: ParameterSet) -> str:
    """The income band of a household under one parameter set: primary, secondary, middle or high.

    Primary is the target group of passend toewijzen (up to the allowance income limit), secondary the
    rest of the DAEB target group (up to the DAEB income limit); above that middle, then high.
    """
    if income <= parameters.allowance_income_limit(size, is_pension_age_household):
        return "primary"
    if income <= parameters.daeb_income_limit(size):
        return "secondary"
    if income <= parameters.middle_income_limit(size):
        return "middle"
    return "high"


def _incomes(limits: LegalLimits, years, is_multi, is_pension, band, position) -> np.ndarray:
    """Yearly incomes at `position` (0..1) within each household's band, for the limits of `years`."""
    allowance = limits.allowance_income_limit(years, is_multi, is_pension)
    daeb = np.maximum(limits.daeb_income_limit(years, is_multi), allowance * 1.05)
    middle = np.maximum(limits.middle_income_limit(years, is_multi), daeb * 1.1)
    income = np.select(
        [band == LOW, band == PRIMARY, band == SECONDARY, band == MIDDLE],
        [
            allowance * (0.40 + (LOW_INCOME_FRACTION - 0.40) * position),
            allowance * (LOW_INCOME_FRACTION + (1 - LOW_INCOME_FRACTION) * position),
            allowance + (daeb - allowance) * position,
            daeb + (middle - daeb) * position,
        ],
        middle * (1 + 0.6 * position),
    )
    return np.round(income)


# --- the synthetic town -------------------------------------------------------------------------------

# A fictional town in the forest of the Veluwe, so its map shows no real streets under the buurten.
TOWN_ORIGIN = (5.78, 52.10)  # lon, lat of the south-west corner
CELL_SIZE = (0.0125, 0.0080)  # degrees lon, lat: about 850 m × 890 m


# A corporation owns about this share of its town's dwellings (a large one, in a town it dominates).
CORPORATION_SHARE_OF_TOWN = 0.3


def town_size_for(dwellings: int) -> tuple[int, int]:
    """How many buurten (20-40) and dwellings a synthetic town has for a corporation of this size."""
    return int(np.clip(dwellings // 400, 20, 40)), max(20_000, round(dwellings / CORPORATION_SHARE_OF_TOWN))


def _ring(points) -> list[list[float]]:
    ring = [[round(float(lon), 6), round(float(lat), 6)] for lon, lat in points]
    return ring + [ring[0]]


def _centroid(ring: list[list[float]]) -> tuple[float, float]:
    """Area-weighted centroid of a closed ring (shoelace formula)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    return round(cx / (6 * area), 6), round(cy / (6 * area), 6)


def _block_ring(vertices: np.ndarray, rows: range, cols: range) -> list[list[float]]:
    """The outline of a rectangular block of grid cells, counter-clockwise (RFC 7946)."""
    r0, r1, c0, c1 = rows.start, rows.stop, cols.start, cols.stop
    points = [vertices[r0, c] for c in range(c0, c1 + 1)]
    points += [vertices[r, c1] for r in range(r0 + 1, r1 + 1)]
    points += [vertices[r1, c] for c in range(c1 - 1, c0 - 1, -1)]
    points += [vertices[r, c0] for r in range(r1 - 1, r0, -1)]
    return _ring(points)


def generate_town(
    rng: np.random.Generator,
    *,
    reference_date: date,
    neighbourhoods: int = 30,
    town_dwellings: int = 40_000,
    code: str = "GM9999",
    name: str = "Voorbeeldstad",
    source: str = "synthetic (buurtbalans seed_demo)",
) -> Town:
    """A synthetic municipality: wijken and buurten on a jittered grid, with public statistics per buurt.

    The buurten are the cells of a grid whose inner corners are moved at random, so neighbouring buurten
    share their edges and never overlap; a wijk is a block of about 2 × 2-3 cells. Each buurt gets a
    deprivation score (high around one post-war area, plus noise) from which its low-income share and its
    Leefbaarometer scores follow, so the two correlate as they do in real towns.

    Args:
        rng: the random generator.
        reference_date: statistics run up to the year before it.
        neighbourhoods: about how many buurten (rounded to fill the grid).
        town_dwellings: about how many dwellings the whole town has (all owners).
        code, name: the municipality's CBS code (GMxxxx) and name.
        source: what every indicator row says about where it came from.
    """
    rows = 5 if neighbourhoods >= 25 else 4
    cols = max(2, math.ceil(neighbourhoods / rows))
    lon0, lat0 = TOWN_ORIGIN
    dlon, dlat = CELL_SIZE
    vertices = np.empty((rows + 1, cols + 1, 2))
    for r in range(rows + 1):
        for c in range(cols + 1):
            vertices[r, c] = lon0 + c * dlon, lat0 + r * dlat
    # Moving inner corners by less than a quarter cell keeps every quadrilateral simple and the tiling gap-free.
    jitter = rng.uniform(-0.22, 0.22, size=(rows - 1, cols - 1, 2)) * np.array([dlon, dlat])
    vertices[1:rows, 1:cols] += jitter

    number = code[2:]
    row_bands = [range(0, rows // 2), range(rows // 2, rows)]
    col_bands = [range(c, min(c + 2, cols)) for c in range(0, cols, 2)]
    if len(col_bands) > 1 and len(col_bands[-1]) == 1:
        col_bands[-2] = range(col_bands[-2].start, cols)
        col_bands.pop()
    blocks = [(rb, cb) for rb in row_bands for cb in col_bands]
    centre = np.array([(rows - 1) / 2, (cols - 1) / 2])

    def block_distance(block):
        rb, cb = block
        middle = np.array([(rb.start + rb.stop - 1) / 2, (cb.start + cb.stop - 1) / 2])
        return float(np.hypot(*(middle - centre)))

    blocks.sort(key=block_distance)

    municipality = AreaRow(
        cbs_code=code,
        name=name,
        geometry={"type": "Polygon", "coordinates": [_block_ring(vertices, range(rows), range(cols))]},
    )
    buurt_names = list(rng.permutation(names.NEIGHBOURHOOD_NAMES))
    hot_spot = np.array([rng.uniform(0, rows - 1), rng.uniform(0, cols - 1)])
    districts, buurten, cells = [], [], []
    for w, (rb, cb) in enumerate(blocks, start=1):
        district_code = f"WK{number}{w:02d}"
        districts.append(
            AreaRow(
                cbs_code=district_code,
                name=names.DISTRICT_NAMES[(w - 1) % len(names.DISTRICT_NAMES)],
                geometry={"type": "Polygon", "coordinates": [_block_ring(vertices, rb, cb)]},
                municipality_code=code,
            )
        )
        for b, (r, c) in enumerate((r, c) for r in rb for c in cb):
            ring = _ring([vertices[r, c], vertices[r, c + 1], vertices[r + 1, c + 1], vertices[r + 1, c]])
            lon, lat = _centroid(ring)
            buurten.append(
                AreaRow(
                    cbs_code=f"BU{number}{w:02d}{b:02d}",
                    name=str(buurt_names[len(buurten) % len(buurt_names)]),
                    geometry={"type": "Polygon", "coordinates": [ring]},
                    district_code=district_code,
                    municipality_code=code,
                    centroid_lon=lon,
                    centroid_lat=lat,
                )
            )
            cells.append((r, c))

    indicators = _town_indicators(rng, buurten, cells, hot_spot, centre, reference_date, town_dwellings, source)
    return Town(municipality, tuple(districts), tuple(buurten), tuple(indicators))


def _town_indicators(rng, buurten, cells, hot_spot, centre, reference_date, town_dwellings, source):
    n = len(buurten)
    cells = np.array(cells, dtype=float)
    deprivation = 1.8 * np.exp(-np.sum((cells - hot_spot) ** 2, axis=1) / 2.0) + rng.normal(0, 0.55, n)
    deprivation -= deprivation.mean()
    centrality = np.exp(-np.sum((cells - centre) ** 2, axis=1) / 3.0)
    last_year = reference_date.year - 1
    # Income statistics come out two to three years later than counts (as CBS publishes them).
    last_income_year = reference_date.year - 2
    size = rng.uniform(0.4, 1.6, n) * (1 + 0.6 * centrality)
    dwellings_last = np.round(town_dwellings * size / size.sum())
    persons_per_dwelling = np.clip(2.25 - 0.45 * centrality + rng.normal(0, 0.12, n), 1.5, 2.8)
    low_income_base = np.clip(7.5 + 4.5 * deprivation, 2, 30)

    rows: list[IndicatorRow] = []
    counts: dict[tuple[str, int], list[float]] = {}
    for year in range(FIRST_STATISTICS_YEAR, last_year + 1):
        growth = (1 - 0.007 * (last_year - year)) * (1 + rng.normal(0, 0.004, n))
        dwellings = np.round(dwellings_last * growth)
        inhabitants = np.round(dwellings * persons_per_dwelling * (1 + rng.normal(0, 0.01, n)))
        low_income = np.clip(np.round(low_income_base + rng.normal(0, 0.8, n)), 1, 40)
        for i, buurt in enumerate(buurten):
            rows.append(IndicatorRow(buurt.cbs_code, INDICATOR_DWELLINGS, year, float(dwellings[i]), source))
            rows.append(IndicatorRow(buurt.cbs_code, INDICATOR_INHABITANTS, year, float(inhabitants[i]), source))
            if year <= last_income_year:
                rows.append(IndicatorRow(buurt.cbs_code, INDICATOR_LOW_INCOME, year, float(low_income[i]), source))
            for area in (buurt.district_code, buurt.municipality_code):
                totals = counts.setdefault((area, year), [0.0, 0.0])
                totals[0] += float(dwellings[i])
                totals[1] += float(inhabitants[i])
    for (area, year), (dwellings_total, inhabitants_total) in sorted(counts.items()):
        rows.append(IndicatorRow(area, INDICATOR_DWELLINGS, year, dwellings_total, source))
        rows.append(IndicatorRow(area, INDICATOR_INHABITANTS, year, inhabitants_total, source))

    for year in LEEFBAAROMETER_YEARS:
        drift = 0.004 * (year - LEEFBAAROMETER_YEARS[0]) / 6
        dims = {
            "won": 0.015 - 0.035 * deprivation + rng.normal(0, 0.015, n),
            "fys": 0.025 - 0.015 * deprivation - 0.03 * centrality + rng.normal(0, 0.015, n),
            "vrz": -0.02 + 0.16 * centrality + rng.normal(0, 0.02, n),
            "soc": -0.005 - 0.05 * deprivation + drift + rng.normal(0, 0.012, n),
            "onv": -0.02 - 0.045 * deprivation - 0.08 * centrality + drift + rng.normal(0, 0.015, n),
        }
        for i, buurt in enumerate(buurten):
            values = {key: round(float(dims[key][i]), 6) for key in LEEFBAAROMETER_DIMENSIONS}
            # The deviation is the sum of the five dimensions and the score adds the national reference.
            afw = values["won"] + values["fys"] + values["vrz"] + values["soc"] + values["onv"]
            values["afw"] = afw
            values["lbm"] = afw + LBM_REFERENCE
            for column, key in LEEFBAAROMETER_KEYS.items():
                rows.append(IndicatorRow(buurt.cbs_code, key, year, values[column], source))
    return rows


def town_contexts(town: Town) -> list[NeighbourhoodContext]:
    """The stock generator's view of a synthetic town: each buurt's latest low-income share and size."""
    latest: dict[tuple[str, str], tuple[int, float]] = {}
    for row in town.indicators:
        if row.key in (INDICATOR_LOW_INCOME, INDICATOR_DWELLINGS):
            known = latest.get((row.area_code, row.key))
            if known is None or row.year > known[0]:
                latest[(row.area_code, row.key)] = (row.year, row.value)
    return [
        NeighbourhoodContext(
            cbs_code=b.cbs_code,
            name=b.name,
            low_income_pct=latest.get((b.cbs_code, INDICATOR_LOW_INCOME), (0, None))[1],
            dwellings=latest.get((b.cbs_code, INDICATOR_DWELLINGS), (0, None))[1],
        )
        for b in town.neighbourhoods
    ]


# --- the corporation ----------------------------------------------------------------------------------

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
# Household sizes 1..6 per dwelling type.
SIZE_PROBABILITIES = {
    "single_family": (0.16, 0.30, 0.19, 0.21, 0.10, 0.04),
    "apartment": (0.52, 0.27, 0.11, 0.07, 0.03, 0.0),
    "senior": (0.68, 0.32, 0, 0, 0, 0),
    "room": (1, 0, 0, 0, 0, 0),
}
EXCEPTION_REASONS = ("special_family_situation", "rehousing", "restructuring", "other")
EXCEPTION_WEIGHTS = (0.35, 0.25, 0.15, 0.25)


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


def _postcode_letters():
    # PTT never issued SA, SD and SS.
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [a + b for a in letters for b in letters if a + b not in {"SA", "SD", "SS"}]


POSTCODE_LETTERS = _postcode_letters()


def _as_decimals(values: np.ndarray, places: int = 2) -> list[Decimal]:
    return [Decimal(f"{v:.{places}f}") for v in values.tolist()]


def generate_corporation(
    rng: np.random.Generator,
    *,
    neighbourhoods: Sequence[NeighbourhoodContext],
    reference_date: date,
    dwellings: int,
    prefix: str,
    city: str,
    limits: LegalLimits | None = None,
    waiting_list: bool = True,
) -> CorporationData:
    """A synthetic corporation's stock, households, five years of lettings and waiting list (see the module).

    Args:
        rng: the random generator; the same state gives the same rows.
        neighbourhoods: the buurten to place complexes in, with their low-income share and size.
        reference_date: "today" for the data: current tenancies run on it, history goes back from it.
        dwellings: how many dwellings (exactly).
        prefix: starts every external id ("VW" gives VW-C0001, VW-D000001, ...).
        city: the city in every address.
        limits: the legal limits per year; by default from the built-in parameter table.
        waiting_list: whether to generate applicants.

    Returns:
        The rows, referring to each other by external id.
    """
    if not neighbourhoods:
        raise ValueError("the demo needs at least one buurt to place complexes in")
    if dwellings < 1:
        raise ValueError("the demo needs at least one dwelling")
    ref_year = reference_date.year
    ref_day = reference_date.toordinal()
    window_start = ref_day - round(HISTORY_YEARS * DAYS_PER_YEAR)

    # Buurten: low-income share among the corporation's tenants, and where its stock is.
    known_pct = [n.low_income_pct for n in neighbourhoods if n.low_income_pct is not None]
    fallback_pct = float(np.median(known_pct)) if known_pct else 8.0
    pct = np.array([n.low_income_pct if n.low_income_pct is not None else fallback_pct for n in neighbourhoods])
    tenant_low_share = np.clip(LOW_INCOME_TENANT_FACTOR * pct / 100, 0.02, 0.6)
    size_known = [n.dwellings for n in neighbourhoods if n.dwellings]
    fallback_size = float(np.median(size_known)) if size_known else 1000.0
    buurt_size = np.array([n.dwellings if n.dwellings is not None else fallback_size for n in neighbourhoods])
    # Industrial estates and parks (a handful of dwellings) get no complex.
    weight = np.where(buurt_size >= 100, buurt_size, 0) * (0.3 + tenant_low_share / tenant_low_share.mean())
    weight = weight / weight.sum() if weight.sum() > 0 else np.full(len(neighbourhoods), 1 / len(neighbourhoods))

    # 1. Complexes.
    sizes = np.array(_complex_sizes(rng, dwellings))
    n_complexes = len(sizes)
    # A corporation owns at most 80% of a buurt's dwellings; only when the town is too small for the
    # corporation (a large demo on a small municipality) do buurten fill up beyond that.
    capacity = np.array([0.8 * n.dwellings if n.dwellings else np.inf for n in neighbourhoods])
    used = np.zeros(len(neighbourhoods))
    complex_buurt = np.empty(n_complexes, dtype=int)
    for i, size in enumerate(sizes.tolist()):
        room = weight * (used + size <= capacity)
        p = room / room.sum() if room.sum() > 0 else weight
        complex_buurt[i] = rng.choice(len(neighbourhoods), p=p)
        used[complex_buurt[i]] += size
    era = rng.choice(len(ERAS), size=n_complexes, p=[e[2] for e in ERAS])
    build_year = np.array(
        [rng.integers(ERAS[e][0], min(ERAS[e][1], ref_year - 1) + 1) for e in era.tolist()], dtype=int
    )
    complex_type = np.array(
        [str(rng.choice(list(ERAS[e][3]), p=list(ERAS[e][3].values()))) for e in era.tolist()], dtype=object
    )
    is_room_complex = (rng.random(n_complexes) < ROOM_COMPLEX_SHARE) & (sizes <= 90)
    complex_type[is_room_complex] = "room"
    is_renovated = (build_year < 1980) & (rng.random(n_complexes) < 0.4)
    label_mean = np.array([ERAS[e][4] for e in era.tolist()]) - 2.0 * is_renovated
    # Some newer complexes were built partly for the free sector (non-DAEB).
    is_mixed = (build_year >= 1985) & (complex_type != "room") & (rng.random(n_complexes) < 0.08)
    under_renovation = np.zeros(n_complexes, dtype=bool)
    candidates = np.flatnonzero(build_year <= ref_year - 30)
    if n_complexes >= 20 and len(candidates):
        picks = rng.choice(candidates, size=min(len(candidates), max(1, round(n_complexes / 80))), replace=False)
        under_renovation[picks] = True
    # Marker concentration: a few complexes, mostly flats in low-income buurten.
    n_hot = min(int(np.clip(round(n_complexes * 0.04), 3, 5)), n_complexes // 2)
    hot_weight = tenant_low_share[complex_buurt] ** 2 * np.where(complex_type == "apartment", 2.0, 1.0)
    hot = np.zeros(n_complexes, dtype=bool)
    if n_hot:
        hot[rng.choice(n_complexes, size=n_hot, replace=False, p=hot_weight / hot_weight.sum())] = True
    marker_rate = np.where(hot, rng.uniform(0.25, 0.40, n_complexes), rng.uniform(0.02, 0.05, n_complexes))

    complex_ids = [f"{prefix}-C{i + 1:04d}" for i in range(n_complexes)]
    streets, complex_names, first_numbers = _streets_and_names(rng, complex_type, complex_buurt, neighbourhoods, sizes)
    complexes = tuple(
        ComplexRow(complex_ids[i], complex_names[i], neighbourhoods[complex_buurt[i]].cbs_code)
        for i in range(n_complexes)
    )

    # 2. Dwellings.
    n = dwellings
    cx = np.repeat(np.arange(n_complexes), sizes)
    d_type = complex_type[cx]
    d_build = build_year[cx]
    rooms = np.select(
        [d_type == "single_family", d_type == "apartment", d_type == "senior"],
        [
            rng.choice([3, 4, 5], size=n, p=[0.2, 0.55, 0.25]),
            rng.choice([2, 3, 4], size=n, p=[0.3, 0.45, 0.25]),
            rng.choice([2, 3], size=n, p=[0.45, 0.55]),
        ],
        1,
    )
    noise = rng.normal(0, 1, n)
    area = np.select(
        [d_type == "single_family", d_type == "apartment", d_type == "senior"],
        [62 + 9 * rooms + 7 * noise, 22 + 14 * rooms + 6 * noise, 30 + 12 * rooms + 5 * noise],
        20 + 3 * noise,
    )
    area = np.round(np.clip(area, 14, 160), 1)
    label = np.clip(np.round(label_mean[cx] + rng.normal(0, 0.6, n)), 0, len(ENERGY_LABELS) - 1).astype(int)
    points = np.round(35 + 1.3 * area + np.array(LABEL_POINTS)[label] + rng.normal(0, 5, n))
    is_daeb = ~(is_mixed[cx] & (rng.random(n) < 0.6)) & (rng.random(n) >= 0.01)

    limits = limits or legal_limits(min(int(build_year.min()), ref_year - WAITING_LIST_YEARS) - 1, ref_year)
    cap_low = limits.scalar("allowance_cap_low", ref_year)
    daeb_rent_limit = limits.scalar("daeb_rent_limit", ref_year)
    social_rent = cap_low * (0.46 + 0.0029 * points + rng.normal(0, 0.07, n))
    social_rent = np.where(d_type == "room", cap_low * rng.uniform(0.5, 0.68, n), social_rent)
    social_rent = np.clip(social_rent, 0.5 * cap_low, daeb_rent_limit - 1)
    free_rent = daeb_rent_limit * rng.uniform(1.03, 1.35, n)
    base_rent = np.round(np.where(is_daeb, social_rent, free_rent), 2)
    service = np.select(
        [d_type == "single_family", d_type == "room"],
        [rng.uniform(0, 12, n), rng.uniform(40, 90, n)],
        rng.uniform(20, 60, n),
    )
    service = np.round(service, 2)

    status = np.full(n, "occupied", dtype=object)
    renovating = under_renovation[cx] & (rng.random(n) < rng.uniform(0.3, 0.6))
    vacant = (rng.random(n) < 0.02) & ~renovating
    status[renovating] = "renovation"
    status[vacant] = "vacant"
    accessibility = np.full(n, "", dtype=object)
    accessibility[d_type == "senior"] = "zero_step"
    accessibility[(d_type != "room") & (rng.random(n) < 0.02)] = "wheelchair"

    dwelling_ids = [f"{prefix}-D{i + 1:06d}" for i in range(n)]
    addresses = _addresses(cx, sizes, streets, first_numbers, complex_type, complex_buurt, neighbourhoods, city)
    dwelling_rows = tuple(
        DwellingRow(
            external_id=dwelling_ids[i],
            complex_external_id=complex_ids[c],
            street=addresses[i][0],
            house_number=addresses[i][1],
            house_number_suffix=addresses[i][2],
            postcode=addresses[i][3],
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
        for i, (c, t, r, fa, by, lb, br, sc, pt, daeb, acc, st) in enumerate(
            zip(
                cx.tolist(), d_type.tolist(), rooms.tolist(), _as_decimals(area), d_build.tolist(), label.tolist(),
                _as_decimals(base_rent), _as_decimals(service), _as_decimals(points), is_daeb.tolist(),
                accessibility.tolist(), status.tolist(), strict=True,
            )
        )
    )

    # 3. Tenancies, walked back from the reference date.
    completion = np.array([date(int(y), 7, 1).toordinal() for y in d_build.tolist()])
    anchor = np.full(n, ref_day)
    left = rng.integers(7, 121, n)
    anchor = np.where(status == "vacant", ref_day - left, anchor)
    anchor = np.where(status == "renovation", ref_day - rng.integers(60, 401, n), anchor)
    # A new dwelling that is vacant or being renovated may never have been let.
    active = anchor >= completion + 60
    is_current_round = True
    t_dwelling, t_start, t_end = [], [], []
    mean_days = DAYS_PER_YEAR / TURNOVER_RATE
    while active.any():
        idx = np.flatnonzero(active)
        duration = np.maximum(np.round(rng.exponential(mean_days, len(idx))), 30)
        start = anchor[idx] - duration
        first_letting = start < completion[idx]
        start = np.where(first_letting, completion[idx] + rng.integers(0, 61, len(idx)), start)
        start = np.minimum(start, anchor[idx] - 30)
        ended = np.full(len(idx), True) if not is_current_round else status[idx] != "occupied"
        t_dwelling.append(idx)
        t_start.append(start.astype(int))
        t_end.append(np.where(ended, anchor[idx], -1).astype(int))
        gap = rng.integers(7, 91, len(idx))
        previous_end = start - gap
        go_on = (start >= window_start) & ~first_letting & (previous_end >= completion[idx] + 60)
        active = np.zeros(n, dtype=bool)
        active[idx[go_on]] = True
        anchor = anchor.copy()
        anchor[idx[go_on]] = previous_end[go_on]
        is_current_round = False
    t_dwelling = np.concatenate(t_dwelling) if t_dwelling else np.zeros(0, dtype=int)
    t_start = np.concatenate(t_start) if t_start else np.zeros(0, dtype=int)
    t_end = np.concatenate(t_end) if t_end else np.zeros(0, dtype=int)
    order = np.lexsort((t_start, t_dwelling))
    t_dwelling, t_start, t_end = t_dwelling[order], t_start[order], t_end[order]
    m = len(t_dwelling)
    is_current = t_end < 0

    # 4. Households, one per tenancy.
    h_type = d_type[t_dwelling]
    size = np.ones(m, dtype=int)
    for kind, probabilities in SIZE_PROBABILITIES.items():
        mask = h_type == kind
        size[mask] = rng.choice(np.arange(1, 7), size=int(mask.sum()), p=probabilities)
    size = np.minimum(size, rooms[t_dwelling] + 1)
    u = rng.random(m)
    adults = np.where(size == 1, 1, np.where(size == 2, np.where(u < 0.78, 2, 1), np.where(u < 0.82, 2, 1)))
    adults = np.where((size >= 4) & (u > 0.97), 3, adults)
    children = size - adults
    pension_p = np.select(
        [h_type == "senior", h_type == "room", children > 0, size == 1],
        [0.85, 0.0, 0.01, 0.36],
        0.33,
    )
    is_pension = rng.random(m) < pension_p
    is_multi = size > 1

    buurt_of = complex_buurt[cx[t_dwelling]]
    low_share = tenant_low_share[buurt_of]
    daeb_t = is_daeb[t_dwelling]
    mean_low = float(low_share[daeb_t].mean()) if daeb_t.any() else float(low_share.mean())
    rest = np.array([max(TARGET_PRIMARY - mean_low, 0.0), TARGET_SECONDARY, TARGET_MIDDLE, TARGET_HIGH])
    rest = np.cumsum(rest / rest.sum())
    u_low, u_band = rng.random(m), rng.random(m)
    band = np.where(u_low < low_share, LOW, PRIMARY + np.searchsorted(rest, u_band, side="right"))
    free_band = SECONDARY + np.searchsorted(np.cumsum([0.35, 0.45, 0.20]), rng.random(m), side="right")
    band = np.where(daeb_t, band, free_band)
    band = np.minimum(band, HIGH)
    position = rng.uniform(0.03, 0.97, m)

    start_year = np.array([date.fromordinal(int(d)).year for d in t_start.tolist()])
    years_ago = (ref_day - t_start) / DAYS_PER_YEAR
    rent_at_start = np.round(base_rent[t_dwelling] / (1 + RENT_INCREASE) ** years_ago, 2)
    in_window = t_start >= window_start
    # Lettings in the window follow passend toewijzen: the primary target group gets a rent within the cap.
    cap_at_start = limits.allowance_cap(start_year, size)
    not_fit = in_window & daeb_t & (band <= PRIMARY) & (rent_at_start > cap_at_start)
    fixed = not_fit & (rng.random(m) < 0.85)
    band = np.where(fixed, SECONDARY, band)
    exception = not_fit & ~fixed
    # DAEB lettings to middle and high incomes stay within the free allocation space.
    to_secondary = in_window & daeb_t & (band >= MIDDLE) & (rng.random(m) < 0.6)
    band = np.where(to_secondary, SECONDARY, band)

    income_now = _incomes(limits, np.full(m, ref_year), is_multi, is_pension, band, position)
    income_start = _incomes(limits, start_year, is_multi, is_pension, band, position)
    reason_index = rng.choice(len(EXCEPTION_REASONS), size=m, p=EXCEPTION_WEIGHTS)
    reason = np.array(EXCEPTION_REASONS, dtype=object)[reason_index]
    reason = np.where((size >= 5) & (rng.random(m) < 0.7), "large_household", reason)
    reason = np.where(is_pension & (rng.random(m) < 0.6), "pension_age_assets", reason)
    reason = np.where(exception, reason, "")
    room_contract = np.where(rng.random(m) < 0.6, "campus", "youth")
    contract = np.where(h_type == "room", room_contract, np.where(rng.random(m) < 0.03, "temporary", "indefinite"))
    # Corporations often hold no recent income for tenants who have lived there a long time.
    unknown_income = is_current & (years_ago > 10) & (rng.random(m) < 0.03)
    source_draw = rng.random(m)

    household_ids = [f"{prefix}-H{i + 1:06d}" for i in range(m)]
    tenancy_ids = [f"{prefix}-T{i + 1:06d}" for i in range(m)]
    income_now_d = _as_decimals(income_now)
    income_start_d = _as_decimals(income_start)
    households = []
    for i, (sz, ad, ch, pens, cur, unknown, sy, sd) in enumerate(
        zip(size.tolist(), adults.tolist(), children.tolist(), is_pension.tolist(), is_current.tolist(),
            unknown_income.tolist(), start_year.tolist(), source_draw.tolist(), strict=True)
    ):
        if unknown:
            income, year, source = None, None, "unknown"
        elif cur:
            income, year, source = income_now_d[i], ref_year - 1, "tax_authority" if sd < 0.9 else "declared"
        else:
            # A household that moved out keeps the income it was let on.
            income, year, source = income_start_d[i], sy, "tax_authority"
        households.append(HouseholdRow(household_ids[i], sz, ad, ch, pens, income, year, source))
    tenancies = [
        TenancyRow(
            external_id=tenancy_ids[i],
            dwelling_external_id=dwelling_ids[dw],
            household_external_id=household_ids[i],
            start_date=date.fromordinal(s),
            end_date=None if e < 0 else date.fromordinal(e),
            income_at_start=income_start_d[i],
            rent_at_start=rs,
            contract_type=ct,
            exception_reason=er,
        )
        for i, (dw, s, e, rs, ct, er) in enumerate(
            zip(t_dwelling.tolist(), t_start.tolist(), t_end.tolist(), _as_decimals(rent_at_start),
                contract.tolist(), reason.tolist(), strict=True)
        )
    ]

    # 5. Vulnerability markers, concentrated in the hot complexes.
    marked = rng.random(m) < marker_rate[cx[t_dwelling]]
    markers = _markers(rng, np.flatnonzero(marked), household_ids, t_start, t_end)

    # 6. The waiting list.
    applicants: list[ApplicantRow] = []
    if waiting_list:
        n_applicants = round(3 * TURNOVER_RATE * dwellings)
        a_households, a_rows, a_markers = _waiting_list(rng, n_applicants, prefix, m, ref_day, limits, ref_year)
        households.extend(a_households)
        # Names and addresses come from a generator of their own, so adding them changed no other row of the demo.
        applicants = _with_names_and_addresses(rng.spawn(1)[0], a_rows, a_households, city,
                                               postcode_areas(neighbourhoods, city))
        markers.extend(a_markers)

    return CorporationData(
        complexes=complexes,
        dwellings=dwelling_rows,
        households=tuple(households),
        tenancies=tuple(tenancies),
        markers=tuple(markers),
        applicants=tuple(applicants),
    )


def _streets_and_names(rng, complex_type, complex_buurt, neighbourhoods, sizes):
    """A street per complex (streets are reused, numbering on, once every name is taken) and a unique name."""
    combos = [(stem, suffix) for stem in names.STREET_STEMS for suffix in names.STREET_SUFFIXES]
    order = rng.permutation(len(combos))
    next_number: dict[str, int] = {}
    streets, complex_names, first_numbers = [], [], []
    taken: set[str] = set()
    for i, kind in enumerate(complex_type.tolist()):
        stem, suffix = combos[order[i % len(combos)]]
        street = f"{stem}{suffix}"
        first = next_number.get(street, int(rng.integers(1, 30)))
        next_number[street] = first + int(sizes[i]) + 2
        streets.append(street)
        first_numbers.append(first)
        patterns = names.COMPLEX_NAME_PATTERNS[kind]
        pattern = patterns[int(rng.integers(len(patterns)))]
        base = pattern.format(
            stem=stem,
            street=street,
            buurt=neighbourhoods[complex_buurt[i]].name,
            quarter=names.QUARTERS[int(rng.integers(len(names.QUARTERS)))],
        )
        name, roman = base, 1
        while name in taken:
            roman += 1
            name = f"{base} {_roman(roman)}"
        taken.add(name)
        complex_names.append(name)
    return streets, complex_names, first_numbers


def _roman(number: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, numeral in numerals:
        while number >= value:
            out += numeral
            number -= value
    return out


def postcode_areas(neighbourhoods, city: str) -> list[int]:
    """A stable four-digit postal area per buurt: one of the town's real areas where the demo knows them
    (`names.POSTAL_AREAS`, e.g. Zwolle), a made-up one elsewhere."""
    known = names.POSTAL_AREAS.get(city)
    areas = []
    for i, buurt in enumerate(neighbourhoods):
        number = sum(ord(ch) * (k + 1) for k, ch in enumerate(buurt.cbs_code)) * 7 + i * 13
        areas.append(known[number % len(known)] if known else 1000 + number % 8900)
    return areas


def _with_names_and_addresses(rng, applicants, households, city, areas) -> list[ApplicantRow]:
    """The applicants with a made-up name and a home address in the town (they live there now, elsewhere)."""
    people = names.person_names(rng, [h.adults for h in households])
    homes = names.home_addresses(rng, len(applicants), postal_areas=areas)
    return [
        ApplicantRow(a.external_id, a.household_external_id, a.registration_date, person, street, code, city)
        for a, person, (street, code) in zip(applicants, people, homes, strict=True)
    ]


def _addresses(cx, sizes, streets, first_numbers, complex_type, complex_buurt, neighbourhoods, city):
    """(street, number, suffix, postcode) per dwelling: consecutive numbers, a postcode per ~20 addresses."""
    # A stable four-digit area per buurt (the town's real ones where known, else fictional).
    digits = dict(enumerate(postcode_areas(neighbourhoods, city)))
    letter_next = dict.fromkeys(range(len(neighbourhoods)), 0)
    out = []
    for c, size in enumerate(sizes.tolist()):
        b = int(complex_buurt[c])
        is_rooms = complex_type[c] == "room"
        for k in range(size):
            if is_rooms:
                # Rooms share a front door: eight rooms per house number, suffixed a-h.
                number, suffix = first_numbers[c] + k // 8, "abcdefgh"[k % 8]
            else:
                number, suffix = first_numbers[c] + k, ""
            if k % 20 == 0:
                letters = POSTCODE_LETTERS[letter_next[b] % len(POSTCODE_LETTERS)]
                letter_next[b] += 1
            out.append((streets[c], number, suffix, f"{digits[b]}{letters}"))
    return out


def _markers(rng, marked_index, household_ids, t_start, t_end) -> list[MarkerRow]:
    rows = []
    weights = np.array(VULNERABILITY_WEIGHTS)
    for i in marked_index.tolist():
        n_kinds = 2 if rng.random() < 0.12 else 1
        kinds = rng.choice(len(VULNERABILITY_KINDS), size=n_kinds, replace=False, p=weights)
        for k in sorted(kinds.tolist()):
            kind = VULNERABILITY_KINDS[k]
            valid_from = date.fromordinal(int(t_start[i] - rng.integers(30, 400)))
            valid_until = None if t_end[i] < 0 else date.fromordinal(int(t_end[i]))
            rows.append(MarkerRow(household_ids[i], kind, MARKER_SOURCES[kind], valid_from, valid_until))
    return rows


def _waiting_list(rng, n, prefix, household_offset, ref_day, limits, ref_year):
    """Applicants registered over the last 15 years, more of them recently, mostly with low incomes."""
    size = rng.choice(np.arange(1, 7), size=n, p=[0.50, 0.25, 0.12, 0.08, 0.04, 0.01])
    u = rng.random(n)
    adults = np.where(size == 1, 1, np.where(u < 0.75, 2, 1))
    adults = np.minimum(adults, size)
    children = size - adults
    is_pension = (children == 0) & (rng.random(n) < 0.12)
    band = rng.choice(5, size=n, p=[0.30, 0.45, 0.18, 0.06, 0.01])
    position = rng.uniform(0.03, 0.97, n)
    income = _incomes(limits, np.full(n, ref_year), size > 1, is_pension, band, position)
    days_ago = np.floor(WAITING_LIST_YEARS * DAYS_PER_YEAR * rng.random(n) ** 1.4).astype(int)
    registered = ref_day - days_ago
    urgent = rng.random(n) < 0.06
    households, applicants, markers = [], [], []
    urgent_kinds = ("medical_urgency", "social_urgency", "status_holder", "shelter_outflow")
    for i, (sz, ad, ch, pens, inc, reg, urg) in enumerate(
        zip(size.tolist(), adults.tolist(), children.tolist(), is_pension.tolist(), _as_decimals(income),
            registered.tolist(), urgent.tolist(), strict=True)
    ):
        household_id = f"{prefix}-H{household_offset + i + 1:06d}"
        households.append(HouseholdRow(household_id, sz, ad, ch, pens, inc, ref_year - 1, "declared"))
        applicants.append(ApplicantRow(f"{prefix}-A{i + 1:06d}", household_id, date.fromordinal(reg)))
        if urg:
            kind = urgent_kinds[int(rng.integers(len(urgent_kinds)))]
            valid_from = date.fromordinal(min(ref_day, reg + int(rng.integers(0, 300))))
            markers.append(MarkerRow(household_id, kind, MARKER_SOURCES[kind], valid_from, None))
    return households, applicants, markers
