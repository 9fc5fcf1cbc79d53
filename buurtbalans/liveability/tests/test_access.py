"""Who sees what in the monitor: charlie (corporation B) nothing of A, bob (analyst) aggregates only, anonymous
visitors the login page. The same URLs are also in core/tests/test_access_views.py's walk."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from buurtbalans.core.models import AuditEvent, Job
from buurtbalans.liveability.testing import A_MARKERS, liveability_urls, make_liveability_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_records(stock_a, stock_b, nina):
    return make_liveability_records(stock_a, nina)


def body(response) -> str:
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if content.startswith(b"PK"):
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(" ".join(str(v) for v in row if v is not None)
                         for sheet in workbook for row in sheet.iter_rows(values_only=True))
    return content.decode("utf-8-sig", errors="replace")


def fetch(client, method, url, data):
    return client.get(url, data) if method == "get" else client.post(url, data)


def test_charlie_sees_nothing_of_a_in_the_monitor(client, charlie, stock_a, a_records):
    client.force_login(charlie)
    events = AuditEvent.objects.filter(corporation=stock_a.corporation).count()
    for method, url, data in liveability_urls(stock_a, a_records):
        response = fetch(client, method, url, data)
        assert response.status_code in (200, 302, 403, 404), (url, data, response.status_code)
        if response.status_code == 302:
            assert not response.url.startswith(reverse("job_detail", args=[a_records["report_job"].pk]))
            continue
        text = body(response)
        leaked = [m for m in (*A_MARKERS, "Complex A", "A-C1") if m in text]
        assert not leaked, (method, url, data, leaked)
    assert AuditEvent.objects.filter(corporation=stock_a.corporation).count() == events
    own = [a_records["report_job"].pk, a_records["import_job"].pk]
    assert not Job.objects.filter(corporation=stock_a.corporation).exclude(pk__in=own).exists()


def test_bob_sees_the_monitor_as_aggregates_and_no_record(client, bob, stock_a, a_records):
    client.force_login(bob)
    for name, args in (("monitor_overview", []), ("monitor_warnings", []), ("monitor_settings", []),
                       ("monitor_complex", [stock_a.complex.pk]), ("monitor_report", [])):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        text = response.content.decode()
        assert not [m for m in ("signal-note-a", "support-note-a") if m in text], name
    for method, url, data in liveability_urls(stock_a, a_records):
        if "/records/" in url or "support-needs" in url:
            assert fetch(client, method, url, data).status_code == 403, url


def test_anonymous_visitors_are_sent_to_the_login_page(client, stock_a, a_records):
    for method, url, data in liveability_urls(stock_a, a_records):
        response = fetch(client, method, url, data)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
