"""Applicants' names and postal addresses (for letters): imported under Dutch and VERA names, checked, exported."""

from __future__ import annotations

import pytest
from django.utils import translation

from buurtbalans.households.models import Applicant
from buurtbalans.portfolio.services import portfolio_export, portfolio_import
from buurtbalans.portfolio.tests.test_import_support import DATA, make_buurt, write_csv

pytestmark = pytest.mark.django_db

HEADER = ["inschrijfnummer", "huishoudcode", "inschrijfdatum", "naam", "straat en huisnummer", "postcode",
          "woonplaats"]


@pytest.fixture(autouse=True)
def english_messages():
    """Messages are asserted in their English source text; the Dutch one is checked once below."""
    with translation.override("en"):
        yield


def waiting_list(tmp_path, *rows, header=HEADER):
    return write_csv(tmp_path / "in" / "applicants.csv", header, *rows)


def stored(corporation) -> dict[str, tuple]:
    return {
        a.external_id: (a.name, a.street_address, a.postal_code, a.city)
        for a in Applicant.objects.filter(corporation=corporation)
    }


def test_it_stores_name_and_address_under_dutch_column_names_with_the_postal_code_as_on_an_envelope(
    corporation_a, stock_a, tmp_path
):
    source = waiting_list(
        tmp_path,
        ["A-R1", "A-H1", "2024-02-02", "J. de Vries", "Merelstraat 12 A", "8011aa", "Zwolle"],
        ["A-R2", "A-H2", "2023-05-01", "M. Yilmaz", "Lange Straße 3", "D-12345", "Berlin"],
        ["A-R3", "A-H2", "2022-01-01", "", "", "", ""],
    )
    report = portfolio_import(source=source, corporation=corporation_a, dry_run=False)
    assert report.is_valid and report.written, [str(e) for e in report.errors]
    assert stored(corporation_a) == {
        "A-R1": ("J. de Vries", "Merelstraat 12 A", "8011 AA", "Zwolle"),
        "A-R2": ("M. Yilmaz", "Lange Straße 3", "D-12345", "Berlin"),
        "A-R3": ("", "", "", ""),
    }
    assert Applicant.objects.get(external_id="A-R1").has_postal_address
    assert not Applicant.objects.get(external_id="A-R3").has_postal_address


def test_a_bad_postal_code_is_reported_by_file_row_and_column_and_nothing_is_written(
    corporation_a, stock_a, tmp_path
):
    source = waiting_list(
        tmp_path,
        ["A-R1", "A-H1", "2024-02-02", "J. de Vries", "Merelstraat 12", "8011 AB", "Zwolle"],
        ["A-R2", "A-H2", "2023-05-01", "K. Bakker", "Lijsterlaan 4", "8011 AC", "Zwolle"],
        ["A-R3", "A-H2", "2022-01-01", "P. Jansen", "Vinkweg 9", "12345", "Zwolle"],
        ["A-R4", "A-H1", "2022-01-01", "x" * 201, "Vinkweg 9", "8011 AB", "Zwolle"],
    )
    report = portfolio_import(source=source, corporation=corporation_a, dry_run=False)
    assert [str(e) for e in report.errors] == [
        'applicants.csv row 4, postcode: "12345" is not a Dutch postal code (expected 1234 AB; for an address '
        "abroad the country first, such as D-12345)",
        f'applicants.csv row 5, naam: "{"x" * 57}..." is longer than 200 characters',
    ]
    assert not report.written
    assert not Applicant.objects.filter(corporation=corporation_a).exists()


def test_the_error_is_in_dutch_for_a_dutch_user(corporation_a, stock_a, tmp_path):
    source = waiting_list(tmp_path, ["A-R1", "A-H1", "2024-02-02", "J. de Vries", "Merelstraat 12", "12345", "Zwolle"])
    with translation.override("nl"):
        report = portfolio_import(source=source, corporation=corporation_a, dry_run=True)
        text = str(report.errors[0])
    assert text.startswith('applicants.csv regel 2, postcode: "12345" is geen Nederlandse postcode'), text


def test_a_reimport_updates_changed_addresses_and_leaves_the_others_unchanged(corporation_a, stock_a, tmp_path):
    first = [
        ["A-R1", "A-H1", "2024-02-02", "J. de Vries", "Merelstraat 12", "8011 AB", "Zwolle"],
        ["A-R2", "A-H2", "2023-05-01", "K. Bakker", "Lijsterlaan 4", "8011 AC", "Zwolle"],
    ]
    portfolio_import(source=waiting_list(tmp_path, *first), corporation=corporation_a, dry_run=False)
    moved = [first[0], ["A-R2", "A-H2", "2023-05-01", "K. Bakker", "Kievitstraat 8", "8012ab", "Zwolle"]]
    report = portfolio_import(source=waiting_list(tmp_path, *moved), corporation=corporation_a, dry_run=False)
    assert report.counts["applicants"] == {"new": 0, "updated": 1, "unchanged": 1}
    assert stored(corporation_a)["A-R2"] == ("K. Bakker", "Kievitstraat 8", "8012 AB", "Zwolle")
    # The same file again (with the postal code written another way) changes nothing.
    again = portfolio_import(source=waiting_list(tmp_path, *moved), corporation=corporation_a, dry_run=True)
    assert again.counts["applicants"] == {"new": 0, "updated": 0, "unchanged": 2}


def test_a_file_without_address_columns_keeps_the_stored_addresses(corporation_a, stock_a, tmp_path):
    portfolio_import(
        source=waiting_list(tmp_path, ["A-R1", "A-H1", "2024-02-02", "J. de Vries", "Merelstraat 12", "8011 AB",
                                       "Zwolle"]),
        corporation=corporation_a, dry_run=False,
    )
    older_format = waiting_list(tmp_path, ["A-R1", "A-H1", "2024-02-02"], header=HEADER[:3])
    report = portfolio_import(source=older_format, corporation=corporation_a, dry_run=False)
    assert report.counts["applicants"] == {"new": 0, "updated": 0, "unchanged": 1}
    assert stored(corporation_a)["A-R1"] == ("J. de Vries", "Merelstraat 12", "8011 AB", "Zwolle")


def test_the_export_writes_name_and_address_and_importing_it_gives_them_back(
    corporation_a, corporation_b, tmp_path
):
    make_buurt()
    assert portfolio_import(source=DATA / "good", corporation=corporation_a, dry_run=False).written
    folder = portfolio_export(corporation=corporation_a, actor=None, format="csv", destination=tmp_path / "out")
    lines = (folder / "applicants.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "external_id,household,registration_date,name,street_address,postal_code,city"
    assert lines[1] == "R-1,H-3,2019-06-01,J. de Vries,Merelstraat 12 A,8011 AA,Zwolle"
    assert portfolio_import(source=folder, corporation=corporation_b, dry_run=False).written
    assert stored(corporation_b) == stored(corporation_a)
    assert stored(corporation_b)["R-1"] == ("J. de Vries", "Merelstraat 12 A", "8011 AA", "Zwolle")
