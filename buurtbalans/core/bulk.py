"""Loading many rows at once: PostgreSQL's COPY, SQLite's executemany, `bulk_create` elsewhere.

The product's bulk writers use this one module: the outcomes of an allocation run (60,000 rows for a weekly round,
`allocation.services.solving`), the portfolio import (new rows straight into their table, changed rows into a
temporary table for one upsert, `portfolio.importing.write`) and the demo (400,000 rows whose keys are taken from
the table's sequence first so that later rows can refer to them, `demo.writer`).

Values come column by column (`columns[i][r]` is the i-th field of row r; `columns_of` turns rows around, and
`repeat_column` is one value in every row). Column-wise, a column of one type is formatted with one C-level `map`
instead of one call per value, which is what makes COPY's text fast here (`bulk_create` builds a model instance
and a parameter list per row and takes ten times as long).

COPY's text format (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format"): columns separated by a
tab, rows by a newline, NULL as `\\N`, and a backslash, tab, newline or carriage return inside a value escaped
with a backslash. Values: `None`, `str`, `int`, `float`, `Decimal`, `bool`, `date`, `datetime`, `time` and
`dict`/`list` (written as JSON). A JSONField takes JSON text (a `str`) or a `dict`/`list`.
"""

from __future__ import annotations

import itertools
import json
import operator
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone

# Rows sent to the server per write: the server stores one piece while the next is formatted, and only one
# piece's text is in memory at a time.
COPY_PIECE = 2000
# Rows per INSERT where neither COPY nor executemany is used.
BATCH_SIZE = 1000
NULL = "\\N"

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NONE = type(None)
_NUMBERS = frozenset({int, float, Decimal})
_MOMENTS = frozenset({date, datetime, time})
_BOOLEANS = {True: "t", False: "f"}
_isoformat = operator.methodcaller("isoformat")
_escape = operator.methodcaller("translate", _ESCAPES)


class RepeatedColumn(Sequence):
    """A column holding one value in every row, without a list of that length (`repeat_column`)."""

    __slots__ = ("value", "length")

    def __init__(self, value, length: int):
        self.value, self.length = value, length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index):
        if isinstance(index, slice):
            return RepeatedColumn(self.value, len(range(*index.indices(self.length))))
        if not -self.length <= index < self.length:
            raise IndexError(index)
        return self.value

    def __iter__(self):
        return itertools.repeat(self.value, self.length)


def repeat_column(value, length: int) -> RepeatedColumn:
    """A column of `length` rows that all hold `value` (the corporation, a field's default)."""
    return RepeatedColumn(value, length)


def columns_of(rows: Sequence[Sequence], width: int) -> list[Sequence]:
    """Rows turned into columns (`width` columns, also when there are no rows)."""
    lengths = set(map(len, rows))
    if lengths - {width}:
        raise ValueError(f"rows of {sorted(lengths)} values for {width} columns")
    # One C-level pass per column: a tenth of the time of zip(*rows), which holds an iterator per row.
    return [list(map(operator.itemgetter(i), rows)) for i in range(width)]


def _needs_escape(text: str) -> bool:
    return "\\" in text or "\t" in text or "\n" in text or "\r" in text


def copy_text(value) -> str:
    """One value as COPY's text format writes it: `\\N` for None, the special characters escaped."""
    if value is None:
        return NULL
    if value is True or value is False:
        return _BOOLEANS[value]
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    if isinstance(value, bytes | bytearray | memoryview):
        raise TypeError("binary values are not written in COPY's text format here")
    return str(value).translate(_ESCAPES)


def copy_column(values: Sequence) -> list[str]:
    """A column in COPY's text format; a column of one kind of value is formatted in one pass (`map`)."""
    if isinstance(values, RepeatedColumn):
        return [copy_text(values.value)] * len(values)
    kinds = set(map(type, values))
    has_null = _NONE in kinds
    kinds.discard(_NONE)
    if kinds <= _NUMBERS:
        form = str
    elif kinds <= _MOMENTS:
        form = _isoformat
    elif kinds == {bool}:
        form = _BOOLEANS.__getitem__
    elif kinds <= {str}:
        present = [v for v in values if v is not None] if has_null else values
        if not _needs_escape("".join(present)):
            return [NULL if v is None else v for v in values] if has_null else list(values)
        form = _escape
    else:
        return list(map(copy_text, values))
    if has_null:
        return [NULL if v is None else form(v) for v in values]
    return list(map(form, values))


def copy_columns(cursor, table: str, names: Sequence[str], columns: Sequence[Sequence], *,
                 piece: int = COPY_PIECE) -> None:
    """COPY rows given as columns into a table, in COPY's text format (PostgreSQL only).

    This is the fast path of every bulk writer: no statement per row and no parameter per value; the caller's
    transaction holds it, and a constraint a row breaks fails the whole COPY.

    Args:
        cursor: a cursor of the default connection (Django's wrapper or psycopg's own).
        table: the table's name, quoted here (a temporary table too).
        names: the columns' names in the table, in the order of `columns`.
        columns: one sequence of values per name, all of the same length.
        piece: rows formatted and sent per write; bounds the memory the text takes.
    """
    if len(names) != len(columns):
        raise ValueError(f"{len(columns)} columns for {len(names)} names")
    length = len(columns[0]) if columns else 0
    if not length:
        return
    quote = connection.ops.quote_name
    statement = f"COPY {quote(table)} ({', '.join(map(quote, names))}) FROM STDIN"
    raw = getattr(cursor, "cursor", cursor)
    with raw.copy(statement) as copy:
        for start in range(0, length, piece):
            texts = [copy_column(column[start:start + piece]) for column in columns]
            copy.write("\n".join(map("\t".join, zip(*texts, strict=True))) + "\n")


