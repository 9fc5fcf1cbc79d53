"""Importing social management records and arrears: every error with file, row and column, nothing written on error,
re-import updates, and the audit events (support needs and arrears are recorded as such)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from buurtbalans.core.models import AuditEvent
from buurtbalans.liveability.models import (
    Activity,
    ArrearsRecord,
    MeetingPlace,
    MeetingPlaceUse,
    Signal,
    SupportNeed,
    Visit,
)
from buurtbalans.liveability.services import social_records_import

pytestmark = pytest.mark.django_db


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def run(path, corporation, *, dry_run=False, actor=None):
    return social_records_import(source=path, corporation=corporation, actor=actor, dry_run=dry_run)


def test_a_dutch_signal_file_imports_with_dutch_words_and_dates(tmp_path, stock_a):
    path = write(tmp_path / "signalen.csv",
                 "code;complexcode;soort;datum;afgehandeld_op;toelichting\n"
                 "S1;A-C1;overlast;03-02-2025;10-02-2025;geluid in portiek\n"
                 ";A-C1;zwerfvuil;2025-03-01;;\n")
    report = run(path, stock_a.corporation)
    assert report.is_valid and report.written, report.errors
    assert report.counts == {"signals": {"new": 2, "updated": 0, "unchanged": 0}}
    signals = {s.kind: s for s in Signal.objects.all()}
    assert signals["nuisance"].reported_on == date(2025, 2, 3)
    assert signals["nuisance"].resolved_on == date(2025, 2, 10)
    assert signals["pollution"].source == "import"
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.SOCIAL_RECORDS_IMPORTED)
    assert event.data["counts"]["signals"]["new"] == 2


def test_every_error_is_reported_with_file_row_and_column_and_nothing_is_written(tmp_path, stock_a, stock_b):
    folder = tmp_path / "export"
    folder.mkdir()
    write(folder / "signals.csv",
          "code,complex,kind,reported_on,resolved_on\n"
          "S1,A-C1,nuisance,2025-02-03,2025-01-01\n"  # resolved before reported
          "S2,B-C1,neglect,2025-02-03,\n"  # another corporation's complex
          "S3,A-C1,fire,2025-02-30,\n"  # bad kind and bad date
          "S1,A-C1,neglect,2025-02-04,\n")  # code used twice
    write(folder / "visits.csv", "complex,kind,date,households_reached\nA-C1,portiekgesprek,2025-01-10,-3\n")
    write(folder / "arrears.csv", "complex,contract,peildatum,bedrag\nA-C1,B-T1,2025-03-31,\"120,50\"\n"
                                  "A-C1,,2025-03-31,500\n")
    write(folder / "meeting_place_use.csv", "meeting_place,month,dayparts_open,visitors\nX9,2025-13,4,30\n")
    import zipfile

    archive = tmp_path / "records.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for file in folder.iterdir():
            handle.write(file, file.name)
    report = run(archive, stock_a.corporation)

    assert not report.is_valid and not report.written
    found = {(e.file, e.row, e.column): e.message for e in report.errors}
    assert found[("signals.csv", 2, "resolved_on")] == "is before 2025-02-03"
    assert found[("signals.csv", 3, "complex")] == '"B-C1" is not a complex of yours'
    assert found[("signals.csv", 4, "kind")].startswith('"fire" is not one of nuisance, neglect')
    assert found[("signals.csv", 4, "reported_on")].startswith('"2025-02-30" is not a date')
    assert found[("signals.csv", 5, "code")] == '"S1" is already used in row 2'
    assert found[("visits.csv", 2, "households_reached")] == '"-3" is not between 0 and 10000000'
    assert found[("arrears.csv", 2, "contract")] == '"B-T1" is not a contract of yours'
    assert found[("arrears.csv", 3, "households_in_arrears")].startswith("a value is required for a complex total")
    assert found[("meeting_place_use.csv", 2, "month")] == '"2025-13" is not a month (expected yyyy-mm)'
    # In the order of the sheets, then rows, as the user reads the file.
    assert str(report.errors[0]) == "signals.csv row 2, resolved_on: is before 2025-02-03"
    assert not Signal.objects.exists() and not Visit.objects.exists() and not ArrearsRecord.objects.exists()
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.SOCIAL_RECORDS_IMPORTED).exists()


def test_a_workbook_with_every_sheet_imports_and_a_second_run_updates(tmp_path, stock_a):
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets = {
        "ontmoetingsruimtes": [("code", "naam", "complexcode", "capaciteit"), ("M1", "Buurtkamer", "A-C1", 30)],
        "gebruik_ontmoetingsruimtes": [("ontmoetingsruimte", "maand", "dagdelen", "bezoekers"),
                                       ("M1", "2025-03", 12, 140), ("M1", date(2025, 4, 15), 10, 120)],
        "activiteiten": [("code", "datum", "titel", "soort", "ontmoetingsruimte", "deelnemers"),
                         ("A1", date(2025, 3, 5), "Koffieochtend", "koffieochtend", "M1", 14)],
        "zorgsignalen": [("code", "complexcode", "eenheid", "datum", "doorverwezen_naar"),
                         ("Z1", "A-C1", "A-D1", date(2025, 1, 20), "wijkteam")],
        "bezoeken": [("code", "complexcode", "soort", "datum", "bereikte_huishoudens"),
                     ("V1", "A-C1", "portiekgesprek", date(2025, 1, 10), 2)],
        "huurachterstanden": [("complexcode", "contractcode", "peildatum", "bedrag"),
                              ("A-C1", "A-T1", date(2025, 3, 31), 250.5), ("A-C1", "A-T2", date(2025, 3, 31), 0)],
    }
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "sociaal beheer.xlsx"
    workbook.save(path)

    dry = run(path, stock_a.corporation, dry_run=True)
    assert dry.is_valid and not dry.written, dry.errors
    assert not MeetingPlace.objects.exists()

    report = run(path, stock_a.corporation)
    assert report.is_valid and report.written, report.errors
    place = MeetingPlace.objects.get()
    assert (place.name, place.capacity, place.complex) == ("Buurtkamer", 30, stock_a.complex)
    assert sorted(MeetingPlaceUse.objects.values_list("month", "visitors")) == [
        (date(2025, 3, 1), 140), (date(2025, 4, 1), 120)]
    activity = Activity.objects.get()
    assert (activity.meeting_place, activity.kind, activity.participants) == (place, "meeting", 14)
    need = SupportNeed.objects.get()
    assert (need.dwelling, need.referred_to) == (stock_a.dwellings[0], "wijkteam")
    arrears = {a.tenancy.external_id: a for a in ArrearsRecord.objects.select_related("tenancy")}
    assert arrears["A-T1"].amount == Decimal("250.50") and arrears["A-T1"].households_in_arrears == 1
    assert arrears["A-T2"].households_in_arrears == 0
    # Support needs and per-contract arrears are recorded as what they are; arrears name whose data.
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.SUPPORT_NEEDS_WRITTEN).count() == 1
    arrears_event = AuditEvent.objects.get(event_type=AuditEvent.Type.ARREARS_WRITTEN)
    assert sorted(arrears_event.subject_ids) == ["A-H1", "A-H2"]

    # Again, with one changed figure: updated, not added.
    workbook["huurachterstanden"]["D2"] = 300
    workbook.save(path)
    again = run(path, stock_a.corporation)
    assert again.counts["arrears"] == {"new": 0, "updated": 1, "unchanged": 1}
    assert again.counts["meeting_places"] == {"new": 0, "updated": 0, "unchanged": 1}
    assert again.counts["activities"] == {"new": 0, "updated": 0, "unchanged": 1}
    assert ArrearsRecord.objects.count() == 2 and MeetingPlace.objects.count() == 1


def test_a_file_without_known_sheets_is_refused(tmp_path, stock_a):
    report = run(write(tmp_path / "notes.csv", "a,b\n1,2\n"), stock_a.corporation)
    assert not report.is_valid
    assert report.errors[0].message.startswith("holds none of the sheets signals, support_needs")


def test_only_managers_of_the_same_corporation_may_import(tmp_path, stock_a, bob, charlie):
    from django.core.exceptions import PermissionDenied

    path = write(tmp_path / "signals.csv", "complex,kind,reported_on\nA-C1,nuisance,2025-01-01\n")
    for user in (bob, charlie):
        with pytest.raises(PermissionDenied):
            run(path, stock_a.corporation, actor=user)
