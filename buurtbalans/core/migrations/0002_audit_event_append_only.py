"""Make the audit log append-only in the database itself: UPDATE and DELETE raise an error.

One update is allowed: clearing `actor_id` when the user account is deleted (on_delete=SET_NULL); the
record keeps `actor_name`, so it still says who acted.
"""

from django.db import migrations

TABLE = "core_auditevent"

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION buurtbalans_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION buurtbalans_audit_append_only();
"""
POSTGRES_REVERSE = f"""
DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE};
DROP FUNCTION IF EXISTS buurtbalans_audit_append_only();
"""
_OTHER_COLUMNS = (
    "id, created, actor_name, corporation_id, event_type, subject_type, subject_ids, subject_label, purpose, data"
)
SQLITE_FORWARD = [
    f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE OF {_OTHER_COLUMNS} ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
    f"CREATE TRIGGER audit_event_actor_only_cleared BEFORE UPDATE OF actor_id ON {TABLE} "
    "WHEN NEW.actor_id IS NOT NULL BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
    f"CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
    "DROP TRIGGER IF EXISTS audit_event_actor_only_cleared;",
    "DROP TRIGGER IF EXISTS audit_event_no_delete;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
