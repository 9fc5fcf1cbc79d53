"""The stock import through the API is the screen's import: same file formats, same rows, same errors, all or
nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from buurtbalans.api.tests.conftest import bearer
from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import AuditEvent, HousingCorporation, Job, Role, Upload
from buurtbalans.core.testing import make_user
from buurtbalans.households.models import Household, Tenancy, VulnerabilityMarker
from buurtbalans.portfolio.models import Complex, Dwelling

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "portfolio" / "tests" / "data"


def zipped(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((DATA / folder).glob("*.csv")):
            archive.writestr(path.name, path.read_bytes())
    return buffer.getvalue()


def _fields(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def rows_of(corporation) -> dict:
    """Everything an import writes, without ids and the corporation: comparable between two corporations."""
    drop = {"id", "corporation_id", "complex_id", "dwelling_id", "household_id", "neighbourhood_id", "kind_id"}

    def plain(queryset, *related):
        return sorted(
            tuple(sorted((k, str(v)) for k, v in row.items() if k not in drop))
            for row in queryset.filter(corporation=corporation).values(*_fields(queryset.model), *related)
        )

    return {
        "complexes": plain(Complex.objects, "neighbourhood__cbs_code"),
        "dwellings": plain(Dwelling.objects, "complex__external_id"),
        "households": plain(Household.objects),
        "tenancies": plain(Tenancy.objects, "dwelling__external_id", "household__external_id"),
        "markers": plain(VulnerabilityMarker.objects, "household__external_id", "kind__code"),
    }


def screen_import(client, user, content: bytes, name: str) -> Job:
    """Upload, check and (when the check found nothing) confirm on the screens, as an administrator does."""
    client.force_login(user)
    client.post(reverse("portfolio_import"), {"file": SimpleUploadedFile(name, content)})
    run_pending_jobs()
    check = Job.objects.filter(user=user).latest("pk")
    if check.result.get("is_valid"):
        client.post(reverse("portfolio_import_confirm", args=[check.pk]))
        run_pending_jobs()
    return check


@pytest.fixture
def two_administrators(stock_a, corporation_b, settings, tmp_path):
    """An administrator of A imports on the screens, one of B through the API (same buurt, empty corporations)."""
    settings.UPLOAD_DIR = tmp_path
    empty_a = HousingCorporation.objects.create(code="corp-c", name="Corporatie C")
    return make_user("screen-admin", empty_a, Role.ADMIN, Role.ALLOCATION_OFFICER), \
        make_user("api-admin", corporation_b, Role.ADMIN, Role.ALLOCATION_OFFICER)


def test_an_api_import_and_a_screen_import_of_a_file_write_the_same_rows(client, two_administrators, token_for,
                                                                         settings):
    screen_user, api_user = two_administrators
    content = zipped("good")
    check = screen_import(client, screen_user, content, "portfolio.zip")
    assert check.result["is_valid"], check.result["errors"]
    client.logout()
    text = token_for(api_user, Role.ADMIN, {"portfolio": "write"})
    response = client.post("/api/v1/portfolio/imports", {"file": SimpleUploadedFile("portfolio.zip", content)},
                           **bearer(text))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["written"] is True and body["dry_run"] is False
    # The administrator may not read markers: new/changed of the markers sheet is not told, as on the screen.
    assert body["counts"]["markers"] == {"new": None, "updated": None, "unchanged": None, "rows": 2}
    screen_rows = rows_of(screen_user.membership.corporation)
    assert screen_rows == rows_of(api_user.membership.corporation)
    assert all(screen_rows.values())
    # Audited as the screen's import is, and the uploaded file is gone.
    events = AuditEvent.objects.filter(corporation=api_user.membership.corporation,
                                       event_type=AuditEvent.Type.PORTFOLIO_IMPORTED)
    assert events.count() == 1 and events.get().actor.username.startswith("api-admin")
    assert not Upload.objects.filter(corporation=api_user.membership.corporation).exists()
    assert not list(Path(settings.UPLOAD_DIR).glob("portfolio-*"))


def test_an_api_import_and_a_screen_check_of_a_bad_file_give_the_same_errors_and_write_nothing(
        client, two_administrators, token_for):
    screen_user, api_user = two_administrators
    content = zipped("bad")
    check = screen_import(client, screen_user, content, "portfolio.zip")
    screen_errors = [(e["file"], e["row"], e["column"], e["message"]) for e in check.result["errors"]]
    assert screen_errors and check.result["error_count"] == len(screen_errors)
    client.logout()
    text = token_for(api_user, Role.ADMIN, {"portfolio": "write"})
    response = client.post("/api/v1/portfolio/imports", {"file": SimpleUploadedFile("portfolio.zip", content)},
                           **bearer(text))
    assert response.status_code == 422
    body = response.json()
    api_errors = [(*e["loc"], e["msg"]) for e in body["errors"]]
    assert api_errors == screen_errors
    assert str(len(screen_errors)) in body["detail"]
    corporation = api_user.membership.corporation
    assert not any(rows_of(corporation).values())
    assert not AuditEvent.objects.filter(corporation=corporation, event_type=AuditEvent.Type.PORTFOLIO_IMPORTED)


def test_a_dry_run_checks_and_writes_nothing(client, two_administrators, token_for):
    _screen_user, api_user = two_administrators
    text = token_for(api_user, Role.ADMIN, {"portfolio": "write"})
    response = client.post("/api/v1/portfolio/imports?dry_run=true",
                           {"file": SimpleUploadedFile("portfolio.zip", zipped("good"))}, **bearer(text))
    assert response.status_code == 200
    assert response.json()["dry_run"] is True and response.json()["written"] is False
    assert response.json()["counts"]["dwellings"]["new"] == 4
    assert not Dwelling.objects.filter(corporation=api_user.membership.corporation).exists()


def test_a_file_the_import_cannot_read_gets_the_screens_message(client, two_administrators, token_for):
    _screen_user, api_user = two_administrators
    text = token_for(api_user, Role.ADMIN, {"portfolio": "write"})
    for name, content in [("stock.pdf", b"%PDF-1.4"), ("stock.zip", b"not a zip"), ("stock.csv", b"a;b\n1;2\n")]:
        response = client.post("/api/v1/portfolio/imports", {"file": SimpleUploadedFile(name, content)},
                               **bearer(text))
        assert response.status_code == 422, name
        errors = response.json()["errors"]
        assert errors and errors[0]["loc"] == [name, None, None], (name, errors)


def test_only_a_role_that_manages_the_portfolio_imports(client, alice, token_for, settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path
    text = token_for(alice, Role.ALLOCATION_OFFICER, {"portfolio": "write"})
    response = client.post("/api/v1/portfolio/imports", {"file": SimpleUploadedFile("p.zip", zipped("good"))},
                           **bearer(text))
    assert response.status_code == 403
    assert not Dwelling.objects.exists()
