"""Dated portfolio states written as CSV folders, and what each one says, for the history tests.

A `State` is what one dated file says: every dwelling's complex and status, every household's size, income and
income year, the complexes' VvE. The tenancies stay the same over a series (the history tests change statuses,
incomes and sales, not lettings), so every file is a valid import on its own.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from buurtbalans.households.models import Household
from buurtbalans.households.selectors import household_band, income_band_limits

STATUSES = ("occupied", "vacant", "renovation", "sold", "demolished")
BUURT = "BU01930001"


@dataclass
class State:
    day: date
    complexes: dict[str, bool | None]  # code -> VvE
    dwellings: dict[str, tuple[str, str]]  # code -> (complex, status)
    households: dict[str, tuple[int, int | None]]  # code -> (size, income in whole euros or None)
    tenancies: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (dwelling, household)

    @property
    def income_year(self) -> int:
        return self.day.year

    def band(self, household: str) -> str:
        size, income = self.households[household]
        params = income_band_limits(date(self.income_year, 1, 1)).parameters
        return household_band(Household(size=size, adults=size, assessed_income=None if income is None
                                        else Decimal(income), is_pension_age_household=False), params)

    def ownership(self) -> dict[str, tuple[int, int, int, bool | None]]:
        """complex -> (dwellings not demolished, owned, sold, VvE)."""
        result = {}
        for complex_code, vve in self.complexes.items():
            statuses = [s for c, s in self.dwellings.values() if c == complex_code and s != "demolished"]
            sold = statuses.count("sold")
            result[complex_code] = (len(statuses), len(statuses) - sold, sold, vve)
        return result


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)


def write_state(folder: Path, state: State, *, name: str = "voorraad") -> Path:
    """The state as a folder of CSV files named `<name>-YYYY-MM-DD`; returns the folder."""
    target = folder / f"{name}-{state.day.isoformat()}"
    target.mkdir(parents=True)
    _write(target / "complexes.csv", ["external_id", "name", "neighbourhood", "vve"],
           [[code, f"Complex {code}", BUURT, "" if vve is None else ("ja" if vve else "nee")]
            for code, vve in state.complexes.items()])
    _write(target / "dwellings.csv", ["external_id", "complex", "street", "house_number", "postcode", "status"],
           [[code, complex_code, "Teststraat", index + 1, "8011AA", status]
            for index, (code, (complex_code, status)) in enumerate(state.dwellings.items())])
    _write(target / "households.csv", ["external_id", "size", "assessed_income", "income_year"],
           [[code, size, "" if income is None else income, state.income_year]
            for code, (size, income) in state.households.items()])
    _write(target / "tenancies.csv", ["external_id", "dwelling", "household", "start_date"],
           [[code, dwelling, household, "2015-01-01"] for code, (dwelling, household) in state.tenancies.items()])
    return target
