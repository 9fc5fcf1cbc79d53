"""The evaluation page: a kind of intervention started in a year against matched complexes, from the monitor's
yearly figures; the board's sentence, warnings, chart and table, matched complexes by name, downloads that the
command reproduces, and rights (analysts only; charlie sees nothing of corporation A)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from buurtbalans.evaluation.panel import panel_build
from buurtbalans.evaluation.testing import START_YEAR, make_evaluation_data

pytestmark = pytest.mark.django_db
QUERY = {"kind": "social_management", "start_year": START_YEAR, "outcome": "score"}


@pytest.fixture
def data(corporation_a):
    return make_evaluation_data(corporation_a, effect=6.0)


def test_the_page_finds_the_planted_effect_and_says_it_in_one_sentence(client, data, bob):
    client.force_login(bob)
    response = client.get(reverse("evaluation_evaluate"), QUERY)
    assert response.status_code == 200
    run = response.context["run"]
    assert run.result.ci_low < 6.0 < run.result.ci_high and run.result.ci_low > 2
    page = response.content.decode()
    assert "steeg 6 punten meer dan bij vergelijkbare complexen; onzeker tussen" in page
    assert "Nul valt buiten de marge" in page
    assert "E Complex 1" in page  # a treated complex by name, with its matched complexes
    assert 'id="evaluation-chart-table"' in page and "bb-start" in page
    assert "Vóór de start ontwikkelden" not in page


def test_a_differing_pre_trend_and_too_few_complexes_are_warned(client, corporation_a, bob):
    make_evaluation_data(corporation_a, treated=3, controls=6, effect=0.0, pre_trend=3.0)
    client.force_login(bob)
    page = client.get(reverse("evaluation_evaluate"), QUERY).content.decode()
    assert "Vóór de start ontwikkelden deze complexen zich al anders" in page
    assert "Minder dan 5 complexen kregen deze interventie" in page


def test_one_intervention_can_be_evaluated_from_the_register(client, data, bob):
    client.force_login(bob)
    intervention = data["interventions"][0]
    response = client.get(reverse("evaluation_evaluate"), {"intervention": intervention.pk, "outcome": "score"})
    assert response.status_code == 200
    assert response.context["run"].result.treated == (intervention.complex.external_id,)


def test_a_year_without_the_intervention_says_so(client, data, bob):
    client.force_login(bob)
    page = client.get(reverse("evaluation_evaluate"), {**QUERY, "start_year": 2019}).content.decode()
    assert "Geen enkel complex kreeg deze interventie in 2019." in page


def test_the_panel_download_reproduces_the_page_with_the_command(client, data, bob, tmp_path):
    client.force_login(bob)
    panel = client.get(reverse("evaluation_evaluate"), {**QUERY, "download": "panel"})
    assert panel["Content-Disposition"].endswith('-panel.json"')
    path = tmp_path / "panel.json"
    path.write_bytes(panel.content)
    out = io.StringIO()
    call_command("evaluate_intervention", str(path), stdout=out)
    from_command = json.loads(out.getvalue())
    from_page = json.loads(client.get(reverse("evaluation_evaluate"), {**QUERY, "download": "result"}).content)
    assert from_command == from_page
    assert from_page["format"] == "buurtbalans.evaluation-result/1"


def test_panel_result_and_matches_export_as_csv_and_excel(client, data, bob):
    client.force_login(bob)
    for table in ("panel", "result", "matches"):
        for export_format in ("csv-nl", "csv", "xlsx"):
            response = client.get(reverse("evaluation_evaluate"), {**QUERY, "format": export_format, "table": table})
            assert response.status_code == 200, (table, export_format)
    text = b"".join(client.get(reverse("evaluation_evaluate"), {**QUERY, "format": "csv", "table": "panel"})
                    .streaming_content).decode("utf-8-sig")
    assert "E-001" in text and "2024" in text.splitlines()[0]
    spec = json.loads(client.get(reverse("evaluation_evaluate"), {**QUERY, "download": "chart"}).content)
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")


def test_another_figure_signals_per_100_dwellings(client, data, bob):
    client.force_login(bob)
    response = client.get(reverse("evaluation_evaluate"), {**QUERY, "outcome": "signals_per_100"})
    assert response.status_code == 200
    # The score rose 6 points, and the test data lower the signals by half of that.
    assert response.context["run"].result.estimate == pytest.approx(-3.0, abs=0.8)
    assert "daalde" in response.content.decode()


def test_only_analysts_evaluate_and_charlie_sees_nothing_of_a(client, data, alice, nina, ada, corporation_b):
    from buurtbalans.core.models import Role
    from buurtbalans.core.testing import make_user

    for user in (alice, nina, ada):
        client.force_login(user)
        assert client.get(reverse("evaluation_evaluate"), QUERY).status_code == 403
    client.force_login(make_user("charlie-analyst", corporation_b, Role.POLICY_ANALYST))
    response = client.get(reverse("evaluation_evaluate"), QUERY)
    assert response.status_code == 200 and response.context["run"] is None
    assert "E Complex" not in response.content.decode()
    assert client.get(reverse("evaluation_evaluate"), {**QUERY, "download": "panel"}).status_code == 404


def test_building_the_panel_takes_the_monitor_years_and_the_dwellings(data, bob):
    built = panel_build(bob, kind="social_management", start_year=START_YEAR, outcome="score")
    treated = [u for u in built.panel.units if u.treated]
    assert len(treated) == 8 and len(built.panel.units) == 38
    assert sorted(treated[0].values) == [2020, 2021, 2022, 2023, 2024]
    assert set(treated[0].covariates) == {"dwellings", "urbanity"} or set(treated[0].covariates) == {"dwellings"}
