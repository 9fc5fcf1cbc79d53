"""Database -> engine facts for placements: the complexes' room, the vacancies' labels, placements made this year.

No user and no rights here: the selectors and services that call these check them first.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import Count

from buurtbalans.engine.placements import DEFAULT_PLACEMENTS_PER_COMPLEX_PER_YEAR, ComplexRoom, PlacementVacancy
from buurtbalans.steering import mix
from buurtbalans.steering.models import LabelDecision, ProposedLabel

from .models import Placement


def placements_per_complex_per_year() -> int:
    """k of the spread rule: `PLACEMENTS_PER_COMPLEX_PER_YEAR` in the settings, 2 when not set."""
    return int(getattr(settings, "PLACEMENTS_PER_COMPLEX_PER_YEAR", DEFAULT_PLACEMENTS_PER_COMPLEX_PER_YEAR))


def placed_this_year(corporation_id: int, year: int, complex_ids) -> dict[int, int]:
    """Complex id -> the placements recorded in a dwelling of the complex with a date in `year`."""
    rows = (
        Placement.objects.filter(
            corporation_id=corporation_id, dwelling__complex_id__in=list(complex_ids), placed_on__year=year
        )
        .values("dwelling__complex_id")
        .annotate(n=Count("pk"))
    )
    return {row["dwelling__complex_id"]: row["n"] for row in rows}


def complex_rooms(corporation_id: int, complex_ids, *, on: date) -> tuple[dict[int, ComplexRoom], dict]:
    """Complex id -> the engine's `ComplexRoom` on `on`, and complex id -> (steering mix row, room answer).

    The composition and the limits are the steering app's (`steering.mix`): households living there on the date,
    those with a marker of a kind that counts for concentration and those with one of the lowest incomes, and the
    maximum shares of the profile in force.
    """
    ids = sorted(set(complex_ids))
    if not ids:
        return {}, {}
    rows = mix.complex_mix_rows(corporation_id, on, complex_ids=ids)
    placed = placed_this_year(corporation_id, on.year, ids)
    rooms = {
        row.key: ComplexRoom(
            complex_id=str(row.key),
            households=row.counts.households,
            vulnerable=row.counts.vulnerable,
            max_vulnerable_share=row.profile.max_vulnerable_share,
            placed_this_year=placed.get(row.key, 0),
            # Both limits of the profile, as steering's room check weighs them (issue 14 item 8).
            primary=row.counts.primary,
            max_primary_share=row.profile.max_primary_share,
        )
        for row in rows
    }
    return rooms, {row.key: (row, mix.room_for_vulnerable(row)) for row in rows}


def vacancy_labels(dwelling_ids) -> dict[int, str]:
    """Dwelling id -> its label: the newest decision, or else the newest proposal of a finished plan."""
    ids = list(dwelling_ids)
    labels: dict[int, str] = {}
    proposals = ProposedLabel.objects.filter(dwelling_id__in=ids, plan__is_done=True).order_by(
        "plan__created", "plan_id"
    )
    for dwelling_id, label in proposals.values_list("dwelling_id", "label"):
        labels[dwelling_id] = label  # the newest plan last, so it wins
    for dwelling_id, label in LabelDecision.objects.filter(dwelling_id__in=ids).order_by("created", "id").values_list(
        "dwelling_id", "label"
    ):
        labels[dwelling_id] = label  # a decision wins over any proposal
    return labels


def engine_vacancies(dwellings, labels: dict[int, str]) -> list[PlacementVacancy]:
    return [
        PlacementVacancy(
            vacancy_id=str(d.pk),
            complex_id=str(d.complex_id) if d.complex_id else None,
            label=labels.get(d.pk),
        )
        for d in dwellings
    ]
