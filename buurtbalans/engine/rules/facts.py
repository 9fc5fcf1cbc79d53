"""Inputs and outcome types shared by the rules (frozen dataclasses and enums)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal


class IncomeBand(enum.StrEnum):
    """The four income groups used in sector reporting (docs/rules/income-bands.md)."""

    PRIMARY = "primary"  # primaire doelgroep
    SECONDARY = "secondary"  # secundaire doelgroep
    MIDDLE = "middle"  # middeninkomens
    HIGH = "high"  # hogere inkomens


class FitOutcome(enum.StrEnum):
    """Passend toewijzen outcome; VERA codes PAS / NIE / NVT."""

    FIT = "FIT"
    NOT_FIT = "NOT_FIT"
    NOT_APPLICABLE = "NOT_APPLICABLE"

    @property
    def vera_code(self) -> str:
        """The VERA code: PAS (fit), NIE (not fit) or NVT (not applicable)."""
        return {"FIT": "PAS", "NOT_FIT": "NIE", "NOT_APPLICABLE": "NVT"}[self.value]


class RentBasis(enum.StrEnum):
    """Which rent is tested against the aftoppingsgrens: kale huur (default) or rekenhuur."""

    BASE_RENT = "base_rent"
    ALLOWANCE_RENT = "allowance_rent"


class RentClass(enum.StrEnum):
    """Huurklasse (VERA / woningwaardering `Huurklasse`), on the base rent."""

    CHEAP = "cheap"  # goedkoop
    AFFORDABLE = "affordable"  # betaalbaar
    EXPENSIVE = "expensive"  # duur
    ABOVE_ALLOWANCE_LIMIT = "above_allowance_limit"  # boven huurtoeslaggrens

    @property
    def vera_code(self) -> str:
        """The VERA code (`Huurklasse`): GOE, BET, DUU or BOV."""
        return {"cheap": "GOE", "affordable": "BET", "expensive": "DUU", "above_allowance_limit": "BOV"}[self.value]


@dataclass(frozen=True)
class HouseholdFacts:
    """A household as the rules see it.

    Attributes:
        household_size: everyone who moves in, children included (huishoudgrootte).
        assessed_income: the yearly assessed income (verzamelinkomen / rekeninkomen) of the applicant, partner and
            other adult co-movers. Children's income is not part of it: the caller passes the assessed income
            already without it (docs/rules/income-bands.md).
        is_pension_age_household: the applicant or a co-mover has reached the AOW age on 1 January of the year of
            allocation (VERA `isOuderenhuishouden`).
        assets: the household's assets (rekenvermogen) in euros, or None when not known.
    """

    household_size: int
    assessed_income: Decimal
    is_pension_age_household: bool = False
    assets: Decimal | None = None

    def __post_init__(self) -> None:
        """Refuse facts no rule can judge.

        Raises:
            ValueError: a household size below 1, an assessed income that is not a non-negative Decimal, or
                assets that are given but not a non-negative Decimal.
        """
        if not isinstance(self.household_size, int) or self.household_size < 1:
            raise ValueError(f"household size must be a whole number of at least 1, not {self.household_size!r}")
        if not isinstance(self.assessed_income, Decimal) or not self.assessed_income.is_finite():
            raise ValueError(f"assessed income must be a Decimal amount, not {self.assessed_income!r}")
        if self.assessed_income < 0:
            raise ValueError(f"assessed income cannot be negative ({self.assessed_income})")
        if self.assets is not None and (not isinstance(self.assets, Decimal) or not self.assets.is_finite()):
            raise ValueError(f"assets must be a Decimal amount or None, not {self.assets!r}")
        if self.assets is not None and self.assets < 0:
            raise ValueError(f"assets cannot be negative ({self.assets})")


@dataclass(frozen=True)
class RentFacts:
    """A dwelling's rent per month: kale huur and, when known, rekenhuur (base rent plus eligible service charges)."""

    base_rent: Decimal
    allowance_rent: Decimal | None = None

    def __post_init__(self) -> None:
        """Refuse a rent that is not a non-negative Decimal (the allowance rent may be None: not known).

        Raises:
            ValueError: naming the rent.
        """
        for name in ("base_rent", "allowance_rent"):
            value = getattr(self, name)
            if value is None and name == "allowance_rent":
                continue
            if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
                raise ValueError(f"{name} must be a non-negative Decimal amount, not {value!r}")

    def tested_rent(self, basis: RentBasis) -> Decimal:
        """The rent tested under `basis`.

        Raises:
            ValueError: when the allowance rent is asked for but not known.
        """
        if basis is RentBasis.ALLOWANCE_RENT:
            if self.allowance_rent is None:
                raise ValueError("the allowance rent (rekenhuur) is tested but not given")
            return self.allowance_rent
        return self.base_rent
