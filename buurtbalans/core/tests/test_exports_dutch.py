"""CSV that Dutch Excel opens in columns (issue 14 item 6): `;`, decimal comma, dd-mm-jjjj, byte order mark, codes
with their Dutch label next to them; the international CSV (`?format=csv`) stays as it was; no live formulas."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import models
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from buurtbalans.core.exports import Column, export_response, requested_format


class Status(models.TextChoices):
    OCCUPIED = "occupied", "Verhuurd"
    VACANT = "vacant", "Leegstand"


COLUMNS = [
    Column("Code", "code"),
    Column("Straat", "street"),
    Column("Huur", "rent"),
    Column("Sinds", "since"),
    Column("Status", "status", codes=Status),
    Column("Profiel", "profile", codes={"builtin": "Standaard van Buurtbalans"}, code_column=False),
    Column("DAEB", "daeb"),
    Column("Aandeel", "share"),
]
ROWS = [
    {"code": "D-1", "street": '=HYPERLINK("http://evil")', "rent": Decimal("612.50"), "since": date(2020, 3, 1),
     "status": "occupied", "profile": "builtin", "daeb": True, "share": 0.125},
    {"code": "D-2", "street": "Rivierstraat; achter", "rent": None, "since": None, "status": "demolished",
     "profile": "complex", "daeb": False, "share": -2.5},
]


def download(export_format, columns=COLUMNS, rows=ROWS):
    response = export_response(export_format=export_format, name="eenheden", columns=columns, rows=iter(rows))
    return b"".join(response.streaming_content).decode("utf-8")


def dutch(columns=COLUMNS, rows=ROWS):
    request = RequestFactory().get("/", {"format": "csv-nl"})
    with translation.override("nl"):
        return download(requested_format(request), columns, rows)


def test_the_dutch_csv_opens_in_columns_with_decimal_commas_dates_and_labels():
    text = dutch()
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with the byte order mark
    body = text.removeprefix("\ufeff")
    assert csv.Sniffer().sniff(body.splitlines()[0]).delimiter == ";"
    header, first, second = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert header == ["Code", "Straat", "Huur", "Sinds", "Status", "Status (code)", "Profiel", "DAEB", "Aandeel"]
    assert first == ["D-1", "'=HYPERLINK(\"http://evil\")", "612,50", "01-03-2020", "Verhuurd", "occupied",
                     "Standaard van Buurtbalans", "ja", "0,125"]
    # A code without a label stays itself; a ";" in a text is quoted, not a new column.
    assert second == ["D-2", "Rivierstraat; achter", "", "", "demolished", "demolished", "complex", "nee", "-2,5"]


def test_the_international_csv_is_the_csv_of_before():
    request = RequestFactory().get("/", {"format": "csv"})
    text = download(requested_format(request))
    assert text.startswith("\ufeffCode,Straat,Huur,Sinds,Status,Profiel,DAEB,Aandeel\r\n")
    lines = text.removeprefix("\ufeff").splitlines()
    assert lines[1] == "D-1,\"'=HYPERLINK(\"\"http://evil\"\")\",612.50,2020-03-01,occupied,builtin,1,0.125"
    assert lines[2] == "D-2,Rivierstraat; achter,,,demolished,complex,0,-2.5"
    # A view that passes the literal "csv" gets the same.
    assert download("csv") == text


def test_times_are_dutch_and_numbers_never_get_an_exponent():
    columns = [Column("Tijd", "at"), Column("Klein", "small"), Column("Groot", "big")]
    rows = [{"at": datetime(2025, 5, 26, 9, 15), "small": 1e-05, "big": Decimal("1E+3")}]
    body = dutch(columns, rows).removeprefix("\ufeff")
    assert list(csv.reader(io.StringIO(body), delimiter=";"))[1] == ["26-05-2025 09:15:00", "0,00001", "1000"]


@given(st.sampled_from("=+-@\t\r"), st.text())
def test_no_text_cell_of_the_dutch_csv_starts_with_a_formula_character(first, rest):
    text = first + rest
    body = dutch([Column("Naam", "name")], [{"name": text}]).removeprefix("\ufeff")
    [cell] = list(csv.reader(io.StringIO(body, newline=""), delimiter=";"))[1]
    assert cell == "'" + text


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**9, max_value=10**9))
def test_every_amount_reads_back_from_its_decimal_comma(amount):
    body = dutch([Column("Bedrag", "amount")], [{"amount": amount}]).removeprefix("\ufeff")
    [cell] = list(csv.reader(io.StringIO(body), delimiter=";"))[1]
    assert "." not in cell and Decimal(cell.replace(",", ".")) == amount


def test_both_csv_dialects_and_excel_are_offered_on_every_export_link():
    request = RequestFactory().get("/", {"page": "2", "sort": "name"})
    with translation.override("nl"):
        html = Template("{% load buurtbalans %}{% export_links table='complexes' label='Complexen' %}").render(
            Context({"request": request}))
    assert 'href="?sort=name&amp;format=csv-nl&amp;table=complexes"' in html
    assert 'href="?sort=name&amp;format=csv&amp;table=complexes"' in html
    assert 'href="?sort=name&amp;format=xlsx&amp;table=complexes"' in html
    assert ">CSV (internationaal)<" in html
    assert html.index("format=csv-nl") < html.index("format=csv&amp;") < html.index("format=xlsx")


@pytest.mark.parametrize("value", ["csv-nl", "csv", "xlsx"])
def test_each_offered_format_is_understood(value):
    export_format = requested_format(RequestFactory().get("/", {"format": value}))
    assert export_format == ("xlsx" if value == "xlsx" else "csv")
    assert export_format.query_value == value
