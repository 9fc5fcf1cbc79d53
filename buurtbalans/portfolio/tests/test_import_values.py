"""Cell values as people type them in Dutch spreadsheets: amounts, dates, yes/no, labels."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from buurtbalans.portfolio.importing import columns
from buurtbalans.portfolio.importing import values as v


@pytest.fixture(autouse=True)
def english_messages():
    """Messages are asserted in their English source text; the Dutch catalogue is tested with the screens."""
    with translation.override("en"):
        yield


money = v.decimal_parser(places=2, max_digits=8, noun="amount")


def format_dutch(value: Decimal, *, places: int = 2, thousands: bool = True) -> str:
    """The Dutch way of writing an amount (`1.234,56`), as people type it, to feed the parser."""
    sign = "-" if value < 0 else ""
    text = f"{abs(value):,.{places}f}"  # 1,234.56
    text = text.translate(str.maketrans({",": ".", ".": ","}))
    if not thousands:
        text = text.replace(".", "")
    return sign + text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("612,50", "612.50"),
        ("612.50", "612.50"),
        ("€ 612,50", "612.50"),
        ("€612,50", "612.50"),
        ("612,50 €", "612.50"),
        ("EUR 612,50", "612.50"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1.234", "1234"),  # Dutch thousands separator
        ("1.234.567", "1234567"),
        ("1,234,567", "1234567"),
        ("1 234,56", "1234.56"),
        ("612,-", "612"),
        ("0,5", "0.5"),
        ("-12,50", "-12.50"),
        ("-€ 12,50", "-12.50"),
    ],
)
def test_dutch_and_international_amounts_are_read(text, expected):
    assert v.parse_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["6l2,50", "12,34,5", "1.23.4", "€", "1e5", "NaN", "12..5", ",5", "1,2.3,4"])
def test_what_is_not_a_number_is_refused(text):
    assert v.parse_number(text) is None
    with pytest.raises(ValueError, match=r'^".*" is not an amount$'):
        money(text)


def test_an_amount_checks_precision_sign_and_size():
    with pytest.raises(ValueError, match=r'^"612,505" has more than 2 decimals$'):
        money("612,505")
    with pytest.raises(ValueError, match="is less than 0"):
        money("-5")
    with pytest.raises(ValueError, match=r"is too large \(at most 999999.99\)"):
        money("1.000.000")
    # Excel numbers carry binary noise; they are rounded to cents rather than refused.
    assert money(612.4999999999) == Decimal("612.50")
    assert money(1050) == Decimal("1050")


@given(
    st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2),
    st.booleans(),
    st.sampled_from(["", "€ ", "€", "EUR "]),
)
def test_a_dutch_formatted_amount_reads_back_as_the_same_value(value, thousands, currency):
    text = format_dutch(value, thousands=thousands)
    if currency and not text.startswith("-"):
        text = currency + text
    assert v.parse_number(text) == value


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("999999.99"), places=2))
def test_a_plain_amount_with_a_decimal_point_reads_back_as_the_same_value(value):
    assert money(f"{value:.2f}") == value


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-01-31", date(2024, 1, 31)),
        ("31-01-2024", date(2024, 1, 31)),
        ("1-2-2024", date(2024, 2, 1)),
        ("31/01/2024", date(2024, 1, 31)),
        ("31.01.2024", date(2024, 1, 31)),
        ("2024-01-31 00:00:00", date(2024, 1, 31)),
        (datetime(2024, 1, 31, 0, 0), date(2024, 1, 31)),
        (date(2024, 1, 31), date(2024, 1, 31)),
        (45322, date(2024, 1, 31)),  # an Excel day number
    ],
)
def test_dates_in_iso_dutch_and_excel_form_are_read(value, expected):
    assert v.parse_date(value) == expected


@pytest.mark.parametrize("text", ["31-02-2024", "2024-13-01", "morgen", "01-01-24", "0024-01-01"])
def test_impossible_dates_are_refused_with_the_expected_forms(text):
    with pytest.raises(ValueError, match=r"is not (a|a plausible) date"):
        v.parse_date(text)


def test_yes_and_no_in_dutch_and_english():
    parse = v.bool_parser()
    assert [parse(t) for t in ("ja", "J", "yes", "true", "1", "Waar", True, 1)] == [True] * 8
    assert [parse(t) for t in ("nee", "N", "no", "FALSE", "0", False, 0)] == [False] * 7
    with pytest.raises(ValueError, match=r'^"misschien" is not yes or no \(expected ja, nee\)$'):
        parse("misschien")


def test_daeb_also_reads_the_words_a_vera_export_uses():
    daeb = columns.DWELLINGS.columns[columns.DWELLINGS.index("is_daeb")].parse
    assert daeb("DAEB") is True
    assert daeb("Niet-DAEB") is False


def test_enumerations_take_our_code_or_a_dutch_label():
    status = v.choice_parser(columns.DWELLING_STATUSES)
    assert [status(t) for t in ("verhuurd", "Leegstand", "renovatie", "verkocht", "gesloopt", "occupied")] == [
        "occupied", "vacant", "renovation", "sold", "demolished", "occupied",
    ]
    contract = v.choice_parser(columns.CONTRACT_TYPES)
    assert contract("Onbepaalde tijd") == "indefinite"
    label = v.choice_parser(columns.ENERGY_LABELS)
    assert label("a++") == "A++" and label("C") == "C"
    with pytest.raises(ValueError, match=r'^"bezet" is not one of occupied, vacant, renovation, sold, demolished$'):
        status("bezet")


def test_postcodes_are_normalised_and_checked():
    assert v.parse_postcode("8011 aa") == "8011AA"
    with pytest.raises(ValueError, match="is not a Dutch postcode"):
        v.parse_postcode("801AA")


def test_vera_unit_must_be_a_json_object():
    assert v.parse_json_object('{"code": "E1"}') == {"code": "E1"}
    with pytest.raises(ValueError, match="is not valid JSON"):
        v.parse_json_object('{"code": ')
    with pytest.raises(ValueError, match="is not a JSON object"):
        v.parse_json_object("[1, 2]")


def test_headers_match_whatever_the_case_and_separators():
    lookup = columns.DWELLINGS.lookup
    for header in ("Eenheid.code", "eenheid_code", "EENHEIDCODE", "Eenheid code", "external_id", "External-Id"):
        assert lookup[columns.normalize_header(header)].name == "external_id"
    assert lookup[columns.normalize_header("kaleHuur")].name == "base_rent"
    assert lookup[columns.normalize_header("Cluster.code")].name == "complex"
    assert columns.COMPLEXES.lookup[columns.normalize_header("Cluster.code")].name == "external_id"


def test_sheet_names_in_english_or_dutch():
    assert columns.sheet_for("Eenheden").name == "dwellings"
    assert columns.sheet_for("huishoudens").name == "households"
    assert columns.sheet_for("Huurcontracten").name == "tenancies"
    assert columns.sheet_for("notes") is None
