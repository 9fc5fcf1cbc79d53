"""Bad input: every problem reported at once, with file, row, column and what was expected; nothing written."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from buurtbalans.core.models import AuditEvent
from buurtbalans.households.models import Household
from buurtbalans.portfolio.importing import report as report_module
from buurtbalans.portfolio.models import Dwelling
from buurtbalans.portfolio.services import portfolio_import
from buurtbalans.portfolio.tests.test_import_portfolio import counts_of
from buurtbalans.portfolio.tests.test_import_support import DATA, csv_folder_to_xlsx, make_buurt, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    """Messages are asserted in their English source text; the Dutch catalogue is tested with the screens."""
    with translation.override("en"):
        yield


@pytest.fixture
def buurt(db):
    return make_buurt()

# tests/data/bad: one row per kind of problem (row numbers as a spreadsheet shows them, header = row 1).
EXPECTED = [
    'complexes.csv row 3, neighbourhood: "BU01939999" is not a buurt known to Buurtbalans (import the open data first)',
    'complexes.csv row 4, external_id: "C-1" appears more than once (first on row 2)',
    'dwellings.csv row 4, base_rent: "6l2,50" is not an amount',
    'dwellings.csv row 5, complex: "C-9" is not a complex in this file or in Buurtbalans',
    'dwellings.csv row 6, is_daeb: "misschien" is not yes or no (expected ja, nee, DAEB, niet-DAEB)',
    'dwellings.csv row 7, status: "bezet" is not one of occupied, vacant, renovation, sold, demolished',
    "dwellings.csv row 8, house_number: a value is required",
    'dwellings.csv row 9, postcode: "801AA" is not a Dutch postcode (expected 1234 AB)',
    'dwellings.csv row 10, base_rent: "612,505" has more than 2 decimals',
    'dwellings.csv row 10, energy_label: "Z" is not one of A++++, A+++, A++, A+, A, B, C, D, E, F, G',
    'dwellings.csv row 11, vera_unit: "{"code": "D-9"" is not valid JSON (Expecting \',\' delimiter)',
    "households.csv row 3, size: 3 is not adults (1) + children (1), with at least one adult",
    'households.csv row 4, assessed_income: "dertigduizend" is not an amount',
    'households.csv row 5, income_year: "twintig" is not a whole number',
    'tenancies.csv row 3, dwelling: "D-404" is not a dwelling in this file or in Buurtbalans',
    'tenancies.csv row 4, household: "H-404" is not a household in this file or in Buurtbalans',
    'tenancies.csv row 5, start_date: "31-02-2020" is not a date (expected yyyy-mm-dd or dd-mm-yyyy)',
    "tenancies.csv row 6, end_date: ends (2019-12-31) before it starts (2020-01-01)",
    'tenancies.csv row 7, external_id: "T-1" appears more than once (first on row 2)',
    'markers.csv row 3, kind: "vampire" is not a known kind of marker (known: care_indication, medical_urgency, '
    "shelter_outflow, social_urgency, status_holder)",
    "applicants.csv, column registration_date: required column is missing (accepted names: registration_date, "
    "inschrijfdatum, inschrijvingsdatum, registratiedatum)",
]


def snapshot(corporation):
    dwelling = Dwelling.objects.get(corporation=corporation, external_id="A-D1")
    fields = {f.name: getattr(dwelling, f.name) for f in Dwelling._meta.concrete_fields}
    return counts_of(corporation), fields, AuditEvent.objects.count()


@pytest.mark.smoke
def test_every_problem_in_a_bad_portfolio_is_reported_at_once_and_nothing_is_written(corporation_a, stock_a, buurt):
    before = snapshot(corporation_a)
    report = portfolio_import(source=DATA / "bad", corporation=corporation_a, dry_run=False)
    assert [str(e) for e in report.errors] == EXPECTED
    assert report.error_count == len(EXPECTED)
    assert not report.is_valid and not report.written
    first = report.errors[2]
    assert (first.file, first.row, first.column, first.sheet) == ("dwellings.csv", 4, "base_rent", "dwellings")
    assert first.message == '"6l2,50" is not an amount'
    # The good rows in the file (an update of A-D1 among them) were not written either.
    assert snapshot(corporation_a) == before
    assert Dwelling.objects.get(corporation=corporation_a, external_id="A-D1").base_rent == Decimal("650.00")


def test_the_same_problems_in_an_excel_workbook_name_the_sheet(corporation_a, stock_a, buurt, tmp_path):
    before = snapshot(corporation_a)
    workbook = csv_folder_to_xlsx(DATA / "bad", tmp_path / "bad.xlsx")
    report = portfolio_import(source=workbook, corporation=corporation_a, dry_run=False)
    expected = []
    for line in EXPECTED:
        sheet = line.split(".csv")[0]
        expected.append(line.replace(f"{sheet}.csv", f"bad.xlsx sheet {sheet}", 1))
    assert [str(e) for e in report.errors] == expected
    assert snapshot(corporation_a) == before


def test_the_command_prints_every_problem_and_exits_with_code_2(corporation_a, stock_a, buurt):
    before = snapshot(corporation_a)
    stderr = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_portfolio", str(DATA / "bad"), corporation="corp-a", stderr=stderr, stdout=io.StringIO())
    assert failure.value.returncode == 2
    assert str(failure.value) == f"{len(EXPECTED)} error(s) in bad; nothing was written"
    assert stderr.getvalue().splitlines() == EXPECTED
    assert snapshot(corporation_a) == before


def test_an_unknown_corporation_is_a_clear_error_with_code_2(corporation_a):
    with pytest.raises(CommandError) as failure:
        call_command("import_portfolio", str(DATA / "good"), corporation="nope", stdout=io.StringIO())
    assert failure.value.returncode == 2
    assert str(failure.value) == "unknown corporation code 'nope' (known: corp-a)"


def test_the_command_reports_counts_and_a_dry_run_says_nothing_was_written(corporation_a, buurt):
    out = io.StringIO()
    call_command("import_portfolio", str(DATA / "good"), corporation="corp-a", dry_run=True, stdout=out)
    assert out.getvalue().startswith("dry run, nothing written: good is valid: complexes 2 new, 0 updated")
    assert counts_of(corporation_a)["dwellings"] == 0
    out = io.StringIO()
    call_command("import_portfolio", str(DATA / "good"), corporation="corp-a", stdout=out)
    assert "imported good into corp-a: complexes 2 new" in out.getvalue()
    assert counts_of(corporation_a)["dwellings"] == 4


def test_a_user_of_another_corporation_cannot_import_by_command(corporation_a, charlie):
    with pytest.raises(CommandError) as failure:
        call_command("import_portfolio", str(DATA / "good"), corporation="corp-a", user="charlie",
                     stdout=io.StringIO())
    assert failure.value.returncode == 2 and "may not import" in str(failure.value)


def test_many_errors_are_all_counted_but_the_printed_list_is_capped(corporation_a, tmp_path, monkeypatch):
    monkeypatch.setattr(report_module, "MAX_KEPT_ERRORS", 120)
    rows = [[f"H-{i}", "veel"] for i in range(150)]
    write_csv(tmp_path / "many" / "households.csv", ["external_id", "size"], *rows)
    report = portfolio_import(source=tmp_path / "many", corporation=corporation_a, dry_run=True)
    assert report.error_count == 150 and len(report.errors) == 120
    assert report.as_dict(max_errors=100)["errors_truncated"] is True
    stderr = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_portfolio", str(tmp_path / "many"), corporation="corp-a", stderr=stderr,
                     stdout=io.StringIO())
    lines = stderr.getvalue().splitlines()
    assert len(lines) == 101 and lines[-1] == "... and 50 more"
    assert lines[0] == 'households.csv row 2, size: "veel" is not a whole number'
    assert str(failure.value).startswith("150 error(s)")


def test_a_file_that_cannot_be_read_is_one_clear_error(corporation_a, tmp_path):
    (tmp_path / "stock.xlsx").write_text("not a workbook")
    report = portfolio_import(source=tmp_path / "stock.xlsx", corporation=corporation_a, dry_run=False)
    assert [str(e) for e in report.errors] == ["stock.xlsx: is not a readable Excel (.xlsx) file"]
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.csv").write_text("a;b\n1;2\n")
    report = portfolio_import(source=tmp_path / "notes", corporation=corporation_a, dry_run=False)
    assert [str(e) for e in report.errors] == [
        "notes: holds none of the sheets complexes, dwellings, households, tenancies, markers, applicants"
    ]
    report = portfolio_import(source=tmp_path / "missing", corporation=corporation_a, dry_run=False)
    assert [str(e) for e in report.errors] == ["missing: does not exist"]


def test_two_columns_meaning_the_same_field_are_an_error_and_unknown_ones_a_warning(corporation_a, tmp_path):
    write_csv(tmp_path / "d" / "dwellings.csv",
              ["eenheidcode", "straat", "huisnummer", "postcode", "kaleHuur", "nettohuur", "kleur"],
              ["D-1", "Kade", "1", "8011AA", "600", "600", "blauw"])
    report = portfolio_import(source=tmp_path / "d", corporation=corporation_a, dry_run=True)
    assert [str(e) for e in report.errors] == [
        "dwellings.csv, column nettohuur: gives base_rent, as column kaleHuur already does"
    ]
    assert report.warnings == ["dwellings.csv: column kleur is not one we know and was ignored"]


def test_a_household_with_only_children_is_refused(corporation_a, tmp_path):
    write_csv(tmp_path / "h" / "households.csv", ["external_id", "size", "children"], ["H-1", "2", "2"])
    report = portfolio_import(source=tmp_path / "h", corporation=corporation_a, dry_run=False)
    assert [str(e) for e in report.errors] == [
        "households.csv row 2, size: 2 is not adults (-) + children (2), with at least one adult"
    ]
    assert not Household.objects.exists()


def test_in_the_dutch_screens_the_whole_error_line_is_dutch(corporation_a, stock_a, buurt):
    with translation.override("nl"):
        report = portfolio_import(source=DATA / "bad", corporation=corporation_a, dry_run=True)
        line = str(report.errors[2])
    assert line.startswith("dwellings.csv regel 4, base_rent: ")
    assert "row" not in line and "is not an amount" not in line
