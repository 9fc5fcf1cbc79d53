"""The labelling plan in the product: from the database to the engine's input, and the result back to rows.

Steps of `label_plan_run` (docs/steering.md, "Plans"):
  1. The vacancies: the corporation's dwellings with status vacant that are not fixed ("vast": offered, let, a
     tenancy starting, or in a round already worked out; `steering.listings`), belong to a complex and have a base
     rent. The fixed ones are stored with the plan (`PlanFixedDwelling`) and never get a label. Per vacancy the
     lawful maximum from its WWS points (`engine.rules.maximum_rent` on the plan's reference date; no points or no
     table: not let above the cap), DAEB flag, and the leaving household: the household of the dwelling's last
     ended tenancy (a marker valid on its end date; its income band now).
  2. The complexes: every complex with households or vacancies; households, vulnerable and primary counted as on
     the composition date (`mix.composition_by_complex`), plus the leaving households of its vacancies (the
     engine counts them in "households", one leaves and one arrives); targets from the profile in force.
  3. The input is written as a `buurtbalans.label-plan/1` document and read back through the file contract's
     checks (`planfile.parse_plan_document`), so the stored input can be re-run with `buurtbalans plan_labels`.
  4. The legal parameters in force on the reference date (`rules.parameters`); a missing one stops the plan with
     its names (the page links to the parameter page). The exception budget left in the reference date's year
     comes from the compliance report (`rules.compliance`).
  5. `engine.labelling.plan_labels` (three HiGHS solves, progress per solve); the result document, the complexes'
     projections and the labels with their possible rents are stored, and an audit event is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef

from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import AuditEvent
from buurtbalans.engine.labelling import (
    LabelPlanInfeasible,
    LabelPlanParameterMissing,
    LabelPlanSolverError,
    floor_cent,
    plan_labels,
    vacancy_rent,
)
from buurtbalans.engine.parameters import ParameterSet, allowance_cap_name
from buurtbalans.engine.rules import maximum_rent
from buurtbalans.households.models import Tenancy
from buurtbalans.households.selectors import income_band_conditions, income_band_limits, marker_exists_on
from buurtbalans.portfolio.models import Complex, Dwelling, DwellingStatus
from buurtbalans.rules.compliance import compliance_for_corporation
from buurtbalans.rules.parameters import parameters_for
from buurtbalans.steering.listings import Fixed, fixed_dwellings
from buurtbalans.steering.mix import categories_for, composition_by_complex, flag, profiles_for
from buurtbalans.steering.models import LabellingPlan, PlanComplex, PlanFixedDwelling, ProposedLabel
from buurtbalans.steering.planfile import INPUT_FORMAT, PlanFileError, parse_plan_document, result_document, share

# The dwelling has no minimum household size yet: every vacancy is planned for households from 1 person, so the
# low cap applies (docs/steering.md, "Open questions").
HOUSEHOLD_SIZE_MIN = 1
PLAN_SEED = 0
PLAN_TIME_LIMIT_SECONDS = 300.0
PROGRESS_STEPS = 5


class PlanRefused(Exception):
    """No plan was made; the plan row says why (`problem_code`, `problem`, `missing_parameters`)."""


@dataclass(frozen=True)
class VacancyFacts:
    dwelling_id: int
    complex_id: int
    base_rent: Decimal
    max_base_rent: Decimal | None
    is_daeb: bool


@dataclass(frozen=True)
class ComplexFacts:
    complex_id: int
    code: str
    households: int  # living there on the composition date
    vulnerable: int
    primary: int


@dataclass(frozen=True)
class PlanFacts:
    document: dict
    vacancies: dict[str, VacancyFacts]  # by dwelling code
    complexes: dict[str, ComplexFacts]  # by complex code
    skipped: dict[str, int]
    # The fixed dwellings ("vast") left out, with their complex's code ("" without a complex).
    fixed: tuple[tuple[Fixed, str], ...] = ()


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _leaving_households(corporation_id: int, dwelling_ids: list[int], composition_date: date) -> dict[int, tuple]:
    """Dwelling -> (vulnerable, primary) of the household of its last ended tenancy."""
    primary_q = income_band_conditions(income_band_limits(composition_date).parameters, "household__")["primary"]
    rows = (
        Tenancy.objects.filter(
            corporation_id=corporation_id,
            dwelling_id__in=dwelling_ids,
            end_date__isnull=False,
            end_date__lte=composition_date,
        )
        .annotate(marked=marker_exists_on(OuterRef("end_date")), primary=flag(primary_q))
        .order_by("dwelling_id", "-end_date", "-pk")
        .values_list("dwelling_id", "marked", "primary")
    )
    leaving: dict[int, tuple] = {}
    for dwelling_id, marked, primary in rows:
        leaving.setdefault(dwelling_id, (bool(marked), bool(primary)))
    return leaving


def plan_facts(plan: LabellingPlan, params: ParameterSet | None) -> PlanFacts:
    """The plan's input document and what each id stands for (steps 1-3 of the module docstring)."""
    corporation_id = plan.corporation_id
    dwellings = list(
        Dwelling.objects.filter(corporation_id=corporation_id, status=DwellingStatus.VACANT)
        .order_by("external_id", "pk")
        .values_list("pk", "external_id", "complex_id", "base_rent", "wws_points", "is_daeb")
    )
    fixed = fixed_dwellings(corporation_id, [row[0] for row in dwellings], on=plan.composition_date)
    skipped = {"fixed": len(fixed), "no_complex": 0, "no_rent": 0}
    kept = []
    for row in dwellings:
        if row[0] in fixed:
            continue
        if row[2] is None:
            skipped["no_complex"] += 1
        elif row[3] is None:
            skipped["no_rent"] += 1
        else:
            kept.append(row)
    leaving = _leaving_households(corporation_id, [row[0] for row in kept], plan.composition_date)
    vacancies: dict[str, VacancyFacts] = {}
    vacancy_rows = []
    per_complex: dict[int, list[int]] = {}
    cap_name = allowance_cap_name(HOUSEHOLD_SIZE_MIN)
    cap = getattr(params, cap_name) if params is not None else None
    for pk, code, complex_id, base_rent, points, is_daeb in kept:
        maximum = maximum_rent(Decimal(points), plan.reference_date).maximum_rent if points is not None else None
        # No legal maximum known: the cap as ceiling, so the vacancy is let at or below the cap and never above it.
        ceiling = maximum if maximum is not None else (cap if cap is not None else base_rent)
        is_vulnerable, is_primary = leaving.get(pk, (False, False))
        vacancies[code] = VacancyFacts(pk, complex_id, base_rent, maximum, is_daeb)
        per_complex.setdefault(complex_id, []).append(pk)
        vacancy_rows.append(
            {
                "id": code,
                "complex": complex_id,  # replaced by the complex's code below
                "base_rent": _money(base_rent),
                "max_base_rent": _money(ceiling),
                "is_daeb": bool(is_daeb),
                "household_size_min": HOUSEHOLD_SIZE_MIN,
                "leaving_household_vulnerable": is_vulnerable,
                "leaving_household_primary": is_primary,
            }
        )
    categories = categories_for(corporation_id)
    counts = composition_by_complex(corporation_id, plan.composition_date, categories)
    codes = dict(Complex.objects.filter(corporation_id=corporation_id).values_list("pk", "external_id"))
    profiles = profiles_for(corporation_id, categories, on=plan.reference_date)
    complexes: dict[str, ComplexFacts] = {}
    complex_rows = []
    for complex_id in sorted(set(counts) | set(per_complex), key=lambda pk: (codes[pk], pk)):
        now = counts.get(complex_id)
        households = now.households if now else 0
        vulnerable = now.vulnerable if now else 0
        primary = now.primary if now else 0
        own = per_complex.get(complex_id, [])
        leaving_vulnerable = sum(leaving.get(pk, (False, False))[0] for pk in own)
        leaving_primary = sum(leaving.get(pk, (False, False))[1] for pk in own)
        profile = profiles.for_complex(complex_id)
        code = codes[complex_id]
        complexes[code] = ComplexFacts(complex_id, code, households, vulnerable, primary)
        complex_rows.append(
            {
                "id": code,
                "households": households + len(own),
                "vulnerable": vulnerable + leaving_vulnerable,
                "primary": primary + leaving_primary,
                "target_vulnerable_max_share": share(profile.max_vulnerable_share),
                "target_primary_max_share": share(profile.max_primary_share),
            }
        )
    for row in vacancy_rows:
        row["complex"] = codes[row["complex"]]
    document = {
        "format": INPUT_FORMAT,
        "reference_date": plan.reference_date.isoformat(),
        "policy": dict(plan.policy),
        "complexes": complex_rows,
        "vacancies": vacancy_rows,
    }
    fixed_rows = tuple(
        (fixed[pk], codes.get(complex_id, "") if complex_id else "")
        for pk, _code, complex_id, *_rest in dwellings
        if pk in fixed
    )
    return PlanFacts(document=document, vacancies=vacancies, complexes=complexes, skipped=skipped, fixed=fixed_rows)


