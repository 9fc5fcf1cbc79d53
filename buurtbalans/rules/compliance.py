"""Yearly compliance from the lettings in the database: rows -> engine lettings -> `engine.compliance` report.

A letting (toewijzing) is a tenancy that started in the year. The engine needs, per letting, the facts at the
start: the base rent, the household's size, assessed income, pension age and assets, and the exception reason
recorded at letting. When a fact at start was not recorded, the current value is used (the dwelling's base rent,
the household's size, income and pension age) and counted as a fallback; a letting for which neither is known
is listed as incomplete and left out of the figures. The municipality comes from the dwelling's complex's
buurt; a dwelling without one counts under "municipality unknown" and in the total.

This module reads for a corporation, not for a user: `rules.selectors.compliance_get` checks the user's right
and scope first; the `compliance` command and the report job call it for the corporation they were given.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q

from buurtbalans.engine.compliance import ComplianceReport, Letting, compliance_for_year
from buurtbalans.engine.parameters import ParameterSet, set_in_force
from buurtbalans.engine.rules import HouseholdFacts
from buurtbalans.households.models import Tenancy
from buurtbalans.rules.labels import UNKNOWN_MUNICIPALITY
from buurtbalans.rules.models import PerformanceAgreement
from buurtbalans.rules.parameters import parameter_sets

FALLBACK_FIELDS = ("rent_at_start", "household_size_at_start", "income_at_start", "is_pension_age_at_start")

_FIELDS = (
    "external_id",
    "start_date",
    "rent_at_start",
    "income_at_start",
    "household_size_at_start",
    "is_pension_age_at_start",
    "assets_at_start",
    "exception_reason",
    "dwelling__external_id",
    "dwelling__base_rent",
    "dwelling__is_daeb",
    "dwelling__complex__neighbourhood__municipality__cbs_code",
    "dwelling__complex__neighbourhood__municipality__name",
    "household_id",
    "household__external_id",
    "household__size",
    "household__assessed_income",
    "household__is_pension_age_household",
)


@dataclass(frozen=True)
class IncompleteLetting:
    """A letting that could not be assessed: `missing` names the facts that were not known (rent, income)."""

    letting_id: str
    municipality: str
    missing: tuple[str, ...]


@dataclass(frozen=True)
class LettingFacts:
    """The year's lettings as the engine needs them, and what was filled in or left out on the way."""

    lettings: tuple[Letting, ...]
    # letting id -> (household pk, household code), for links on the screens of roles that may see households.
    households: dict[str, tuple[int, str]]
    fallbacks: dict[str, int]
    incomplete: tuple[IncompleteLetting, ...]
    municipality_names: dict[str, str]
    # Lettings with at least one fallback (one letting may need several).
    fallback_lettings: int = 0


def _year_range(year: int) -> Q:
    # A range on the indexed date instead of __year, so the database can use an index on start_date.
    return Q(start_date__gte=date(year, 1, 1), start_date__lte=date(year, 12, 31))


def letting_facts_for_year(corporation, year: int, municipality: str | None = None) -> LettingFacts:
    """The lettings (tenancies started in `year`) of `corporation`, optionally in one municipality (CBS code,
    or "unknown" for dwellings without a municipality)."""
    tenancies = Tenancy.objects.filter(_year_range(year), corporation=corporation)
    code_path = "dwelling__complex__neighbourhood__municipality__cbs_code"
    if municipality == UNKNOWN_MUNICIPALITY:
        tenancies = tenancies.filter(**{f"{code_path}__isnull": True})
    elif municipality:
        tenancies = tenancies.filter(**{code_path: municipality})
    lettings: list[Letting] = []
    households: dict[str, tuple[int, str]] = {}
    fallbacks: Counter[str] = Counter()
    incomplete: list[IncompleteLetting] = []
    names: dict[str, str] = {}
    fallback_lettings = 0
    for row in tenancies.order_by("start_date", "external_id").values(*_FIELDS).iterator(chunk_size=2000):
        code = row[code_path] or UNKNOWN_MUNICIPALITY
        if row[code_path]:
            names[code] = row["dwelling__complex__neighbourhood__municipality__name"]
        used: list[str] = []
        rent = row["rent_at_start"]
        if rent is None:
            rent = row["dwelling__base_rent"]
            used.append("rent_at_start")
        income = row["income_at_start"]
        if income is None:
            income = row["household__assessed_income"]
            used.append("income_at_start")
        size = row["household_size_at_start"]
        if size is None:
            size = row["household__size"]
            used.append("household_size_at_start")
        is_pension = row["is_pension_age_at_start"]
        if is_pension is None:
            is_pension = row["household__is_pension_age_household"]
            used.append("is_pension_age_at_start")
        missing = tuple(name for name, value in (("rent", rent), ("income", income)) if value is None)
        if missing:
            incomplete.append(IncompleteLetting(row["external_id"], code, missing))
            continue
        fallbacks.update(used)
        fallback_lettings += bool(used)
        household = HouseholdFacts(
            household_size=max(int(size), 1),
            # Imported incomes may be negative (business losses); the rules take the assessed income as zero then.
            assessed_income=max(Decimal(income), Decimal(0)),
            is_pension_age_household=bool(is_pension),
            assets=None if row["assets_at_start"] is None else Decimal(row["assets_at_start"]),
        )
        lettings.append(
            Letting(
                letting_id=row["external_id"],
                letting_date=row["start_date"],
                municipality=code,
                dwelling_id=row["dwelling__external_id"],
                base_rent=Decimal(rent),
                is_daeb_dwelling=row["dwelling__is_daeb"],
                household=household,
                exception_reason=row["exception_reason"] or "",
            )
        )
        households[row["external_id"]] = (row["household_id"], row["household__external_id"])
    return LettingFacts(
        lettings=tuple(lettings),
        households=households,
        fallbacks={name: fallbacks.get(name, 0) for name in FALLBACK_FIELDS},
        incomplete=tuple(incomplete),
        municipality_names=names,
        fallback_lettings=fallback_lettings,
    )


