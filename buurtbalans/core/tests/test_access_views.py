"""Who sees what, on every page, export and JSON endpoint.

charlie works for corporation B: every URL of corporation A's objects must give him a 404/403 or a page
with nothing of A on it. bob (policy analyst) sees aggregates but never a single household. Anonymous
visitors are sent to the login page.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from buurtbalans.allocation.testing import ALLOCATION_MARKERS, allocation_urls_of, make_allocation_objects
from buurtbalans.cooperatives.testing import COOPERATIVE_MARKERS, cooperative_urls_of, make_cooperative_objects
from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import AuditEvent, HousingCorporation, Job, Role
from buurtbalans.core.testing import make_user
from buurtbalans.liveability.testing import A_MARKERS as LIVEABILITY_MARKERS
from buurtbalans.liveability.testing import liveability_job_ids, liveability_urls, make_liveability_records
from buurtbalans.steering.testing import STEERING_MARKERS, make_steering_objects, steering_urls_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas are created per test; the production hasher's rounds would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Strings that appear only in corporation A's data (see buurtbalans/testing.py, make_stock).
A_MARKERS = ("Corporatie A", "Complex A", "A-C1", "A-D1", "A-H1", "A-H2", "A-T1", "Astraat", "secret-a.xlsx",
             "A-T3", "agreement-note-a", "toewijzingsverantwoording-corp-a")
A_MARKERS += COOPERATIVE_MARKERS  # housing cooperatives (issue 7)
A_MARKERS += LIVEABILITY_MARKERS  # liveability monitor (issue 6)
# Letters (issue 10): A's contact details and its applicants' names and addresses.
NAME_AND_ADDRESS_MARKERS = ("Persoon-A", "Adresweg-A")
A_MARKERS += ("brieven@contact-a.example", *NAME_AND_ADDRESS_MARKERS)


@pytest.fixture
def a_objects(stock_a, stock_b, alice):
    corporation = stock_a.corporation
    import_job = Job.objects.create(
        kind="portfolio_import", corporation=corporation, user=alice, status=Job.Status.SUCCEEDED,
        params={"path": "/nonexistent/secret-a.xlsx", "dry_run": True, "file_name": "secret-a.xlsx"},
        result={"is_valid": True, "error_count": 0, "errors": [], "counts": {"dwellings": {"new": 3, "updated": 0,
                                                                                            "unchanged": 0}}},
    )
    audit_record(
        actor=alice, event=AuditEvent.Type.MARKERS_READ, corporation=corporation, subject_type="household",
        subject_ids=["A-H1"], subject_label="vulnerability markers of household A-H1", purpose="allocation",
    )
    # The legal rules: a non-fitting letting of A in 2025, a performance agreement and a finished PDF report.
    from datetime import date
    from decimal import Decimal

    from buurtbalans.households.models import Tenancy
    from buurtbalans.rules.models import ComplianceReportFile, PerformanceAgreement

    Tenancy.objects.create(
        corporation=corporation, external_id="A-T3", dwelling=stock_a.dwellings[2], household=stock_a.households[0],
        start_date=date(2025, 6, 1), income_at_start=Decimal("21000"), rent_at_start=Decimal("800.00"),
        exception_reason="rehousing",
    )
    agreement = PerformanceAgreement.objects.create(
        corporation=corporation, municipality=stock_a.municipality, valid_from=date(2025, 1, 1),
        free_allocation_share=Decimal("0.15"), note="agreement-note-a", recorded_by_name="alice",
    )
    report_job = Job.objects.create(
        kind="compliance_report", corporation=corporation, user=alice, status=Job.Status.SUCCEEDED,
        params={"year": 2025, "municipality": None},
        result={"file": {"name": "toewijzingsverantwoording-corp-a-2025.pdf", "url": "/"}},
    )
    ComplianceReportFile.objects.create(
        job=report_job, corporation=corporation, year=2025, file_name="toewijzingsverantwoording-corp-a-2025.pdf",
        content=b"%PDF-1.4 A-T3",
    )
    steering = make_steering_objects(stock_a, alice)  # steering the mix (issue 5)
    cooperative = make_cooperative_objects(stock_a)  # housing cooperatives (issue 7)
    make_liveability_records(stock_a, alice)  # liveability monitor (issue 6)
    allocation = make_allocation_objects(stock_a, alice)  # allocation rounds (issue 4)
    # Letters (issue 10): the corporation's contact details; applicants' names and postal addresses.
    from buurtbalans.core.services import corporation_contact_set
    from buurtbalans.households.models import Applicant

    corporation_contact_set(corporation=corporation, actor=None,
                            values={"email": "brieven@contact-a.example", "city": "Zwolle"})
    Applicant.objects.filter(corporation=corporation).update(name="Persoon-A", street_address="Adresweg-A 1",
                                                             postal_code="8011 AB", city="Zwolle")
    return {"stock": stock_a, "import_job": import_job, "agreement": agreement, "report_job": report_job,
            "steering": steering, "cooperative": cooperative, "allocation": allocation}


def urls_of_a(a_objects) -> list[tuple[str, str, dict]]:
    """(method, url, data) for every page, export and endpoint that shows corporation A's objects."""
    stock = a_objects["stock"]
    complex_ = stock.complex
    household = stock.households[0]
    job = a_objects["import_job"]
    buurt = stock.neighbourhood.cbs_code
    urls = [
        ("get", reverse("home"), {}),
        ("get", reverse("stock_overview"), {}),
        ("get", reverse("complex_detail", args=[complex_.pk]), {}),
        ("get", reverse("household_detail", args=[household.pk]), {}),
        ("get", reverse("household_markers", args=[household.pk]), {}),
        ("post", reverse("household_markers", args=[household.pk]), {"purpose": "allocation"}),
        ("get", reverse("neighbourhood_list"), {}),
        ("get", reverse("job_list"), {}),
        ("get", reverse("job_detail", args=[job.pk]), {}),
        ("get", reverse("job_status", args=[job.pk]), {}),
        ("post", reverse("portfolio_import_confirm", args=[job.pk]), {}),
        ("get", reverse("portfolio_import"), {}),
        ("get", reverse("audit_log"), {}),
        ("get", reverse("audit_log"), {"subject_id": "A-H1"}),
    ]
    exports = [
        reverse("stock_overview"),
        reverse("complex_detail", args=[complex_.pk]),
        reverse("household_detail", args=[household.pk]),
        reverse("neighbourhood_list"),
        reverse("job_detail", args=[job.pk]),
        reverse("audit_log"),
    ]
    for url in exports:
        for export_format in ("csv", "xlsx"):
            urls.append(("get", url, {"format": export_format}))
    urls.append(("get", reverse("neighbourhood_detail", args=[buurt]), {}))
    urls.append(("get", reverse("neighbourhood_detail", args=[buurt]), {"format": "csv", "table": "complexes"}))
    agreement, report_job = a_objects["agreement"], a_objects["report_job"]
    urls += [
        ("get", reverse("rules_compliance"), {}),
        ("get", reverse("rules_compliance"), {"year": "2025"}),
        ("get", reverse("rules_compliance"), {"year": "2025", "municipality": "GM0193"}),
        ("post", reverse("rules_compliance_report"), {"year": "2025"}),
        ("get", reverse("rules_compliance_report_download", args=[report_job.pk]), {}),
        ("get", reverse("job_detail", args=[report_job.pk]), {}),
        ("get", reverse("rules_parameters"), {}),
        ("get", reverse("rules_parameter_set", args=["2025-01-01"]), {}),
        ("get", reverse("rules_parameter_new"), {}),
        ("get", reverse("rules_parameter_upload"), {}),
        ("post", reverse("rules_parameter_remove", args=["2025-01-01", "allowance_cap_low"]), {}),
        ("get", reverse("rules_agreements"), {}),
        ("get", reverse("rules_agreement_edit", args=[agreement.pk]), {}),
        ("post", reverse("rules_agreement_edit", args=[agreement.pk]), {"note": "x"}),
        ("post", reverse("rules_agreement_delete", args=[agreement.pk]), {}),
    ]
    for table in ("norms", "room", "non_fitting"):
        for export_format in ("csv", "xlsx"):
            urls.append(("get", reverse("rules_compliance"), {"year": "2025", "format": export_format, "table": table}))
    urls += steering_urls_of(a_objects["steering"])  # steering the mix (issue 5)
    urls += cooperative_urls_of(a_objects["cooperative"])  # housing cooperatives (issue 7)
    urls += liveability_urls(stock)  # liveability monitor (issue 6)
    urls += allocation_urls_of(a_objects["allocation"])  # allocation rounds (issue 4)
    # Privacy (issue 11): a household's subject access download and erasure; the user screens of A's accounts.
    alice_id = a_objects["import_job"].user_id
    urls += [
        ("get", reverse("privacy_home"), {"code": household.external_id}),
        ("post", reverse("privacy_household_access", args=[household.pk]), {}),
        ("get", reverse("privacy_household_erase", args=[household.pk]), {}),
        ("post", reverse("privacy_household_erase", args=[household.pk]), {"confirm": "1"}),
        ("get", reverse("accounts_user_detail", args=[alice_id]), {}),
        ("post", reverse("accounts_user_detail", args=[alice_id]), {"roles": ["ADMIN"]}),
        ("post", reverse("accounts_user_active", args=[alice_id]), {"is_active": ""}),
        ("post", reverse("accounts_user_mfa_reset", args=[alice_id]), {}),
        ("post", reverse("accounts_user_password_link", args=[alice_id]), {}),
        ("get", reverse("rules_local_parameters"), {}),
    ]
    # The contact details for letters: the page has no corporation in its URL; it shows the user's own.
    urls += [
        ("get", reverse("corporation_settings"), {}),
        ("post", reverse("corporation_settings"), {"email": "info@b.example", "objection_term_weeks": "6"}),
    ]
    return urls


