"""The legal limits per year as the demo uses them, and incomes drawn within the income bands they define.

Incomes and rents in the demo are placed relative to the limits of the year they belong to (a letting of 2021 is
checked against 2021's allowance caps), so the demo needs every limit for every year of its history, including
years the parameter table does not cover. The caller hands in the parameter sets (see `generator.legal_limits`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from buurtbalans.engine.parameters import ParameterSet, set_in_force

# Legal limits are indexed yearly; where the parameter table has no value for a year the demo assumes this.
INDEXATION = 0.02

# Income bands relative to the legal limits of the household's type.
LOW, PRIMARY, SECONDARY, MIDDLE, HIGH = range(5)
BAND_NAMES = ("low", "primary", "secondary", "middle", "high")
# "Low" stands for below 105% of the social minimum: below this fraction of the allowance income limit.
LOW_INCOME_FRACTION = 0.65

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


def limits_from_sets(first_year: int, last_year: int, sets: tuple[ParameterSet, ...]) -> LegalLimits:
    """Collect the limits for every year from `first_year` to `last_year` from these sets (see LegalLimits)."""
    known = _known_limits(sets)
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


def _known_limits(sets: tuple[ParameterSet, ...]) -> dict[str, dict[int, float]]:
    """Each limit's value per year in which a set starts, as in force on 1 January of that year.

    Only those years: the years in between follow by indexation from the nearest of them.
    """
    known: dict[str, dict[int, float]] = {name: {} for name in LIMIT_NAMES}
    for parameter_set in sets:
        year = parameter_set.valid_from.year
        in_force = set_in_force(sets, date(year, 1, 1))
        for name in LIMIT_NAMES:
            value = getattr(in_force, name)
            if value is not None:
                known[name][year] = float(value)
    return known


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


def incomes(limits: LegalLimits, years, is_multi, is_pension, band, position) -> np.ndarray:
    """Yearly incomes at `position` (0..1) within each household's band, for the limits of `years`.

    The same band and position give a household its income at the start of its tenancy and today, so an income
    follows the limits' indexation instead of jumping between bands.
    """
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
