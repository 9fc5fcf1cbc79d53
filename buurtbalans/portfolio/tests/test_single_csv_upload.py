"""One CSV file on the upload screens, as docs/import.md and docs/monitor.md promise (issue 14 item 6): its name or,
when the name says nothing (`export.csv`), its header decides the sheet; `;` or `,`, decimal commas or points; a
bad row is reported with file, row and column and nothing is written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import Job, Upload
from buurtbalans.households.models import Household
from buurtbalans.liveability.models import Signal
from buurtbalans.portfolio.importing.columns import SHEETS_BY_NAME
from buurtbalans.portfolio.importing.readers import csv_header, csv_sheet_for
from buurtbalans.portfolio.models import Dwelling

pytestmark = pytest.mark.django_db

DWELLINGS_NL = (
    "\ufeffexternal_id;complex;straatnaam;huisnummer;postcode;woonplaats;kaleHuur;status\r\n"
    "D-1;;Rivierstraat;1;8011 AA;Zwolle;612,50;verhuurd\r\n"
)
HOUSEHOLDS_INTL = "Huishouden.code,huishoudgrootte,inkomen\nH-1,2,21500.00\nH-2,1,\"18,250.50\"\n"


@pytest.fixture
def uploads(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


def csv_upload(name: str, text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def check_and_import(client, url: str, confirm: str, kind: str, upload) -> Job:
    response = client.post(reverse(url), {"file": upload})
    assert response.status_code == 302, response.context["form"].errors
    run_pending_jobs()
    check = Job.objects.filter(kind=kind, params__dry_run=True).latest("pk")
    assert check.result["is_valid"] is True, check.result
    client.post(reverse(confirm, args=[check.pk]))
    run_pending_jobs()
    return Job.objects.filter(kind=kind, params__dry_run=False).latest("pk")


def portfolio(client, upload) -> Job:
    return check_and_import(client, "portfolio_import", "portfolio_import_confirm", "portfolio_import", upload)


def test_a_dutch_csv_named_by_a_word_of_its_name_is_imported(client, ada, uploads):
    client.force_login(ada)
    job = portfolio(client, csv_upload("Eenheden export 2026-06.csv", DWELLINGS_NL))
    assert job.status == Job.Status.SUCCEEDED and job.result["written"], job.result
    dwelling = Dwelling.objects.get(corporation=ada.membership.corporation, external_id="D-1")
    assert (dwelling.base_rent, dwelling.postcode) == (Decimal("612.50"), "8011AA")


def test_a_comma_separated_csv_whose_header_says_the_sheet_is_imported(client, ada, uploads):
    client.force_login(ada)
    job = portfolio(client, csv_upload("export.csv", HOUSEHOLDS_INTL))
    assert job.result["counts"]["households"]["new"] == 2, job.result
    incomes = dict(Household.objects.filter(corporation=ada.membership.corporation)
                   .values_list("external_id", "assessed_income"))
    assert incomes == {"H-1": Decimal("21500.00"), "H-2": Decimal("18250.50")}


def test_a_csv_that_names_no_sheet_is_refused_naming_the_file(client, ada, uploads):
    client.force_login(ada)
    with translation.override("nl"):
        response = client.post(reverse("portfolio_import"), {"file": csv_upload("export.csv", "a;b\n1;2\n")},
                               HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    error = " ".join(response.context["form"].errors["file"])
    assert "export.csv" in error and "woningen.csv" in error
    assert not Job.objects.exists() and not Upload.objects.exists()


def test_a_bad_row_of_a_single_csv_is_reported_with_file_row_and_column_and_nothing_is_written(client, ada, uploads):
    client.force_login(ada)
    bad = DWELLINGS_NL + "D-2;;Rivierstraat;3;8011 AA;Zwolle;6l2,50;verhuurd\r\n"
    response = client.post(reverse("portfolio_import"), {"file": csv_upload("eenheden.csv", bad)})
    assert response.status_code == 302
    run_pending_jobs()
    check = Job.objects.get()
    assert check.result["is_valid"] is False
    assert [(e["file"], e["row"], e["column"]) for e in check.result["errors"]] == [
        ("eenheden.csv", 3, "kaleHuur")]
    assert not Dwelling.objects.exists()


def test_the_sheet_of_a_csv_file():
    dwellings, households = SHEETS_BY_NAME["dwellings"], SHEETS_BY_NAME["households"]
    assert csv_sheet_for("woningen.csv", None) is dwellings
    assert csv_sheet_for("complexes-2026-06-01.csv", None) is SHEETS_BY_NAME["complexes"]  # our own export's name
    assert csv_sheet_for("eenheden_huishoudens.csv", None) is None  # two sheets named: the name decides nothing
    assert csv_sheet_for("export.csv", csv_header(HOUSEHOLDS_INTL.encode(), "export.csv")) is households
    assert csv_sheet_for("export.csv", csv_header(DWELLINGS_NL.encode("utf-16"), "export.csv")) is dwellings
    assert csv_sheet_for("export.csv", ["naam", "bedrag"]) is None  # no sheet has its required columns here


# --- the social management records (docs/monitor.md, "Import") ---------------------------------------------------


def test_a_single_csv_of_signals_not_named_after_its_sheet_is_imported(client, nina, stock_a, uploads):
    client.force_login(nina)
    text = "Code,Complexcode,Soort,Meldingsdatum\nS-1,A-C1,nuisance,03-02-2025\n"
    job = check_and_import(client, "monitor_records_import", "monitor_records_import_confirm",
                           "social_records_import", csv_upload("meldingen uit ons systeem.csv", text, "cp1252"))
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert Signal.objects.filter(external_id="S-1", complex__external_id="A-C1").exists()


def test_a_bad_row_of_a_single_records_csv_names_file_row_and_column(client, nina, stock_a, uploads):
    client.force_login(nina)
    text = "code;complex;kind;reported_on\nS-1;A-C1;nuisance;2025-02-03\nS-2;A-C1;fire;2025-02-04\n"
    response = client.post(reverse("monitor_records_import"), {"file": csv_upload("export.csv", text)})
    assert response.status_code == 302
    run_pending_jobs()
    check = Job.objects.get(kind="social_records_import")
    assert check.result["is_valid"] is False
    assert [(e["file"], e["row"], e["column"]) for e in check.result["errors"]] == [("export.csv", 3, "kind")]
    assert not Signal.objects.exists()


def test_a_records_csv_that_names_no_sheet_is_refused(client, nina, stock_a, uploads):
    client.force_login(nina)
    response = client.post(reverse("monitor_records_import"), {"file": csv_upload("export.csv", "a;b\n1;2\n")})
    assert response.status_code == 200
    error = " ".join(response.context["form"].errors["file"])
    assert "export.csv" in error and "signals.csv" in error
    assert not Upload.objects.exists()
