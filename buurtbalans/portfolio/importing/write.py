"""Writing a checked plan: set-based upserts, one statement per sheet, foreign keys resolved by maps.

Two paths behind one function: on PostgreSQL the rows go through COPY into a temporary table and one
`INSERT ... SELECT ... ON CONFLICT DO UPDATE`; elsewhere (SQLite) through Django's
`bulk_create(update_conflicts=True)`. Both only touch rows that are new or changed, and both
overwrite only the columns present in the file.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.db import connection
from django.utils import timezone

from buurtbalans.portfolio.importing.columns import REF_KIND, REF_NEIGHBOURHOOD, SHEETS
from buurtbalans.portfolio.importing.plan import MODELS, Plan, SheetPlan, _ids

# Tests switch this off to exercise the portable path on PostgreSQL too.
USE_POSTGRES_COPY = True


def write_plan(plan: Plan, corporation, *, on_rows: Callable[[int], None] | None = None) -> dict[str, list[str]]:
    """Write every sheet of `plan` in dependency order.

    Returns:
        per sheet, the external ids of the households whose data was written (for the audit log).
    """
    ids = plan.ids
    written: dict[str, list[str]] = {}
    wanted_later = {c.ref for sp in plan.sheets.values() for c in sp.sheet.columns if c.ref}
    for sheet in SHEETS:
        sheet_plan = plan.sheets.get(sheet.name)
        if sheet_plan is None:
            continue
        rows = sheet_plan.to_write
        if rows:
            _upsert(sheet_plan, corporation, _database_rows(sheet_plan, plan, ids, corporation))
            written[sheet.name] = _households_concerned(sheet_plan)
            if sheet_plan.new and sheet.name in wanted_later:
                # New rows have ids only now; the sheets after this one refer to them.
                ids[sheet.name] = _ids(MODELS[sheet.name], corporation)
        if on_rows is not None:
            on_rows(len(sheet_plan.parsed.rows))
    return written


def _households_concerned(sheet_plan: SheetPlan) -> list[str]:
    sheet = sheet_plan.sheet
    if sheet.name == "households":
        index = sheet.index("external_id")
    elif "household" in sheet.names:
        index = sheet.index("household")
    else:
        return []
    return sorted({row[index] for row in sheet_plan.to_write})


def _extra_fields(model, sheet):
    """Model fields the sheet does not carry (added later by another app), with their defaults."""
    known = {"id", "corporation"} | {c.name for c in sheet.columns}
    return [f for f in model._meta.concrete_fields if f.name not in known]


def _database_rows(sheet_plan: SheetPlan, plan: Plan, ids, corporation) -> list[list]:
    sheet = sheet_plan.sheet
    lookups = []
    for index, column in enumerate(sheet.columns):
        if column.name not in sheet_plan.parsed.present:
            continue  # every row holds the default (None) there
        if column.ref == REF_NEIGHBOURHOOD:
            lookups.append((index, plan.neighbourhood_ids))
        elif column.ref and column.ref != REF_KIND:
            lookups.append((index, ids[column.ref]))
    rows = []
    for row in sheet_plan.to_write:
        row = list(row)
        for index, mapping in lookups:
            value = row[index]
            if value is not None:
                row[index] = mapping[value]
        rows.append(row)
    return rows


def _upsert(sheet_plan: SheetPlan, corporation, rows: list[list]) -> None:
    if connection.vendor == "postgresql" and USE_POSTGRES_COPY:
        _upsert_postgres(sheet_plan, corporation, rows)
    else:
        _upsert_portable(sheet_plan, corporation, rows)


def _conflict_fields(sheet_plan: SheetPlan) -> list[str]:
    key = list(sheet_plan.sheet.key)
    return ["corporation", *key] if key == ["external_id"] else key


def _upsert_portable(sheet_plan: SheetPlan, corporation, rows: list[list]) -> None:
    model = MODELS[sheet_plan.sheet.name]
    attnames = [c.column for c in sheet_plan.sheet.columns]
    objects = [model(corporation_id=corporation.pk, **dict(zip(attnames, row, strict=True))) for row in rows]
    update_fields = sheet_plan.update_fields
    if update_fields:
        model.objects.bulk_create(
            objects,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=_conflict_fields(sheet_plan),
            update_fields=update_fields,
        )
    else:
        # Nothing to overwrite: only new rows reach here (see SheetPlan.update_fields).
        model.objects.bulk_create(objects, batch_size=2000)


def _upsert_postgres(sheet_plan: SheetPlan, corporation, rows: list[list]) -> None:
    sheet = sheet_plan.sheet
    model = MODELS[sheet.name]
    table = model._meta.db_table
    quote = connection.ops.quote_name
    extra = _extra_fields(model, sheet)
    columns = ["corporation_id", *(c.column for c in sheet.columns), *(f.column for f in extra)]
    extra_values = [timezone.now() if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                    else f.get_db_prep_value(f.get_default(), connection) for f in extra]
    json_positions = [i for i, c in enumerate(sheet.columns) if c.name == "vera_unit"]
    column_list = ", ".join(quote(c) for c in columns)
    temp = quote(f"import_{table}")
    field_columns = {c.name: c.column for c in sheet.columns}
    conflict = ", ".join(
        quote(model._meta.get_field(name).column) for name in _conflict_fields(sheet_plan)
    )
    updates = ", ".join(f"{quote(field_columns[n])} = EXCLUDED.{quote(field_columns[n])}"
                        for n in sheet_plan.update_fields)
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    corporation_id = corporation.pk
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS SELECT {column_list} FROM {quote(table)} WITH NO DATA"
        )
        with cursor.copy(f"COPY {temp} ({column_list}) FROM STDIN") as copy:
            write_row = copy.write_row
            for row in rows:
                for position in json_positions:
                    if row[position] is not None:
                        row[position] = json.dumps(row[position], ensure_ascii=False)
                write_row((corporation_id, *row, *extra_values))
        cursor.execute(
            f"INSERT INTO {quote(table)} ({column_list}) SELECT {column_list} FROM {temp} "
            f"ON CONFLICT ({conflict}) {action}"
        )
        cursor.execute(f"DROP TABLE {temp}")
