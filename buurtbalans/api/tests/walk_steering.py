"""What the access walk (test_access_walk.py) needs for the steering, monitor and cooperative operations: A's objects,
the bodies of the writes, and the board link a COOPERATIVE_BOARD user of A has on screen as well."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from buurtbalans.cooperatives.models import Activity, CooperativeBoardMember
from buurtbalans.cooperatives.testing import make_cooperative
from buurtbalans.core.models import Role
from buurtbalans.liveability.models import ComplexVitality
from buurtbalans.liveability.services import vitality_refresh
from buurtbalans.steering.forms import quarter_choices
from buurtbalans.steering.models import LabellingPlan


def walk_ids(stock) -> dict:
    """A finished label plan, a counted vitality and a cooperative with a log entry."""
    corporation = stock.corporation
    today = timezone.localdate()
    plan = LabellingPlan.objects.create(
        corporation=corporation, period_start=today, period_end=today, reference_date=today, composition_date=today,
        policy={}, is_done=True, created_by_name="walk",
        result_document={"format": "buurtbalans.label-plan-result/1", "complexes": [], "labels": []},
    )
    vitality_refresh(corporation=corporation, reference_date=today)
    world = make_cooperative(corporation, stock.complex, marker="walk-a", kvk="31313131", with_files=False)
    return {"plan_id": plan.pk, "vitality_id": ComplexVitality.objects.get(complex=stock.complex, is_latest=True).pk,
            "cooperative_id": world.cooperative.pk, "activity_id": world.activity.pk,
            "commitment_id": world.commitment.pk}


def walk_request(method: str, path: str, ids: dict) -> tuple[str, dict] | None:
    """The address and JSON body of one of these writes, or None for an operation that is not one of them (a
    delete gets a spare entry of its own, so the next role finds one too)."""
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    bodies = {
        ("post", "/api/v1/label-plans"): {
            "quarter": quarter_choices(timezone.localdate())[1][0], "min_vulnerable_placements": 0,
            "min_affordable_share": "0.9"},
        ("post", "/api/v1/cooperatives/{cooperative_id}/activities"): {
            "commitment": ids.get("commitment_id"), "day": yesterday, "description": "walk", "participants": 2},
        ("patch", "/api/v1/cooperative-activities/{activity_id}"): {"participants": 9},
        ("delete", "/api/v1/cooperative-activities/{activity_id}"): {},
    }
    if (method, path) not in bodies:
        return None
    if method == "delete" and "cooperative_id" in ids:  # a new spare entry each time
        spare = Activity.objects.create(cooperative_id=ids["cooperative_id"], commitment_id=ids["commitment_id"],
                                        day=timezone.localdate() - timedelta(days=2), description="spare",
                                        recorded_by_name="walk")
        ids = {**ids, "activity_id": spare.pk}
    return path.format(**ids), bodies[(method, path)]


def walk_link(user, role: str, ids: dict) -> None:
    """A board member of A keeps A's cooperative (as the portal's user would)."""
    if role == Role.COOPERATIVE_BOARD and "cooperative_id" in ids:
        CooperativeBoardMember.objects.create(user=user, cooperative_id=ids["cooperative_id"])
