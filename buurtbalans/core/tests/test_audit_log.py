import pytest
from django.db import DatabaseError, connection, transaction

from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import AuditEvent


@pytest.mark.smoke
def test_audit_events_cannot_be_changed_or_deleted_even_in_sql(alice, corporation_a):
    event = audit_record(
        actor=alice,
        event=AuditEvent.Type.MARKERS_READ,
        corporation=corporation_a,
        subject_type="household",
        subject_ids=["A-H1"],
        purpose="allocation",
    )
    assert event.actor_name == "alice"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    for statement in (
        f"UPDATE core_auditevent SET purpose = 'x' WHERE id = {event.pk}",
        f"DELETE FROM core_auditevent WHERE id = {event.pk}",
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    assert AuditEvent.objects.get(pk=event.pk).purpose == "allocation"


def test_the_record_keeps_the_actor_name_after_the_account_is_deleted(alice, corporation_a):
    event = audit_record(
        actor=alice, event=AuditEvent.Type.MARKERS_READ, corporation=corporation_a,
        subject_type="household", subject_ids=["A-H1"], purpose="allocation",
    )
    alice.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_id is None and event.actor_name == "alice"
