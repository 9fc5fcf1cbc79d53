"""The import screens: upload -> dry run job -> preview with every error -> import now -> job page."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import Job
from buurtbalans.portfolio.models import Dwelling

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas are created per test; the production hasher's rounds would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

COMPLEXES = "external_id;name;neighbourhood\nC-1;Rivierenflats;\n"
DWELLINGS_HEADER = "external_id;complex;street;house_number;postcode;city;base_rent;status\n"


def zip_upload(dwelling_rows: str, name: str = "portfolio.zip") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("complexes.csv", COMPLEXES)
        archive.writestr("dwellings.csv", DWELLINGS_HEADER + dwelling_rows)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


@pytest.fixture
def uploads(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


def test_a_good_file_is_checked_previewed_and_imported_on_request(client, ada, uploads):
    client.force_login(ada)
    rows = "D-1;C-1;Rivierstraat;1;8011AA;Zwolle;612,50;verhuurd\nD-2;C-1;Rivierstraat;3;8011AA;Zwolle;650;leeg\n"
    response = client.post(reverse("portfolio_import"), {"file": zip_upload(rows)})
    assert response.status_code == 302
    check = Job.objects.get()
    assert response.url == reverse("job_detail", args=[check.pk])
    assert check.params["dry_run"] is True
    stored = list(uploads.iterdir())
    assert [p.suffix for p in stored] == [".zip"]
    assert "portfolio" not in stored[0].name.replace("portfolio-", "")  # a random name, not the user's

    waiting = client.get(response.url)
    assert waiting.status_code == 200
    html = waiting.content.decode()
    assert 'http-equiv="refresh"' in html and "<noscript>" in html
    assert 'aria-live="polite"' in html
    assert client.get(reverse("job_status", args=[check.pk])).json()["is_finished"] is False

    run_pending_jobs()
    preview = client.get(response.url)
    assert preview.context["report"]["is_valid"] is True
    counts = {sheet: c for sheet, _label, c, _hidden in preview.context["counts"]}
    assert counts["dwellings"]["new"] == 2
    assert preview.context["can_confirm"] is True
    assert not Dwelling.objects.exists()
    status = client.get(reverse("job_status", args=[check.pk])).json()
    assert status["is_finished"] is True and status["progress_percent"] == 100

    confirm = client.post(reverse("portfolio_import_confirm", args=[check.pk]))
    real = Job.objects.exclude(pk=check.pk).get()
    assert confirm.url == reverse("job_detail", args=[real.pk])
    assert real.params["dry_run"] is False and real.params["path"] == check.params["path"]
    run_pending_jobs()
    assert Dwelling.objects.filter(corporation=ada.membership.corporation).count() == 2
    done = client.get(confirm.url)
    assert done.context["report"]["written"] is True
    # The same check cannot be confirmed twice.
    client.post(reverse("portfolio_import_confirm", args=[check.pk]))
    assert Job.objects.count() == 2


def test_a_bad_file_lists_every_error_and_cannot_be_imported(client, ada, uploads):
    client.force_login(ada)
    rows = "D-1;C-1;Rivierstraat;1;8011AA;Zwolle;6l2,50;verhuurd\nD-2;C-9;Rivierstraat;x;8011AA;Zwolle;650;leeg\n"
    response = client.post(reverse("portfolio_import"), {"file": zip_upload(rows)})
    run_pending_jobs()
    page = client.get(response.url)
    report = page.context["report"]
    assert report["is_valid"] is False
    assert report["error_count"] >= 3
    assert page.context["can_confirm"] is False
    html = page.content.decode()
    assert 'id="import-errors"' in html and "import-now" not in html
    located = {(e["file"], e["row"], e["column"]) for e in report["errors"]}
    assert ("dwellings.csv", 2, "base_rent") in located
    export = client.get(response.url, {"format": "csv"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "base_rent" in text and "dwellings.csv" in text
    assert client.post(reverse("portfolio_import_confirm", args=[Job.objects.get().pk])).status_code == 302
    assert Job.objects.count() == 1
    assert not Dwelling.objects.exists()


def test_a_file_that_is_not_a_workbook_or_zip_is_refused_before_any_job(client, ada, uploads):
    client.force_login(ada)
    fake = SimpleUploadedFile("portfolio.xlsx", b"not a zip at all", content_type="application/octet-stream")
    response = client.post(reverse("portfolio_import"), {"file": fake})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    wrong = SimpleUploadedFile("portfolio.csv", b"a;b\n", content_type="text/csv")
    assert client.post(reverse("portfolio_import"), {"file": wrong}).context["form"].errors["file"]
    assert not Job.objects.exists()


def test_charlie_cannot_see_or_confirm_corporation_a_s_import(client, ada, charlie, uploads):
    client.force_login(ada)
    rows = "D-1;C-1;Rivierstraat;1;8011AA;Zwolle;612,50;verhuurd\n"
    client.post(reverse("portfolio_import"), {"file": zip_upload(rows)})
    run_pending_jobs()
    check = Job.objects.get()
    client.force_login(charlie)
    assert client.get(reverse("job_detail", args=[check.pk])).status_code == 404
    assert client.get(reverse("job_status", args=[check.pk])).status_code == 404
    assert client.get(reverse("job_detail", args=[check.pk]), {"format": "csv"}).status_code == 404
    assert client.post(reverse("portfolio_import_confirm", args=[check.pk])).status_code == 404
    assert Job.objects.count() == 1
