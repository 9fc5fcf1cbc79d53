"""The overview's cached totals count only markers of kinds that count for concentration (issue 13): a change of a
kind's setting changes them, so the kinds table gets the same change triggers as the four tables of 0003."""

from django.db import migrations

from buurtbalans.portfolio import change_triggers


create_triggers, drop_triggers = change_triggers.watching("households", "VulnerabilityKind")


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0007_status_holder_does_not_count"),
        ("portfolio", "0003_stock_summary_cache"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
