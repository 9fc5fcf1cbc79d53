"""Building small corporations for the steering tests: complexes with residents, markers, lettings and vacancies."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from buurtbalans.households.models import Household, Tenancy, VulnerabilityKind, VulnerabilityMarker
from buurtbalans.portfolio.models import Complex, Dwelling, DwellingStatus

_serial = itertools.count(1)


@dataclass(frozen=True)
class Resident:
    """A household living in (or having left) a dwelling. Incomes per year, in euros."""

    income: str | None = "25000"
    size: int = 1
    marker: bool = False
    start: date = date(2020, 1, 1)
    end: date | None = None
    selection_method: str | None = None


@dataclass(frozen=True)
class Vacancy:
    """A vacant dwelling; `leaving` is the household of its last (ended) tenancy."""

    base_rent: str | None = "650.00"
    wws_points: str | None = "140"
    is_daeb: bool = True
    leaving: Resident | None = None


@dataclass
class Built:
    complex: Complex
    dwellings: list = field(default_factory=list)
    vacancies: list = field(default_factory=list)
    tenancies: list = field(default_factory=list)


def _household(corporation, resident: Resident, tag: str) -> Household:
    adults = 1 if resident.size == 1 else 2
    return Household.objects.create(
        corporation=corporation,
        external_id=f"{tag}-H{next(_serial)}",
        size=resident.size,
        adults=min(adults, resident.size),
        children=resident.size - min(adults, resident.size),
        assessed_income=None if resident.income is None else Decimal(resident.income),
        income_year=2025,
    )


def _dwelling(corporation, complex_, tag: str, *, status: str, base_rent=None, wws_points=None, is_daeb=True):
    n = next(_serial)
    return Dwelling.objects.create(
        corporation=corporation,
        complex=complex_,
        external_id=f"{tag}-D{n}",
        street=f"{tag}laan",
        house_number=n,
        postcode="8011AA",
        base_rent=None if base_rent is None else Decimal(base_rent),
        wws_points=None if wws_points is None else Decimal(wws_points),
        is_daeb=is_daeb,
        status=status,
    )


def _let(corporation, dwelling, resident: Resident, tag: str) -> Tenancy:
    household = _household(corporation, resident, tag)
    tenancy = Tenancy.objects.create(
        corporation=corporation,
        external_id=f"{tag}-T{next(_serial)}",
        dwelling=dwelling,
        household=household,
        start_date=resident.start,
        end_date=resident.end,
        income_at_start=household.assessed_income,
        rent_at_start=dwelling.base_rent,
        household_size_at_start=resident.size,
        is_pension_age_at_start=False,
        selection_method=resident.selection_method,
    )
    if resident.marker:
        kind = VulnerabilityKind.objects.get(corporation=None, code="shelter_outflow")
        VulnerabilityMarker.objects.create(
            corporation=corporation,
            household=household,
            kind=kind,
            source="test",
            valid_from=resident.start - timedelta(days=30),
        )
    return tenancy


def make_mix_complex(
    corporation,
    code: str,
    *,
    neighbourhood=None,
    residents: list[Resident] = (),
    vacancies: list[Vacancy] = (),
    name: str | None = None,
    rent: str = "650.00",
) -> Built:
    """A complex with one occupied dwelling per resident and the given vacancies (each with its leaving household)."""
    complex_ = Complex.objects.create(
        corporation=corporation, external_id=code, name=name or f"Complex {code}", neighbourhood=neighbourhood
    )
    built = Built(complex_)
    for resident in residents:
        dwelling = _dwelling(
            corporation, complex_, code, status=DwellingStatus.OCCUPIED, base_rent=rent, wws_points="140"
        )
        built.dwellings.append(dwelling)
        built.tenancies.append(_let(corporation, dwelling, resident, code))
    for vacancy in vacancies:
        dwelling = _dwelling(
            corporation,
            complex_,
            code,
            status=DwellingStatus.VACANT,
            base_rent=vacancy.base_rent,
            wws_points=vacancy.wws_points,
            is_daeb=vacancy.is_daeb,
        )
        built.vacancies.append(dwelling)
        if vacancy.leaving is not None:
            built.tenancies.append(_let(corporation, dwelling, vacancy.leaving, code))
    return built


def residents(n: int, **kwargs) -> list[Resident]:
    return [Resident(**kwargs) for _ in range(n)]


__all__ = ["Built", "Resident", "Vacancy", "make_mix_complex", "residents"]


# --- corporation A's steering objects for the access tests (core/tests/test_access_views.py) ------------------


def make_steering_objects(stock, user) -> dict:
    """A profile decision, a finished plan with a proposal and a decision for the vacant dwelling, and a carrying
    role of corporation A: written directly (no solver), for the charlie walk."""
    from buurtbalans.core.models import Job
    from buurtbalans.steering.models import (
        ComplexProfile,
        LabelDecision,
        LabellingPlan,
        PlanComplex,
        PlanFixedDwelling,
        ProposedLabel,
        SteeringRole,
        SteeringRoleSource,
    )

    corporation, complex_ = stock.corporation, stock.complex
    vacant = stock.dwellings[2]
    ComplexProfile.objects.create(
        corporation=corporation, complex=complex_, target_mix={"extra_attention": "0.35", "carrying": "0.15",
                                                                "regular": "0.50"},
        max_vulnerable_share=Decimal("0.30"), max_primary_share=Decimal("0.70"), decided_on=date(2025, 1, 1),
        note="profile-note-a", decided_by_name=user.get_username(),
    )  # fmt: skip
    job = Job.objects.create(
        kind="label_plan", corporation=corporation, user=user, status=Job.Status.SUCCEEDED, params={},
        result={"plan": 0, "file": {"name": "label-plan-a.json", "url": "/"}},
    )  # fmt: skip
    plan = LabellingPlan.objects.create(
        corporation=corporation, job=job, period_start=date(2025, 7, 1), period_end=date(2025, 9, 30),
        reference_date=date(2025, 7, 1), composition_date=date(2025, 6, 1), policy={"min_vulnerable_placements": 0},
        input_document={"vacancies": [{"id": vacant.external_id}]},
        result_document={"labels": [{"vacancy": vacant.external_id, "reason": "label-reason-a"}]},
        parameter_version="parameters:2025-01-01:test", vacancy_count=1, affordable_share=Decimal(1),
        lost_to_lowest_incomes=0, reserved_vulnerable=0, is_done=True, created_by_name=user.get_username(),
    )  # fmt: skip
    plan_complex = PlanComplex.objects.create(
        plan=plan, complex=complex_, complex_code=complex_.external_id, households=3, vacancies=1, vulnerable=1,
        primary=1, vulnerable_share=Decimal("0.5"), projected_vulnerable_share=Decimal("0.4"),
        target_vulnerable_max_share=Decimal("0.3"), primary_share=Decimal("0.5"),
        projected_primary_share=Decimal("0.5"), target_primary_max_share=Decimal("0.7"),
        excess_before=Decimal("0.2"), excess_after=Decimal("0.1"),
    )  # fmt: skip
    proposal = ProposedLabel.objects.create(
        plan=plan, corporation=corporation, dwelling=vacant, plan_complex=plan_complex, label="NO_VULNERABLE",
        base_rent=Decimal("650.00"), current_rent=Decimal("650.00"), affordable_rent=Decimal("650.00"),
        cap_name="allowance_cap_low", cap=Decimal("682.96"), ceiling=Decimal("800.00"),
        max_base_rent=Decimal("800.00"), engine_reason="label-reason-a",
    )  # fmt: skip
    PlanFixedDwelling.objects.create(
        plan=plan, dwelling=stock.dwellings[0], complex_code=complex_.external_id, reason="offered",
        listing_reference="fixed-listing-a",
    )  # fmt: skip
    LabelDecision.objects.create(
        corporation=corporation, dwelling=vacant, proposal=proposal, proposed_label="NO_VULNERABLE",
        label="NO_VULNERABLE", base_rent=Decimal("650.00"), decided_by_name=user.get_username(),
    )  # fmt: skip
    role = SteeringRole.objects.create(
        corporation=corporation, tenancy=stock.tenancies[1], source=SteeringRoleSource.OTHER,
        valid_from=date(2024, 1, 1), note="role-note-a", recorded_by_name=user.get_username(),
    )  # fmt: skip
    return {"plan": plan, "job": job, "role": role, "complex": complex_, "vacant": vacant}


STEERING_MARKERS = ("A-D3", "profile-note-a", "label-reason-a", "role-note-a", "label-plan-a.json", "fixed-listing-a")


def steering_urls_of(objects: dict) -> list[tuple[str, str, dict]]:
    """(method, url, data) for every steering page, export and endpoint, with corporation A's objects."""
    from django.urls import reverse

    plan, vacant, complex_ = objects["plan"], objects["vacant"], objects["complex"]
    urls = [
        ("get", reverse("steering_concentration"), {}),
        ("get", reverse("steering_concentration"), {"level": "neighbourhood"}),
        ("get", reverse("steering_vacancies"), {}),
        ("get", reverse("steering_vacancy", args=[vacant.pk]), {}),
        ("post", reverse("steering_vacancy", args=[vacant.pk]), {"label": "OPEN", "reason": "x"}),
        ("post", reverse("steering_vacancy_listing", args=[vacant.pk]), {}),
        ("get", reverse("steering_profiles"), {}),
        ("get", reverse("steering_profile_default"), {}),
        ("get", reverse("steering_profile_edit", args=[complex_.pk]), {}),
        ("post", reverse("steering_profile_edit", args=[complex_.pk]), {"max_vulnerable_share": "10"}),
        ("get", reverse("steering_categories"), {}),
        ("get", reverse("steering_plans"), {}),
        ("get", reverse("steering_plan_new"), {}),
        ("get", reverse("steering_plan", args=[plan.pk]), {}),
        ("get", reverse("steering_plan_complexes", args=[plan.pk]), {}),
        ("get", reverse("steering_plan_result", args=[plan.pk]), {}),
        ("get", reverse("steering_roles"), {}),
        ("post", reverse("steering_role_end", args=[objects["role"].pk]), {}),
        ("get", reverse("job_detail", args=[objects["job"].pk]), {}),
        ("get", reverse("job_status", args=[objects["job"].pk]), {}),
    ]
    for url, extra in (
        (reverse("steering_concentration"), {}),
        (reverse("steering_concentration"), {"level": "neighbourhood"}),
        (reverse("steering_vacancies"), {}),
        (reverse("steering_profiles"), {}),
        (reverse("steering_plan", args=[plan.pk]), {}),
        (reverse("steering_plan", args=[plan.pk]), {"table": "fixed"}),
        (reverse("steering_plan_complexes", args=[plan.pk]), {}),
    ):
        for export_format in ("csv", "xlsx"):
            urls.append(("get", url, {**extra, "format": export_format}))
    return urls
