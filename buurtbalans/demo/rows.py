"""The rows the demo generator returns, and the units its steps share.

Plain frozen dataclasses that refer to each other by external id, so `writer.py` can store them in any database
and tests can compare two runs with `==`. Pure Python: no Django, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

# Every step counts time in ordinal days; a year is this many of them on average.
DAYS_PER_YEAR = 365.25


def as_decimals(values: np.ndarray, places: int = 2) -> list[Decimal]:
    """Money, areas and points leave the generator as Decimal, formatted once so the same float gives the same row."""
    return [Decimal(f"{v:.{places}f}") for v in values.tolist()]


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
    # The applicant's own profile (allocation.ApplicantProfile): target groups by `allocation.ApplicantGroup` code,
    # and an urgency decision (urgentieverklaring) with the date it ends. Never derived from a marker.
    groups: tuple[str, ...] = ()
    is_urgent: bool = False
    urgency_valid_until: date | None = None


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
