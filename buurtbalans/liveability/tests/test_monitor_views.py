"""The monitor's screens: overview, early warning, complex, map, focus, buurt trends, settings, exports."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.liveability.models import ComplexVitality, Signal
from buurtbalans.liveability.services import vitality_refresh
from buurtbalans.neighbourhoods.models import Neighbourhood, PublicIndicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(stock_a, stock_b):
    """A's complex with signals and Leefbaarometer figures, its vitality counted; B's counted too."""
    today = timezone.localdate()
    buurt = stock_a.neighbourhood.cbs_code
    for stock, x in ((stock_a, 6.08), (stock_b, 6.10)):
        ring = [[x, 52.50], [x + 0.02, 52.50], [x + 0.02, 52.52], [x, 52.52], [x, 52.50]]
        Neighbourhood.objects.filter(pk=stock.neighbourhood.pk).update(
            geometry={"type": "Polygon", "coordinates": [ring]}, centroid_lon=x + 0.01, centroid_lat=52.51)
    for year, lbm, onv in ((2014, 4.0, -0.05), (2018, 3.95, -0.12), (2020, 3.9, -0.17)):
        PublicIndicator.objects.create(area_code=buurt, key="lbm", year=year, value=lbm, source="t",
                                       dataset="leefbaarometer_3")
        PublicIndicator.objects.create(area_code=buurt, key="lbm_onv", year=year, value=onv, source="t",
                                       dataset="leefbaarometer_3")
    for days in (10, 40, 70):
        Signal.objects.create(corporation=stock_a.corporation, complex=stock_a.complex, kind="nuisance",
                              reported_on=today - timedelta(days=days), recorded_by_name="nina")
    vitality_refresh(corporation=stock_a.corporation, reference_date=today)
    vitality_refresh(corporation=stock_b.corporation, reference_date=today)
    return stock_a


def test_the_overview_lists_the_complex_with_its_score_and_warnings(client, nina, counted):
    client.force_login(nina)
    response = client.get(reverse("monitor_overview"))
    assert response.status_code == 200
    row = response.context["page"].object_list[0]
    assert row.complex == counted.complex
    # 3 signals on 3 dwellings: 100 per 100 dwellings; lbm 3.9 is past its warning level 3.95.
    assert row.values["signals_per_100"] == pytest.approx(100.0)
    reasons = " ".join(response.context["page"].object_list[0].cells)
    assert "3.900" in reasons
    text = response.content.decode()
    assert "Complex A" in text and "Complex B" not in text


def test_the_early_warning_list_gives_the_reasons(client, bob, counted):
    client.force_login(bob)
    response = client.get(reverse("monitor_warnings"))
    assert response.status_code == 200
    (row,) = response.context["page"].object_list
    assert any("Signals per 100 dwellings is 100.0, past the warning level of 15.0" in r for r in row.reasons)
    assert any("Leefbaarometer score of the neighbourhood is 3.900" in r for r in row.reasons)
    csv_text = b"".join(client.get(reverse("monitor_warnings"), {"format": "csv"}).streaming_content).decode()
    assert "A-C1" in csv_text and "past the warning level" in csv_text


def test_the_complex_page_shows_every_indicator_with_norm_and_trend(client, bob, counted):
    client.force_login(bob)
    url = reverse("monitor_complex", args=[counted.complex.pk])
    response = client.get(url)
    assert response.status_code == 200
    rows = {r.key: r for r in response.context["indicator_rows"]}
    assert rows["lbm"].trend_key == "worse" and rows["lbm"].trend_years == "2014–2020"
    assert rows["lbm"].norm_text == "4.102"
    assert rows["signals_per_100"].is_past_warning
    chart = response.context["chart"]
    assert chart is not None and chart["lines"]
    spec = json.loads(client.get(reverse("monitor_complex_chart", args=[counted.complex.pk]),
                                 {"indicator": "lbm"}).content)
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert {v["year"] for v in spec["data"]["values"] if v["series"] == "Complex A"} == {2014, 2018, 2020}
    # The complex page of the portfolio has the liveability section.
    page = client.get(reverse("complex_detail", args=[counted.complex.pk])).content.decode()
    assert 'id="liveability"' in page


def test_the_map_colours_buurten_and_marks_complexes(client, nina, counted):
    client.force_login(nina)
    response = client.get(reverse("monitor_map"), {"indicator": "vitality"})
    assert response.status_code == 200
    data = response.context["data"]
    assert [c["code"] for c in data["complexes"]] == ["A-C1"]
    # Both buurten are drawn (public data), each focusable with its value as its name; B's complex is not.
    assert {b["code"] for b in data["buurten"]} == {"BU01930001", "BU01930002"}
    html = response.content.decode()
    assert 'aria-label="Complex A (A-C1): vitality' in html and "Complex B" not in html
    assert 'aria-label="Buurt A: ' in html
    # Every buurt and complex on the map links to a page that opens (the buurt links had a double slash).
    links = set(re.findall(r'<a href="(/monitor/(?:buurten|complexes)/[^"]+)"', html))
    assert f'{reverse("monitor_buurt", args=["BU01930001"])}' in links
    for link in links:
        assert client.get(link).status_code == 200, link
    json_data = client.get(reverse("monitor_map_data"), {"municipality": "GM0193", "indicator": "lbm"}).json()
    assert [c["code"] for c in json_data["complexes"]] == ["A-C1"]


def test_settings_are_shown_to_all_and_changed_by_analysts(client, nina, bob, counted,
                                                           django_capture_on_commit_callbacks):
    client.force_login(nina)
    assert client.get(reverse("monitor_settings")).status_code == 200
    assert client.post(reverse("monitor_settings"), {}).status_code == 403
    client.force_login(bob)
    form = client.get(reverse("monitor_settings")).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data["warning__signals_per_100"] = 150  # per 100 dwellings: 100 is no longer past it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitor_settings"), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert run_pending_jobs() == 1  # the scores are made again in the background (test_monitor_current.py)
    row = ComplexVitality.objects.get(complex=counted.complex, is_latest=True)
    assert not [w for w in row.warnings if w.get("key") == "signals_per_100"]


def test_a_day_in_the_reference_date_window(counted):
    assert date.today()


def test_the_buurt_page_compares_with_the_municipality_and_offers_the_spec(client, bob, counted):
    client.force_login(bob)
    buurt = counted.neighbourhood.cbs_code
    # A second buurt of the municipality with its own figures pulls the municipal mean.
    PublicIndicator.objects.create(area_code="BU01930002", key="lbm", year=2020, value=4.3, source="t",
                                   dataset="leefbaarometer_3")
    response = client.get(reverse("monitor_buurt", args=[buurt]), {"indicator": "lbm"})
    assert response.status_code == 200
    series = {s.name: dict(s.points) for s in response.context["chart_series"]}
    assert series["Buurt A"] == {2014: 4.0, 2018: 3.95, 2020: 3.9}
    assert series["Mean of the neighbourhoods in Zwolle"][2020] == pytest.approx((3.9 + 4.3) / 2)
    spec = json.loads(client.get(reverse("monitor_buurt", args=[buurt]), {"indicator": "lbm", "spec": "1"}).content)
    assert spec["mark"]["type"] == "line" and len(spec["data"]["values"]) == 6  # 3 years, 2 lines
    vitality = client.get(reverse("monitor_buurt", args=[buurt]), {"indicator": "vitality"})
    assert [s.name for s in vitality.context["chart_series"]][0] == "Our complexes in Buurt A"
    assert client.get(reverse("monitor_buurt", args=[buurt]), {"indicator": "nonsense"}).status_code == 404


def test_the_focus_page_ranks_the_municipalitys_buurten(client, bob, counted):
    for code, low in (("BU01930001", 30), ("BU01930002", 5)):
        PublicIndicator.objects.create(area_code=code, key="pct_hh_onder_105_sociaal_minimum", year=2021, value=low,
                                       source="t", dataset="table")
        PublicIndicator.objects.create(area_code=code, key="inwoners", year=2024, value=900, source="t",
                                       dataset="table")
    # Buurt A has lbm 3.9 (the fixture); B is better on both.
    PublicIndicator.objects.create(area_code="BU01930002", key="lbm", year=2020, value=4.3, source="t",
                                   dataset="leefbaarometer_3")
    client.force_login(bob)
    response = client.get(reverse("monitor_focus"), {"municipality": "GM0193"})
    rows = [r["row"] for r in response.context["rows"]]
    assert [(r.bu_code, r.focus) for r in rows] == [("BU01930001", True), ("BU01930002", False)]
    csv_text = b"".join(client.get(reverse("monitor_focus"), {"municipality": "GM0193", "format": "csv"})
                        .streaming_content).decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("bu_code,bu_naam,focus")
