"""Rows the import must refuse although every cell parses (issue 11, finding 13): two tenancies of one dwelling at
the same time, and amounts or counts below zero. Each is a row error naming file, row and column, in the dry run
and in the real import, and nothing is written."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from buurtbalans.households.models import Household, Tenancy
from buurtbalans.portfolio.services import portfolio_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages as written in the code; the Dutch ones are checked at the end."""
    with translation.override("en"):
        yield

TENANCY_HEADER = "external_id;dwelling;household;start_date;end_date\n"


def write(folder, **sheets: str):
    folder.mkdir(exist_ok=True)
    for name, text in sheets.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def both_ways(folder, corporation):
    """The dry run and the real import of the same files: both must give the same errors and write nothing."""
    checked = portfolio_import(source=folder, corporation=corporation, dry_run=True)
    imported = portfolio_import(source=folder, corporation=corporation, dry_run=False)
    assert [str(e) for e in checked.errors] == [str(e) for e in imported.errors]
    assert not imported.written
    return imported


def located(report) -> dict:
    return {(e.file, e.row, e.column): e.message for e in report.errors}


def test_two_open_tenancies_of_one_dwelling_in_the_file_are_refused(tmp_path, stock_a):
    folder = write(tmp_path / "in",
                   tenancies=TENANCY_HEADER + "T-10;A-D3;A-H1;2024-01-01;\nT-11;A-D3;A-H2;2024-06-01;\n")
    report = both_ways(folder, stock_a.corporation)
    errors = located(report)
    assert list(errors) == [("tenancies.csv", 3, "end_date")]
    assert errors[("tenancies.csv", 3, "end_date")] == (
        'is empty, and tenancy "T-10" on row 2 of dwelling "A-D3" has no end date either: '
        "a dwelling has one current tenancy at a time"
    )
    assert not Tenancy.objects.filter(external_id__in=["T-10", "T-11"]).exists()


def test_a_new_open_tenancy_of_a_dwelling_that_is_let_is_refused(tmp_path, stock_a):
    # A-D1 is let to A-H1 since 2020 (A-T1, no end date) in Buurtbalans.
    folder = write(tmp_path / "in", tenancies=TENANCY_HEADER + "T-12;A-D1;A-H2;2025-01-01;\n")
    report = both_ways(folder, stock_a.corporation)
    assert located(report) == {("tenancies.csv", 2, "end_date"): (
        'is empty, and tenancy "A-T1" of dwelling "A-D1" in Buurtbalans has no end date either: '
        "a dwelling has one current tenancy at a time"
    )}
    assert Tenancy.objects.filter(dwelling=stock_a.dwellings[0]).count() == 1


def test_overlapping_periods_are_refused_with_the_other_tenancy_named(tmp_path, stock_a):
    folder = write(tmp_path / "in", tenancies=TENANCY_HEADER + (
        "T-20;A-D3;A-H1;2021-01-01;2022-12-31\n"
        "T-21;A-D3;A-H2;2022-12-31;2023-06-30\n"  # starts on the day T-20 still runs
        "T-22;A-D1;A-H2;2019-01-01;2020-01-01\n"  # ends on the day A-T1 (stored) starts
    ))
    report = both_ways(folder, stock_a.corporation)
    assert located(report) == {
        ("tenancies.csv", 3, "start_date"): 'overlaps tenancy "T-20" on row 2 of dwelling "A-D3" '
                                            "(2021-01-01 to 2022-12-31): a dwelling has one tenancy at a time",
        ("tenancies.csv", 4, "end_date"): 'overlaps tenancy "A-T1" of dwelling "A-D1" in Buurtbalans '
                                          "(from 2020-01-01, no end date): a dwelling has one tenancy at a time",
    }


def test_periods_one_after_the_other_and_an_ended_tenancy_are_accepted(tmp_path, stock_a):
    folder = write(tmp_path / "in", tenancies=TENANCY_HEADER + (
        "T-30;A-D3;A-H1;2010-01-01;2015-12-31\n"
        "T-31;A-D3;A-H2;2016-01-01;\n"
        # Ending the stored open tenancy A-T1 and letting A-D1 again the next day, in one file.
        "A-T1;A-D1;A-H1;2020-01-01;2024-12-31\n"
        "T-32;A-D1;A-H2;2025-01-01;\n"
    ))
    report = portfolio_import(source=folder, corporation=stock_a.corporation, dry_run=False)
    assert report.is_valid and report.written, [str(e) for e in report.errors]
    assert Tenancy.objects.get(external_id="A-T1").end_date == date(2024, 12, 31)
    assert Tenancy.objects.filter(dwelling=stock_a.dwellings[0], end_date__isnull=True).count() == 1


def test_a_file_without_end_dates_keeps_the_stored_ones_when_it_checks(tmp_path, stock_a):
    Tenancy.objects.filter(external_id="A-T1").update(end_date=date(2024, 12, 31))
    # No end_date column: A-T1 keeps its stored end, so a new tenancy from 2025 does not overlap.
    folder = write(tmp_path / "in", tenancies="external_id;dwelling;household;start_date\n"
                                              "A-T1;A-D1;A-H1;2020-01-01\nT-40;A-D1;A-H2;2025-01-01\n")
    report = portfolio_import(source=folder, corporation=stock_a.corporation, dry_run=True)
    assert report.is_valid, [str(e) for e in report.errors]


def test_below_zero_incomes_sizes_and_rents_are_row_errors(tmp_path, stock_a):
    folder = write(
        tmp_path / "in",
        households="external_id;size;assessed_income\nH-50;1;-5.000\nH-51;-2;20000\n",
        tenancies="external_id;dwelling;household;start_date;income_at_start;rent_at_start;assets_at_start\n"
                  "T-50;A-D3;A-H1;2025-01-01;-1;-600;-10\n",
        dwellings="external_id;street;house_number;postcode;base_rent;service_charges;floor_area;rooms\n"
                  "A-D9;Straat;1;8011AA;-650;-35;-60;-3\n",
    )
    report = both_ways(folder, stock_a.corporation)
    errors = located(report)
    assert errors[("households.csv", 2, "assessed_income")] == '"-5.000" is less than 0'
    assert errors[("households.csv", 3, "size")] == '"-2" is not between 1 and 50'
    for column in ("income_at_start", "rent_at_start", "assets_at_start"):
        assert ("tenancies.csv", 2, column) in errors
    for column in ("base_rent", "service_charges", "floor_area", "rooms"):
        assert ("dwellings.csv", 2, column) in errors
    assert not Household.objects.filter(external_id__in=["H-50", "H-51"]).exists()


def test_the_messages_are_in_dutch_for_the_dutch_screen(tmp_path, stock_a):
    folder = write(tmp_path / "in", tenancies=TENANCY_HEADER + "T-60;A-D1;A-H2;2025-01-01;\n",
                   households="external_id;size;assessed_income\nH-60;1;-1\n")
    with translation.override("nl"):
        report = portfolio_import(source=folder, corporation=stock_a.corporation, dry_run=True)
        lines = [str(e) for e in report.errors]
    assert 'households.csv regel 2, assessed_income: "-1" is minder dan 0' in lines
    assert ('tenancies.csv regel 2, end_date: is leeg, maar huurcontract "A-T1" voor woning "A-D1" in Buurtbalans '
            "heeft ook geen einddatum. Een woning heeft maar één lopend huurcontract tegelijk") in lines
