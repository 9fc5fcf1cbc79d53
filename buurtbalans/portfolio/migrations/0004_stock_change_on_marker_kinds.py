"""The overview's cached totals count only markers of kinds that count for concentration (issue 13): a change of a
kind's setting changes them, so the kinds table gets the same change triggers as the four tables of 0003."""

from django.db import migrations

FUNCTION = "portfolio_stock_changed"  # made by 0003


def _table(apps):
    return apps.get_model("households", "VulnerabilityKind")._meta.db_table


def create_triggers(apps, schema_editor):
    log = apps.get_model("portfolio", "StockChange")._meta.db_table
    table = _table(apps)
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(
            f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )
    elif schema_editor.connection.vendor == "sqlite":
        for event in ("INSERT", "UPDATE", "DELETE"):
            execute(
                f"CREATE TRIGGER {table}_{event.lower()}_changed AFTER {event} ON {table} "
                f"BEGIN INSERT INTO {log} (n) VALUES (1); END"
            )
    else:  # no triggers: the overview would show cached totals after a change
        raise NotImplementedError(f"stock change triggers for {schema_editor.connection.vendor}")


def drop_triggers(apps, schema_editor):
    table = _table(apps)
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(f"DROP TRIGGER IF EXISTS {table}_changed ON {table}")
    elif schema_editor.connection.vendor == "sqlite":
        for event in ("insert", "update", "delete"):
            execute(f"DROP TRIGGER IF EXISTS {table}_{event}_changed")


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0007_status_holder_does_not_count"),
        ("portfolio", "0003_stock_summary_cache"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
