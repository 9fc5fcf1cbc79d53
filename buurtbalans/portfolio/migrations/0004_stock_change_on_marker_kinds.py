"""The overview's cached totals count only markers of kinds that count for concentration (issue 13): a change of a
kind's setting changes them, so the kinds table gets the same change triggers as the four tables of 0003."""

from django.db import migrations

from buurtbalans.portfolio import change_triggers


def _table(apps):
    return apps.get_model("households", "VulnerabilityKind")._meta.db_table


def create_triggers(apps, schema_editor):
    change_triggers.create(schema_editor, apps.get_model("portfolio", "StockChange")._meta.db_table, _table(apps))


def drop_triggers(apps, schema_editor):
    change_triggers.drop(schema_editor, _table(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0007_status_holder_does_not_count"),
        ("portfolio", "0003_stock_summary_cache"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
