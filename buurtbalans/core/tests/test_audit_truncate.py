"""The audit log cannot be emptied with TRUNCATE (issue 11, finding 16), as it cannot be with UPDATE or DELETE."""

import pytest
from django.db import DatabaseError, connection, transaction

from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import AuditEvent

pytestmark = pytest.mark.postgres_only


@pytest.mark.django_db
def test_truncate_of_the_audit_log_is_refused(ada):
    audit_record(
        actor=ada,
        event=AuditEvent.Type.MEMBERSHIP_CHANGED,
        corporation=ada.membership.corporation,
        subject_type="membership",
        purpose="test",
    )
    with connection.cursor() as cursor:
        # Run the insert's deferred key checks now: a table with pending trigger events cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # The test database switches the guard off for Django's own flushes (conftest.py); switch it back on.
        cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER audit_event_no_truncate")
        try:
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute("TRUNCATE core_auditevent")
        finally:
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER audit_event_no_truncate")
    assert AuditEvent.objects.count() == 1
