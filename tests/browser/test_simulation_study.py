"""A policy study in a real browser: the analyst finds "Simulatie" in the menu, builds a scenario from the data,
lowers the calculations, saves and calculates, follows the task, and reads the results (a chart with its band and
the table of the same figures); axe-core finds no serious accessibility violation on any of these pages. The
scenario's inputs show their values whole (a policy's name, its kind) at 1366 px and at 200 % zoom, where the
tables scroll in their regions and the page does not; the analyst changes the waiting list and removes the study."""

from __future__ import annotations

import os
from datetime import date

import pytest

from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import HousingCorporation, Role
from buurtbalans.core.testing import make_user
from buurtbalans.simulation.models import PolicyStudy
from buurtbalans.testing import default_kinds_in_place, make_stock
from tests.browser.test_layout_1366 import LAPTOP, TABLE_PROBLEMS, ZOOM_200, page_scrolls_sideways
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


# Inputs of the scenario page whose value does not fit in them (a name cut off as "Ruimte per com", a choice as
# "Open ve"), as "id: value"; a select is measured by the text of its chosen option in the select's own font.
CUT_OFF_INPUTS = """
() => {
  const cut = [];
  const probe = document.createElement('span');
  probe.style.cssText = 'position:absolute;visibility:hidden;white-space:pre';
  document.body.append(probe);
  for (const el of document.querySelectorAll('#scenario-form input[type=text], #scenario-form select')) {
    if (el.tagName === 'SELECT') {
      probe.style.font = getComputedStyle(el).font;
      for (const option of el.options) {
        probe.textContent = option.text;
        const style = getComputedStyle(el);
        const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        if (probe.getBoundingClientRect().width > room + 1) cut.push(`${el.id}: ${option.text}`);
      }
    } else if (el.scrollWidth > el.clientWidth + 1) {
      cut.push(`${el.id}: ${el.value}`);
    }
  }
  probe.remove();
  return cut;
}
"""


def test_the_scenario_inputs_show_their_values_whole_at_1366_px_and_200_percent(browser, live_server,  # noqa: F811
                                                                                 analyst):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from buurtbalans.simulation.services import policy_study_create, policy_study_update

    actor = get_user_model().objects.get(username="ui-analyst")
    study = policy_study_create(corporation=analyst, actor=actor, name="Breedte", on=date.today(), years=3)
    document = dict(study.scenario)
    document["policies"] = [{"name": "Open verhuur aan iedereen", "kind": "open"},
                            {"name": "Ruimte per complex", "kind": "room_check", "min_vulnerable_placements": 12}]
    policy_study_update(study=study, actor=actor, name=study.name, runs=10, seed=1, document=document)
    url = f"{live_server.url}{reverse('simulation_study', args=[study.pk])}"
    for options in (LAPTOP, ZOOM_200):
        context = browser.new_context(locale="nl-NL", reduced_motion="reduce", **options)
        page = context.new_page()  # noqa: F811 - a page of this size
        page.set_default_timeout(10_000)
        login_with_keyboard(page, live_server.url, "ui-analyst")
        page.goto(url)
        assert page.locator("#id_policies-1-name").input_value() == "Ruimte per complex"
        assert page.evaluate(CUT_OFF_INPUTS) == [], options
        assert not page_scrolls_sideways(page), options
        assert page.evaluate(TABLE_PROBLEMS) == [], options
        # The minimum's input is no wider than a number needs.
        assert page.locator("#id_policies-1-min_vulnerable_placements").bounding_box()["width"] < 160
        if options is LAPTOP:
            assert_accessible(page)
            # The waiting list: the analyst types a count and saves; the scenario holds it.
            page.locator("#id_queue-3-O").fill("7")
            page.locator("#save").click()
            page.wait_for_load_state()
            study.refresh_from_db()
            assert study.scenario["initial_queue"]["O"].count(3) == 7
        context.close()

    # Remove the study: without ticking nothing happens; ticked, back to the list with a message.
    context = browser.new_context(locale="nl-NL", **LAPTOP)
    page = context.new_page()
    login_with_keyboard(page, live_server.url, "ui-analyst")
    page.goto(url)
    page.get_by_label("Ja, haal “Breedte” weg").check()
    page.locator("#delete-study").click()
    page.wait_for_url("**/simulation/")
    assert "is weggehaald" in page.locator("body").inner_text()
    assert not PolicyStudy.objects.filter(pk=study.pk).exists()
    context.close()