def body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content.startswith(b"PK"):  # an .xlsx: read the cells
        import io

        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content), read_only=True)
        rows = (row for sheet in workbook for row in sheet.iter_rows(values_only=True))
        return "\n".join(" ".join(str(v) for v in row if v is not None) for row in rows)
    # CSRF tokens are random letters and digits: one holding "A1" would fail a "no A1 on this page" check by chance.
    return CSRF_TOKEN.sub("", content.decode("utf-8-sig"))


CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def fetch(client, method, url, data):
    return client.get(url, data) if method == "get" else client.post(url, data)


@pytest.mark.smoke
def test_charlie_sees_nothing_of_corporation_a_anywhere(client, charlie, a_objects, settings):
    settings.DEBUG = False
    charlie_auditor = make_user("charlie-auditor", HousingCorporation.objects.get(code="corp-b"), Role.AUDITOR)
    charlie_privacy = make_user("charlie-privacy", HousingCorporation.objects.get(code="corp-b"), Role.PRIVACY_OFFICER)
    charlie_assessor = make_user("charlie-assessor", HousingCorporation.objects.get(code="corp-b"),
                                 Role.MOTIVATION_ASSESSOR)
    events_before = AuditEvent.objects.filter(corporation=a_objects["stock"].corporation).count()
    for user in (charlie, charlie_auditor, charlie_privacy, charlie_assessor):
        client.force_login(user)
        for method, url, data in urls_of_a(a_objects):
            response = fetch(client, method, url, data)
            assert response.status_code in (200, 302, 400, 403, 404), (user, url, data, response.status_code)
            if response.status_code == 302:
                for job in ("import_job", "report_job"):
                    assert not response.url.startswith(reverse("job_detail", args=[a_objects[job].pk]))
                continue
            text = body(response)
            for echoed in data.values():  # the page may repeat charlie's own search terms back to him
                for value in echoed if isinstance(echoed, list) else [echoed]:
                    text = text.replace(value, "")
            leaked = [marker for marker in (*A_MARKERS, *STEERING_MARKERS, *ALLOCATION_MARKERS) if marker in text]
            assert not leaked, (user.username, method, url, data, leaked)
    # Nothing charlie did was recorded against A's data either (no reads of A's households happened).
    assert AuditEvent.objects.filter(corporation=a_objects["stock"].corporation).count() == events_before
    own_jobs = [a_objects["import_job"].pk, a_objects["report_job"].pk, a_objects["steering"]["job"].pk,
                *a_objects["allocation"]["jobs"]]
    own_jobs += liveability_job_ids(a_objects["stock"])  # liveability monitor (issue 6)
    assert not Job.objects.exclude(pk__in=own_jobs).filter(corporation=a_objects["stock"].corporation)
    # A's agreement is still there: charlie could neither change nor remove it.
    a_objects["agreement"].refresh_from_db()
    assert a_objects["agreement"].note == "agreement-note-a"
    # A's household is not erased and A's officer keeps her account and roles.
    household = a_objects["stock"].households[0]
    household.refresh_from_db()
    assert not household.external_id.startswith("erased-")
    alice = a_objects["import_job"].user
    alice.refresh_from_db()
    assert alice.is_active and alice.membership.roles == ["ALLOCATION_OFFICER"]