def exception_budget_left(corporation, year: int) -> int | None:
    """The passend-toewijzen exceptions the year still allows (None when the year's figures are not computable)."""
    try:
        return compliance_for_corporation(corporation, year).report.total.exception_budget_left
    except LookupError:
        return None


def _refuse(plan: LabellingPlan, code: str, problem: str, missing: tuple[str, ...] = ()) -> PlanRefused:
    LabellingPlan.objects.filter(pk=plan.pk).update(
        problem_code=code, problem=problem, missing_parameters=list(missing)
    )
    plan.problem_code, plan.problem, plan.missing_parameters = code, problem, list(missing)
    return PlanRefused(problem)


def label_plan_run(plan: LabellingPlan, *, actor=None, on_progress: Callable[[int, int], None] | None = None):
    """Make the plan (steps in the module docstring) and store it.

    Raises:
        PlanRefused: no plan was made; `plan.problem_code` and `plan.problem` say why.
    """
    progress = on_progress or (lambda done, total: None)
    progress(0, PROGRESS_STEPS)
    try:
        # The corporation's own, stricter values (a lower cap) apply to its plans only (rules.local_parameters).
        params = parameters_for(plan.reference_date, corporation=plan.corporation_id)
    except LookupError as exc:
        raise _refuse(plan, "parameter_missing", str(exc), ("all",)) from None
    facts = plan_facts(plan, params)
    document = dict(facts.document)
    document["exception_budget_left"] = exception_budget_left(plan.corporation, plan.reference_date.year)
    LabellingPlan.objects.filter(pk=plan.pk).update(
        input_document=document,
        skipped=facts.skipped,
        vacancy_count=len(facts.vacancies),
        parameter_version=params.version[:80],
    )
    plan.input_document, plan.skipped, plan.vacancy_count = document, facts.skipped, len(facts.vacancies)
    _store_fixed(plan, facts)
    if not facts.vacancies:
        raise _refuse(plan, "no_vacancies", "no vacant dwellings with a complex and a base rent")
    try:
        plan_input = parse_plan_document(document)
    except PlanFileError as exc:
        raise _refuse(plan, "input", "; ".join(exc.problems)) from None
    progress(1, PROGRESS_STEPS)
    try:
        result = plan_labels(
            plan_input,
            params,
            seed=PLAN_SEED,
            time_limit=PLAN_TIME_LIMIT_SECONDS,
            on_progress=lambda done, total: progress(1 + done, PROGRESS_STEPS),
        )
    except LabelPlanParameterMissing as exc:
        raise _refuse(plan, "parameter_missing", str(exc), exc.names) from None
    except LabelPlanInfeasible as exc:
        raise _refuse(plan, "infeasible", str(exc), ()) from None
    except LabelPlanSolverError as exc:
        raise _refuse(plan, "solver", str(exc), ()) from None
    _store(plan, facts, plan_input, result, params, actor)
    progress(PROGRESS_STEPS, PROGRESS_STEPS)
    return plan


