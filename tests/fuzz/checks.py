"""What every fuzz test asserts after feeding a target: no traceback, a clear message, nothing written."""

from __future__ import annotations

from django.apps import apps

from buurtbalans.core.models import AuditEvent
from tests.fuzz.targets import Outcome, Target, World


def state(target: Target) -> dict[str, int]:
    """Row counts of the models the target writes, and of the audit log."""
    counts = {label: apps.get_model(label).objects.count() for label in target.models}
    counts["core.AuditEvent"] = AuditEvent.objects.count()
    return counts


def feed(target: Target, world: World, data: bytes, name: str | None = None) -> Outcome:
    """Run the target on `data`; when it refuses the file, check that nothing was written."""
    before = state(target)
    path = world.place(name or target.file_name, data, target.companions(world) if target.companions else None)
    outcome = target.run(world, path)
    assert "Traceback" not in outcome.text, outcome.text
    if not outcome.accepted:
        after = state(target)
        if outcome.skipped:
            after["core.AuditEvent"] = before["core.AuditEvent"]
        assert after == before, f"{target.name} refused the file but wrote: {outcome.text[:500]}"
    return outcome


def assert_refused(outcome: Outcome, name: str) -> None:
    assert not outcome.accepted, "the file was accepted"
    assert not outcome.skipped, f"the file was skipped, not refused: {outcome.text[:500]}"
    assert outcome.text.strip(), "refused without a message"
    assert name in outcome.text, f"the message does not name {name}: {outcome.text[:500]}"
