"""Sold dwellings and means to steer (issue 16 item 2): the list, its exports, the complex page, and who sees them."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from buurtbalans.core.models import AuditEvent
from buurtbalans.history.services import history_record
from buurtbalans.liveability.models import ComplexVitality
from buurtbalans.portfolio.models import Dwelling, DwellingStatus

pytestmark = pytest.mark.django_db


def body(response) -> str:
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if content.startswith(b"PK"):
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(";".join(str(v) for v in row if v is not None)
                         for sheet in workbook for row in sheet.iter_rows(values_only=True))
    return content.decode("utf-8-sig")


def sell(corporation, codes, year):
    Dwelling.objects.filter(corporation=corporation, external_id__in=codes).update(status=DwellingStatus.SOLD)
    history_record(corporation=corporation, as_of=date(year, 3, 1), source=f"voorraad-{year}-03-01.xlsx")


def vitality(stock, year, score):
    ComplexVitality.objects.create(corporation=stock.corporation, complex=stock.complex,
                                   reference_date=date(year, 12, 31), score=score, computed=timezone.now())


@pytest.fixture
def sold_a(stock_a):
    """Complex A: 3 dwellings; one sold in 2022 (67 % owned), a second in 2023 (33 %: under 50 %)."""
    history_record(corporation=stock_a.corporation, as_of=date(2021, 3, 1), source="voorraad-2021-03-01.xlsx")
    sell(stock_a.corporation, ["A-D3"], 2022)
    sell(stock_a.corporation, ["A-D2"], 2023)
    for year, score in ((2021, 71.0), (2022, 68.0), (2023, 60.0), (2024, 55.0)):
        vitality(stock_a, year, score)
    return stock_a


def test_the_list_names_the_complex_and_the_year_it_fell_under(client, bob, sold_a, stock_b):
    client.force_login(bob)
    response = client.get(reverse("steering_power"))
    assert response.status_code == 200
    powers = response.context["powers"]
    assert [(p.complex.external_id, p.under_since, round(p.latest_share, 3)) for p in powers] == [("A-C1", 2023, 0.333)]
    assert powers[0].score_before == (2022, 68.0) and powers[0].score_latest == (2024, 55.0)
    text = response.content.decode()
    assert "Complex A" in text and "Complex B" not in text
    # The chart of all complexes comes with its table: per year the owned share and the complexes under.
    assert [row["cells"] for row in response.context["chart_table"]] == [["100%", 0], ["67%", 0], ["33%", 1]]


def test_the_tables_download_as_dutch_csv_and_excel(client, bob, sold_a):
    client.force_login(bob)
    url = reverse("steering_power")
    csv_nl = body(client.get(url, {"format": "csv-nl", "table": "complexes"}))
    assert csv_nl.splitlines()[1].startswith("A-C1;Complex A;BU01930001;Buurt A;2023;0,3333;3;2;")
    buurten = body(client.get(url, {"format": "xlsx", "table": "buurten"}))
    assert "BU01930001;Buurt A;1;1;1;0.6667;0.3333" in buurten
    assert client.get(url, {"format": "csv", "table": "nothing"}).status_code == 404


def test_the_complex_page_shows_the_means_to_steer_gone_next_to_the_trend(client, bob, sold_a):
    client.force_login(bob)
    response = client.get(reverse("monitor_complex", args=[sold_a.complex.pk]))
    assert response.status_code == 200
    section = response.context["steering_power"]
    assert section["marker"]["year"] == 2023 and section["marker"]["x"] is not None
    assert section["sentence"] == (
        "Sinds 2023 heeft de corporatie minder dan 50% van de woningen in dit complex in bezit (nu 33%, 2 verkocht): "
        "de sturingsmogelijkheden zijn verdwenen. De vitaliteitsscore was 68 in 2022 en is 55 in 2024."
    )
    text = response.content.decode()
    assert 'id="steering-power-chart-marker"' in text
    # The year of the last vitality score (2024, no import that year) carries the share of 2023.
    assert [(row["year"], row["cells"]) for row in section["chart_table"]][-1] == (2024, ["33%", "2", "–", "55"])
    assert text.index('id="complex-trend') < text.index('id="steering-power-section"')


def test_the_complex_page_in_dutch_says_sturingsmogelijkheden_verdwenen(client, bob, sold_a, settings):
    client.force_login(bob)
    text = client.get(reverse("monitor_complex", args=[sold_a.complex.pk]), HTTP_ACCEPT_LANGUAGE="nl").content
    assert "sturingsmogelijkheden verdwenen" in text.decode().lower()


def test_the_threshold_is_a_setting(client, bob, sold_a, settings):
    settings.BUURTBALANS_STEERING_POWER_THRESHOLD = 0.3
    client.force_login(bob)
    assert client.get(reverse("steering_power")).context["powers"] == []
    section = client.get(reverse("monitor_complex", args=[sold_a.complex.pk])).context["steering_power"]
    assert section["marker"] is None and "Onder 30%" in section["sentence"]


def test_a_complex_without_ownership_history_shows_no_section(client, bob, stock_a):
    client.force_login(bob)
    response = client.get(reverse("monitor_complex", args=[stock_a.complex.pk]))
    assert response.status_code == 200 and response.context["sections"] == []


@pytest.mark.parametrize("persona", ["alice", "nina", "ada"])
def test_the_monitors_roles_see_the_list(client, persona, request, sold_a):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("steering_power")).status_code == 200


def test_roles_without_the_monitor_may_not_see_it(client, otto, sold_a):
    client.force_login(otto)
    assert client.get(reverse("steering_power")).status_code == 403


def test_charlie_sees_nothing_of_a(client, charlie, sold_a):
    client.force_login(charlie)
    events = AuditEvent.objects.filter(corporation=sold_a.corporation).count()
    response = client.get(reverse("steering_power"))
    assert response.status_code == 200
    assert response.context["powers"] == [] and response.context["years"] == []
    for export in ("complexes", "buurten"):
        text = body(client.get(reverse("steering_power"), {"format": "csv-nl", "table": export}))
        assert "A-C1" not in text and "Buurt A" not in text
    assert client.get(reverse("monitor_complex", args=[sold_a.complex.pk])).status_code == 404
    assert AuditEvent.objects.filter(corporation=sold_a.corporation).count() == events


def test_anonymous_visitors_are_sent_to_the_login(client, sold_a):
    response = client.get(reverse("steering_power"))
    assert response.status_code == 302 and "login" in response.url