@transaction.atomic
def _store_fixed(plan: LabellingPlan, facts: PlanFacts) -> None:
    """Keep which dwellings the plan left out as fixed, and why (a re-run of the job replaces them)."""
    PlanFixedDwelling.objects.filter(plan=plan).delete()
    PlanFixedDwelling.objects.bulk_create(
        (
            PlanFixedDwelling(
                plan=plan,
                dwelling_id=fixed.dwelling_id,
                complex_code=complex_code,
                reason=fixed.reason,
                listing_reference=fixed.listing_reference,
                round_name=fixed.round_name[:100],
                start_date=fixed.start_date,
            )
            for fixed, complex_code in facts.fixed
        ),
        batch_size=1000,
    )


@transaction.atomic
def _store(plan: LabellingPlan, facts: PlanFacts, plan_input, result, params: ParameterSet, actor) -> None:
    projections = {p.complex_id: p for p in result.complexes}
    plan_complexes = []
    for code, now in facts.complexes.items():
        p = projections[code]
        vulnerable_share = Decimal(now.vulnerable) / now.households if now.households else p.vulnerable_share
        primary_share = Decimal(now.primary) / now.households if now.households else p.primary_share
        before = max(Decimal(0), vulnerable_share - p.target_vulnerable_max_share) + max(
            Decimal(0), primary_share - p.target_primary_max_share
        )
        plan_complexes.append(
            PlanComplex(
                plan=plan,
                complex_id=now.complex_id,
                complex_code=code,
                households=now.households,
                vacancies=p.vacancies,
                vulnerable=now.vulnerable,
                primary=now.primary,
                vulnerable_share=_six(vulnerable_share),
                projected_vulnerable_share=_six(p.projected_vulnerable_share),
                target_vulnerable_max_share=p.target_vulnerable_max_share,
                primary_share=_six(primary_share),
                projected_primary_share=_six(p.projected_primary_share),
                target_primary_max_share=p.target_primary_max_share,
                excess_before=_six(before),
                excess_after=_six(p.excess_share),
            )
        )
    PlanComplex.objects.bulk_create(plan_complexes, batch_size=1000)
    by_code = {pc.complex_code: pc for pc in PlanComplex.objects.filter(plan=plan)}
    vacancies = {v.vacancy_id: v for v in plan_input.vacancies}
    labels = []
    for label in result.labels:
        fact = facts.vacancies[label.vacancy_id]
        rent = vacancy_rent(vacancies[label.vacancy_id], params)
        labels.append(
            ProposedLabel(
                plan=plan,
                corporation_id=plan.corporation_id,
                dwelling_id=fact.dwelling_id,
                plan_complex=by_code[label.complex_id],
                label=label.label.value,
                base_rent=label.base_rent,
                current_rent=fact.base_rent,
                affordable_rent=rent.affordable_rent,
                above_cap_rent=rent.above_cap_rent,
                cap_name=rent.cap_name,
                cap=rent.cap,
                ceiling=floor_cent(rent.ceiling),
                max_base_rent=fact.max_base_rent,
                is_daeb=fact.is_daeb,
                engine_reason=label.reason,
            )
        )
    ProposedLabel.objects.bulk_create(labels, batch_size=1000)
    LabellingPlan.objects.filter(pk=plan.pk).update(
        result_document=result_document(result, params),
        parameter_version=result.parameter_version[:80],
        affordable_share=_six(result.affordable_share),
        lost_to_lowest_incomes=result.lost_to_lowest_incomes,
        reserved_vulnerable=result.reserved_vulnerable,
        exception_budget_left=result.exception_budget_left,
        excess_share_sum=_six(result.objective.excess_share_sum),
        is_done=True,
        problem_code="",
        problem="",
        missing_parameters=[],
    )
    plan.refresh_from_db()
    audit_record(
        actor=actor,
        event=AuditEvent.Type.LABEL_PLAN_MADE,
        corporation=plan.corporation,
        subject_type="labelling_plan",
        subject_label=f"labelling plan {plan.pk} for {plan.period_start.isoformat()} to {plan.period_end.isoformat()}",
        purpose="steering",
        actor_name=None if actor is not None else plan.created_by_name,
        data={
            "plan": plan.pk,
            "vacancies": len(result.labels),
            "parameter_version": result.parameter_version,
            "policy": plan.policy,
        },
    )


def _six(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.000001"))
