"""A kind switched off keeps its markers, but the portfolio import refuses a new marker of it, naming file, row and
column; a stored marker of it may come back unchanged (an export imported again)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from buurtbalans.households.models import VulnerabilityMarker
from buurtbalans.households.services import marker_kind_active_set, marker_kind_create
from buurtbalans.portfolio.services import portfolio_import
from buurtbalans.portfolio.tests.test_import_support import write_csv

pytestmark = pytest.mark.django_db

HEADER = ["household", "soort", "bron", "geldig_vanaf"]


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


def run(folder, corporation):
    return portfolio_import(source=folder, corporation=corporation, dry_run=False)


def test_a_new_marker_of_a_kind_switched_off_is_refused_with_file_row_and_column(ada, corporation_a, stock_a,
                                                                                   tmp_path):
    kind = marker_kind_create(actor=ada, code="debt_support", label="Schuldhulp")
    marker_kind_active_set(actor=ada, kind=kind, is_active=False)
    folder = tmp_path / "m"
    write_csv(folder / "markers.csv", HEADER, ["A-H2", "wijkteam-a", "wijkteam", "2025-01-01"],
              ["A-H2", "Schuldhulp", "wijkteam", "2025-01-01"])
    report = run(folder, corporation_a)
    assert [str(e) for e in report.errors] == [
        'markers.csv row 2, soort: "wijkteam-a" is not a known kind of marker (known: care_indication, '
        "medical_urgency, shelter_outflow, social_urgency, status_holder)",  # a kind switched off is not offered
        'markers.csv row 3, soort: "Schuldhulp" is a kind of marker that is switched off: it takes no new markers. '
        "Choose another kind, or ask your administrator to switch it on again (Kinds of markers).",
    ]
    assert not report.written
    assert not VulnerabilityMarker.objects.filter(kind=kind).exists()

    marker_kind_active_set(actor=ada, kind=kind, is_active=True)
    (folder / "markers.csv").unlink()
    write_csv(folder / "markers.csv", HEADER, ["A-H2", "debt_support", "wijkteam", "2025-01-01"])
    assert run(folder, corporation_a).written
    assert VulnerabilityMarker.objects.filter(kind=kind).count() == 1


def test_a_stored_marker_of_a_kind_switched_off_may_be_imported_again(ada, corporation_a, stock_a, tmp_path):
    kind = marker_kind_create(actor=ada, code="debt_support", label="Schuldhulp")
    VulnerabilityMarker.objects.create(corporation=corporation_a, household=stock_a.households[1], kind=kind,
                                       source="wijkteam", valid_from=date(2025, 1, 1))
    marker_kind_active_set(actor=ada, kind=kind, is_active=False)
    folder = tmp_path / "m"
    # The stored marker, now with an end date (an update), and a new one of the same kind for the same household.
    write_csv(folder / "markers.csv", [*HEADER, "geldig_tot"],
              ["A-H2", "debt_support", "wijkteam", "2025-01-01", "2025-12-31"],
              ["A-H2", "debt_support", "wijkteam", "2026-01-01", ""])
    report = run(folder, corporation_a)
    assert [(e.row, e.column) for e in report.errors] == [(3, "soort")]
    assert not report.written

    (folder / "markers.csv").unlink()
    write_csv(folder / "markers.csv", [*HEADER, "geldig_tot"],
              ["A-H2", "debt_support", "wijkteam", "2025-01-01", "2025-12-31"])
    report = run(folder, corporation_a)
    assert report.errors == [] and report.written
    assert VulnerabilityMarker.objects.get(kind=kind).valid_until == date(2025, 12, 31)
