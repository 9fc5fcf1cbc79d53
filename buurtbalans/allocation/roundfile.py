"""The round file contract (issue 4, issue 13): read and check `buurtbalans.round/1` and `/2`, write the result.

Round/2 differs from round/1 only in motivation: listings publish `criteria` and may set `motivation_min_score`,
and applicants carry the assessors' `motivation_assessments` instead of `motivation_scores`; its result is
`buurtbalans.round-result/2`, the same document as round-result/1 with the motivation explanations of round/2.

`read_round_file(path)` parses and checks a round file and returns its facts as columns, or raises
`RoundFileError` listing every problem with a path-like location (`bids[17].listing: unknown listing "L9"`).
`write_result(result, handle)` streams the result, one listing at a time, so a national round (1.5 million bids)
never holds its whole output in memory. The formats are described in docs/allocation.md.

Checks run column by column (one list comprehension per field over all rows) because a national round has
500,000 applicants and 1.5 million bids; messages are only built for the rows that fail.
"""

from __future__ import annotations

import gc
import json
import math
import re
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, repeat
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import IO, Any

import numpy as np
from django.utils.translation import gettext as _

from buurtbalans.core import safeinput
from buurtbalans.core.safeinput import InputError
from buurtbalans.engine.allocation import (
    REASON_ORDER,
    RESULT_FORMATS,
    Listing,
    MotivationRule,
    RoundFacts,
    RoundResult,
    SelectionKey,
)
from buurtbalans.engine.allocation.facts import EPOCH, EPOCH_UTC, ONE_MICROSECOND, bid_conflicts
from buurtbalans.engine.allocation.result import (
    ALLOCATED_ELSEWHERE,
    DECIDED_BY,
    KEY_FIELD,
    OUTCOME_ORDER,
    OUTRANKED,
)

