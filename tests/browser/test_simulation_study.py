"""A policy study in a real browser: the analyst finds "Simulatie" in the menu, builds a scenario from the data,
lowers the calculations, saves and calculates, follows the task, and reads the results (a chart with its band and
the table of the same figures); axe-core finds no serious accessibility violation on any of these pages."""

from __future__ import annotations

import os

import pytest

from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import HousingCorporation, Role
from buurtbalans.core.testing import make_user
from buurtbalans.simulation.models import PolicyStudy
from buurtbalans.testing import default_kinds_in_place, make_stock
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
    corporation = HousingCorporation.objects.create(code="corp-sim", name="Corporatie Simulatie")
    make_stock(corporation, "S", "BU01930009")
    make_user("ui-analyst", corporation, Role.POLICY_ANALYST)
    return corporation


def test_the_analyst_builds_runs_and_reads_a_study(page, live_server, analyst):  # noqa: F811
    login_with_keyboard(page, live_server.url, "ui-analyst")
    page.get_by_role("link", name="Simulatie", exact=True).click()
    page.wait_for_url("**/simulation/")
    assert_accessible(page)
    page.locator("#new-study").click()
    page.wait_for_url("**/simulation/new/")
    page.get_by_label("Naam van de studie").fill("Proef in de browser")
    page.get_by_label("Aantal jaren").fill("3")
    page.locator("#build").click()
    page.wait_for_url("**/simulation/*/")
    assert page.locator("h1").inner_text() == "Proef in de browser"
    assert page.locator("#complex-table tbody tr").count() == 1
    assert_accessible(page)

    page.get_by_label("Aantal berekeningen per beleid").fill("10")
    page.locator("#save-run").click()
    page.wait_for_load_state()
    assert page.locator("#study-status").inner_text() == "Wordt doorgerekend"
    assert page.locator("#job-progress-bar").is_visible()
    assert run_pending_jobs() == 1
    page.reload()
    page.wait_for_function("document.getElementById('study-status').innerText === 'Doorgerekend'")
    assert_accessible(page)

    page.locator("#results-link").click()
    page.wait_for_url("**/results/")
    chart = page.locator("#chart-mean-v-share svg")
    assert chart.count() == 1 and chart.locator("polygon.bb-band").count() == 2
    table = page.locator("#chart-mean-v-share-table")
    assert table.locator("tbody tr").count() == 3  # three years
    assert table.locator("thead th").count() == 3  # year and two policies
    assert "9 van de 10" in page.locator("#uncertainty").inner_text()
    assert_accessible(page)
    study = PolicyStudy.objects.get(name="Proef in de browser")
    assert study.result_runs == 10 and study.result is not None
