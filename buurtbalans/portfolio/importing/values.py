"""Cell parsers: text from a CSV or a value from an Excel cell to the Python value we store.

Each parser takes a non-empty value (a stripped `str` from CSV, or an int/float/bool/date/datetime/str
from openpyxl) and returns the converted value, or raises `ValueError` whose text is the whole
user-facing message (`"6l2,50" is not an amount`). Empty cells never reach a parser: the row reader
handles them (default or "a value is required").

Numbers follow Dutch and international habits, decided by the separators present:

* `612,50`, `1.234,56`, `€ 612,50`      comma is the decimal separator, dots group thousands;
* `612.50`, `1,234.56`                  dot is the decimal separator, commas group thousands;
* `1.234`, `1.234.567`                  a dot followed by groups of exactly three digits groups thousands
                                         (the Dutch reading; none of our fields has three decimals);
* `1,234,567`                           several commas group thousands.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbalans.core import safeinput
from buurtbalans.core.exports import FORMULA_PREFIXES
from buurtbalans.core.validators import postal_code

Parser = Callable[[object], object]

# Spaces of every kind (thin, non-breaking) appear in amounts copied from documents.
_STRIP_CHARS = str.maketrans("", "", " \u00a0\u202f\u2009\t")
_DIGITS = re.compile(r"[0-9]+")
# The common shapes ("612", "612,5", "612.50", "-12") skip the general path below.
_SIMPLE_NUMBER = re.compile(r"-?[0-9]{1,15}(?:[.,][0-9]{1,2})?")
_GROUPED = {".": re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+"), ",": re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+")}


def show(value: object) -> str:
    """The value as the user typed it, for messages (long values are cut)."""
    if isinstance(value, datetime):
        text = value.isoformat(sep=" ")
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def bad(value: object, problem: str) -> ValueError:
    return ValueError(f'"{show(value)}" {problem}')


def memoized(parse: Parser, limit: int = 100_000) -> Parser:
    """`parse` with a cache of its results: labels, dates and postcodes repeat thousands of times in a file.

    Only successful results are kept (an error is raised again each time, so each row gets its message).
    """
    cache: dict[object, object] = {}
    missing = object()

    def cached(value: object) -> object:
        result = cache.get(value, missing)
        if result is missing:
            result = parse(value)
            if len(cache) < limit:
                cache[value] = result
        return result

    cached.__wrapped__ = parse  # type: ignore[attr-defined]
    return cached


def parse_number(text: str) -> Decimal | None:
    """A Dutch or international number written as text, or None when it is not one (see the module doc)."""
    if _SIMPLE_NUMBER.fullmatch(text):
        return Decimal(text.replace(",", "."))
    s = text.translate(_STRIP_CHARS)
    negative = False
    for _round in range(2):  # "€ -612,50" and "-€ 612,50" are both seen
        if s[:1] in ("-", "+"):
            negative, s = s[0] == "-", s[1:]
        lowered = s.lower()
        if lowered.startswith("€"):
            s = s[1:]
        elif lowered.startswith("eur"):
            s = s[3:]
        elif lowered.endswith("€"):
            s = s[:-1]
        elif lowered.endswith("eur"):
            s = s[:-3]
    if s.endswith((",-", ".-")):  # "612,-" means whole euros
        s = s[:-2]
    if not s:
        return None
    has_dot, has_comma = "." in s, "," in s
    if has_dot and has_comma:
        decimal_sep = "," if s.rfind(",") > s.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        whole, fraction = s.rsplit(decimal_sep, 1)
        if not (_DIGITS.fullmatch(fraction) and _GROUPED[group_sep].fullmatch(whole)):
            return None
        digits = f"{whole.replace(group_sep, '')}.{fraction}"
    elif has_comma:
        if s.count(",") == 1:
            whole, fraction = s.split(",")
            if not (_DIGITS.fullmatch(whole) and _DIGITS.fullmatch(fraction)):
                return None
            digits = f"{whole}.{fraction}"
        elif _GROUPED[","].fullmatch(s):
            digits = s.replace(",", "")
        else:
            return None
    elif has_dot:
        if _GROUPED["."].fullmatch(s):
            digits = s.replace(".", "")
        elif s.count(".") == 1 and all(_DIGITS.fullmatch(part) for part in s.split(".")):
            digits = s
        else:
            return None
    elif _DIGITS.fullmatch(s):
        digits = s
    else:
        return None
    number = Decimal(digits)
    return -number if negative else number


def decimal_parser(*, places: int, max_digits: int, minimum: Decimal | None = Decimal(0), noun: str = "number"):
    """A parser for a DecimalField(max_digits, decimal_places=places)."""
    limit = Decimal(10) ** (max_digits - places)
    quantum = Decimal(1).scaleb(-places)
    # Lazy: the parser is built at import time, the message must be in the language active when it is raised.
    not_a = gettext_lazy("is not an amount") if noun == "amount" else gettext_lazy("is not a number")
    # Plainly within range and precision ("612,50", "1234.5"): no further checks needed.
    sign = "-?" if minimum is None else ""
    plain = re.compile(rf"{sign}[0-9]{{1,{max_digits - places}}}(?:[.,][0-9]{{1,{places}}})?")
    plain_match = plain.fullmatch if minimum is None or minimum == 0 else (lambda text: None)

    def parse(value: object) -> Decimal:
        cls = value.__class__
        if cls is str:
            if plain_match(value):  # type: ignore[arg-type]
                return Decimal(value.replace(",", "."))  # type: ignore[union-attr]
            else:
                number = parse_number(value)  # type: ignore[arg-type]
                if number is None:
                    raise bad(value, not_a)
                if number.as_tuple().exponent < -places:  # type: ignore[operator]
                    raise bad(value, _("has more than %(places)d decimals") % {"places": places})
        elif cls is int or cls is Decimal:
            number = Decimal(value)  # type: ignore[arg-type]
        elif cls is float:
            # An Excel number carries binary noise (612.4999999): round it to the field's precision.
            try:
                number = Decimal(repr(value)).quantize(quantum)
            except InvalidOperation:
                raise bad(value, not_a) from None
        else:
            raise bad(value, not_a)
        if minimum is not None and number < minimum:
            raise bad(value, _("is less than %(minimum)s") % {"minimum": minimum})
        if abs(number) >= limit:
            raise bad(value, _("is too large (at most %(limit)s)") % {"limit": limit - quantum})
        return number

    return parse


def int_parser(*, minimum: int, maximum: int):
    def parse(value: object) -> int:
        cls = value.__class__
        if cls is int:
            number = value
        elif cls is str and value.isdigit() and value.isascii():  # type: ignore[union-attr]
            number = int(value)  # type: ignore[arg-type]
        elif cls is float:
            if not value.is_integer():  # type: ignore[union-attr]
                raise bad(value, _("is not a whole number"))
            number = int(value)  # type: ignore[arg-type]
        else:
            decimal = parse_number(str(value)) if cls is str else None
            if decimal is None or decimal != decimal.to_integral_value():
                raise bad(value, _("is not a whole number"))
            number = int(decimal)
        if not minimum <= number <= maximum:  # type: ignore[operator]
            raise bad(value, _("is not between %(minimum)d and %(maximum)d") % {"minimum": minimum, "maximum": maximum})
        return number  # type: ignore[return-value]

    return parse


_DMY = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})")
_ISO_WITH_TIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?")
_EXCEL_EPOCH = date(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 1800, 2200


def parse_date(value: object) -> date:
    """ISO `2024-01-31`, Dutch `31-01-2024` (also with `/` or `.`), an Excel date cell or an Excel day number."""
    cls = value.__class__
    if cls is datetime:
        result = value.date()  # type: ignore[union-attr]
    elif cls is date:
        result = value
    elif cls is int or cls is float:
        # A date cell formatted as a number: Excel counts days from 1899-12-30.
        if not (1 <= value <= 2958465) or not float(value).is_integer():  # type: ignore[operator]
            raise bad(value, _("is not a date (expected yyyy-mm-dd or dd-mm-yyyy)"))
        result = date.fromordinal(_EXCEL_EPOCH.toordinal() + int(value))  # type: ignore[call-overload]
    else:
        text = str(value)
        try:
            if len(text) == 10 and text[4] == "-" and text[7] == "-":
                result = date.fromisoformat(text)
            elif match := _DMY.fullmatch(text):
                result = date(int(match[3]), int(match[2]), int(match[1]))
            elif match := _ISO_WITH_TIME.fullmatch(text):
                result = date.fromisoformat(match[1])
            else:
                raise ValueError
        except ValueError:
            raise bad(value, _("is not a date (expected yyyy-mm-dd or dd-mm-yyyy)")) from None
    if not MIN_YEAR <= result.year <= MAX_YEAR:  # type: ignore[union-attr]
        raise bad(value, _("is not a plausible date"))
    return result  # type: ignore[return-value]


TRUE_WORDS = frozenset({"ja", "j", "yes", "y", "true", "waar", "1", "x"})
FALSE_WORDS = frozenset({"nee", "n", "no", "false", "onwaar", "0"})


def bool_parser(*, true_words: Iterable[str] = (), false_words: Iterable[str] = (), expected: str = "ja, nee"):
    """ja/nee/j/n/yes/no/true/false/1/0, plus words particular to a column (e.g. `DAEB` / `niet-DAEB`)."""
    trues = TRUE_WORDS | {normalize_word(w) for w in true_words}
    falses = FALSE_WORDS | {normalize_word(w) for w in false_words}

    def parse(value: object) -> bool:
        if value.__class__ is bool:
            return value  # type: ignore[return-value]
        if value.__class__ in (int, float) and value in (0, 1):
            return bool(value)
        word = normalize_word(str(value))
        if word in trues:
            return True
        if word in falses:
            return False
        raise bad(value, _("is not yes or no (expected %(expected)s)") % {"expected": expected})

    return memoized(parse, limit=1000)


def normalize_word(text: str) -> str:
    """Lower case, accents and separators removed: `Onbepaalde tijd` -> `onbepaaldetijd`. Keeps `+` (A++)."""
    text = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in text if c.isalnum() or c == "+").encode("ascii", "ignore").decode()


def choice_parser(choices: Mapping[str, Iterable[str]]):
    """A parser for a TextChoices field: our code or one of the listed (Dutch or English) labels.

    Args:
        choices: code -> other words that mean it (normalised with `normalize_word` before matching).
    """
    lookup: dict[str, str] = {}
    for code, words in choices.items():
        for word in (code, *words):
            key = normalize_word(word)
            if lookup.get(key, code) != code:
                raise ValueError(f"{word!r} means both {lookup[key]} and {code}")
            lookup[key] = code
    expected = ", ".join(choices)

    def parse(value: object) -> str:
        code = lookup.get(normalize_word(str(value)))
        if code is None:
            raise bad(value, _("is not one of %(expected)s") % {"expected": expected})
        return code

    return memoized(parse, limit=1000)


def text_parser(*, max_length: int):
    def parse(value: object) -> str:
        if value.__class__ is float and value.is_integer():  # type: ignore[union-attr]
            value = int(value)  # type: ignore[arg-type]
        text = value if value.__class__ is str else str(value)
        if text[:1] == "'" and text[1:2] and text[1:].startswith(FORMULA_PREFIXES):
            # Our CSV export writes "=..." as "'=..." so no spreadsheet runs it (core.exports): the text is "=...".
            text = text[1:]
        if len(text) > max_length:  # type: ignore[arg-type]
            raise bad(value, _("is longer than %(max)d characters") % {"max": max_length})
        return text  # type: ignore[return-value]

    return parse


_POSTCODE = re.compile(r"([1-9][0-9]{3}) ?([A-Za-z]{2})")


def parse_postcode(value: object) -> str:
    match = _POSTCODE.fullmatch(str(value).strip())
    if not match:
        raise bad(value, _("is not a Dutch postcode (expected 1234 AB)"))
    return f"{match[1]}{match[2].upper()}"


def _parse_postal_code(value: object) -> str:
    """A person's postal code: Dutch ones as "8011 AB"; a code starting with a letter is foreign ("D-12345")."""
    if value.__class__ in (int, float):
        value = int(value)  # an Excel number cell: "12345" typed without letters
    code = postal_code(str(value))
    if code is None:
        raise bad(value, _("is not a Dutch postal code (expected 1234 AB; for an address abroad the country first, "
                           "such as D-12345)"))
    return code