FORMAT = "buurtbalans.round/1"
FORMAT_2 = "buurtbalans.round/2"
RESULT_FORMAT = RESULT_FORMATS[MotivationRule.SCORE]
RESULT_FORMAT_2 = RESULT_FORMATS[MotivationRule.ASSESSMENTS]
TOP_KEYS = ("format", "reference_date", "lottery_seed", "listings", "applicants", "bids")
LISTING_KEYS = (
    "id",
    "dwelling",
    "complex",
    "municipality",
    "base_rent",
    "selection",
    "urgency_first",
    "household_size_min",
    "household_size_max",
    "income_min",
    "income_max",
    "allowed_groups",
    "excluded_groups",
    "affordability_exception",
)
APPLICANT_KEYS = (
    "id",
    "household_size",
    "assessed_income",
    "is_pension_age_household",
    "registration_date",
    "is_urgent",
    "groups",
    "motivation_scores",
)
BID_KEYS = ("applicant", "listing", "preference", "submitted_at")
# Round/2: motivation listings publish criteria and may set a minimum score; applicants carry assessments.
LISTING_KEYS_2 = (*LISTING_KEYS, "criteria", "motivation_min_score")
APPLICANT_KEYS_2 = tuple("motivation_assessments" if key == "motivation_scores" else key for key in APPLICANT_KEYS)
ASSESSMENT_KEYS = ("assessor", "score")
# A motivation score: "0.0" to "4.0", at most one decimal.
SCORE = re.compile(r"(\d)(?:\.(\d))?")
MAX_HOUSEHOLD_SIZE = 30
MAX_PREFERENCE = 1_000_000
# Whole euros up to 12 digits and at most two decimals, written with a decimal point: "1234.56".
AMOUNT = re.compile(r"(\d{1,12})(?:\.(\d{1,2}))?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ABSENT = object()


class RoundFileError(ValueError):
    """The file is not a valid round; `problems` lists every problem as "location: message".

    `unreadable`: the file could not be read as JSON at all (one problem, naming the file).
    """

    def __init__(self, problems: list[str], *, unreadable: bool = False):
        self.problems = problems
        self.unreadable = unreadable
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class RoundFile:
    """A checked round file: its reference date and seed, and the facts as columns."""

    reference_date: date
    lottery_seed: str | int
    facts: RoundFacts


_SECTION_ORDER = {"": 0, "listings": 1, "applicants": 2, "bids": 3}
_FIELD_ORDER = {"": -1, **{key: i for i, key in enumerate((*TOP_KEYS, *LISTING_KEYS_2, *APPLICANT_KEYS,
                                                             "motivation_assessments", *BID_KEYS))}}


class _Problems:
    """Problems in file order: (section, row, field) -> message."""

    def __init__(self) -> None:
        self._items: list[tuple[tuple, str]] = []

    def add(self, section: str, row: int | None, field: str | None, message: str, order: int = 0) -> None:
        if row is None:
            location = field or section
        else:
            location = f"{section}[{row}]" + (f".{field}" if field else "")
        base_field = (field or "").split(".")[0]
        key = (_SECTION_ORDER.get(section, 0), -1 if row is None else row, _FIELD_ORDER.get(base_field, 99), order)
        self._items.append((key, f"{location}: {message}"))

    def __bool__(self) -> bool:
        return bool(self._items)

    def sorted(self) -> list[str]:
        return [text for _key, text in sorted(self._items, key=lambda item: item[0])]


# --- values -----------------------------------------------------------------------------------------------------


def _cents(value: Any) -> int | None:
    """Whole cents of an amount string such as "1234.56", or None when it is not one."""
    if type(value) is not str:
        return None
    match = AMOUNT.fullmatch(value)
    if match is None:
        return None
    whole, fraction = match.groups()
    return int(whole) * 100 + (int(fraction.ljust(2, "0")) if fraction else 0)


def _score_tenths(value: Any) -> int | None:
    """Whole tenths of a score string from "0.0" to "4.0" (at most one decimal), or None when it is not one."""
    if type(value) is not str:
        return None
    match = SCORE.fullmatch(value)
    if match is None:
        return None
    whole, tenth = match.groups()
    tenths = int(whole) * 10 + int(tenth or 0)
    return tenths if tenths <= 40 else None


def _score_message() -> str:
    return _('must be a score from "0.0" to "4.0" as a string with at most one decimal, such as "2.5"')


def _iso_date(value: Any) -> date | None:
    if type(value) is not str or not ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _iso_datetime(value: Any) -> datetime | None:
    """An ISO 8601 date and time as Python reads it (`datetime.fromisoformat`), or None."""
    if type(value) is not str:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _shown(value: Any) -> str:
    """A value for a message: a scalar as JSON, a list or object only by its kind (it may be huge or deep)."""
    if isinstance(value, list):
        return "[...]"
    if isinstance(value, dict):
        return "{...}"
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_string(value: Any) -> bool:
    return type(value) is str and value != ""


def _is_name_list(value: Any) -> bool:
    return value is None or (type(value) is list and all(type(v) is str and v for v in value))


def _amount_message() -> str:
    return _('must be an amount in euros as a string with at most two decimals, such as "1234.56"')


# --- the document -------------------------------------------------------------------------------------------------


def read_round_file(path: Path | str) -> RoundFile:
    """Read, parse and check a round file (UTF-8, or UTF-16/32 with a byte order mark).

    Raises:
        RoundFileError: the file cannot be read, is not JSON, or breaks the contract (every problem listed);
            `unreadable` says it was the first (one problem, naming the file).
    """
    path = Path(path)
    try:
        data = safeinput.read_bytes(path, str(path))
        text = safeinput.decode_text(data, str(path), fallback=None)
        del data
        with gc_paused():
            # No depth walk and floats parsed in C (seconds on a national round): every value's type is checked
            # below (a score must be finite), and json's own recursion limit stops a document nested too deeply.
            document = safeinput.load_json(text, str(path), max_depth=None, parse_float=float)
            del text  # the parsed rows take memory enough
            return parse_round_document(document)
    except InputError as exc:
        raise RoundFileError([str(exc)], unreadable=True) from None


def parse_round_document(document: Any) -> RoundFile:
    """Check a parsed round document and turn it into facts.

    Raises:
        RoundFileError: with every problem, in file order.
    """
    problems = _Problems()
    if type(document) is not dict:
        raise RoundFileError([_("the round file must be a JSON object with the keys %(keys)s")
                              % {"keys": ", ".join(TOP_KEYS)}])
    _check_keys(document, TOP_KEYS, problems, "", None)
    if "format" in document and document["format"] not in (FORMAT, FORMAT_2):
        problems.add("", None, "format", _('must be "%(format)s" or "%(format_2)s", not %(value)s')
                     % {"format": FORMAT, "format_2": FORMAT_2, "value": _shown(document["format"])})
    # A file that names no known format is checked as round/1, the format every earlier file has.
    is_round_2 = document.get("format") == FORMAT_2
    reference_date = None
    if "reference_date" in document:
        reference_date = _iso_date(document["reference_date"])
        if reference_date is None:
            problems.add("", None, "reference_date", _('must be a date such as "2026-01-31"'))
    seed = document.get("lottery_seed")
    if "lottery_seed" in document and not (_is_string(seed) or (type(seed) is int)):
        problems.add("", None, "lottery_seed", _("must be a non-empty string or a whole number"))

    sections = {}
    for name in ("listings", "applicants", "bids"):
        rows = document.get(name, _ABSENT)
        if rows is _ABSENT:
            rows = []
        elif type(rows) is not list:
            problems.add("", None, name, _("must be a list"))
            rows = []
        sections[name] = rows

    listings, listing_index = _listings(sections["listings"], problems, is_round_2)
    applicant_columns = _applicants(sections["applicants"], listing_index, problems, is_round_2)
    bid_columns = _bids(sections["bids"], applicant_columns["index"], listing_index, problems)
    if problems:
        raise RoundFileError(problems.sorted())
    facts = RoundFacts.from_columns(
        listings=listings,
        applicant_ids=applicant_columns["ids"],
        household_size=applicant_columns["household_size"],
        assessed_income_cents=applicant_columns["income"],
        is_pension_age_household=applicant_columns["pension"],
        registration_day=applicant_columns["registration_day"],
        is_urgent=applicant_columns["urgent"],
        applicant_groups=applicant_columns["groups"],
        motivation_applicant=applicant_columns["motivation"][0],
        motivation_listing=applicant_columns["motivation"][1],
        motivation_score=applicant_columns["motivation"][2],
        bid_applicant=bid_columns["applicant"],
        bid_listing=bid_columns["listing"],
        bid_preference=bid_columns["preference"],
        bid_submitted_us=bid_columns["submitted_us"],
        submitted_at_is_utc=bid_columns["is_utc"],
        has_checked_conflicts=True,
        motivation_rule=MotivationRule.ASSESSMENTS if is_round_2 else MotivationRule.SCORE,
        **applicant_columns.get("assessments", {}),
    )
    return RoundFile(reference_date=reference_date, lottery_seed=seed, facts=facts)


def _check_keys(row: dict, keys: tuple[str, ...], problems: _Problems, section: str, index: int | None) -> None:
    for key in keys:
        if key not in row:
            problems.add(section, index, key, _("missing"))
    for key in row:
        if key not in keys:
            problems.add(section, index, None if index is not None else key,
                         _('unknown key "%(key)s"') % {"key": key}, order=1)


def _objects(rows: list, keys: tuple[str, ...], section: str, problems: _Problems) -> list[int]:
    """Indices of the rows that are objects; reports the others and every missing or unknown key."""
    good = [i for i, row in enumerate(rows) if type(row) is dict]
    if len(good) != len(rows):
        for i, row in enumerate(rows):
            if type(row) is not dict:
                problems.add(section, i, None, _("must be an object"))
    key_set = set(keys)
    for i in good:
        if rows[i].keys() != key_set:
            _check_keys(rows[i], keys, problems, section, i)
    return good


def _column(rows: list, good: list[int], key: str) -> list:
    if len(good) == len(rows):
        return [row.get(key, _ABSENT) for row in rows]
    column = [_ABSENT] * len(rows)
    for i in good:
        column[i] = rows[i].get(key, _ABSENT)
    return column


# --- listings -----------------------------------------------------------------------------------------------------


def _listings(rows: list, problems: _Problems, is_round_2: bool = False) -> tuple[list[Listing], dict[str, int]]:
    keys = LISTING_KEYS_2 if is_round_2 else LISTING_KEYS
    good = _objects(rows, keys, "listings", problems)
    listings: list[Listing] = []
    index: dict[str, int] = {}
    selections = ", ".join(key.value for key in SelectionKey)
    for i in good:
        row = rows[i]
        before = len(problems._items)

        def bad(key: str, message: str, i=i) -> None:
            problems.add("listings", i, key, message)

        identifier = row.get("id")
        if "id" in row:
            if not _is_string(identifier):
                bad("id", _("must be a non-empty string"))
            elif identifier in index:
                bad("id", _('"%(id)s" is also the id of listings[%(other)d]') % {"id": identifier,
                                                                              "other": index[identifier]})
            else:
                index[identifier] = i
        for key in ("dwelling", "complex", "municipality"):
            if key in row and row[key] is not None and type(row[key]) is not str:
                bad(key, _("must be a string or null"))
        if "base_rent" in row and _cents(row["base_rent"]) is None:
            bad("base_rent", _amount_message())
        if "selection" in row and (type(row["selection"]) is not str
                                   or row["selection"] not in {key.value for key in SelectionKey}):
            bad("selection", _("must be one of %(choices)s") % {"choices": selections})
        for key in ("urgency_first", "affordability_exception"):
            if key in row and type(row[key]) is not bool:
                bad(key, _("must be true or false"))
        sizes = {}
        for key in ("household_size_min", "household_size_max"):
            value = row.get(key)
            if value is not None and (type(value) is not int or not 1 <= value <= MAX_HOUSEHOLD_SIZE):
                bad(key, _("must be a whole number from 1 to %(max)d, or null") % {"max": MAX_HOUSEHOLD_SIZE})
            else:
                sizes[key] = value
        if None not in (sizes.get("household_size_min"), sizes.get("household_size_max")) and (
            sizes["household_size_min"] > sizes["household_size_max"]
        ):
            bad("household_size_min", _("is above household_size_max"))
        incomes = {}
        for key in ("income_min", "income_max"):
            value = row.get(key)
            if value is not None and _cents(value) is None:
                bad(key, _amount_message() + _(", or null"))
            else:
                incomes[key] = value
        if None not in (incomes.get("income_min"), incomes.get("income_max")) and (
            _cents(incomes["income_min"]) > _cents(incomes["income_max"])
        ):
            bad("income_min", _("is above income_max"))
        for key in ("allowed_groups", "excluded_groups"):
            if key in row and not _is_name_list(row[key]):
                bad(key, _("must be a list of non-empty strings, or null"))
        if is_round_2:
            _check_motivation_labels(row, bad)
        if len(problems._items) == before and row.keys() == set(keys):
            labels = {}
            if is_round_2:
                minimum = row["motivation_min_score"]
                labels = {"criteria": tuple(row["criteria"] or ()),
                          "motivation_min_score": None if minimum is None else Decimal(_score_tenths(minimum)) / 10}
            listings.append(
                Listing(
                    id=identifier,
                    base_rent=Decimal(row["base_rent"]),
                    selection=SelectionKey(row["selection"]),
                    urgency_first=row["urgency_first"],
                    household_size_min=row["household_size_min"],
                    household_size_max=row["household_size_max"],
                    income_min=None if row["income_min"] is None else Decimal(row["income_min"]),
                    income_max=None if row["income_max"] is None else Decimal(row["income_max"]),
                    allowed_groups=frozenset(row["allowed_groups"] or ()),
                    excluded_groups=frozenset(row["excluded_groups"] or ()),
                    affordability_exception=row["affordability_exception"],
                    dwelling=row["dwelling"],
                    complex=row["complex"],
                    municipality=row["municipality"],
                    **labels,
                )
            )
    return listings, index


def _check_motivation_labels(row: dict, bad) -> None:
    """Round/2: a motivation listing publishes its criteria and may set a minimum score; other listings do neither."""
    is_motivation = row.get("selection") == SelectionKey.MOTIVATION.value
    # Without a valid selection the listing's selection is reported already; its labels are only checked as values.
    has_selection = row.get("selection") in {key.value for key in SelectionKey}
    if "criteria" in row:
        criteria = row["criteria"]
        if not _is_name_list(criteria):
            bad("criteria", _("must be a list of non-empty texts, or null"))
        elif is_motivation and not criteria:
            bad("criteria", _('listing "%(id)s" selects on motivation and must publish its criteria: a non-empty '
                              "list of texts") % {"id": row.get("id")})
        elif criteria and not is_motivation and has_selection:
            bad("criteria", _("only a listing that selects on motivation has criteria (null or [] here)"))
    if "motivation_min_score" in row and row["motivation_min_score"] is not None:
        if _score_tenths(row["motivation_min_score"]) is None:
            bad("motivation_min_score", _score_message() + _(", or null"))
        elif not is_motivation and has_selection:
            bad("motivation_min_score", _("only a listing that selects on motivation has a minimum score (null here)"))


# --- columns ----------------------------------------------------------------------------------------------------


def _columns(rows: list, keys: tuple[str, ...], section: str, problems: _Problems) -> list:
    """One sequence per key with every row's value; `_ABSENT` where a row is not an object or lacks the key.

    The common case (every row an object with exactly these keys) takes one C-level pass (`itemgetter`); anything
    else is checked row by row, reporting every row that is not an object and every missing or unknown key.
    """
    if not rows:
        return [() for _key in keys]
    try:
        if set(map(len, rows)) != {len(keys)}:
            raise TypeError
        return list(zip(*map(itemgetter(*keys), rows), strict=True))
    except (TypeError, KeyError):
        good = _objects(rows, keys, section, problems)
        return [_column(rows, good, key) for key in keys]


def _report_each(column, is_valid, problems: _Problems, section: str, key: str, message: str) -> None:
    """Report every present value that `is_valid` refuses: the slow path, run only when a fast check failed."""
    for i, value in enumerate(column):
        if value is not _ABSENT and not is_valid(value):
            problems.add(section, i, key, message)


def _types(column) -> set:
    return set(map(type, column))


def _whole_numbers(column, low: int, high: int, problems: _Problems, section: str, key: str, message: str):
    """int64 array of whole numbers low..high (bool is not a number here); None when any value is not one."""
    if _types(column) <= {int}:
        try:
            array = np.array(column, dtype=np.int64)
        except OverflowError:
            array = None
        if array is not None and (not len(array) or (array.min() >= low and array.max() <= high)):
            return array
    _report_each(column, lambda v: type(v) is int and low <= v <= high, problems, section, key, message)
    return None


def _amounts(column, problems: _Problems, section: str, key: str):
    """int64 array of whole cents; None when any value is not an amount string."""
    try:
        is_valid = all(map(AMOUNT.fullmatch, column))
    except TypeError:  # a value that is not a string
        is_valid = False
    if is_valid:
        # At most 12 + 2 digits: a float holds the amount within 1e-2 cents, so rounding gives the exact cents.
        return np.rint(np.array(column, dtype=np.float64) * 100).astype(np.int64)
    _report_each(column, lambda v: _cents(v) is not None, problems, section, key, _amount_message())
    return None


def _booleans(column, problems: _Problems, section: str, key: str):
    if _types(column) <= {bool}:
        return np.array(column, dtype=bool)
    _report_each(column, lambda v: type(v) is bool, problems, section, key, _("must be true or false"))
    return None


def _dates(column, problems: _Problems, section: str, key: str):
    """int64 array of date ordinals; None when any value is not a YYYY-MM-DD date."""
    try:
        if all(map(ISO_DATE.fullmatch, column)):
            return np.fromiter(map(date.toordinal, map(date.fromisoformat, column)), np.int64, len(column))
    except (TypeError, ValueError):
        pass
    _report_each(column, lambda v: _iso_date(v) is not None, problems, section, key,
                 _('must be a date such as "2026-01-31"'))
    return None


def _name_lists(column, problems: _Problems, section: str, key: str) -> bool:
    if _types(column) <= {list, type(None)}:
        names = list(chain.from_iterable(filter(None, column)))
        if _types(names) <= {str} and "" not in names:
            return True
    _report_each(column, _is_name_list, problems, section, key, _("must be a list of non-empty strings, or null"))
    return False


def _id_index(ids) -> dict[str, int]:
    """id -> position. The bids look up 1.5 million ids in it, so its keys are fresh copies made one after another:
    close together in memory, a lookup finds its key with fewer cache and TLB misses than among the parsed rows
    (a third faster for a national round)."""
    copies = "\x00".join(ids).split("\x00")
    if len(copies) != len(ids):  # an id with a NUL in it: use the ids as they are
        copies = ids
    return dict(zip(copies, range(len(ids)), strict=True))


# --- applicants ---------------------------------------------------------------------------------------------------


def _applicants(rows: list, listing_index: dict[str, int], problems: _Problems, is_round_2: bool = False) -> dict:
    section = "applicants"
    (ids, sizes, incomes, pensions, registrations, urgents, groups, motivations) = _columns(
        rows, APPLICANT_KEYS_2 if is_round_2 else APPLICANT_KEYS, section, problems
    )
    n = len(rows)
    all_strings = _types(ids) <= {str}
    if not (all_strings and "" not in ids):
        _report_each(ids, _is_string, problems, section, "id", _("must be a non-empty string"))
    index = _id_index(ids) if all_strings else {}
    if len(index) != n:
        index = {}
        for i, value in enumerate(ids):
            if type(value) is not str:
                continue
            if value in index:
                problems.add(section, i, "id", _('"%(id)s" is also the id of applicants[%(other)d]')
                             % {"id": value, "other": index[value]})
            else:
                index[value] = i

    household_size = _whole_numbers(sizes, 1, MAX_HOUSEHOLD_SIZE, problems, section, "household_size",
                                    _("must be a whole number from 1 to %(max)d") % {"max": MAX_HOUSEHOLD_SIZE})
    income = _amounts(incomes, problems, section, "assessed_income")
    pension = _booleans(pensions, problems, section, "is_pension_age_household")
    urgent = _booleans(urgents, problems, section, "is_urgent")
    registration_day = _dates(registrations, problems, section, "registration_date")
    _name_lists(groups, problems, section, "groups")

    motivation_rows: list[tuple[int, int, float]] = []
    assessments = None
    if is_round_2:
        assessments = _assessments(motivations, listing_index, problems)
        motivations = ()
    elif not _types(motivations) <= {dict, type(None)}:
        _report_each(motivations, lambda v: v is None or type(v) is dict, problems, section, "motivation_scores",
                     _("must be an object {listing id: score}, or null"))
    for i in [i for i, scores in enumerate(motivations) if scores]:
        scores = motivations[i]
        if type(scores) is not dict:
            continue
        for listing_id, score in scores.items():
            where = f"motivation_scores.{listing_id}"
            if listing_id not in listing_index:
                problems.add(section, i, where, _('unknown listing "%(id)s"') % {"id": listing_id})
            elif type(score) not in (int, float) or not math.isfinite(score):
                problems.add(section, i, where, _("must be a number"))
            else:
                motivation_rows.append((i, listing_index[listing_id], float(score)))
    if problems:
        return {"index": index}
    motivation = np.array(motivation_rows, dtype=np.float64).reshape(-1, 3)
    return {
        "assessments": assessments or {},
        "index": index,
        "ids": ids,
        "household_size": household_size,
        "income": income,
        "pension": pension,
        "urgent": urgent,
        "registration_day": registration_day,
        "groups": [g or () for g in groups],
        "motivation": (motivation[:, 0].astype(np.int64), motivation[:, 1].astype(np.int64), motivation[:, 2]),
    }


def _assessments(column, listing_index: dict[str, int], problems: _Problems) -> dict:
    """Round/2 `motivation_assessments` as the assessment columns of `RoundFacts.from_columns`.

    Each value is null or an object {listing id: [{"assessor": text, "score": "0.0".."4.0"}]}; every problem is
    reported at its place (`applicants[3].motivation_assessments.L1[0].score`).
    """
    section = "applicants"
    assessor_index: dict[str, int] = {}
    rows: list[tuple[int, int, int, int]] = []
    for i, value in enumerate(column):
        if value is _ABSENT or value is None:
            continue
        if type(value) is not dict:
            problems.add(section, i, "motivation_assessments",
                         _('must be an object {listing id: [{"assessor": ..., "score": ...}]}, or null'))
            continue
        for listing_id, given in value.items():
            where = f"motivation_assessments.{listing_id}"
            if listing_id not in listing_index:
                problems.add(section, i, where, _('unknown listing "%(id)s"') % {"id": listing_id})
            elif type(given) is not list:
                problems.add(section, i, where, _('must be a list of assessments [{"assessor": ..., "score": ...}]'))
            else:
                for k, item in enumerate(given):
                    checked = _assessment(item, f"{where}[{k}]", section, i, problems)
                    if checked is not None:
                        who, tenths = checked
                        assessor = assessor_index.setdefault(who, len(assessor_index))
                        rows.append((i, listing_index[listing_id], assessor, tenths))
    columns = np.array(rows, dtype=np.int64).reshape(-1, 4)
    return {"assessor_ids": tuple(assessor_index), "assessment_applicant": columns[:, 0],
            "assessment_listing": columns[:, 1], "assessment_assessor": columns[:, 2],
            "assessment_score_tenths": columns[:, 3]}


def _assessment(item: Any, where: str, section: str, row: int, problems: _Problems) -> tuple[str, int] | None:
    """One assessment's assessor and score in tenths, or None after reporting what is wrong with it."""
    if type(item) is not dict:
        problems.add(section, row, where, _('must be an object {"assessor": ..., "score": ...}'))
        return None
    is_valid = True
    for key in ASSESSMENT_KEYS:
        if key not in item:
            problems.add(section, row, f"{where}.{key}", _("missing"))
            is_valid = False
    for key in item:
        if key not in ASSESSMENT_KEYS:
            problems.add(section, row, where, _('unknown key "%(key)s"') % {"key": key}, order=1)
            is_valid = False
    if "assessor" in item and not _is_string(item["assessor"]):
        problems.add(section, row, f"{where}.assessor", _("must be a non-empty string"))
        is_valid = False
    tenths = _score_tenths(item.get("score"))
    if "score" in item and tenths is None:
        problems.add(section, row, f"{where}.score", _score_message())
        is_valid = False
    return (item["assessor"], tenths) if is_valid else None


# --- bids ---------------------------------------------------------------------------------------------------------


def _resolve(column, index: dict[str, int], kind: str, problems: _Problems) -> np.ndarray:
    """Per row the index of the id, -1 where it is unknown or not a string (each reported)."""
    try:
        positions = np.fromiter(map(index.get, column, repeat(-1)), np.int64, len(column))
    except TypeError:  # an unhashable value such as a list
        positions = np.array([index.get(v, -1) if type(v) is str else -1 for v in column], dtype=np.int64)
    if len(positions) and positions.min() < 0:
        for i in np.flatnonzero(positions < 0).tolist():
            value = column[i]
            if value is _ABSENT:
                continue
            if not _is_string(value):
                problems.add("bids", i, kind, _("must be a non-empty string"))
            elif kind == "applicant":
                problems.add("bids", i, kind, _('unknown applicant "%(id)s"') % {"id": value})
            else:
                problems.add("bids", i, kind, _('unknown listing "%(id)s"') % {"id": value})
    return positions


def _bids(rows: list, applicant_index: dict[str, int], listing_index: dict[str, int], problems: _Problems) -> dict:
    section = "bids"
    applicants, listings, preferences, times = _columns(rows, BID_KEYS, section, problems)
    applicant = _resolve(applicants, applicant_index, "applicant", problems)
    listing = _resolve(listings, listing_index, "listing", problems)
    preference = _whole_numbers(preferences, 1, MAX_PREFERENCE, problems, section, "preference",
                                _("must be a whole number from 1 to %(max)d") % {"max": MAX_PREFERENCE})
    if preference is None:
        preference = np.array([v if type(v) is int and 1 <= v <= MAX_PREFERENCE else 0 for v in preferences],
                              dtype=np.int64)
    microseconds, is_utc = _microseconds(times, problems)

    known = (applicant >= 0) & (listing >= 0) & (preference > 0)
    for conflict in bid_conflicts(applicant, listing, preference, known):
        if conflict.kind == "duplicate_bid":
            problems.add(section, conflict.bid, None,
                         _('applicant "%(applicant)s" already bid on listing "%(listing)s" in bids[%(first)d]')
                         % {"applicant": applicants[conflict.bid], "listing": listings[conflict.bid],
                            "first": conflict.first}, order=2)
        else:
            problems.add(section, conflict.bid, "preference",
                         _('applicant "%(applicant)s" already gave preference %(preference)d in bids[%(first)d]')
                         % {"applicant": applicants[conflict.bid], "preference": preferences[conflict.bid],
                            "first": conflict.first}, order=2)
    return {"applicant": applicant, "listing": listing, "preference": preference, "submitted_us": microseconds,
            "is_utc": is_utc}


def _microseconds(column, problems: _Problems) -> tuple[np.ndarray, bool]:
    """Bid times in microseconds since 1970-01-01; all with a UTC offset (converted to UTC) or all without."""
    try:
        moments = list(map(datetime.fromisoformat, column))
    except (TypeError, ValueError):
        moments = None
    if moments is not None and _types(map(attrgetter("tzinfo"), moments)) <= {type(None)}:
        # numpy reads standard ISO text 3 times faster than datetime arithmetic; other forms that Python accepts
        # (week dates, basic format, more than 6 decimals) go the slow way.
        if max(map(len, column), default=0) <= 26:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return np.array(column, dtype="datetime64[us]").astype(np.int64), False
            except ValueError:
                pass
        return np.fromiter(map(ONE_MICROSECOND.__rfloordiv__, map(EPOCH.__rsub__, moments)), np.int64,
                           len(moments)), False
    if moments is not None and None not in set(map(attrgetter("tzinfo"), moments)):
        # Every bid with an offset. The product writes UTC ("+00:00"): numpy reads the text before it as fast as
        # the naive form above; other offsets are converted by datetime arithmetic.
        if all(map(str.endswith, column, repeat("+00:00"))) and max(map(len, column), default=0) <= 32:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return np.array([text[:-6] for text in column], dtype="datetime64[us]").astype(np.int64), True
            except ValueError:
                pass
        return np.fromiter(map(ONE_MICROSECOND.__rfloordiv__, map(EPOCH_UTC.__rsub__, moments)), np.int64,
                           len(moments)), True
    parsed = [_iso_datetime(v) if v is not _ABSENT else _ABSENT for v in column]
    is_utc = any(isinstance(d, datetime) and d.tzinfo is not None for d in parsed)
    values = np.zeros(len(column), dtype=np.int64)
    for i, moment in enumerate(parsed):
        if moment is _ABSENT:
            continue
        if moment is None:
            problems.add("bids", i, "submitted_at",
                         _('must be a date and time such as "2026-01-31T09:30:00" (optionally with a UTC offset)'))
        elif is_utc and moment.tzinfo is None:
            problems.add("bids", i, "submitted_at", _("has no UTC offset while other bids have one"))
        else:
            values[i] = (moment - (EPOCH_UTC if is_utc else EPOCH)) // ONE_MICROSECOND
    return values, is_utc


# --- the result ---------------------------------------------------------------------------------------------------


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while millions of small containers are made.

    Parsing a national round creates some 10 million dicts, lists and strings and no reference cycles; every
    700 new containers the collector would otherwise walk the growing heap, which more than doubles the time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_URGENT = {True: ',"is_urgent":true', False: ',"is_urgent":false'}


def write_result(result: RoundResult, handle: IO[str], *, indent: int | None = None) -> None:
    """Write the result as `buurtbalans.round-result/1` JSON (docs/allocation.md), streaming listing by listing.

    The text is made from the result's columns (`RoundResult.candidate_columns`) with string templates rather
    than one dict per candidate: for a national round that is 5 times faster. It is the same document as
    `json.dumps(result.to_document())` (a test checks that). With `indent` the document is built as dicts and
    pretty-printed instead (small rounds, golden files).
    """
    if indent is not None:
        json.dump(result.to_document(), handle, indent=indent, ensure_ascii=False)
        handle.write("\n")
        return
    with gc_paused():
        _write_stream(result, handle)


def _write_stream(result: RoundResult, handle: IO[str]) -> None:
    facts = result.facts
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    quote = json.encoder.encode_basestring  # what `encode` does to a str: quotes and escapes
    applicant_text = list(map(quote, facts.applicant_ids))
    listing_text = list(map(quote, facts.listing_ids))
    columns = result.candidate_columns()
    texts = _candidate_texts(result, columns, applicant_text, listing_text, encode, quote)

    write = handle.write
    write('{"format":' + encode(result.format))
    write(',"parameters_version":' + encode(result.parameters_version))
    write(',"reference_date":' + encode(result.reference_date.isoformat()))
    write(',"lottery_seed":' + encode(result.lottery_seed))
    write(',"allocations":' + encode(result.allocation_entries()))
    write(',"listings":{')
    reserve = np.flatnonzero(columns.reserve_position > 0)
    reserve_start = np.searchsorted(columns.listing[reserve], np.arange(len(facts.listings) + 1))
    reserve_applicant = columns.applicant[reserve].tolist()
    reserve_rank = columns.rank[reserve].tolist()
    start = result.ranking.start.tolist()
    for li in range(len(facts.listings)):
        reserve_text = ",".join(
            '{"applicant":' + applicant_text[reserve_applicant[i]] + ',"rank":' + str(reserve_rank[i]) + "}"
            for i in range(reserve_start[li], reserve_start[li + 1])
        )
        write(
            ("," if li else "")
            + listing_text[li]
            + ':{"status":"' + result.listing_status(li).value + '","candidates":['
            + ",".join(texts[start[li]: start[li + 1]])
            + '],"reserve":[' + reserve_text + "]}"
        )
    write('},"ineligible":[')
    bids = np.flatnonzero(result.reason)
    if result.assessed is not None:
        _write_ineligible_round_2(result, bids, applicant_text, listing_text, encode, write)
        return
    reason_text = [reason.value for reason in REASON_ORDER]
    chunk = 200_000
    for first in range(0, len(bids), chunk):
        part = bids[first: first + chunk]
        rows = zip(  # noqa: B905 - maps of equal length; strict would cost a check per row
            map(applicant_text.__getitem__, facts.bid_applicant[part].tolist()),
            map(listing_text.__getitem__, facts.bid_listing[part].tolist()),
            map(reason_text.__getitem__, (result.reason[part] - 1).tolist()),
        )
        write(("," if first else "") + ",".join(map('{"applicant":%s,"listing":%s,"reason":"%s"}'.__mod__, rows)))
    write("]}\n")


def _write_ineligible_round_2(result: RoundResult, bids, applicant_text, listing_text, encode, write) -> None:
    """Round/2's ineligible entries: a motivation reason adds the score and the assessments counted."""
    facts = result.facts
    rows = zip(
        map(applicant_text.__getitem__, facts.bid_applicant[bids].tolist()),
        map(listing_text.__getitem__, facts.bid_listing[bids].tolist()),
        (REASON_ORDER[code - 1].value for code in result.reason[bids].tolist()),
        result.motivation_extras(bids),
        strict=True,
    )
    write(",".join(
        '{"applicant":' + applicant + ',"listing":' + listing + ',"reason":"' + reason + '"'
        + ("," + encode(extra)[1:] if extra else "}")
        for applicant, listing, reason, extra in rows
    ))
    write("]}\n")


def candidate_detail_texts(result: RoundResult) -> list[str]:
    """The JSON text of every candidate's `detail`, in `ranking.order` (`RoundResult.candidate_columns().bid` gives
    each one's bid): the same objects as `RoundResult.listing_entry` gives, keys in the same order.

    The service stores them as the `detail` of the outcome rows: 60,000 texts of a weekly round in a tenth of the
    time of a dict per candidate passed through `json.dumps`.
    """
    facts = result.facts
    columns = result.candidate_columns()
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    quote = json.encoder.encode_basestring
    parts = _detail_parts(result, columns, list(map(quote, facts.applicant_ids)), list(map(quote, facts.listing_ids)),
                          encode, quote)
    number, applicants, middle, lottery, tails = parts
    return list(map("".join, zip(  # noqa: B905 - columns of equal length
        repeat('{"preference":', len(applicants)),
        map(number, columns.preference.tolist()),
        middle,
        map(lottery.__getitem__, applicants),
        tails,
    )))


def _candidate_texts(result, columns, applicant_text, listing_text, encode, quote) -> list[str]:
    """The JSON text of every candidate entry, in `ranking.order` (the same as `RoundResult._candidate_entries`).

    Built from pieces with C-level maps: per applicant its opening and lottery number, per listing the part that
    names who got it, per candidate only rank, preference and what differs.
    """
    number, applicants, middle, lottery, tails = _detail_parts(result, columns, applicant_text, listing_text,
                                                               encode, quote)
    opening = list(map('{{"applicant":{},"rank":'.format, applicant_text))
    outcome_head = [',"outcome":"' + o.value + '","detail":{"preference":' for o in OUTCOME_ORDER]
    return list(map("".join, zip(  # noqa: B905 - columns of equal length
        map(opening.__getitem__, applicants),
        map(number, columns.rank.tolist()),
        map(outcome_head.__getitem__, columns.outcome.tolist()),
        map(number, columns.preference.tolist()),
        middle,
        map(lottery.__getitem__, applicants),
        tails,
        repeat("}", len(applicants)),
    )))


def _detail_parts(result, columns, applicant_text, listing_text, encode, quote):
    """The pieces of the candidates' `detail` texts after the preference: the selection key and urgency
    (`middle`), the lottery number per applicant, and what differs per outcome (`tails`, closing the object).

    Returns:
        (number, applicants, middle, lottery, tails): `number(n)` is the text of a small whole number,
        `applicants` the applicant index per candidate.
    """
    facts = result.facts
    n = len(columns.bid)
    listings = facts.listings
    start = result.ranking.start.tolist()
    applicants = columns.applicant.tolist()
    lottery = list(map(',"lottery_number":"{}"'.format, result.lottery.tolist()))

    # Urgency and selection key: the same fields for every candidate of a listing.
    middle = [""] * n
    registration = None
    is_urgent = columns.is_urgent.tolist()
    for li, listing in enumerate(listings):
        lo, hi = start[li], start[li + 1]
        if lo == hi:
            continue
        name = KEY_FIELD[listing.selection]
        parts = None
        if listing.selection is SelectionKey.REGISTRATION:
            if registration is None:  # once per applicant rather than once per candidate
                registration = list(map(',"registration_date":"{}"'.format, result.registration_date_texts()))
            parts = list(map(registration.__getitem__, applicants[lo:hi]))
        elif name is not None:
            prefix = ',"' + name + '":'
            values = columns.key_values(result, lo, hi)
            if listing.selection is SelectionKey.MOTIVATION and result.assessed is not None:
                parts = _assessed_parts(result, columns.bid[lo:hi], applicants[lo:hi], values, encode, quote)
            elif listing.selection is SelectionKey.MOTIVATION:
                parts = [prefix + encode(v) for v in values]
            else:  # times: strings
                parts = list(map(prefix.__add__, map(quote, values)))
        if listing.urgency_first:
            urgent = map(_URGENT.__getitem__, is_urgent[lo:hi])
            parts = list(map(str.__add__, urgent, parts)) if parts else list(urgent)
        if parts:
            middle[lo:hi] = parts

    tails = ["}"] * n
    outcome = columns.outcome
    elsewhere = np.flatnonzero(outcome == ALLOCATED_ELSEWHERE)
    for i, other, preference in zip(elsewhere.tolist(), columns.allocated_listing[elsewhere].tolist(),
                                    columns.allocated_preference[elsewhere].tolist(), strict=True):
        tails[i] = ',"allocated_listing":' + listing_text[other] + ',"allocated_preference":' + str(preference) + "}"

    outranked = np.flatnonzero(outcome == OUTRANKED)
    if len(outranked):
        winner_part = {}
        for li in np.unique(columns.listing[outranked]).tolist():
            first = start[li]  # the allocated candidate's values are the same on every row of the listing
            winner_part[li] = (',"allocated_to":' + applicant_text[int(columns.allocated_to[first])]
                              + ',"allocated_rank":' + str(int(columns.allocated_rank[first])) + ',"decided_by":"')
        reserve = columns.reserve_position[outranked]
        other = columns.allocated_listing[outranked]
        # Most outranked candidates are on no reserve list and got nothing: their tail depends on listing and
        # decided_by only, so it is made once per such pair.
        plain = (reserve == 0) & (other < 0)
        pair = columns.listing[outranked] * len(DECIDED_BY) + columns.decided_by[outranked]
        nulls = '","reserve_position":null,"allocated_listing":null,"allocated_preference":null}'
        common = {
            key: winner_part[key // len(DECIDED_BY)] + DECIDED_BY[key % len(DECIDED_BY)] + nulls
            for key in np.unique(pair[plain]).tolist()
        }
        for i, key in zip(outranked[plain].tolist(), pair[plain].tolist(), strict=True):
            tails[i] = common[key]
        rest = np.flatnonzero(~plain)
        for i, li, decided, place, got, preference in zip(
            outranked[rest].tolist(),
            columns.listing[outranked[rest]].tolist(),
            columns.decided_by[outranked[rest]].tolist(),
            reserve[rest].tolist(),
            other[rest].tolist(),
            columns.allocated_preference[outranked[rest]].tolist(),
            strict=True,
        ):
            tails[i] = (
                winner_part[li] + DECIDED_BY[decided] + '","reserve_position":' + (str(place) if place else "null")
                + ',"allocated_listing":' + (listing_text[got] if got >= 0 else "null")
                + ',"allocated_preference":' + (str(preference) if got >= 0 else "null") + "}"
            )

    # Ranks and preferences are small numbers: their text is looked up rather than made 2 million times.
    largest = max(int(columns.rank.max(initial=0)), int(columns.preference.max(initial=0)))
    number = list(map(str, range(largest + 1))).__getitem__ if largest <= 100_000 else str
    return number, applicants, middle, lottery, tails


def _assessed_parts(result: RoundResult, bids, applicants: list[int], scores: list[str], encode, quote) -> list[str]:
    """Round/2 motivation candidates: the score, the assessments it was made from and the registration date."""
    registered = result.registration_date_texts()
    return [
        ',"motivation_score":' + quote(score) + ',"motivation_assessments":' + encode(used)
        + ',"registration_date":"' + registered[a] + '"'
        for score, used, a in zip(scores, result.assessments_used(bids), applicants, strict=True)
    ]
