"""Exporting a portfolio in the import format: a round trip gives identical files, and every export is audited."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import translation

from buurtbalans.core.models import AuditEvent
from buurtbalans.portfolio.services import portfolio_export, portfolio_import
from buurtbalans.portfolio.tests.test_import_support import DATA, make_buurt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    """Messages are asserted in their English source text; the Dutch catalogue is tested with the screens."""
    with translation.override("en"):
        yield


@pytest.fixture
def buurt(db):
    return make_buurt()

SHEET_FILES = ["applicants.csv", "complexes.csv", "dwellings.csv", "households.csv", "markers.csv", "tenancies.csv"]


def workbook_values(path) -> dict[str, list[tuple]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}
    finally:
        workbook.close()


@pytest.mark.parametrize("source", ["good", "vera"])
def test_csv_export_then_import_into_an_empty_corporation_then_export_gives_identical_files(
    corporation_a, corporation_b, buurt, tmp_path, source
):
    assert portfolio_import(source=DATA / source, corporation=corporation_a, dry_run=False).written
    first = portfolio_export(
        corporation=corporation_a, actor=None, format="csv", destination=tmp_path / "a", include_markers=True
    )
    assert sorted(p.name for p in first.iterdir()) == SHEET_FILES

    report = portfolio_import(source=first, corporation=corporation_b, dry_run=False)
    assert report.is_valid and report.written, [str(e) for e in report.errors]
    assert all(c["updated"] == c["unchanged"] == 0 for c in report.counts.values())
    second = portfolio_export(
        corporation=corporation_b, actor=None, format="csv", destination=tmp_path / "b", include_markers=True
    )
    for name in SHEET_FILES:
        assert (second / name).read_bytes() == (first / name).read_bytes(), name
    # And importing its own export changes nothing.
    again = portfolio_import(source=second, corporation=corporation_b, dry_run=True)
    assert all(c["new"] == c["updated"] == 0 for c in again.counts.values())


def test_excel_export_round_trips_with_typed_cells(corporation_a, corporation_b, buurt, tmp_path):
    portfolio_import(source=DATA / "good", corporation=corporation_a, dry_run=False)
    first = portfolio_export(
        corporation=corporation_a, actor=None, format="xlsx", destination=tmp_path, include_markers=True
    )
    assert first == tmp_path / "corp-a-portfolio.xlsx"
    report = portfolio_import(source=first, corporation=corporation_b, dry_run=False)
    assert report.is_valid and report.written, [str(e) for e in report.errors]
    second = portfolio_export(
        corporation=corporation_b, actor=None, format="xlsx", destination=tmp_path / "b.xlsx", include_markers=True
    )
    values = workbook_values(first)
    assert values == workbook_values(second)
    header, d1 = values["dwellings"][0], values["dwellings"][1]
    row = dict(zip(header, d1, strict=False))  # read-only mode leaves out trailing empty cells
    assert (row["external_id"], row["house_number"], row["base_rent"], row["is_daeb"]) == ("D-1", 1, 612.5, True)
    tenancy = dict(zip(values["tenancies"][0], values["tenancies"][1], strict=False))
    assert tenancy["start_date"].year == 2020  # a real date cell, not text


def test_an_export_records_the_personal_data_and_the_markers_it_read(corporation_a, buurt, tmp_path):
    portfolio_import(source=DATA / "good", corporation=corporation_a, dry_run=False)
    already = AuditEvent.objects.count()
    out = io.StringIO()
    call_command(
        "export_portfolio", str(tmp_path / "out"), corporation="corp-a", include_markers=True,
        purpose="move to the new housing system", stdout=out,
    )
    events = {e.event_type: e for e in AuditEvent.objects.order_by("id")[already:]}
    assert set(events) == {AuditEvent.Type.MARKERS_READ, AuditEvent.Type.PERSONAL_DATA_EXPORTED}
    read = events[AuditEvent.Type.MARKERS_READ]
    assert (read.purpose, read.subject_ids) == ("move to the new housing system", ["H-1", "H-2"])
    exported = events[AuditEvent.Type.PERSONAL_DATA_EXPORTED]
    assert exported.subject_ids == ["H-1", "H-2", "H-3"]
    assert exported.data["counts"]["dwellings"] == 4


def test_markers_stay_out_of_an_export_unless_asked_for_with_a_purpose(corporation_a, buurt, tmp_path):
    portfolio_import(source=DATA / "good", corporation=corporation_a, dry_run=False)
    out = io.StringIO()
    call_command("export_portfolio", str(tmp_path / "out"), corporation="corp-a", stdout=out)
    assert not (tmp_path / "out" / "markers.csv").exists()
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.MARKERS_READ).exists()
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.PERSONAL_DATA_EXPORTED).exists()
    with pytest.raises(CommandError, match="--purpose"):
        call_command("export_portfolio", str(tmp_path / "again"), corporation="corp-a", include_markers=True)


def test_an_administrator_exports_the_portfolio_but_not_the_markers(corporation_a, buurt, ada, tmp_path):
    """Managing the stock is no purpose for reading special-category data."""
    portfolio_import(source=DATA / "good", corporation=corporation_a, dry_run=False)
    portfolio_export(corporation=corporation_a, actor=ada, format="csv", destination=tmp_path / "out")
    assert not (tmp_path / "out" / "markers.csv").exists()
    with pytest.raises(PermissionDenied):
        portfolio_export(
            corporation=corporation_a, actor=ada, format="csv", destination=tmp_path / "m", include_markers=True
        )
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.MARKERS_READ).exists()


def test_charlie_exports_corporation_b_and_sees_nothing_of_a(corporation_a, corporation_b, stock_a, stock_b,
                                                             charlie, tmp_path):
    folder = portfolio_export(corporation=corporation_b, actor=charlie, format="csv", destination=tmp_path / "b")
    text = "".join(path.read_text(encoding="utf-8-sig") for path in sorted(folder.iterdir()))
    assert "B-D1" in text and "B-H1" in text
    assert "A-" not in text
    with pytest.raises(PermissionDenied):
        portfolio_export(corporation=corporation_a, actor=charlie, format="csv", destination=tmp_path / "a")
    assert not (tmp_path / "a").exists()


def test_the_export_command_picks_the_format_from_the_file_name(corporation_a, buurt, tmp_path):
    portfolio_import(source=DATA / "good", corporation=corporation_a, dry_run=False)
    out = io.StringIO()
    call_command("export_portfolio", str(tmp_path / "stock.xlsx"), corporation="corp-a", stdout=out)
    assert out.getvalue().strip() == f"exported corp-a to {tmp_path / 'stock.xlsx'}"
    assert set(workbook_values(tmp_path / "stock.xlsx")) == {
        "complexes", "dwellings", "households", "tenancies", "applicants",
    }


def test_exported_files_are_readable_by_their_owner_only(corporation_a, buurt, tmp_path):
    portfolio_import(source=DATA / "good", corporation=corporation_a, dry_run=False)
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "households.csv").write_text("old")  # an earlier, world-readable export is overwritten
    (tmp_path / "csv" / "households.csv").chmod(0o644)
    call_command("export_portfolio", str(tmp_path / "csv"), corporation=corporation_a.code, format="csv")
    call_command("export_portfolio", str(tmp_path / "stock.xlsx"), corporation=corporation_a.code)
    files = [*(tmp_path / "csv").iterdir(), tmp_path / "stock.xlsx"]
    assert len(files) > 3
    assert {path.name: path.stat().st_mode & 0o777 for path in files} == {path.name: 0o600 for path in files}
