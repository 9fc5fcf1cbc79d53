"""The one export helper: streamed CSV and write-only Excel, safe against formula injection."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import RequestFactory
from openpyxl import load_workbook

from buurtbalans.core.exports import Column, export_response, requested_format

COLUMNS = [Column("Code", "code"), Column("Street", "street"), Column("Rent", "rent"), Column("Since", "since")]
ROWS = [
    {"code": "D-1", "street": "=HYPERLINK(\"http://evil\")", "rent": Decimal("612.50"), "since": date(2020, 3, 1)},
    {"code": "D-2", "street": "Rivierstraat", "rent": None, "since": None},
]


def test_csv_is_streamed_with_a_header_and_neutralised_formulas():
    response = export_response(export_format="csv", name="dwellings", columns=COLUMNS, rows=iter(ROWS))
    assert response.streaming
    assert 'filename="dwellings-' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffCode,Street,Rent,Since")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[1] == "D-1,\"'=HYPERLINK(\"\"http://evil\"\")\",612.50,2020-03-01"
    assert lines[2] == "D-2,Rivierstraat,,"


def test_xlsx_keeps_numbers_as_numbers_and_formulas_as_text():
    response = export_response(export_format="xlsx", name="dwellings", columns=COLUMNS, rows=iter(ROWS))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    assert [c.value for c in sheet[1]] == ["Code", "Street", "Rent", "Since"]
    assert sheet["B2"].data_type == "s"
    assert sheet["B2"].value.startswith("=HYPERLINK")
    assert sheet["C2"].value == pytest.approx(612.5)
    assert sheet["D2"].value.date() == date(2020, 3, 1)


def test_the_format_comes_from_the_query_string():
    factory = RequestFactory()
    assert requested_format(factory.get("/")) is None
    assert requested_format(factory.get("/", {"format": "xlsx"})) == "xlsx"
    from django.http import Http404

    with pytest.raises(Http404):
        requested_format(factory.get("/", {"format": "exe"}))
