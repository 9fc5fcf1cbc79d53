"""The corporation overview's cached totals and the log of writes they are checked against (issue 12 item 7).

Triggers on the four tables the totals are counted from add a row to portfolio_stockchange on every write,
whatever makes it (the ORM, an import's COPY, a bulk update, a TRUNCATE): the cache can never outlive a
committed change, and no Python writer has to remember it. PostgreSQL: one row per statement; SQLite (tests and
local use): one row per changed row, SQLite having no statement-level triggers.
"""

import django.db.models.deletion
from django.db import migrations, models

from buurtbalans.portfolio import change_triggers

WATCHED = (
    ("portfolio", "Dwelling"),
    ("households", "Household"),
    ("households", "Tenancy"),
    ("households", "VulnerabilityMarker"),
)
FUNCTION = change_triggers.FUNCTION


def _tables(apps):
    return [apps.get_model(app, model)._meta.db_table for app, model in WATCHED]


def create_triggers(apps, schema_editor):
    log = apps.get_model("portfolio", "StockChange")._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN INSERT INTO {log} (n) VALUES (1); RETURN NULL; END $$"
        )
    for table in _tables(apps):
        change_triggers.create(schema_editor, log, table)


def drop_triggers(apps, schema_editor):
    for table in _tables(apps):
        change_triggers.drop(schema_editor, table)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0012_audit_event_marker_kind_changed"),
        ("households", "0005_applicant_name_and_address"),
        ("portfolio", "0002_dwelling_corporation_status"),
    ]

    operations = [
        migrations.CreateModel(
            name="StockChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("n", models.BigIntegerField(default=1)),
            ],
            options={
                "verbose_name": "change to the stock",
                "verbose_name_plural": "changes to the stock",
            },
        ),
        migrations.CreateModel(
            name="StockSummaryCache",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reference_date", models.DateField()),
                ("parameters_key", models.CharField(max_length=64)),
                ("version", models.BigIntegerField()),
                ("data", models.JSONField()),
                (
                    "corporation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.housingcorporation"
                    ),
                ),
            ],
            options={
                "verbose_name": "cached overview figures",
                "verbose_name_plural": "cached overview figures",
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