def agreements_for_year(corporation, year: int) -> dict[str, Decimal]:
    """CBS code -> the agreed free allocation share of the corporation's performance agreements in `year`.

    With more than one agreement for a municipality in the year, the highest share counts.
    """
    shares: dict[str, Decimal] = {}
    agreements = PerformanceAgreement.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=date(year, 1, 1)),
        corporation=corporation,
        valid_from__lte=date(year, 12, 31),
    )
    for code, share in agreements.values_list("municipality__cbs_code", "free_allocation_share"):
        shares[code] = max(shares.get(code, Decimal(0)), share)
    return shares


@dataclass(frozen=True)
class ComplianceOutcome:
    """The engine's report for one corporation and year, with how the database's lettings were read.

    Attributes:
        agreements_applied: CBS code -> free share applied for municipalities whose performance agreement
            raises the free room (the agreed share, at most the legal maximum).
    """

    corporation: object
    year: int
    municipality: str | None
    report: ComplianceReport
    facts: LettingFacts
    year_parameters: ParameterSet
    agreements_applied: dict[str, Decimal] = field(default_factory=dict)

    def municipality_name(self, code: str) -> str:
        from buurtbalans.rules.labels import UNKNOWN_MUNICIPALITY_LABEL

        if code == UNKNOWN_MUNICIPALITY:
            return str(UNKNOWN_MUNICIPALITY_LABEL)
        return self.facts.municipality_names.get(code, code)


def compliance_for_corporation(
    corporation,
    year: int,
    municipality: str | None = None,
    *,
    sets: tuple[ParameterSet, ...] | None = None,
    extra_agreements: frozenset[str] = frozenset(),
) -> ComplianceOutcome:
    """Passendheidsnorm and DAEB compliance of `corporation` in `year`, from its lettings in the database.

    Args:
        corporation: the corporation.
        year: the calendar year.
        municipality: only this CBS code ("unknown": dwellings without a municipality), when given.
        sets: the parameter sets; default the effective sets (`rules.parameters.parameter_sets`).
        extra_agreements: CBS codes treated as having a performance agreement besides the recorded ones
            (the command's `--performance-agreement`).

    Raises:
        LookupError: when no parameter set covers the year.
    """
    sets = sets or parameter_sets()
    year_parameters = set_in_force(sets, date(year, 1, 1))
    facts = letting_facts_for_year(corporation, year, municipality)
    agreed = agreements_for_year(corporation, year)
    maximum = year_parameters.free_allocation_share_max
    applied = {code: share if maximum is None else min(share, maximum) for code, share in agreed.items()}
    applied.update({code: maximum for code in extra_agreements if maximum is not None})
    report = compliance_for_year(
        facts.lettings,
        year,
        parameter_sets=sets,
        agreed_free_shares=applied,
        municipalities=frozenset({municipality}) if municipality else None,
    )
    return ComplianceOutcome(
        corporation=corporation,
        year=year,
        municipality=municipality,
        report=report,
        facts=facts,
        year_parameters=year_parameters,
        agreements_applied=applied,
    )


def outcome_json(outcome: ComplianceOutcome) -> dict:
    """The `compliance` command's document for the database: the contract keys plus how the rows were read."""
    from buurtbalans.rules.cli import report_json, share

    document = report_json(outcome.report)
    document.update(
        {
            "corporation": outcome.corporation.code,
            "lettings_source": "database",
            "fallbacks": dict(outcome.facts.fallbacks),
            "fallback_lettings": outcome.facts.fallback_lettings,
            "incomplete_lettings": [
                {"letting_id": i.letting_id, "municipality": i.municipality, "missing": list(i.missing)}
                for i in outcome.facts.incomplete
            ],
            "performance_agreements": {
                code: share(value) for code, value in sorted(outcome.agreements_applied.items())
            },
        }
    )
    return document
