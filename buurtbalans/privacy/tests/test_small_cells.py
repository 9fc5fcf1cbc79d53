"""The small-cell rule of the steering pages holds everywhere an analyst or administrator sees figures about a few
households (issue 11, finding 7): the overview's download and the monitor's complex page, its downloads and chart.

stock_a's complex has 2 households, one with a vulnerability marker and one in the lowest income band: every such
figure stands for fewer than 5 households. The label plan's result document is tested with the steering tests.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from buurtbalans.liveability.services import vitality_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield client


def csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_overview_download_gives_small_counts_as_less_than_5_to_the_analyst_only(client, bob, alice, stock_a):
    client.force_login(bob)
    (row,) = csv_rows(client.get(reverse("stock_overview"), {"format": "csv"}))
    assert row["Households"] == "2"
    assert row["Households with a vulnerability marker"] == "< 5"
    assert row["Share with a vulnerability marker"] == "< 5"
    assert row["Lowest incomes (primary target group)"] == "< 5"
    assert "0.5" not in row.values()

    client.force_login(alice)  # an allocation officer reads markers for her work: the exact figures
    (row,) = csv_rows(client.get(reverse("stock_overview"), {"format": "csv"}))
    assert row["Households with a vulnerability marker"] == "1"
    assert row["Share with a vulnerability marker"] == "0.5"


def test_the_buurt_download_follows_the_same_rule(client, bob, stock_a):
    client.force_login(bob)
    url = reverse("neighbourhood_detail", args=[stock_a.neighbourhood.cbs_code])
    (row,) = csv_rows(client.get(url, {"format": "csv", "table": "complexes"}))
    assert row["Households with a vulnerability marker"] == "< 5"


@pytest.fixture
def counted(stock_a):
    vitality_refresh(corporation=stock_a.corporation, reference_date=timezone.localdate())
    return stock_a


def test_the_monitor_complex_page_hides_a_share_of_fewer_than_5_households_from_the_analyst(client, bob, counted):
    client.force_login(bob)
    url = reverse("monitor_complex", args=[counted.complex.pk])
    page = client.get(url)
    rows = {row.key: row for row in page.context["indicator_rows"]}
    assert rows["vulnerable_share"].value_text == "< 5"
    assert rows["primary_share"].value_text == "< 5"
    assert rows["vulnerable_share"].is_past_warning  # the warning itself stays
    text = page.content.decode()
    assert "50%" not in text
    assert "Households with a vulnerability marker is past the warning level of 35%." in text
    assert "fewer than 5 households" in text  # the note that explains "< 5"

    export = {r["Key"]: r for r in csv_rows(client.get(url, {"format": "csv"}))}
    assert export["vulnerable_share"]["Value"] == "" and export["vulnerable_share"]["Shown as"] == "< 5"
    assert export["vulnerable_share"]["Sub-score"] == ""

    trend = client.get(url, {"indicator": "vulnerable_share"})
    assert all(s.name != counted.complex.name for s in trend.context["chart_series"])
    spec = json.loads(client.get(reverse("monitor_complex_chart", args=[counted.complex.pk]),
                                 {"indicator": "vulnerable_share"}).content)
    assert counted.complex.name not in json.dumps(spec["data"])
    trend_rows = csv_rows(client.get(url, {"format": "csv", "table": "trend", "indicator": "vulnerable_share"}))
    assert all(r["Series"] != counted.complex.name for r in trend_rows)


def test_the_monitor_overview_and_early_warning_list_follow_the_rule(client, bob, counted):
    client.force_login(bob)
    overview = client.get(reverse("monitor_overview"))
    (row,) = overview.context["page"].object_list
    assert row.cells[0] == "< 5"  # the first table column: households with a vulnerability marker
    (exported,) = csv_rows(client.get(reverse("monitor_overview"), {"format": "csv"}))
    assert exported["Households with a vulnerability marker"] == "< 5"
    assert "50%" not in exported["Reasons"]
    warnings = client.get(reverse("monitor_warnings"))
    assert not any("50%" in reason for r in warnings.context["page"].object_list for reason in r.reasons)


def test_a_neighbourhood_manager_sees_the_exact_share(client, nina, counted):
    client.force_login(nina)
    page = client.get(reverse("monitor_complex", args=[counted.complex.pk]))
    rows = {row.key: row for row in page.context["indicator_rows"]}
    assert rows["vulnerable_share"].value_text == "50%"


def test_the_stock_complex_page_shows_the_monitor_figures_under_the_same_rule(client, bob, counted):
    client.force_login(bob)
    page = client.get(reverse("complex_detail", args=[counted.complex.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Households with a vulnerability marker is 50%" not in text
    assert "Households with a vulnerability marker is past the warning level of 35%." in text
