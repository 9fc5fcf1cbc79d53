"""Writes for placements: intake records, contingent targets and placements, each checked, saved and audited.

Rules (docs/placements.md): an intake holds no special-category data (obvious words in its free texts are refused);
a placement is refused on a vacancy labelled NO_VULNERABLE, needs a recorded reason when it takes the complex over
its limit or over k placements this calendar year, counts against a contingent of its half year and municipality,
and a temporary contract is only for the groups and terms the law allows.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from buurtbalans.core.audit import actor_label, audit_record
from buurtbalans.engine.placements import (
    BLOCKING_GROUNDS,
    NEEDS_REASON_GROUNDS,
    ContractProblem,
    Ground,
    half_year_bounds,
    placement_grounds,
    temporary_contract_problems,
)
from buurtbalans.households.models import Tenancy
from buurtbalans.portfolio.models import Complex, DwellingStatus

from . import facts
from .models import (
    Contingent,
    ContingentKind,
    ContractKind,
    IntakeRecord,
    Placement,
    PlacementEvent,
)

PURPOSE = "placement"

# Words that point to special-category data (origin, religion, health, sexual orientation) or criminal records, in
# Dutch and English, matched at the start of a word ("psychiatr" finds "psychiatrisch"). Obvious words only: the
# warning on the form is the main measure; this catches the slip, not every way of saying it.
SPECIAL_CATEGORY_WORDS = (
    # origin and nationality
    "nationaliteit", "afkomst", "herkomst", "etnisch", "etniciteit", "allochto", "huidskleur", "migratieachtergrond",
    "nationality", "ethnic", "skin colour",
    # religion and belief
    "religie", "religieus", "geloof", "gelovig", "moslim", "islam", "christen", "christelijk", "katholiek",
    "protestant", "joods", "jood", "hindoe", "boeddhis", "moskee", "synagoge",
    "religion", "religious", "muslim", "christian", "jewish",
    # health
    "gezondheid", "diagnose", "psychisch", "psychiatr", "psychose", "schizofren", "depressie", "depressief",
    "borderline", "autisme", "autist", "adhd", "verslav", "verslaafd", "alcoholis", "hiv", "medicatie", "zwanger",
    "diagnosis", "psychiatric", "mental health", "depression", "addict", "pregnan",
    # sexual orientation
    "homoseksu", "homo", "lesbi", "biseksu", "transgender", "geaardheid", "lhbt", "lgbt",
    "sexual orientation", "gay",
    # criminal records (art. 10 AVG)
    "strafblad", "veroordeeld", "detentie", "gevangenis", "criminal record",
)
_WORDS = re.compile(r"\b(" + "|".join(re.escape(w) for w in SPECIAL_CATEGORY_WORDS) + r")\w*", re.IGNORECASE)

INTAKE_TEXT_FIELDS = ("wish_area", "wish_note", "support_organisation", "support_note", "follow_up_name",
                      "follow_up_note")


class PlacementInputError(ValueError):
    """The input is refused; `errors` lists every problem in words for the screen, `field_errors` per field."""

    def __init__(self, errors: list[str], field_errors: dict[str, list[str]] | None = None):
        self.field_errors = field_errors or {}
        everything = [str(e) for e in errors] + [str(e) for es in self.field_errors.values() for e in es]
        super().__init__("; ".join(everything))
        self.errors = [str(e) for e in errors]


def special_category_words(text: str) -> list[str]:
    """The words in `text` that point to special-category data (empty: none found)."""
    return list(dict.fromkeys(m.group(0) for m in _WORDS.finditer(text or "")))


def _check_free_texts(values: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in INTAKE_TEXT_FIELDS:
        found = special_category_words(values.get(name, ""))
        if found:
            errors[name] = [
                _(
                    "“%(words)s” points to special personal data (origin, religion, health, sexual orientation or "
                    "a criminal record). Do not write this down here: a placement does not need it."
                )
                % {"words": ", ".join(found)}
            ]
    return errors


# --- intake -------------------------------------------------------------------------------------------------------


@transaction.atomic
def intake_record(*, corporation, actor, household, values: dict) -> IntakeRecord:
    """Record an intake conversation with a household (personal data: audited with whose data).

    Args:
        corporation: the actor's corporation.
        actor: who records it.
        household: the household the conversation was with.
        values: the record's fields (held_on, wish_*, support_*, follow_up_*).

    Returns:
        The saved record.

    Raises:
        PlacementInputError: another corporation's household, a follow-up before the conversation, or a free text
            with a word that points to special-category data.
    """
    if household.corporation_id != corporation.pk:
        raise PlacementInputError([_("This household is not of your corporation.")])
    field_errors = _check_free_texts(values)
    if values["follow_up_on"] < values["held_on"]:
        field_errors.setdefault("follow_up_on", []).append(_("The follow-up is before the conversation."))
    if field_errors:
        raise PlacementInputError([], field_errors)
    intake = IntakeRecord.objects.create(
        corporation=corporation, household=household, recorded_by_name=actor_label(actor), **values
    )
    audit_record(
        actor=actor,
        event=PlacementEvent.INTAKE_WRITTEN,
        corporation=corporation,
        subject_type="household",
        subject_ids=[household.external_id],
        subject_label=f"intake conversation {intake.pk} of household {household.external_id}",
        purpose=PURPOSE,
        data={"intake": intake.pk, "held_on": intake.held_on.isoformat()},
    )
    return intake


# --- contingents ----------------------------------------------------------------------------------------------------


@transaction.atomic
def contingent_set(
    *, corporation, actor, municipality, half_year: str, kind: str, target: int, note: str = ""
) -> Contingent:
    """Set the target of a contingent (create it, or change its target), recorded in the audit log.

    Args:
        corporation: the actor's corporation.
        actor: who sets it.
        municipality: the municipality the task is for.
        half_year: "YYYY-H1" or "YYYY-H2".
        kind: a `ContingentKind`.
        target: how many households, 0 or more.
        note: where the number comes from (e.g. the province's letter).

    Returns:
        The contingent.

    Raises:
        PlacementInputError: a half year not written as 2026-H1, an unknown kind or a negative target.
    """
    errors = []
    try:
        half_year_bounds(half_year)
    except ValueError:
        errors.append(_("Write the half year as 2026-H1 (January to June) or 2026-H2 (July to December)."))
    if kind not in ContingentKind.values:
        errors.append(_("Choose a kind of contingent."))
    if target < 0:
        errors.append(_("The target cannot be below 0."))
    if errors:
        raise PlacementInputError(errors)
    contingent = (
        Contingent.objects.select_for_update()
        .filter(corporation=corporation, municipality=municipality, half_year=half_year, kind=kind)
        .first()
    )
    old = contingent.target if contingent is not None else None
    if contingent is None:
        contingent = Contingent.objects.create(
            corporation=corporation, municipality=municipality, half_year=half_year, kind=kind, target=target,
            note=note, decided_by_name=actor_label(actor),
        )  # fmt: skip
    else:
        contingent.target, contingent.note, contingent.decided_by_name = target, note, actor_label(actor)
        contingent.save(update_fields=["target", "note", "decided_by_name", "updated"])
    audit_record(
        actor=actor,
        event=PlacementEvent.CONTINGENT_WRITTEN,
        corporation=corporation,
        subject_type="contingent",
        subject_label=f"contingent {kind} {half_year} {municipality.cbs_code}",
        purpose=PURPOSE,
        data={"contingent": contingent.pk, "old_target": old, "new_target": target},
    )
    return contingent


# --- placements ------------------------------------------------------------------------------------------------------


def ground_text(ground: str, *, k: int) -> str:
    """One sentence for a ground of the placement check."""
    texts = {
        Ground.ROOM: _("There is room: the complex stays within its limit and within %(k)s placements this year."),
        Ground.RESERVED: _("The label reserves this home for a vulnerable household, and there is room."),
        Ground.NO_VULNERABLE_LABEL: _(
            "The label of this home is “no placement or urgency route”: it is not used for a placement. "
            "Change the label first if that is wrong."
        ),
        Ground.OVER_LIMIT: _(
            "One more vulnerable household takes the complex over its maximum share (the room check)."
        ),
        Ground.OVER_PRIMARY_LIMIT: _(
            "One more household with one of the lowest incomes takes the complex over its profile's maximum of them "
            "(the room check)."
        ),
        Ground.OVER_SPREAD: _("The complex already has %(k)s placements this year (the spread rule)."),
        Ground.NO_COMPLEX: _("The home is in no complex, so the limit and the spread rule cannot be checked."),
    }
    return texts[Ground(ground)] % {"k": k}


def contract_problem_text(problem: ContractProblem) -> str:
    """One sentence for a reason a temporary contract is refused."""
    return {
        ContractProblem.GROUP_NOT_ALLOWED: _(
            "A temporary contract is only allowed for the groups the law names (Wet vaste huurcontracten). "
            "Give this household a contract for an indefinite period."
        ),
        ContractProblem.TERM_MISSING: _("Fill in the term of the temporary contract in months."),
        ContractProblem.TERM_TOO_LONG: _("A temporary contract lasts at most 2 years (24 months) since 1 July 2024."),
        ContractProblem.BEFORE_LAW: _(
            "This product records temporary contracts from 1 July 2024 on only (the Wet vaste huurcontracten)."
        ),
    }[problem]


def _contract_errors(contract_kind: str, group: str, months: int | None, placed_on: date) -> list[str]:
    if contract_kind == ContractKind.INDEFINITE:
        if group or months is not None:
            return [_("A contract for an indefinite period has no group and no term.")]
        return []
    if contract_kind != ContractKind.TEMPORARY:
        return [_("Choose the kind of contract.")]
    return [contract_problem_text(p) for p in temporary_contract_problems(group, months, placed_on)]


def _where_errors(*, corporation, contingent, household, dwelling, placed_on: date) -> list[str]:
    errors = []
    if {contingent.corporation_id, household.corporation_id, dwelling.corporation_id} != {corporation.pk}:
        return [_("The contingent, household and home must all be of your corporation.")]
    if dwelling.status != DwellingStatus.VACANT:
        errors.append(_("This home is not vacant."))
    first, last = half_year_bounds(contingent.half_year)
    if not first <= placed_on <= last:
        errors.append(
            _("The placement date is not in the contingent's half year (%(first)s to %(last)s).")
            % {"first": first.strftime("%d-%m-%Y"), "last": last.strftime("%d-%m-%Y")}
        )
    neighbourhood = dwelling.complex.neighbourhood if dwelling.complex_id else None
    if neighbourhood is None:
        errors.append(_("The municipality of this home is not known (no complex in a neighbourhood)."))
    elif neighbourhood.municipality_id != contingent.municipality_id:
        errors.append(_("This home is in another municipality than the contingent's."))
    earlier = Placement.objects.filter(dwelling=dwelling).order_by("-placed_on", "-id").first()
    if earlier is not None and not Tenancy.objects.filter(dwelling=dwelling, start_date__gt=earlier.placed_on).exists():
        errors.append(_("This home already has a placement."))
    if Placement.objects.filter(contingent=contingent, household=household).exists():
        errors.append(_("This household was already placed in this contingent."))
    return errors


@transaction.atomic
def placement_record(
    *,
    corporation,
    actor,
    contingent: Contingent,
    household,
    dwelling,
    placed_on: date,
    reason: str = "",
    contract_kind: str = ContractKind.INDEFINITE,
    temporary_group: str = "",
    temporary_months: int | None = None,
    intake: IntakeRecord | None = None,
) -> Placement:
    """Place a household from a contingent in a vacancy: check, save, and audit it; it counts against the contingent.

    Steps: lock the complex (two placements in one complex at once must both see the other); check where and when
    (vacant, the contingent's half year and municipality, no earlier placement waiting); check the complex with the
    engine (`placement_grounds`: label, limit, spread rule with the placements of this calendar year); refuse a
    NO_VULNERABLE vacancy, and a placement over the limit or over k without a reason; check the contract.

    Args:
        corporation: the actor's corporation.
        actor: who decides.
        contingent: the contingent the household comes from.
        household: the household placed.
        dwelling: the vacant dwelling.
        placed_on: the date of the decision (its calendar year counts for the spread rule).
        reason: why, when the check asks for one.
        contract_kind: indefinite or temporary.
        temporary_group: for a temporary contract, the group the law allows (engine.placements.TemporaryGroup).
        temporary_months: for a temporary contract, its term.
        intake: the intake conversation the placement follows, if any.

    Returns:
        The placement.

    Raises:
        PlacementInputError: every problem found, in words.
    """
    if dwelling.complex_id:
        list(Complex.objects.select_for_update().filter(pk=dwelling.complex_id).values_list("pk"))
    errors = _where_errors(
        corporation=corporation, contingent=contingent, household=household, dwelling=dwelling, placed_on=placed_on
    )
    if intake is not None and intake.household_id != household.pk:
        errors.append(_("The intake conversation is of another household."))
    k = facts.placements_per_complex_per_year()
    complex_ids = [dwelling.complex_id] if dwelling.complex_id else []
    rooms, _mix = facts.complex_rooms(corporation.pk, complex_ids, on=placed_on)
    room = rooms.get(dwelling.complex_id)
    label = facts.vacancy_labels([dwelling.pk]).get(dwelling.pk)
    grounds = placement_grounds(room, label, k=k)
    reason = (reason or "").strip()
    if set(grounds) & BLOCKING_GROUNDS:
        errors += [ground_text(g, k=k) for g in grounds]
    elif set(grounds) & NEEDS_REASON_GROUNDS and not reason:
        errors += [ground_text(g, k=k) for g in grounds]
        errors.append(_("A placement here needs a recorded reason. Write down why it is still the right home."))
    errors += _contract_errors(contract_kind, temporary_group, temporary_months, placed_on)
    found = special_category_words(reason)
    if found:
        errors.append(
            _("The reason points to special personal data (“%(words)s”). Do not write this down here.")
            % {"words": ", ".join(found)}
        )
    if errors:
        raise PlacementInputError(errors)
    placement = Placement.objects.create(
        corporation=corporation,
        contingent=contingent,
        household=household,
        dwelling=dwelling,
        intake=intake,
        complex_code=dwelling.complex.external_id if dwelling.complex_id else "",
        placed_on=placed_on,
        grounds=[str(g) for g in grounds],
        reason=reason,
        placements_before=room.placed_this_year if room is not None else None,
        share_after=room.share_after(1).quantize(Decimal("0.0001")) if room is not None else None,
        max_share=room.max_vulnerable_share if room is not None else None,
        per_complex_per_year=k,
        contract_kind=contract_kind,
        temporary_group=temporary_group if contract_kind == ContractKind.TEMPORARY else "",
        temporary_months=temporary_months if contract_kind == ContractKind.TEMPORARY else None,
        recorded_by_name=actor_label(actor),
    )
    audit_record(
        actor=actor,
        event=PlacementEvent.PLACEMENT_RECORDED,
        corporation=corporation,
        subject_type="household",
        subject_ids=[household.external_id],
        subject_label=f"placement of household {household.external_id} in dwelling {dwelling.external_id}",
        purpose=PURPOSE,
        data={
            "placement": placement.pk,
            "contingent": contingent.pk,
            "dwelling": dwelling.external_id,
            "grounds": placement.grounds,
            "with_reason": bool(reason),
            "contract": contract_kind,
        },
    )
    return placement
