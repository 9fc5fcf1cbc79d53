"""Existing dwellings get one open status period each, so every dwelling has history (issue 16 item 1).

The period starts on 1 January 1900 (`history.models.BACKFILL_FROM`) with source "backfill": the status before the
first dated import is not known, so the row says "at least until the history began, it was what it is now". The
dwelling has no created date to use instead. Written in batches of 5,000 (bulk inserts), so 100k dwellings take seconds.
"""

import datetime

from django.db import migrations

BACKFILL_FROM = datetime.date(1900, 1, 1)
BACKFILL_SOURCE = "backfill"


def backfill(apps, schema_editor):
    Dwelling = apps.get_model("portfolio", "Dwelling")
    DwellingStatusPeriod = apps.get_model("history", "DwellingStatusPeriod")
    db = schema_editor.connection.alias
    dwellings = Dwelling.objects.using(db).filter(status_periods__isnull=True).order_by("pk")
    batch = []
    for pk, corporation_id, status in dwellings.values_list("pk", "corporation_id", "status").iterator(chunk_size=5000):
        batch.append(DwellingStatusPeriod(corporation_id=corporation_id, dwelling_id=pk, status=status,
                                          valid_from=BACKFILL_FROM, source=BACKFILL_SOURCE))
        if len(batch) >= 5000:
            DwellingStatusPeriod.objects.using(db).bulk_create(batch)
            batch = []
    DwellingStatusPeriod.objects.using(db).bulk_create(batch)


def remove_backfill(apps, schema_editor):
    DwellingStatusPeriod = apps.get_model("history", "DwellingStatusPeriod")
    DwellingStatusPeriod.objects.using(schema_editor.connection.alias).filter(source=BACKFILL_SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("history", "0001_status_income_ownership_history"),
    ]

    operations = [migrations.RunPython(backfill, remove_backfill)]
