"""Writing a checked plan: set-based writes, one or two statements per sheet, foreign keys resolved by maps.

Two paths behind `write_plan`: on PostgreSQL new rows are COPied straight into their table, and changed
rows COPied into a temporary table and applied with one `INSERT ... ON CONFLICT DO UPDATE` (both COPYs through
`core.bulk.copy_columns`); elsewhere
(SQLite) both go through Django's `bulk_create(update_conflicts=True)`. Both touch only rows that are
new or changed, and both overwrite only the columns present in the file.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.db import connection

from buurtbalans.core import bulk
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
    fast = connection.vendor == "postgresql" and USE_POSTGRES_COPY
    for sheet in SHEETS:
        sheet_plan = plan.sheets.get(sheet.name)
        if sheet_plan is None:
            continue
        if sheet_plan.to_write:
            new = _database_rows(sheet_plan, sheet_plan.new, plan, ids)
            updated = _database_rows(sheet_plan, sheet_plan.updated, plan, ids)
            if fast:
                _write_postgres(sheet_plan, corporation, new, updated)
            else:
                _upsert_portable(sheet_plan, corporation, new + updated)
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


def _database_rows(sheet_plan: SheetPlan, rows: list[tuple], plan: Plan, ids) -> list[list]:
    """Rows with references turned from keys into database ids."""
    lookups = []
    for index, column in enumerate(sheet_plan.sheet.columns):
        if column.name not in sheet_plan.parsed.present:
            continue  # every row holds the default (None) there
        if column.ref == REF_NEIGHBOURHOOD:
            lookups.append((index, plan.neighbourhood_ids))
        elif column.ref and column.ref != REF_KIND:
            lookups.append((index, ids[column.ref]))
    converted = []
    for row in rows:
        row = list(row)
        for index, mapping in lookups:
            value = row[index]
            if value is not None:
                row[index] = mapping[value]
        converted.append(row)
    return converted


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


def quote_name(name: str) -> str:
    return connection.ops.quote_name(name)


def _write_postgres(sheet_plan: SheetPlan, corporation, new: list[list], updated: list[list]) -> None:
    """New rows: COPY straight into the table. Changed rows: COPY into a temporary table, then one upsert.

    Plain COPY skips the speculative insertion of INSERT ... ON CONFLICT. A row with the same key that
    another session inserted meanwhile fails the unique constraint, and with it the whole import.
    """
    sheet = sheet_plan.sheet
    model = MODELS[sheet.name]
    table = quote_name(model._meta.db_table)
    # Model fields the sheet does not carry (added later by another app) are written with their defaults.
    extra, extra_values = bulk.field_defaults(model, ["corporation", *(c.name for c in sheet.columns)])
    columns = ["corporation_id", *(c.column for c in sheet.columns), *(f.column for f in extra)]
    column_list = ", ".join(quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if new:
            bulk.copy_columns(cursor, model._meta.db_table, columns,
                              _copy_data(sheet, new, corporation.pk, extra_values))
        if updated:
            temp = quote_name(f"import_{model._meta.db_table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS SELECT {column_list} FROM {table} WITH NO DATA"
            )
            bulk.copy_columns(cursor, temp, columns, _copy_data(sheet, updated, corporation.pk, extra_values))
            by_name = {c.name: quote_name(c.column) for c in sheet.columns}
            assignments = ", ".join(f"{by_name[n]} = EXCLUDED.{by_name[n]}" for n in sheet_plan.update_fields)
            keys = ", ".join(quote_name(model._meta.get_field(name).column) for name in _conflict_fields(sheet_plan))
            # ON CONFLICT rather than UPDATE ... FROM: as fast here, and a row deleted meanwhile comes back.
            cursor.execute(
                f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {temp} "
                f"ON CONFLICT ({keys}) DO UPDATE SET {assignments}"
            )
            cursor.execute(f"DROP TABLE {temp}")


def _copy_data(sheet, rows: list[list], corporation_id: int, extra_values: list) -> list:
    """The rows as COPY's columns: the corporation, the sheet's columns (the VERA unit as JSON), the defaults."""
    count = len(rows)
    columns = bulk.columns_of(rows, len(sheet.columns))
    for position, column in enumerate(sheet.columns):
        if column.name == "vera_unit":
            columns[position] = [None if value is None else json.dumps(value, ensure_ascii=False)
                                 for value in columns[position]]
    return [bulk.repeat_column(corporation_id, count), *columns,
            *(bulk.repeat_column(value, count) for value in extra_values)]
