"""The jobs of the monitor are queued by services (issue 12 item 4): each checks the right and the corporation, and
queues for the actor's own corporation; the screens only call them."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from buurtbalans.core.models import Job, Upload
from buurtbalans.liveability import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploads(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


def test_each_job_is_queued_for_the_actors_corporation(nina, stock_a, uploads):
    refresh = services.vitality_refresh_enqueue(actor=nina, reference_date=date(2025, 6, 30))
    assert (refresh.kind, refresh.corporation, refresh.user) == ("vitality_refresh", stock_a.corporation, nina)
    assert refresh.params["reference_date"] == "2025-06-30" and refresh.params["reasons"] == ["manual"]
    assert "complexes" not in refresh.params  # every complex
    # Asked again while it waits: the same job.
    assert services.vitality_refresh_enqueue(actor=nina, reference_date=date(2025, 6, 30)) == refresh

    report = services.liveability_report_enqueue(actor=nina, municipality_code="GM0193", year=2025)
    assert (report.kind, report.corporation) == ("liveability_report", stock_a.corporation)
    # A neighbourhood manager reads markers: the report holds exact counts, as on their screens.
    assert report.params == {"municipality": "GM0193", "year": 2025, "small_cells": False}

    file = SimpleUploadedFile("signals.csv", b"complex;kind;reported_on\nA-C1;nuisance;2025-02-03\n")
    check = services.social_records_check_enqueue(actor=nina, file=file, suffix=".csv")
    assert (check.kind, check.corporation, check.params["dry_run"]) == ("social_records_import",
                                                                         stock_a.corporation, True)
    upload = Upload.objects.get(pk=check.params["upload"])
    assert upload.kind == Upload.Kind.SOCIAL_RECORDS and upload.path.is_file()


def test_a_role_without_the_right_queues_nothing(alice, otto, stock_a, uploads):
    # An allocation officer reads the monitor but does not manage social records.
    file = SimpleUploadedFile("signals.csv", b"complex;kind;reported_on\nA-C1;nuisance;2025-02-03\n")
    with pytest.raises(PermissionDenied):
        services.social_records_check_enqueue(actor=alice, file=file, suffix=".csv")
    # An auditor reads the audit log only, not the monitor.
    with pytest.raises(PermissionDenied):
        services.vitality_refresh_enqueue(actor=otto, reference_date=date(2025, 6, 30))
    with pytest.raises(PermissionDenied):
        services.liveability_report_enqueue(actor=otto, municipality_code="GM0193", year=2025)
    assert not Job.objects.exists() and not Upload.objects.exists()


def test_charlie_cannot_confirm_a_check_of_another_corporation(nina, charlie, stock_a, uploads):
    file = SimpleUploadedFile("signals.csv", b"complex;kind;reported_on\nA-C1;nuisance;2025-02-03\n")
    check = services.social_records_check_enqueue(actor=nina, file=file, suffix=".csv")
    with pytest.raises(PermissionDenied):
        services.social_records_import_enqueue(actor=charlie, check_job=check)
    assert Job.objects.count() == 1