parse_postal_code = memoized(_parse_postal_code, limit=50_000)


_BU_CODE = re.compile(r"BU[0-9]{8}")


def parse_bu_code(value: object) -> str:
    code = str(value).strip().upper()
    if not _BU_CODE.fullmatch(code):
        raise bad(value, _("is not a CBS buurt code (expected BU followed by 8 digits)"))
    return code


def _no_constant(name: str):
    raise ValueError(_("%(name)s is not a number JSON allows") % {"name": name})


def parse_json_object(value: object) -> dict:
    """A JSON object in a cell (VERA's unit), within `core.safeinput`'s limits: the database stores it as it is."""
    if isinstance(value, dict):
        return value
    text = str(value)
    try:
        document = json.loads(text, parse_float=safeinput.finite_float, parse_constant=_no_constant)
    except RecursionError:
        document = None  # reported as too deep below
    except ValueError as exc:  # also a number of more than 4300 digits, NaN and 1e999
        raise bad(value, _("is not valid JSON (%(reason)s)") % {"reason": exc.args[0].split(":")[0]}) from None
    if document is None or safeinput.json_depth_exceeds(document, safeinput.MAX_JSON_DEPTH):
        raise bad(value, _("nests lists or objects more than %(depth)d levels deep") % {
            "depth": safeinput.MAX_JSON_DEPTH})
    if not isinstance(document, dict):
        raise bad(value, _("is not a JSON object"))
    if "\\u0000" in text:
        raise bad(value, _("holds a NUL character (\\u0000), which no value may contain"))
    return document


def parse_date_cached() -> Parser:
    """`parse_date` with its own cache per column (a few decades of days fit in the limit)."""
    return memoized(parse_date, limit=20_000)
