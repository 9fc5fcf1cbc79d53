"""Reads for placements, all behind MANAGE_PLACEMENTS (allocation officers), scoped to the user's corporation.

Intake records and placements are personal data of a household (a placement also tells from which contingent: an
outflow from a shelter is special-category data), so every read that shows them writes an audit event with whose
data it was (`intake_read_record`, `placement_read_record`), as marker reads do. The proposal per vacancy is about
dwellings and complexes only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count
from django.http import Http404

from buurtbalans.core.audit import audit_record
from buurtbalans.core.permissions import Action, membership_of, require
from buurtbalans.engine.placements import VacancyProposal, half_year_bounds, half_year_of, propose_placements
from buurtbalans.households.models import Household
from buurtbalans.neighbourhoods.models import Municipality
from buurtbalans.portfolio.models import Dwelling, DwellingStatus

from . import facts
from .models import Contingent, IntakeRecord, Placement, PlacementEvent

PURPOSE = "placement"


# --- proposal per vacancy -----------------------------------------------------------------------------------------


@dataclass
class ProposalRow:
    dwelling: Dwelling
    label: str | None
    proposal: VacancyProposal
    mix_row: object | None  # steering.mix.MixRow
    room: object | None  # steering.mix.Room


def proposal_list(user, *, on: date) -> tuple[list[ProposalRow], int]:
    """Every vacant dwelling with the engine's proposal and why; and k, the spread number used."""
    membership = require(user, Action.MANAGE_PLACEMENTS)
    dwellings = list(
        Dwelling.objects.visible_to(user, Action.MANAGE_PLACEMENTS)
        .filter(status=DwellingStatus.VACANT)
        .select_related("complex", "complex__neighbourhood__municipality")
        .order_by("complex__external_id", "street", "house_number", "pk")
    )
    k = facts.placements_per_complex_per_year()
    rooms, mixes = facts.complex_rooms(
        membership.corporation_id, [d.complex_id for d in dwellings if d.complex_id], on=on
    )
    labels = facts.vacancy_labels([d.pk for d in dwellings])
    engine_rooms = list(rooms.values())
    proposals = {p.vacancy_id: p for p in propose_placements(facts.engine_vacancies(dwellings, labels), engine_rooms,
                                                             k=k)}
    rows = []
    for d in dwellings:
        mix_row, room = mixes.get(d.complex_id, (None, None))
        rows.append(ProposalRow(d, labels.get(d.pk), proposals[str(d.pk)], mix_row, room))
    return rows, k


def vacancy_get(user, pk: int) -> Dwelling:
    require(user, Action.MANAGE_PLACEMENTS)
    dwelling = (
        Dwelling.objects.visible_to(user, Action.MANAGE_PLACEMENTS)
        .select_related("complex", "complex__neighbourhood__municipality")
        .filter(pk=pk)
        .first()
    )
    if dwelling is None:
        raise Http404
    return dwelling


def proposal_for(user, dwelling: Dwelling, *, on: date) -> ProposalRow | None:
    """The check for one placement in this vacancy (None when it is not vacant).

    Unlike the list, other vacancies of the complex are not counted as placed: this is what recording a placement
    here now checks (`services.placement_record`).
    """
    membership = require(user, Action.MANAGE_PLACEMENTS)
    if dwelling.status != DwellingStatus.VACANT or dwelling.corporation_id != membership.corporation_id:
        return None
    rooms, mixes = facts.complex_rooms(membership.corporation_id, [dwelling.complex_id] if dwelling.complex_id else [],
                                       on=on)
    labels = facts.vacancy_labels([dwelling.pk])
    (proposal,) = propose_placements(facts.engine_vacancies([dwelling], labels), list(rooms.values()),
                                     k=facts.placements_per_complex_per_year())
    mix_row, room = mixes.get(dwelling.complex_id, (None, None))
    return ProposalRow(dwelling, labels.get(dwelling.pk), proposal, mix_row, room)


def placements_per_complex_per_year(user) -> int:
    require(user, Action.MANAGE_PLACEMENTS)
    return facts.placements_per_complex_per_year()


# --- households -----------------------------------------------------------------------------------------------------