def test_the_motivation_assessor_of_a_opens_none_of_its_pages(client, corporation_a, a_objects):
    """Blind assessing by role (issue 13): A's own assessor gets no page of A but the assessing screens; the home
    page's work list leads them there."""
    assessor = make_user("assessor-a", corporation_a, Role.MOTIVATION_ASSESSOR)
    client.force_login(assessor)
    events_before = AuditEvent.objects.filter(corporation=corporation_a).count()
    for method, url, data in urls_of_a(a_objects):
        response = fetch(client, method, url, data)
        if url == reverse("home"):  # every role's own work list: here only the scoring
            assert f'href="{reverse("allocation_assess_list")}"' in body(response)
            assert "A-C1" not in body(response) and "A-H1" not in body(response)
            continue
        assert response.status_code in (403, 404), (url, data, response.status_code)
    assert client.get(reverse("allocation_assess_list")).status_code == 200
    assert AuditEvent.objects.filter(corporation=corporation_a).count() == events_before


def test_anonymous_visitors_are_sent_to_the_login_page(client, a_objects):
    for method, url, data in urls_of_a(a_objects):
        response = fetch(client, method, url, data)
        assert response.status_code == 302, (url, data)
        assert response.url.startswith(reverse("login")), url


@pytest.mark.smoke
def test_bob_sees_aggregates_but_never_a_household(client, bob, a_objects):
    stock = a_objects["stock"]
    household = stock.households[0]
    client.force_login(bob)
    assert client.get(reverse("stock_overview")).status_code == 200
    assert client.get(reverse("complex_detail", args=[stock.complex.pk])).status_code == 200
    for method, url, data in [
        ("get", reverse("household_detail", args=[household.pk]), {}),
        ("get", reverse("household_detail", args=[household.pk]), {"format": "xlsx"}),
        ("get", reverse("household_markers", args=[household.pk]), {}),
        ("post", reverse("household_markers", args=[household.pk]), {"purpose": "allocation"}),
        ("get", reverse("audit_log"), {}),
        ("get", reverse("portfolio_import"), {}),
        ("get", reverse("job_detail", args=[a_objects["import_job"].pk]), {}),
    ]:
        response = fetch(client, method, url, data)
        assert response.status_code in (403, 404), (url, data, response.status_code)
    overview = body(client.get(reverse("stock_overview")))
    assert "21.000" not in overview and "21000" not in overview


