"""The upload flow of the portfolio import (issue 11): a failed job's page, what is kept of an upload and for how
long, one real import per confirmed check, and what a dry run may tell about special-category data."""

from __future__ import annotations

import io
import stat
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from buurtbalans.core.jobs import ERROR_USER, run_pending_jobs
from buurtbalans.core.models import AuditEvent, Job, Role, Upload
from buurtbalans.core.testing import make_user
from buurtbalans.core.uploads import uploads_purge_expired
from buurtbalans.households.models import VulnerabilityMarker
from buurtbalans.portfolio.models import Dwelling

pytestmark = pytest.mark.django_db

COMPLEXES = "external_id;name;neighbourhood\nC-1;Rivierenflats;\n"
DWELLINGS = (
    "external_id;complex;street;house_number;postcode;city;base_rent;status\n"
    "D-1;C-1;Rivierstraat;1;8011AA;Zwolle;612,50;verhuurd\n"
)


def zip_upload(files: dict[str, str], name: str = "portfolio.zip") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file_name, text in files.items():
            archive.writestr(file_name, text)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


@pytest.fixture
def uploads(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


def upload_and_check(client, files: dict[str, str], name: str = "portfolio.zip") -> Job:
    response = client.post(reverse("portfolio_import"), {"file": zip_upload(files, name)})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    run_pending_jobs()
    return Job.objects.filter(params__dry_run=True).latest("pk")


# --- finding 5: a failed job's page -------------------------------------------------------------------------------


def test_a_failed_import_job_page_says_why_and_offers_a_new_upload(client, ada):
    job = Job.objects.create(
        kind="portfolio_import", corporation=ada.membership.corporation, user=ada, status=Job.Status.FAILED,
        params={"path": "/nonexistent/portfolio-x.zip", "dry_run": True, "file_name": "voorraad.zip"},
        result={"error": "De controle is gestopt.", "error_code": ERROR_USER},
    )
    client.force_login(ada)
    with translation.override("nl"):
        response = client.get(reverse("job_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    html = response.content.decode()
    assert "De controle is gestopt." in html
    assert "Er is niets opgeslagen." in html
    assert reverse("portfolio_import") in html
    assert "import-now" not in html


def test_a_check_of_a_file_that_is_no_longer_kept_fails_with_a_plain_message(client, ada, uploads):
    client.force_login(ada)
    client.post(reverse("portfolio_import"), {"file": zip_upload({"complexes.csv": COMPLEXES})})
    for path in uploads.iterdir():
        path.unlink()
    run_pending_jobs()
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    response = client.get(reverse("job_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    assert "Dit bestand is niet meer bewaard. Laad het opnieuw op." in response.content.decode()


def test_an_import_that_stopped_with_a_fault_keeps_the_file_and_may_be_started_again(client, ada, uploads,
                                                                                      monkeypatch):
    client.force_login(ada)
    check = upload_and_check(client, {"complexes.csv": COMPLEXES, "dwellings.csv": DWELLINGS})
    client.post(reverse("portfolio_import_confirm", args=[check.pk]))

    def broken(**kwargs):
        raise RuntimeError("connection to the database lost")

    monkeypatch.setattr("buurtbalans.portfolio.jobs.portfolio_import", broken)
    run_pending_jobs()
    monkeypatch.undo()
    first = Job.objects.get(params__dry_run=False)
    assert first.status == Job.Status.FAILED
    page = client.get(reverse("job_detail", args=[first.pk]), HTTP_ACCEPT_LANGUAGE="nl")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Het inlezen is niet afgemaakt. Er is niets opgeslagen." in html
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.FAILED and upload.path.exists()
    assert upload.expires <= upload.created + timedelta(days=7)

    # The check is still good: "Import now" starts a new import, which writes and removes the file.
    response = client.post(reverse("portfolio_import_confirm", args=[check.pk]))
    second = Job.objects.filter(params__dry_run=False).exclude(pk=first.pk).get()
    assert response.url == reverse("job_detail", args=[second.pk])
    run_pending_jobs()
    assert Dwelling.objects.count() == 1 and not upload.path.exists()


# --- finding 10: where and how long an upload is kept ---------------------------------------------------------


def test_an_upload_is_private_recorded_and_removed_after_the_import(client, ada, uploads):
    client.force_login(ada)
    check = upload_and_check(client, {"complexes.csv": COMPLEXES, "dwellings.csv": DWELLINGS})
    upload = Upload.objects.get()
    assert (upload.kind, upload.corporation, upload.user, upload.file_name) == (
        "portfolio", ada.membership.corporation, ada, "portfolio.zip")
    path = upload.path
    assert path.parent == uploads and "portfolio.zip" not in path.name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(uploads.stat().st_mode) == 0o700

    client.post(reverse("portfolio_import_confirm", args=[check.pk]))
    run_pending_jobs()
    assert Dwelling.objects.count() == 1
    assert not path.exists()
    assert list(uploads.iterdir()) == []


def test_a_checked_file_nobody_confirms_is_removed_after_a_day(client, ada, uploads, settings):
    settings.UPLOAD_RETENTION_UNCONFIRMED_DAYS = 1
    client.force_login(ada)
    check = upload_and_check(client, {"complexes.csv": COMPLEXES})
    path = Upload.objects.get().path
    assert uploads_purge_expired(now=timezone.now() + timedelta(hours=23)) == 0
    assert path.exists()
    assert uploads_purge_expired(now=timezone.now() + timedelta(days=1, minutes=1)) == 1
    assert not path.exists() and not Upload.objects.exists()

    # Confirming it afterwards says plainly that the file is gone; nothing is queued.
    response = client.post(reverse("portfolio_import_confirm", args=[check.pk]), HTTP_ACCEPT_LANGUAGE="nl",
                           follow=True)
    assert response.status_code == 200
    assert "Dit bestand is niet meer bewaard. Laad het opnieuw op." in response.content.decode()
    assert Job.objects.count() == 1
    page = client.get(reverse("job_detail", args=[check.pk]), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "import-now" not in page and "Dit bestand is niet meer bewaard." in page


def test_a_file_with_errors_is_kept_at_most_seven_days(client, ada, uploads, settings):
    settings.UPLOAD_RETENTION_FAILED_DAYS = 7
    client.force_login(ada)
    upload_and_check(client, {"dwellings.csv": DWELLINGS.replace("612,50", "6l2,50")})
    path = Upload.objects.get().path
    assert uploads_purge_expired(now=timezone.now() + timedelta(days=6)) == 0
    assert path.exists()
    assert uploads_purge_expired(now=timezone.now() + timedelta(days=7, minutes=1)) == 1
    assert not path.exists()


def test_the_purge_also_removes_old_files_the_earlier_versions_left_behind(uploads, settings):
    import os
    import time

    uploads.mkdir(parents=True)
    old = uploads / "portfolio-0123456789abcdef0123456789abcdef.zip"
    old.write_bytes(b"PK")
    week_ago = time.time() - 8 * 24 * 3600
    os.utime(old, (week_ago, week_ago))
    recent = uploads / "social-0123456789abcdef0123456789abcdee.csv"
    recent.write_bytes(b"a;b")
    other = uploads / "README"
    other.write_text("not ours")
    os.utime(other, (week_ago, week_ago))
    assert uploads_purge_expired() == 1
    assert not old.exists() and recent.exists() and other.exists()


# --- the documented formats ------------------------------------------------------------------------------------


def test_a_single_csv_file_named_after_its_sheet_is_accepted(client, ada, uploads):
    client.force_login(ada)
    upload = SimpleUploadedFile("complexen.csv", COMPLEXES.encode(), content_type="text/csv")
    response = client.post(reverse("portfolio_import"), {"file": upload})
    assert response.status_code == 302
    run_pending_jobs()
    check = Job.objects.get()
    assert check.result["is_valid"] is True, check.result
    assert check.result["counts"]["complexes"]["new"] == 1
    assert Upload.objects.get().path.suffix == ".csv"


def test_a_csv_file_not_named_after_a_sheet_is_refused_with_the_names_to_use(client, ada, uploads):
    # Neither its name nor its header says which sheet it is (a header can: test_single_csv_upload.py).
    client.force_login(ada)
    upload = SimpleUploadedFile("export.csv", b"naam;bedrag\nx;1\n", content_type="text/csv")
    response = client.post(reverse("portfolio_import"), {"file": upload})
    assert response.status_code == 200
    assert "woningen.csv" in " ".join(response.context["form"].errors["file"])
    assert not Job.objects.exists() and not Upload.objects.exists()


# --- finding 1 (part): the dry run of markers -------------------------------------------------------------------

MARKERS = "household;kind;source;valid_from;valid_until\nA-H1;shelter_outflow;test;2024-01-01;\n" \
          "A-H2;medical_urgency;GGD;2024-02-01;\n"


def test_an_administrator_sees_only_how_many_marker_rows_were_checked(client, ada, stock_a, uploads):
    client.force_login(ada)
    check = upload_and_check(client, {"markers.csv": MARKERS})
    assert check.result["is_valid"] is True
    # The split would tell that A-H1 already has this marker (unchanged) and A-H2 not (new).
    assert check.result["counts"]["markers"] == {"rows": 2}
    response = client.get(reverse("job_detail", args=[check.pk]), HTTP_ACCEPT_LANGUAGE="nl")
    counts = {sheet: c for sheet, _label, c, _hidden in response.context["counts"]}
    assert counts["markers"] == {"rows": 2}
    html = response.content.decode()
    assert "2 rijen gelezen en gecontroleerd" in html
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.IMPORT_PREVIEWED)
    assert event.actor == ada and event.subject_ids == ["A-H1", "A-H2"]
    assert event.corporation == stock_a.corporation

    client.post(reverse("portfolio_import_confirm", args=[check.pk]))
    run_pending_jobs()
    real = Job.objects.get(params__dry_run=False)
    assert real.result["written"] is True
    assert real.result["counts"]["markers"] == {"rows": 2}
    assert VulnerabilityMarker.objects.filter(corporation=stock_a.corporation).count() == 2
    assert "new" not in str(real.log)


def test_an_importer_who_may_read_markers_sees_the_split(client, corporation_a, stock_a, uploads):
    officer_admin = make_user("vera", corporation_a, Role.ADMIN, Role.ALLOCATION_OFFICER)
    client.force_login(officer_admin)
    check = upload_and_check(client, {"markers.csv": MARKERS})
    assert check.result["counts"]["markers"] == {"new": 1, "updated": 0, "unchanged": 1}
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.IMPORT_PREVIEWED).count() == 1


def test_a_dry_run_without_markers_records_no_preview(client, ada, uploads):
    client.force_login(ada)
    upload_and_check(client, {"complexes.csv": COMPLEXES})
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.IMPORT_PREVIEWED).exists()