def household_by_code(user, code: str) -> Household | None:
    """The household with this code in the user's corporation (its code only is shown: no income, no read event)."""
    require(user, Action.MANAGE_PLACEMENTS)
    return Household.objects.visible_to(user, Action.MANAGE_PLACEMENTS).filter(external_id=code.strip()).first()


# --- intake records ---------------------------------------------------------------------------------------------------


def intake_list(user, *, household_code: str = ""):
    """The intake records of the user's corporation, newest first (call `intake_read_record` for what is shown)."""
    require(user, Action.MANAGE_PLACEMENTS)
    records = IntakeRecord.objects.visible_to(user).select_related("household")
    if household_code:
        records = records.filter(household__external_id=household_code.strip())
    return records


def intake_read_record(user, records, *, what: str) -> None:
    """Log that these intake records were shown or exported (who, whose data, why)."""
    records = list(records)
    if not records:
        return
    audit_record(
        actor=user,
        event=PlacementEvent.INTAKE_READ,
        corporation=membership_of(user).corporation,
        subject_type="household",
        subject_ids=sorted({r.household.external_id for r in records}),
        subject_label=what,
        purpose=PURPOSE,
        data={"intakes": [r.pk for r in records]},
    )


def intake_get(user, pk: int) -> IntakeRecord:
    """One intake record; the read is logged.

    Raises:
        PermissionDenied: for roles without MANAGE_PLACEMENTS (analysts, cooperative boards, administrators).
        Http404: when it does not exist in the user's corporation.
    """
    require(user, Action.MANAGE_PLACEMENTS)
    record = IntakeRecord.objects.visible_to(user).select_related("household").filter(pk=pk).first()
    if record is None:
        raise Http404
    intake_read_record(user, [record], what=f"intake conversation {record.pk} of household {record.household}")
    return record


# --- contingents ------------------------------------------------------------------------------------------------


def municipality_choices(user):
    """The municipalities where the corporation has complexes (for the contingent form)."""
    membership = require(user, Action.MANAGE_PLACEMENTS)
    return Municipality.objects.filter(
        neighbourhoods__complexes__corporation_id=membership.corporation_id
    ).distinct().order_by("name")


def contingent_list(user, *, half_year: str | None = None):
    """The contingents with how many households were placed against each (`placed`)."""
    require(user, Action.MANAGE_PLACEMENTS)
    contingents = Contingent.objects.visible_to(user).select_related("municipality")
    if half_year:
        half_year_bounds(half_year)
        contingents = contingents.filter(half_year=half_year)
    return contingents.annotate(placed=Count("placements")).order_by("-half_year", "municipality__name", "kind")


def half_years(user) -> list[str]:
    require(user, Action.MANAGE_PLACEMENTS)
    return list(Contingent.objects.visible_to(user).order_by("-half_year").values_list("half_year", flat=True)
                .distinct())


def contingent_choices(user, *, municipality_id: int | None = None, on: date | None = None):
    """Contingents a placement can count against (of the date's half year and the home's municipality, if given)."""
    require(user, Action.MANAGE_PLACEMENTS)
    contingents = Contingent.objects.visible_to(user).select_related("municipality")
    if municipality_id is not None:
        contingents = contingents.filter(municipality_id=municipality_id)
    if on is not None:
        contingents = contingents.filter(half_year=half_year_of(on))
    return contingents.order_by("-half_year", "kind")


# --- placements -----------------------------------------------------------------------------------------------------


def placement_list(user, *, half_year: str = ""):
    """The placements recorded, newest first (call `placement_read_record` for what is shown)."""
    require(user, Action.MANAGE_PLACEMENTS)
    placements = Placement.objects.visible_to(user).select_related(
        "household", "dwelling", "contingent", "contingent__municipality"
    )
    if half_year:
        placements = placements.filter(contingent__half_year=half_year)
    return placements


def placement_read_record(user, placements, *, what: str) -> None:
    """Log that these placements (who was placed where, from which contingent) were shown or exported."""
    placements = list(placements)
    if not placements:
        return
    audit_record(
        actor=user,
        event=PlacementEvent.PLACEMENTS_READ,
        corporation=membership_of(user).corporation,
        subject_type="household",
        subject_ids=sorted({p.household.external_id for p in placements}),
        subject_label=what,
        purpose=PURPOSE,
        data={"placements": [p.pk for p in placements]},
    )

