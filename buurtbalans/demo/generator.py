"""Generate a synthetic town and a synthetic housing corporation (the demo), as plain rows.

Pure Python + numpy: no Django, no clock, no global random state. The caller passes the random generator
(`numpy.random.default_rng(seed)`), the reference date and the neighbourhoods; the same inputs always give
the same rows, which `writer.py` then stores. Nothing here describes a real person or address.

Steps (`generate_corporation`), each in a module of its own:
1. Complexes of 30-150 dwellings, placed in buurten with a weight that grows with the buurt's size and its
   share of low incomes (social stock concentrates where incomes are low). `stock.py`, names and streets in
   `addresses.py`.
2. Dwellings per complex: type and build year by era, rooms and floor area by type, energy label by era
   (older complexes partly renovated), WWS points from floor area and label, base rent from the points
   relative to the allowance caps (mostly below the low cap), a few non-DAEB dwellings above the DAEB rent
   limit, some vacancies and one or two complexes under renovation. `stock.py`.
3. Tenancies per dwelling, walked back from the reference date: durations are exponential with a mean of
   1 / 7% per year, so about 7% of dwellings turn over each year; a tenancy that started within the
   history window (5 years) is preceded by the tenancy that ended before it, whose household moved out.
   `lettings.py`.
4. A household per tenancy: size by dwelling type, adults and children, pension age; an income band drawn
   so that the buurt's share of low incomes follows its public low-income statistic and the overall mix is
   about 70% primary target group, 20% secondary and 10% middle or high, all relative to the legal limits
   of each year (`limits.py`). Lettings in the history window are made to fit passend toewijzen
   (rent within the allowance cap for the primary target group); a few knowingly do not and carry an
   exception reason. `lettings.py`.
5. Vulnerability markers: 3-5 complexes in low-income buurten get 25-40% marked households, the others 2-5%.
   `markers.py`.
6. A waiting list of about three times the yearly lettings, registered over the last 15 years, each applicant
   with a made-up name and a home address in the town (for letters). `waiting_list.py`.

The synthetic town the corporation can stand in is `town.py`; the rows are `rows.py`. This module keeps every
name callers import from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from buurtbalans.demo import addresses, lettings, markers, stock
from buurtbalans.demo.addresses import postcode_areas
from buurtbalans.demo.lettings import (
    EXCEPTION_REASONS,
    EXCEPTION_WEIGHTS,
    HISTORY_YEARS,
    RENT_INCREASE,
    SIZE_PROBABILITIES,
    TARGET_HIGH,
    TARGET_MIDDLE,
    TARGET_PRIMARY,
    TARGET_SECONDARY,
    TURNOVER_RATE,
)
from buurtbalans.demo.limits import (
    BAND_NAMES,
    HIGH,
    INDEXATION,
    LIMIT_NAMES,
    LOW,
    LOW_INCOME_FRACTION,
    MIDDLE,
    PRIMARY,
    SECONDARY,
    LegalLimits,
    income_band,
    limits_from_sets,
)
from buurtbalans.demo.markers import MARKER_SOURCES, VULNERABILITY_KINDS, VULNERABILITY_WEIGHTS
from buurtbalans.demo.rows import (
    DAYS_PER_YEAR,
    ApplicantRow,
    AreaRow,
    ComplexRow,
    CorporationData,
    DwellingRow,
    HouseholdRow,
    IndicatorRow,
    MarkerRow,
    NeighbourhoodContext,
    TenancyRow,
    Town,
)
from buurtbalans.demo.stock import (
    COMPLEX_MAX_SIZE,
    COMPLEX_MIN_SIZE,
    DWELLING_TYPES,
    ENERGY_LABELS,
    ERAS,
    LABEL_POINTS,
    LOW_INCOME_TENANT_FACTOR,
    ROOM_COMPLEX_SHARE,
)
from buurtbalans.demo.town import (
    CELL_SIZE,
    CORPORATION_SHARE_OF_TOWN,
    FIRST_STATISTICS_YEAR,
    INDICATOR_DWELLINGS,
    INDICATOR_INHABITANTS,
    INDICATOR_LOW_INCOME,
    LBM_REFERENCE,
    LEEFBAAROMETER_DIMENSIONS,
    LEEFBAAROMETER_KEYS,
    LEEFBAAROMETER_YEARS,
    TOWN_ORIGIN,
    generate_town,
    town_contexts,
    town_size_for,
)
from buurtbalans.demo.waiting_list import WAITING_LIST_YEARS, generate_waiting_list
from buurtbalans.engine.parameters import ParameterSet, builtin_parameter_sets

__all__ = [
    "BAND_NAMES", "CELL_SIZE", "COMPLEX_MAX_SIZE", "COMPLEX_MIN_SIZE", "CORPORATION_SHARE_OF_TOWN", "DAYS_PER_YEAR",
    "DWELLING_TYPES", "ENERGY_LABELS", "ERAS", "EXCEPTION_REASONS", "EXCEPTION_WEIGHTS", "FIRST_STATISTICS_YEAR",
    "HIGH", "HISTORY_YEARS", "INDEXATION", "INDICATOR_DWELLINGS", "INDICATOR_INHABITANTS", "INDICATOR_LOW_INCOME",
    "LABEL_POINTS", "LBM_REFERENCE", "LEEFBAAROMETER_DIMENSIONS", "LEEFBAAROMETER_KEYS", "LEEFBAAROMETER_YEARS",
    "LIMIT_NAMES", "LOW", "LOW_INCOME_FRACTION", "LOW_INCOME_TENANT_FACTOR", "MARKER_SOURCES", "MIDDLE", "PRIMARY",
    "RENT_INCREASE", "ROOM_COMPLEX_SHARE", "SECONDARY", "SIZE_PROBABILITIES", "TARGET_HIGH", "TARGET_MIDDLE",
    "TARGET_PRIMARY", "TARGET_SECONDARY", "TOWN_ORIGIN", "TURNOVER_RATE", "VULNERABILITY_KINDS",
    "VULNERABILITY_WEIGHTS", "WAITING_LIST_YEARS",
    "ApplicantRow", "AreaRow", "ComplexRow", "CorporationData", "DwellingRow", "HouseholdRow", "IndicatorRow",
    "LegalLimits", "MarkerRow", "NeighbourhoodContext", "TenancyRow", "Town",
    "generate_corporation", "generate_town", "income_band", "legal_limits", "postcode_areas", "town_contexts",
    "town_size_for",
]


def legal_limits(first_year: int, last_year: int, sets: tuple[ParameterSet, ...] | None = None) -> LegalLimits:
    """Collect the limits for every year from `first_year` to `last_year` (see LegalLimits).

    `seed_demo` passes the database's sets (with what an administrator entered); without them, as in the
    generator's own tests, the built-in table.
    """
    return limits_from_sets(first_year, last_year, sets or builtin_parameter_sets())


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

    The steps draw from `rng` one after the other, in this order; swapping two changes every row after them.

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
    tenant_low_share = stock.tenant_low_shares(neighbourhoods)

    # 1. Complexes, how many of their households carry a marker, their streets and names.
    complexes = stock.generate_complexes(rng, neighbourhoods, tenant_low_share, dwellings=dwellings, ref_year=ref_year)
    marker_rate = markers.complex_marker_rates(rng, tenant_low_share[complexes.buurt], complexes.kind)
    streets = addresses.streets_and_names(rng, complexes.kind, complexes.buurt, neighbourhoods, complexes.sizes)
    complex_rows = stock.complex_rows(complexes, streets.complex_names, neighbourhoods, prefix)

    # 2. Dwellings, with rents against the limits of the reference year.
    limits = limits or legal_limits(min(int(complexes.build_year.min()), ref_year - WAITING_LIST_YEARS) - 1, ref_year)
    homes = stock.generate_dwellings(rng, complexes, limits, ref_year)
    dwelling_addresses = addresses.dwelling_addresses(
        complexes.sizes, streets, complexes.kind, complexes.buurt, neighbourhoods, city
    )
    dwelling_rows = stock.dwelling_rows(
        homes, [c.external_id for c in complex_rows], dwelling_addresses, prefix=prefix, city=city
    )

    # 3-4. Tenancies walked back from the reference date, and their households.
    letting = lettings.generate_lettings(
        rng, homes, tenant_low_share[complexes.buurt[homes.complex]], limits, reference_date=reference_date,
        dwelling_ids=[d.external_id for d in dwelling_rows], prefix=prefix,
    )
    households = letting.households

    # 5. Vulnerability markers, concentrated in the hot complexes.
    tenancies = letting.tenancies
    marker_rows = markers.tenant_markers(
        rng, marker_rate[homes.complex[tenancies.dwelling]], [h.external_id for h in households], tenancies.start,
        tenancies.end,
    )

    # 6. The waiting list.
    applicants: list[ApplicantRow] = []
    if waiting_list:
        a_households, applicants, a_markers = generate_waiting_list(
            rng, round(3 * TURNOVER_RATE * dwellings), prefix=prefix, household_offset=len(households),
            reference_date=reference_date, limits=limits, city=city,
            postal_areas=postcode_areas(neighbourhoods, city),
        )
        households = households + a_households
        marker_rows.extend(a_markers)

    return CorporationData(
        complexes=complex_rows,
        dwellings=dwelling_rows,
        households=tuple(households),
        tenancies=tuple(letting.tenancy_rows),
        markers=tuple(marker_rows),
        applicants=tuple(applicants),
    )