def test_applicants_names_and_addresses_are_shown_to_allocation_officers_only(client, alice, bob, nina, ada,
                                                                              a_objects):
    pages = [(url, data) for method, url, data in urls_of_a(a_objects) if method == "get"]
    for user in (bob, nina, ada):
        client.force_login(user)
        for url, data in pages:
            response = client.get(url, data)
            if response.status_code != 200 or response.get("Content-Type", "").startswith("application/pdf"):
                continue  # the PDFs these roles may open are reports of aggregates
            shown = [marker for marker in NAME_AND_ADDRESS_MARKERS if marker in body(response)]
            assert not shown, (user.username, url, data, shown)
    client.force_login(alice)
    person = a_objects["allocation"]["people"][0]
    page = body(client.get(reverse("allocation_applicant", args=[person.pk])))
    assert "Persoon-A" in page and "Adresweg-A 1" in page and "8011 AB  Zwolle" in page


def test_only_the_auditor_reads_the_audit_log(client, alice, bob, nina, ada, otto, a_objects):
    for user in (alice, bob, nina, ada):
        client.force_login(user)
        assert client.get(reverse("audit_log")).status_code == 403, user
        assert client.get(reverse("audit_log"), {"format": "csv"}).status_code == 403, user
    client.force_login(otto)
    response = client.get(reverse("audit_log"), {"subject_id": "A-H1"})
    assert response.status_code == 200
    found = [e.subject_label for e in response.context["page"].object_list]
    assert found == ["vulnerability markers of household A-H1"]


def test_the_import_is_for_administrators_only(client, alice, bob, ada, a_objects):
    for user in (alice, bob):
        client.force_login(user)
        assert client.get(reverse("portfolio_import")).status_code == 403
    client.force_login(ada)
    assert client.get(reverse("portfolio_import")).status_code == 200


def test_every_form_post_without_a_csrf_token_is_refused(a_objects, corporation_a):
    from django.test import Client

    owner = make_user("owner", corporation_a, *Role.values)  # every right, so only CSRF can refuse the post
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    posts = [(url, data) for method, url, data in urls_of_a(a_objects) if method == "post"]
    assert len(posts) > 20
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 403, (url, response.status_code)
