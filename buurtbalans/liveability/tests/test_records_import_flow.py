"""The records import on the screen (issue 11): the upload kept privately and removed after the import, one real
import per confirmed check, and a check of support needs that tells nothing about what is stored to a role that may
not read support needs."""

from __future__ import annotations

import stat
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import AuditEvent, Job, Upload
from buurtbalans.liveability.models import Signal, SupportNeed

pytestmark = pytest.mark.django_db

SIGNALS = "code;complex;kind;reported_on\nS-1;A-C1;nuisance;2025-02-03\n"
SUPPORT_NEEDS = "code;complex;dwelling;reported_on\nZ-1;A-C1;A-D1;2025-02-03\nZ-2;A-C1;A-D2;2025-03-01\n"


@pytest.fixture
def uploads(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


def check(client, name: str, text: str) -> Job:
    upload = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    response = client.post(reverse("monitor_records_import"), {"file": upload})
    assert response.status_code == 302
    run_pending_jobs()
    return Job.objects.filter(kind="social_records_import", params__dry_run=True).latest("pk")


def test_the_upload_is_private_and_removed_once_imported(client, nina, stock_a, uploads):
    client.force_login(nina)
    dry = check(client, "signals.csv", SIGNALS)
    upload = Upload.objects.get()
    assert (upload.kind, upload.user, upload.file_name) == ("social", nina, "signals.csv")
    assert stat.S_IMODE(upload.path.stat().st_mode) == 0o600
    assert dry.result["is_valid"] is True

    response = client.post(reverse("monitor_records_import_confirm", args=[dry.pk]))
    real = Job.objects.get(kind="social_records_import", params__dry_run=False)
    assert response.url == reverse("monitor_records_import_result", args=[real.pk])
    run_pending_jobs()
    assert Signal.objects.filter(external_id="S-1").exists()
    assert not upload.path.exists()

    # "Import now" again leads to the import that ran, and imports nothing twice.
    again = client.post(reverse("monitor_records_import_confirm", args=[dry.pk]))
    assert again.url == reverse("monitor_records_import_result", args=[real.pk])
    assert Job.objects.filter(kind="social_records_import").count() == 2
    page = client.get(reverse("monitor_records_import_result", args=[dry.pk])).content.decode()
    assert "import-now" not in page and f"task #{real.pk}" in page


def test_a_check_made_before_uploads_were_recorded_cannot_be_confirmed_and_says_why(client, nina, stock_a, uploads):
    dry = Job.objects.create(
        kind="social_records_import", corporation=stock_a.corporation, user=nina, status=Job.Status.SUCCEEDED,
        params={"path": "/nonexistent/social-old.csv", "dry_run": True, "file_name": "signals.csv"},
        result={"is_valid": True, "error_count": 0, "errors": [], "counts": {"signals": {"new": 1, "updated": 0,
                                                                                          "unchanged": 0}}},
    )
    client.force_login(nina)
    response = client.post(reverse("monitor_records_import_confirm", args=[dry.pk]), follow=True)
    assert response.status_code == 200
    assert "This file is no longer kept. Upload it again." in response.content.decode()
    assert Job.objects.count() == 1


def test_an_administrator_sees_only_how_many_support_need_rows_were_read(client, ada, stock_a, uploads):
    # A check's result as a role with the right to read support needs would get it.
    dry = Job.objects.create(
        kind="social_records_import", corporation=stock_a.corporation, user=ada, status=Job.Status.SUCCEEDED,
        params={"path": "/nonexistent/social-x.csv", "dry_run": True, "file_name": "support_needs.csv"},
        result={"is_valid": True, "error_count": 0, "errors": [],
                "counts": {"support_needs": {"new": 1, "updated": 0, "unchanged": 1},
                           "signals": {"new": 2, "updated": 0, "unchanged": 0}}},
    )
    client.force_login(ada)
    response = client.get(reverse("monitor_records_import_result", args=[dry.pk]))
    counts = {sheet: (c, hidden) for sheet, _label, c, hidden in response.context["counts"]}
    assert counts == {"support_needs": ({"rows": 2}, True),
                      "signals": ({"new": 2, "updated": 0, "unchanged": 0}, False)}
    assert "2 rows read and checked" in response.content.decode()


def test_an_administrator_s_check_of_support_needs_tells_nothing_about_what_is_stored(client, ada, stock_a, uploads):
    client.force_login(ada)
    dry = check(client, "support_needs.csv", SUPPORT_NEEDS)
    response = client.get(reverse("monitor_records_import_result", args=[dry.pk]))
    for sheet, _label, c, hidden in response.context["counts"]:
        assert sheet != "support_needs" or (hidden and set(c) == {"rows"})
    assert "new" not in dry.log
    assert not SupportNeed.objects.exists()


def test_a_neighbourhood_manager_sees_what_the_import_would_change(client, nina, stock_a, uploads):
    SupportNeed.objects.create(corporation=stock_a.corporation, complex=stock_a.complex, external_id="Z-1",
                               dwelling=stock_a.dwellings[0], reported_on=date(2025, 2, 3), recorded_by_name="nina")
    client.force_login(nina)
    dry = check(client, "zorgsignalen.csv", SUPPORT_NEEDS)
    response = client.get(reverse("monitor_records_import_result", args=[dry.pk]))
    counts = {sheet: (c, hidden) for sheet, _label, c, hidden in response.context["counts"]}
    assert counts["support_needs"] == ({"new": 1, "updated": 0, "unchanged": 1}, False)
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.IMPORT_PREVIEWED)
    assert event.actor == nina and event.subject_type == "support_need"
    assert event.data["rows"] == 2 and event.data["counts_shown"] is True
