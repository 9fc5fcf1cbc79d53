"""The labelling plan's inputs and outputs: frozen dataclasses, amounts in euros per month, shares as Decimal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Label(StrEnum):
    """What a vacancy is let as (issue 5).

    OPEN: rent at or below the applicable cap (aftoppingsgrens), all eligible groups.
    NO_VULNERABLE: at or below the cap, not used for a placement or an urgency/contingent allocation: let through
        the regular route, where nobody is excluded for a vulnerability marker (issue 13).
    RESERVED_VULNERABLE: at or below the cap, the placement route: only households the corporation placed in it
        (a route chosen on the applicant's profile, never a marker).
    ABOVE_CAP: rent above the cap, at most the legal maximum (WWS) and for DAEB at most the DAEB rent limit.
    """

    OPEN = "OPEN"
    NO_VULNERABLE = "NO_VULNERABLE"
    RESERVED_VULNERABLE = "RESERVED_VULNERABLE"
    ABOVE_CAP = "ABOVE_CAP"


AFFORDABLE_LABELS = (Label.OPEN, Label.NO_VULNERABLE, Label.RESERVED_VULNERABLE)


@dataclass(frozen=True)
class LabelPolicy:
    """The analyst's policy for one plan.

    Attributes:
        min_vulnerable_placements: at least this many vacancies RESERVED_VULNERABLE.
        min_affordable_share: at least this share of all vacancies not ABOVE_CAP.
        p_open / p_above: expected share of vulnerable households among those who move into an OPEN /
            ABOVE_CAP vacancy (RESERVED_VULNERABLE brings 1).
        p_no_vulnerable: expected share of vulnerable households among those who move into a NO_VULNERABLE
            vacancy through the regular route (such a vacancy is not used for a placement, but nobody is
            excluded for a marker; issue 13). Default 0, which is what a plan meant before.
        q_open / q_reserved / q_above: expected share of primary-band households (income up to the
            passend-toewijzen limit) moving into an OPEN or NO_VULNERABLE / RESERVED_VULNERABLE / ABOVE_CAP
            vacancy. Estimated by the caller from the corporation's recent lettings.
    """

    min_vulnerable_placements: int
    min_affordable_share: Decimal
    p_open: Decimal
    p_above: Decimal
    q_open: Decimal
    q_reserved: Decimal
    q_above: Decimal
    p_no_vulnerable: Decimal = Decimal(0)

    def vulnerable_inflow(self, label: Label) -> Decimal:
        """Expected vulnerable households moving in with this label."""
        return {
            Label.OPEN: self.p_open,
            Label.NO_VULNERABLE: self.p_no_vulnerable,
            Label.RESERVED_VULNERABLE: Decimal(1),
            Label.ABOVE_CAP: self.p_above,
        }[label]

    def primary_inflow(self, label: Label) -> Decimal:
        """Expected primary-band households moving in with this label."""
        return {
            Label.OPEN: self.q_open,
            Label.NO_VULNERABLE: self.q_open,
            Label.RESERVED_VULNERABLE: self.q_reserved,
            Label.ABOVE_CAP: self.q_above,
        }[label]


@dataclass(frozen=True)
class ComplexMix:
    """A complex's current composition and its limits.

    `households` counts the occupied dwellings now, the households leaving the plan's vacancies included;
    `vulnerable` / `primary` count those with a vulnerability marker / in the primary income band.
    """

    complex_id: str
    households: int
    vulnerable: int
    primary: int
    target_vulnerable_max_share: Decimal
    target_primary_max_share: Decimal


@dataclass(frozen=True)
class Vacancy:
    """A dwelling to be re-let in the plan's period.

    `max_base_rent` is the legal maximum base rent from the WWS points (computed by the caller);
    `household_size_min` the smallest household the dwelling is let to (3 or more: the high cap applies).
    """

    vacancy_id: str
    complex_id: str
    base_rent: Decimal
    max_base_rent: Decimal
    is_daeb: bool
    household_size_min: int
    leaving_household_vulnerable: bool
    leaving_household_primary: bool


@dataclass(frozen=True)
class LabelPlanInput:
    """Everything one plan needs.

    `exception_budget_left`: the passend-toewijzen exceptions the year still allows
    (`ComplianceFigures.exception_budget_left` from `buurtbalans.engine.compliance`); None when unknown.
    """

    reference_date: date
    policy: LabelPolicy
    complexes: tuple[ComplexMix, ...]
    vacancies: tuple[Vacancy, ...]
    exception_budget_left: int | None = None


@dataclass(frozen=True)
class VacancyRent:
    """The rents a vacancy can be let at under the legal parameters of the plan's date.

    Attributes:
        cap_name: "allowance_cap_low" or "allowance_cap_high".
        cap: the applicable cap (aftoppingsgrens).
        ceiling: the highest lawful base rent: the legal maximum and, for DAEB, the DAEB rent limit.
        affordable_rent: the rent with an affordable label: the current rent, lowered to the cap (and to the
            ceiling) when above it, rounded down to the cent.
        above_cap_rent: the rent with ABOVE_CAP: the ceiling rounded down to the cent; None when that is not
            above the cap (ABOVE_CAP not allowed).
    """

    cap_name: str
    cap: Decimal
    ceiling: Decimal
    affordable_rent: Decimal
    above_cap_rent: Decimal | None

    @property
    def is_above_cap_allowed(self) -> bool:
        """Whether ABOVE_CAP may go to this vacancy: its ceiling, rounded down to the cent, lies above the cap."""
        return self.above_cap_rent is not None


@dataclass(frozen=True)
class VacancyLabel:
    """One vacancy's label, its proposed base rent and why."""

    vacancy_id: str
    complex_id: str
    label: Label
    base_rent: Decimal
    reason: str


@dataclass(frozen=True)
class ComplexProjection:
    """A complex's measures now and after the plan's lettings, against its targets. Shares are exact."""

    complex_id: str
    households: int
    vacancies: int
    vulnerable_share: Decimal
    projected_vulnerable_share: Decimal
    target_vulnerable_max_share: Decimal
    primary_share: Decimal
    projected_primary_share: Decimal
    target_primary_max_share: Decimal

    @property
    def excess_share(self) -> Decimal:
        """max(0, projected vulnerable share - target) + max(0, projected primary share - target)."""
        return max(Decimal(0), self.projected_vulnerable_share - self.target_vulnerable_max_share) + max(
            Decimal(0), self.projected_primary_share - self.target_primary_max_share
        )


@dataclass(frozen=True)
class PlanObjective:
    """The three objectives in their lexicographic order, recomputed exactly from the labels."""

    excess_share_sum: Decimal
    above_cap: int
    open: int


@dataclass(frozen=True)
class LabelPlan:
    """The plan: one label per vacancy (input order), per complex the projection (input order), and totals.

    Attributes:
        affordable_share: share of the vacancies at or below the cap.
        lost_to_lowest_incomes: vacancies let above the cap, i.e. no longer within reach of the lowest incomes.
        exception_budget_left: passed through from the input (None when not given). The plan uses none of it:
            an ABOVE_CAP vacancy is meant for a household above the passend-toewijzen income limit; each one let
            to a lower income instead would use one exception.
        solver_seconds: wall time of the three HiGHS solves.
    """

    reference_date: date
    parameter_version: str
    objective: PlanObjective
    labels: tuple[VacancyLabel, ...]
    complexes: tuple[ComplexProjection, ...]
    affordable_share: Decimal
    lost_to_lowest_incomes: int
    reserved_vulnerable: int
    exception_budget_left: int | None
    solver_seconds: float


class LabelPlanError(Exception):
    """No plan could be made; the message says why in words a policy analyst understands."""


class LabelPlanInputError(LabelPlanError):
    """The input is inconsistent; `problems` lists every problem ("vacancies[3].complex: ...")."""

    def __init__(self, problems: list[str] | tuple[str, ...]):
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


class LabelPlanInfeasible(LabelPlanError):
    """No labelling satisfies the constraints; `constraint` names the one that cannot be met."""

    def __init__(self, constraint: str, message: str):
        super().__init__(message)
        self.constraint = constraint


class LabelPlanSolverError(LabelPlanError):
    """HiGHS stopped without an optimal plan (time limit, numerical trouble)."""


class LabelPlanParameterMissing(LabelPlanError):
    """A legal parameter the plan needs (a cap, the DAEB rent limit) is not known for the reference date.

    `names` lists every such parameter; the message says so in words.
    """

    def __init__(self, names: tuple[str, ...], message: str):
        super().__init__(message)
        self.names = names