def field_defaults(model, given: Iterable[str]) -> tuple[list[models.Field], list]:
    """The concrete fields a bulk write does not give, with the value `bulk_create` would write for each.

    A field another app adds later with a default then keeps working. `auto_now`/`auto_now_add` get the current
    time and a JSONField its default as JSON text; the values are prepared for the default connection.

    Args:
        model: the model written.
        given: the fields the caller gives, by name or attname (`complex` or `complex_id`); the primary key
            never gets a default here.

    Returns:
        (the fields, their values), in the model's field order.
    """
    given = set(given)
    fields = [f for f in model._meta.concrete_fields
              if not f.primary_key and f.name not in given and f.attname not in given]
    values = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append(field.get_db_prep_save(timezone.now(), connection))
        elif isinstance(field, models.JSONField):
            # None is SQL NULL for a JSONField, as the ORM writes it; anything else its JSON text.
            default = field.get_default()
            values.append(None if default is None else json.dumps(default, cls=field.encoder))
        else:
            values.append(field.get_db_prep_save(field.get_default(), connection))
    return fields, values


def columns_insert(model, fields: Sequence[str], columns: Sequence[Sequence], *,
                   return_keys: bool = False) -> list[int]:
    """Insert rows given as columns into a model's table, the fastest way the database offers.

    PostgreSQL gets one COPY (`copy_columns`), SQLite one executemany, other databases `bulk_create`. Fields not
    given get their defaults (`field_defaults`). No model `save()`, signal or per-row validation runs: callers
    write plain values into tables that have none of those.

    Args:
        model: the model whose table is written.
        fields: field names, a foreign key by its name with the id as value.
        columns: one sequence of plain values per field (see the module's docstring), all of the same length.
        return_keys: take the primary keys first (PostgreSQL: from the table's sequence; SQLite, whose write lock
            the caller's transaction holds: on from the highest key) and return them, so the caller can refer to
            the rows before they are written.

    Returns:
        The new rows' primary keys in row order, or [] when `return_keys` is false.
    """
    if len(fields) != len(columns):
        raise ValueError(f"{len(columns)} columns for {len(fields)} fields")
    length = len(columns[0]) if columns else 0
    if not length:
        return []
    meta = model._meta
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return _bulk_create(model, fields, columns, return_keys)
    defaults, default_values = field_defaults(model, fields)
    names = [meta.get_field(name).column for name in fields] + [f.column for f in defaults]
    data = [*columns, *(repeat_column(value, length) for value in default_values)]
    keys: list[int] = []
    with connection.cursor() as cursor:
        if return_keys:
            keys = _take_keys(cursor, meta, length)
            names, data = [meta.pk.column, *names], [keys, *data]
        if vendor == "postgresql":
            copy_columns(cursor, meta.db_table, names, data)
        else:
            quote = connection.ops.quote_name
            cursor.executemany(
                f"INSERT INTO {quote(meta.db_table)} ({', '.join(map(quote, names))}) "
                f"VALUES ({', '.join(['%s'] * len(names))})",
                list(zip(*map(_sqlite_column, data), strict=True)),
            )
    return keys


def _take_keys(cursor, meta, count: int) -> list[int]:
    table, pk_column = meta.db_table, meta.pk.column
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), pk_column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]
    quote = connection.ops.quote_name
    cursor.execute(f"SELECT MAX({quote(pk_column)}) FROM {quote(table)}")
    highest = cursor.fetchone()[0] or 0
    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
    sequence = cursor.fetchone()
    first = max(highest, sequence[0] if sequence else 0) + 1
    return list(range(first, first + count))


def _sqlite_value(value):
    # As Django stores them in SQLite: decimals, dates and JSON as text, datetimes as naive UTC text.
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _sqlite_column(values: Sequence) -> Iterable:
    """A column for sqlite3's executemany: a column of types sqlite3 takes as they are is not copied."""
    if isinstance(values, RepeatedColumn):
        return itertools.repeat(_sqlite_value(values.value), len(values))
    if set(map(type, values)) <= {int, str, float, bool, _NONE}:
        return values
    return map(_sqlite_value, values)


def _bulk_create(model, fields: Sequence[str], columns: Sequence[Sequence], return_keys: bool) -> list[int]:
    meta = model._meta
    model_fields = [meta.get_field(name) for name in fields]
    is_json = [isinstance(f, models.JSONField) for f in model_fields]
    objects = model.objects.bulk_create([
        model(**{f.attname: json.loads(v) if j and isinstance(v, str) else v
                 for f, v, j in zip(model_fields, row, is_json, strict=True)})
        for row in zip(*columns, strict=True)
    ], batch_size=BATCH_SIZE)
    return [o.pk for o in objects] if return_keys else []
