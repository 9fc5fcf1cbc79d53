"""Support needs are special-category data (issue 11, findings 1 and 6): only a role whose purpose covers them
enters or imports them, and every write and read says in the audit log whose data it was."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from buurtbalans.core.models import AuditEvent
from buurtbalans.liveability.models import Signal, SupportNeed
from buurtbalans.liveability.selectors import support_needs_for_complex
from buurtbalans.liveability.services import social_records_import, support_need_create

pytestmark = pytest.mark.django_db


def events(event_type):
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("pk"))


def test_writing_and_reading_a_support_need_names_the_household_of_the_dwelling(stock_a, nina):
    support_need_create(actor=nina, complex_=stock_a.complex, reported_on=date(2025, 2, 1),
                        dwelling=stock_a.dwellings[0], note="needs-help")
    support_need_create(actor=nina, complex_=stock_a.complex, reported_on=date(2025, 2, 2))  # no dwelling: nobody

    written = events(AuditEvent.Type.SUPPORT_NEEDS_WRITTEN)
    assert [e.subject_ids for e in written] == [["A-H1"], []]

    support_needs_for_complex(user=nina, complex_=stock_a.complex, purpose="social_management")
    (read,) = events(AuditEvent.Type.SUPPORT_NEEDS_READ)
    assert read.subject_ids == ["A-H1"]


def test_a_support_need_from_before_the_tenancy_does_not_name_the_later_tenant(stock_a, nina):
    support_need_create(actor=nina, complex_=stock_a.complex, reported_on=date(2019, 6, 1),
                        dwelling=stock_a.dwellings[0])  # A-H1 moved in on 1 January 2020
    assert events(AuditEvent.Type.SUPPORT_NEEDS_WRITTEN)[0].subject_ids == []


def test_an_imported_support_need_names_the_household_in_the_audit_log(tmp_path, stock_a, nina):
    path = tmp_path / "zorgsignalen.csv"
    path.write_text("code;complexcode;eenheid;datum\nZ1;A-C1;A-D2;2025-01-20\n", encoding="utf-8")
    report = social_records_import(source=path, corporation=stock_a.corporation, actor=nina, dry_run=False)
    assert report.written, report.errors
    (written,) = events(AuditEvent.Type.SUPPORT_NEEDS_WRITTEN)
    assert written.subject_ids == ["A-H2"]


def test_an_administrator_may_not_enter_a_support_need_and_nothing_is_written(client, stock_a, ada):
    client.force_login(ada)
    url = reverse("monitor_record_new", args=["support_need"])
    assert client.get(url, {"complex": stock_a.complex.pk}).status_code == 403
    response = client.post(url, {"complex": stock_a.complex.pk, "reported_on": "2025-05-01", "note": "x"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        support_need_create(actor=ada, complex_=stock_a.complex, reported_on=date(2025, 5, 1))
    assert not SupportNeed.objects.exists()
    assert not events(AuditEvent.Type.SUPPORT_NEEDS_WRITTEN)
    # The complex page offers the other records, not this one.
    page = client.get(reverse("monitor_complex", args=[stock_a.complex.pk])).content.decode()
    assert reverse("monitor_record_new", args=["signal"]) in page
    assert reverse("monitor_record_new", args=["support_need"]) not in page


def test_an_administrator_may_not_import_support_needs_and_nothing_of_the_file_is_written(tmp_path, stock_a, ada):
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "signals.csv").write_text("complex,kind,reported_on\nA-C1,nuisance,2025-01-01\n", encoding="utf-8")
    (folder / "support_needs.csv").write_text("complex,dwelling,reported_on\nA-C1,A-D1,2025-01-20\n",
                                              encoding="utf-8")

    report = social_records_import(source=folder, corporation=stock_a.corporation, actor=ada, dry_run=False)

    assert not report.is_valid and not report.written
    assert "support needs" in report.errors[0].message
    assert report.errors[0].sheet == "support_needs"
    assert not SupportNeed.objects.exists() and not Signal.objects.exists()
    assert not events(AuditEvent.Type.SUPPORT_NEEDS_WRITTEN)
    # Without the support needs the administrator may import the other records.
    (folder / "support_needs.csv").unlink()
    report = social_records_import(source=folder, corporation=stock_a.corporation, actor=ada, dry_run=False)
    assert report.written, report.errors
    assert Signal.objects.count() == 1


def test_a_neighbourhood_manager_still_enters_support_needs_on_screen(client, stock_a, nina):
    client.force_login(nina)
    response = client.post(reverse("monitor_record_new", args=["support_need"]),
                           {"complex": stock_a.complex.pk, "reported_on": "2025-05-01", "dwelling": "A-D1"})
    assert response.status_code == 302
    assert SupportNeed.objects.get().dwelling == stock_a.dwellings[0]
    assert events(AuditEvent.Type.SUPPORT_NEEDS_WRITTEN)[0].subject_ids == ["A-H1"]
