"""Interventions and their evaluation in a real browser: the analyst records an intervention on the register's form,
filters the register, and asks whether a social management programme worked: the page answers in one Dutch
sentence, draws the treated and matched complexes with the start marked and gives the same figures in a table, and
lists the matched complexes by name. axe-core finds no serious accessibility violation on any of these pages."""

from __future__ import annotations

import os

import pytest

from buurtbalans.core.models import HousingCorporation, Role
from buurtbalans.core.testing import make_user
from buurtbalans.evaluation.models import Intervention
from buurtbalans.evaluation.testing import START_YEAR, make_evaluation_data
from buurtbalans.testing import default_kinds_in_place
from tests.browser.test_screens import (  # noqa: F401 - fixtures
    assert_accessible,
    audit_log_cleared_after,
    browser,
    login_with_keyboard,
    page,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def analyst(audit_log_cleared_after):  # noqa: F811 - the fixture imported above
    default_kinds_in_place()  # a transactional flush before this test may have taken them
    corporation = HousingCorporation.objects.create(code="corp-eval", name="Corporatie Evaluatie")
    make_evaluation_data(corporation, prefix="V", treated=8, controls=30, effect=6.0)
    make_user("ui-analyst", corporation, Role.POLICY_ANALYST)
    return corporation


def test_the_analyst_records_an_intervention_and_sees_whether_a_programme_worked(page, live_server,  # noqa: F811
                                                                                analyst):
    login_with_keyboard(page, live_server.url, "ui-analyst")
    page.goto(f"{live_server.url}/evaluation/interventions/")
    assert page.locator("#interventions-table tbody tr").count() == 8
    assert_accessible(page)

    page.get_by_role("link", name="Interventie vastleggen").first.click()
    page.wait_for_url("**/evaluation/interventions/new/")
    page.get_by_label("Complex").select_option(label="V-020 V Complex 20")
    page.get_by_label("Soort interventie").select_option(label="Renovatie")
    page.get_by_label("Begonnen op").fill("2023-09-01")
    page.get_by_label("Omschrijving").fill("Nieuwe kozijnen en isolatie")
    assert_accessible(page)
    page.get_by_role("button", name="Bewaren").click()
    page.wait_for_url("**/evaluation/interventions/")
    assert "De interventie is opgeslagen." in page.locator("body").inner_text()
    assert Intervention.objects.filter(kind="renovation", complex__external_id="V-020").exists()

    page.get_by_label("Soort interventie").select_option(label="Renovatie")
    page.get_by_role("button", name="Tonen").click()
    assert page.locator("#interventions-table tbody tr").count() == 1

    page.get_by_role("link", name="Heeft het gewerkt?").click()
    page.wait_for_url("**/evaluation/")
    page.get_by_label("Soort interventie").select_option(label="Programma sociaal beheer")
    page.get_by_label("Begonnen in").fill(str(START_YEAR))
    page.get_by_label("Cijfer").select_option(label="Vitaliteitsscore")
    page.get_by_role("button", name="Vergelijken").click()
    page.wait_for_load_state()
    sentence = page.locator("#result-sentence").inner_text()
    assert "meer dan bij vergelijkbare complexen; onzeker tussen" in sentence
    chart = page.locator("figure.bb-chart svg")
    assert chart.count() == 1 and chart.locator("polyline").count() == 2 and chart.locator("line.bb-start").count() == 1
    assert page.locator("#evaluation-chart-table tbody tr").count() == 5  # five years
    assert page.locator("#matches-table tbody tr").count() == 8
    assert "V Complex 1" in page.locator("#matches-table").inner_text()
    assert_accessible(page)
