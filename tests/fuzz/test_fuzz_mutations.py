"""Fuzzing every file import and JSON command with mutations of a small valid input (issue 11, "Must show").

Hypothesis takes the target's valid sample and mutates it: flipped, deleted, duplicated or inserted bytes (NUL, CR,
byte order marks, quotes, separators, brackets, a 140,000-character cell, a 400-digit number), truncation, and
another encoding (UTF-16/32 with or without a byte order mark, Windows-1252). A zip or workbook is mutated as
bytes, or its CSV member or sheet XML is mutated and packed again; a JSON document as bytes, or by replacing values
with others of any type, size and shape (still valid JSON). Whatever comes out, the target answers as it
declares (a report, exit code 0 or 2, a page that is not a 500), a refusal names the file, and a refused file
writes nothing: no row and no audit event.

Bounded: 30 examples per target (21 targets) and no deadline, under 1.5 minutes in all; a failure prints the
example's blob for `@reproduce_failure`. BUURTBALANS_FUZZ_EXAMPLES=1000 runs deeper, by hand.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.checks import feed
from tests.fuzz.targets import TARGETS

pytestmark = pytest.mark.django_db

# BUURTBALANS_FUZZ_EXAMPLES=1000 for a deeper run by hand.
EXAMPLES = int(os.environ.get("BUURTBALANS_FUZZ_EXAMPLES") or 30)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

INSERTS = [
    b"\x00", b"\r", b"\n", b"\r\n", b'"', b";", b",", b"\t", b"\\", b"{", b"}", b"[", b"]", b":",
    codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF32_BE, b"\xff", b"\xc3", b"\xed\xa0\x80",
    "é".encode(), "\u2028".encode(), b"NaN", b"-Infinity", b"1e999", b"9" * 400, b"x" * 140_000,
    b"[" * 300, b'"' + b"q" * 5000 + b'"', b"=cmd|' /C calc'!A0",
]
ENCODINGS = [None, None, None, "utf-16", "utf-16-be", "utf-16-no-bom", "utf-32", "utf-8-bom", "cp1252"]


def operation(size: int):
    position = st.integers(0, max(size, 1))
    return st.one_of(
        st.tuples(st.just("flip"), position, st.integers(1, 255)),
        st.tuples(st.just("delete"), position, st.integers(1, 64)),
        st.tuples(st.just("truncate"), position),
        st.tuples(st.just("insert"), position, st.sampled_from(INSERTS)),
        st.tuples(st.just("duplicate"), position, st.integers(1, 200)),
    )


def apply(data: bytes, operations) -> bytes:
    for op, at, *rest in operations:
        at = at % (len(data) + 1)
        if op == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ rest[0]]) + data[at + 1:]
        elif op == "delete":
            data = data[:at] + data[at + rest[0]:]
        elif op == "truncate":
            data = data[:at]
        elif op == "insert":
            data = data[:at] + rest[0] + data[at:]
        elif op == "duplicate":
            data = data[:at] + data[at:at + rest[0]] + data[at:]
    return data


def encode(data: bytes, encoding: str | None) -> bytes:
    if encoding is None:
        return data
    text = data.decode("utf-8")
    return {
        "utf-16": lambda: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        "utf-16-be": lambda: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        "utf-16-no-bom": lambda: text.encode("utf-16-le"),
        "utf-32": lambda: codecs.BOM_UTF32_LE + text.encode("utf-32-le"),
        "utf-8-bom": lambda: codecs.BOM_UTF8 + data,
        "cp1252": lambda: text.encode("cp1252", errors="replace"),
    }[encoding]()


def mutated_text(draw, data: bytes) -> bytes:
    data = encode(data, draw(st.sampled_from(ENCODINGS)))
    return apply(data, draw(st.lists(operation(len(data)), min_size=1, max_size=4)))


def repack(archive: bytes, wanted, change) -> bytes:
    """The archive with the members matching `wanted` changed."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, change(data) if wanted(info.filename) else data)
    return buffer.getvalue()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**400), 10**400) | st.integers(-3, 3)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
    | st.sampled_from(["", "2025-02-30", "x", "1e999", "-0.00"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


def _paths(value, path=()):
    """Every place in a JSON document: (keys and indexes from the top)."""
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*path, index))


def mutated_document(draw, data: bytes) -> bytes:
    """The document with one to three values replaced by another JSON value (of another type, size or shape) or
    removed: mutations a byte flip rarely reaches, since they keep the JSON valid."""
    document = json.loads(data)
    for _ in range(draw(st.integers(1, 3))):
        paths = [path for path in _paths(document) if path]
        if not paths:
            break
        *parents, last = draw(st.sampled_from(paths))
        parent = document
        for step in parents:
            parent = parent[step]
        if draw(st.booleans()) or isinstance(parent, list):
            parent[last] = draw(JSON_VALUES)
        else:
            del parent[last]
    return json.dumps(document).encode("utf-8")


def mutate(target, world, sample: bytes, draw) -> bytes:
    inside = draw(st.booleans())
    if target.kind == "json" and inside:
        return mutated_document(draw, sample)
    if target.kind == "zip" and inside:
        members = list(target.csv_members(world))
        chosen = draw(st.sampled_from(members))
        return repack(sample, lambda name: name == chosen, lambda data: mutated_text(draw, data))
    if target.kind == "xlsx" and inside:
        def change(data: bytes) -> bytes:
            return apply(data, draw(st.lists(operation(len(data)), min_size=1, max_size=4)))

        return repack(sample, lambda name: re.fullmatch(r"xl/(worksheets/sheet\d+|sharedStrings|workbook)\.xml", name),
                      change)
    if target.kind in ("zip", "xlsx"):
        return apply(sample, draw(st.lists(operation(len(sample)), min_size=1, max_size=4)))
    return mutated_text(draw, sample)


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_mutations_of_a_valid_file_never_crash_and_a_refused_file_writes_nothing(world, target):
    sample = target.sample(world)
    # A problem inside a zip names the CSV file in it (the name the user knows), the zip itself otherwise; a problem
    # that a changed CBS metadata file makes for its data file names the data file.
    names = [target.file_name, *(target.csv_members(world) if target.csv_members else ()),
             *(target.companions(world) if target.companions else ())]

    @FUZZ
    @given(data=st.data())
    def check(data):
        outcome = feed(target, world, mutate(target, world, sample, data.draw))
        if not outcome.accepted and not outcome.skipped and outcome.names_file:
            assert any(name in outcome.text for name in names), f"no file named: {outcome.text[:500]}"

    check()

