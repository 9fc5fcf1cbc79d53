"""core.bulk: COPY's text format, and rows written through it (or executemany) read back by the ORM."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from buurtbalans.core import bulk
from buurtbalans.core.models import Job

_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def _read_copy_text(field: str) -> str | None:
    """What PostgreSQL reads from one field of COPY's text format (the escapes bulk writes)."""
    if field == "\\N":
        return None
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\":
            out.append(_UNESCAPES[field[i + 1]])
            i += 2
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def test_it_escapes_backslash_tab_newline_and_carriage_return():
    assert bulk.copy_text("a\\b") == "a\\\\b"
    assert bulk.copy_text("a\tb") == "a\\tb"
    assert bulk.copy_text("a\nb") == "a\\nb"
    assert bulk.copy_text("a\rb") == "a\\rb"
    assert bulk.copy_text("\\N") == "\\\\N"  # the text "\N" is not NULL


def test_it_writes_none_as_null_and_other_values_as_postgresql_reads_them():
    assert bulk.copy_text(None) == "\\N"
    assert bulk.copy_text(True) == "t" and bulk.copy_text(False) == "f"
    assert bulk.copy_text(12) == "12" and bulk.copy_text(Decimal("1234.50")) == "1234.50"
    assert bulk.copy_text(date(2024, 2, 29)) == "2024-02-29"
    assert bulk.copy_text(datetime(2025, 5, 26, 9, 15, tzinfo=UTC)) == "2025-05-26T09:15:00+00:00"
    assert bulk.copy_text(time(9, 15)) == "09:15:00"
    assert bulk.copy_text({"a": "x\ty"}) == '{"a": "x\\\\ty"}'  # JSON's own escape, then COPY's


@pytest.mark.parametrize("column", [
    [1, 2, 3],
    [1, None, 3],
    ["plain", "", "text"],
    ["tab\there", None, "new\nline", "back\\slash"],
    [None, None],
    [Decimal("1.50"), 2, None],
    [date(2024, 1, 1), None],
    [True, False, None],
    ["mixed", 1, None, Decimal("2.5"), date(2024, 1, 1), True],
])
def test_a_column_is_formatted_as_its_values_one_by_one(column):
    assert bulk.copy_column(column) == [bulk.copy_text(value) for value in column]


def test_a_repeated_column_is_one_value_in_every_row():
    column = bulk.repeat_column("a\tb", 5)
    assert len(column) == 5 and list(column) == ["a\tb"] * 5
    assert len(column[1:3]) == 2 and len(column[3:100]) == 2
    assert bulk.copy_column(column[0:3]) == ["a\\tb"] * 3


def test_rows_turn_into_columns_also_when_there_are_none():
    assert bulk.columns_of([(1, "a"), (2, "b")], 2) == [[1, 2], ["a", "b"]]
    assert bulk.columns_of([], 3) == [[], [], []]
    with pytest.raises(ValueError):
        bulk.columns_of([(1, "a")], 3)


@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_characters="\x00")))))
def test_postgresql_reads_back_every_text_written(values):
    texts = bulk.copy_column(values)
    assert [_read_copy_text(text) for text in texts] == values
    # A field never holds the separators of fields and rows.
    assert not any("\t" in text or "\n" in text or "\r" in text for text in texts)


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("return_keys", [True, False])
def test_rows_written_in_bulk_read_back_through_the_orm(corporation_a, return_keys):
    awkward = ["back\\slash", "tab\there", "new\nline\r\n", "\\N", "", "gewoon één"]
    count = 2 * bulk.COPY_PIECE + 7  # more than one piece
    logs = [awkward[i % len(awkward)] for i in range(count)]
    before = set(Job.objects.values_list("pk", flat=True))
    keys = bulk.columns_insert(
        Job,
        ("corporation", "kind", "log", "seed", "params", "started"),
        [
            bulk.repeat_column(corporation_a.pk, count),
            [f"bulk-{i}" for i in range(count)],
            logs,
            [None if i % 3 else i for i in range(count)],
            [json.dumps({"i": i, "text": logs[i]}) for i in range(count)],
            [None if i % 2 else datetime(2025, 5, 26, 9, i % 60, tzinfo=UTC) for i in range(count)],
        ],
        return_keys=return_keys,
    )
    jobs = Job.objects.filter(corporation=corporation_a, kind__startswith="bulk-").exclude(pk__in=before)
    by_kind = {job.kind: job for job in jobs}
    assert len(by_kind) == count
    for i in range(count):
        job = by_kind[f"bulk-{i}"]
        assert job.log == logs[i]
        assert job.seed == (None if i % 3 else i)
        assert job.params == {"i": i, "text": logs[i]}
        assert job.started == (None if i % 2 else datetime(2025, 5, 26, 9, i % 60, tzinfo=UTC))
        # Fields not given get their defaults, as bulk_create writes them.
        assert job.status == Job.Status.QUEUED and job.result == {} and job.progress_total == 0
        assert job.created is not None
    if return_keys:
        assert sorted(keys) == sorted(by_kind[f"bulk-{i}"].pk for i in range(count))
        assert [by_kind[f"bulk-{i}"].pk for i in range(count)] == keys
        # The next row the ORM creates gets a fresh key.
        assert Job.objects.create(corporation=corporation_a, kind="after").pk > max(keys)
    else:
        assert keys == []


@pytest.mark.django_db
def test_nothing_to_write_writes_nothing(corporation_a):
    assert bulk.columns_insert(Job, ("corporation", "kind"), [[], []], return_keys=True) == []


@pytest.mark.django_db
def test_copy_columns_fills_a_temporary_table():
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    rows = [(1, "a\tb", Decimal("1.50"), date(2024, 2, 29), None, {"k": "v\\"}),
            (2, None, None, None, True, None)]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bulk_test (n integer, t text, d numeric, day date, b boolean, "
                       "j jsonb)")
        bulk.copy_columns(cursor, "bulk_test", ["n", "t", "d", "day", "b", "j"], bulk.columns_of(rows, 6), piece=1)
        cursor.execute("SELECT n, t, d, day, b, j FROM bulk_test ORDER BY n")
        read = cursor.fetchall()
        cursor.execute("DROP TABLE bulk_test")
    # Django's connection hands jsonb back as its text.
    assert [(*row[:5], None if row[5] is None else json.loads(row[5])) for row in read] == rows
