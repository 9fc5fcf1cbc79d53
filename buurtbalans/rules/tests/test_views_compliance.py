"""The compliance screen, its exports and the PDF report job (see conftest.py for the year of lettings)."""

import csv
import io

import pytest
from django.urls import reverse

from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import AuditEvent, Job
from buurtbalans.rules.compliance import compliance_for_corporation
from buurtbalans.rules.models import ComplianceReportFile
from buurtbalans.rules.report_pdf import compliance_story

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text_of(response))))


@pytest.mark.smoke
def test_bob_sees_the_aggregates_but_no_household(client, bob, year_a):
    client.force_login(bob)
    response = client.get(reverse("rules_compliance"), {"year": 2025})
    assert response.status_code == 200
    page = response.content.decode()
    rows = {r.name: r for r in response.context["rows"]}
    assert (rows["Zwolle"].fit, rows["Zwolle"].fit_norm_met, rows["Apeldoorn"].daeb_norm_met) == (30, False, False)
    assert "Z-NOFIT-1" in page and "Herhuisvesting" in page
    assert "/households/" not in page
    assert "H-Z-NOFIT" not in page and "30.000" not in page and "30,000" not in page
    assert [n.household_pk for n in response.context["non_fitting_page"].object_list] == [None, None]
    export = csv_rows(client.get(reverse("rules_compliance"), {"year": 2025, "format": "csv", "table": "non_fitting"}))
    assert [len(row) for row in export] == [2, 2, 2]
    assert [row[0] for row in export[1:]] == ["Z-NOFIT-1", "Z-NOFIT-2"]
    assert not AuditEvent.objects.filter(actor=bob).exists()


def test_alice_gets_links_to_the_households_and_the_read_is_logged(client, alice, year_a):
    client.force_login(alice)
    response = client.get(reverse("rules_compliance"), {"year": 2025})
    household = year_a.tenancies["Z-NOFIT-1"].household
    assert reverse("household_detail", args=[household.pk]) in response.content.decode()
    event = AuditEvent.objects.get(actor=alice, event_type=AuditEvent.Type.HOUSEHOLD_READ)
    assert event.subject_ids == ["H-Z-NOFIT-1", "H-Z-NOFIT-2"]
    assert event.purpose == "compliance"
    export = csv_rows(client.get(reverse("rules_compliance"), {"year": 2025, "format": "csv", "table": "non_fitting"}))
    assert export[1][:4] == ["Z-NOFIT-1", "Herhuisvesting", "Zwolle", "H-Z-NOFIT-1"]
    assert AuditEvent.objects.filter(actor=alice, event_type=AuditEvent.Type.PERSONAL_DATA_EXPORTED).count() == 1


def test_the_tables_export_as_csv_and_excel(client, ada, year_a):
    client.force_login(ada)
    norms = csv_rows(client.get(reverse("rules_compliance"), {"year": 2025, "format": "csv", "table": "norms"}))
    assert [row[0] for row in norms[1:]] == ["Apeldoorn", "Zwolle", "Gemeente onbekend", "Hele corporatie"]
    assert norms[2][1:5] == ["GM0193", "40", "32", "30"]
    room = csv_rows(client.get(reverse("rules_compliance"), {"year": 2025, "format": "csv", "table": "room"}))
    assert room[-1][3:] == ["4", "4", "0", "2", "0"]
    excel = client.get(reverse("rules_compliance"), {"year": 2025, "format": "xlsx", "table": "room"})
    assert excel.status_code == 200 and b"".join(excel.streaming_content).startswith(b"PK")
    assert client.get(reverse("rules_compliance"), {"year": 2025, "format": "csv", "table": "x"}).status_code == 404


def test_one_municipality_can_be_shown(client, bob, year_a):
    client.force_login(bob)
    response = client.get(reverse("rules_compliance"), {"year": 2025, "municipality": "GM0200"})
    assert [r.name for r in response.context["rows"]] == ["Apeldoorn", "Hele corporatie"]
    assert response.context["total"].lettings == 20


def test_roles_without_the_right_get_403(client, nina, otto, year_a):
    for user in (nina, otto):
        client.force_login(user)
        assert client.get(reverse("rules_compliance")).status_code == 403
        assert client.post(reverse("rules_compliance_report"), {"year": 2025}).status_code == 403


def test_the_pdf_report_runs_as_a_job_and_the_job_page_offers_the_download(client, bob, charlie, year_a):
    client.force_login(bob)
    response = client.post(reverse("rules_compliance_report"), {"year": 2025, "municipality": ""})
    job = Job.objects.get(kind="compliance_report")
    assert response.url == reverse("job_detail", args=[job.pk])
    assert (job.corporation, job.user) == (year_a.stock.corporation, bob)
    assert job.params == {"year": 2025, "municipality": None}
    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.log
    assert job.parameter_version == "parameters:2025-01-01:bbb913cd"
    download = reverse("rules_compliance_report_download", args=[job.pk])
    assert download in client.get(reverse("job_detail", args=[job.pk])).content.decode()
    pdf = client.get(download)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert ComplianceReportFile.objects.get(job=job).parameter_versions == ["parameters:2025-01-01:bbb913cd"]
    client.force_login(charlie)
    assert client.get(download).status_code == 404


def _story_text(story) -> str:
    texts = []
    for flowable in story:
        if hasattr(flowable, "text"):
            texts.append(flowable.text)
        for row in getattr(flowable, "_cellvalues", []):
            texts.extend(cell.text for cell in row if hasattr(cell, "text"))
    return "\n".join(texts)


def test_the_report_holds_the_tables_the_parameters_and_their_sources(year_a, settings):
    from django.utils import timezone, translation

    outcome = compliance_for_corporation(year_a.stock.corporation, 2025)
    with translation.override("nl"):
        text = _story_text(compliance_story(outcome, generated=timezone.now()))
    for expected in (
        "Zwolle",
        "Apeldoorn",
        "Z-NOFIT-1",
        "Herhuisvesting",
        "parameters:2025-01-01:bbb913cd",
        "Gemeente onbekend",
        "S23",
        "X-NOINCOME-1",
    ):
        assert expected in text, expected


def test_a_year_with_unknown_caps_says_so_instead_of_guessing(client, bob, stock_a):
    from datetime import date
    from decimal import Decimal

    from django.utils import timezone

    from buurtbalans.households.models import Tenancy
    from buurtbalans.rules.models import ParameterValue

    # 2026 as it was before its caps were published: the low cap unknown.
    ParameterValue.objects.create(
        valid_from=date(2026, 1, 1), key="allowance_cap_low", state="unknown", version="x", changed=timezone.now(),
        changed_by_name="test",
    )  # fmt: skip
    Tenancy.objects.create(
        corporation=stock_a.corporation, external_id="A-2026", dwelling=stock_a.dwellings[2],
        household=stock_a.households[0], start_date=date(2026, 3, 1), income_at_start=Decimal("21000"),
        rent_at_start=Decimal("650.00"), household_size_at_start=1, is_pension_age_at_start=False,
    )  # fmt: skip
    client.force_login(bob)
    response = client.get(reverse("rules_compliance"), {"year": 2026})
    total = response.context["total"]
    assert (total.lettings, total.low_income_lettings, total.fit, total.fit_norm_met) == (1, 1, None, None)
    # The DAEB figures need no cap: they are still given.
    assert (total.daeb_target_group_lettings, total.daeb_norm_met) == (1, True)
    assert response.context["missing"] == ["Lage aftoppingsgrens, 1-2 personen"]
    assert "Onbekend: er ontbreekt een wettelijke waarde" in response.content.decode()
