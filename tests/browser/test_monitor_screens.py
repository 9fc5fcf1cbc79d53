"""The liveability monitor in a real browser: overview, map (keyboard reachable buurten and complexes), a complex's
vitality page; axe-core finds no serious accessibility violations. Screenshots go to docs/screenshots/monitor-*.png.

Runs Debian's Chromium through Playwright against pytest-django's live server, filled by the demo generator and
`seed_social_demo` (with the vitality counted).
"""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.urls import reverse

from buurtbalans.core.models import Role
from buurtbalans.core.testing import make_user
from tests.browser.test_screens import (  # noqa: F401 - fixtures
    assert_accessible,
    audit_log_cleared_after,
    browser,
    login_with_keyboard,
    page,
    screenshot,
    seed_small_demo,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def monitor_demo(settings, audit_log_cleared_after):  # noqa: F811 - the fixture imported above
    corporation = seed_small_demo(settings, 600)
    call_command("seed_social_demo", corporation="voorbeeld-wonen", refresh=True, verbosity=0)
    return {"corporation": corporation, "manager": make_user("ui-manager", corporation, Role.NEIGHBOURHOOD_MANAGER)}


def test_monitor_overview_map_and_complex_page(page, live_server, monitor_demo):  # noqa: F811
    login_with_keyboard(page, live_server.url, "ui-manager")
    page.goto(f"{live_server.url}{reverse('monitor_overview')}")
    assert page.locator("h1").inner_text().startswith("Leefbaarheidsmonitor") or page.locator("h1").count() == 1
    table = page.locator("#vitality-table")
    assert table.locator("tbody tr").count() >= 5
    assert page.locator("#monitor-summary").is_visible()
    assert_accessible(page)
    screenshot(page, "monitor-overview")

    # The map: a buurt and a complex reached with the keyboard announce their value.
    page.goto(f"{live_server.url}{reverse('monitor_map')}?indicator=vitality")
    first_buurt = page.locator("#map-svg .bb-map__buurten a").first
    assert first_buurt.get_attribute("aria-label")
    first_buurt.focus()
    assert page.evaluate("document.activeElement.closest('svg') !== null")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused and ":" in focused
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')")
    markers = page.locator("#map-svg .bb-map__complexes a")
    assert markers.count() == page.locator("#map-complexes tbody tr").count() or markers.count() > 0
    assert page.locator("#map-buurten tbody tr").count() == page.locator("#map-svg .bb-map__buurten a").count()
    assert_accessible(page)
    # The picture: the Leefbaarometer score, from the top of the page.
    page.goto(f"{live_server.url}{reverse('monitor_map')}?indicator=lbm")
    assert page.locator("#map-svg path[fill='#d7191c']").count() >= 1  # the worst fifth is coloured
    assert_accessible(page)
    screenshot(page, "monitor-map")

    # A complex with a warning: its page explains the reasons and draws its trend.
    page.goto(f"{live_server.url}{reverse('monitor_warnings')}")
    page.locator("#warning-table tbody tr th a").first.click()
    page.wait_for_url("**/monitor/complexes/**")
    assert page.locator("#warning-reasons li").count() >= 1
    assert page.locator("#indicator-table tbody tr").count() == 12
    assert page.locator("svg.bb-line-chart polyline").count() >= 1
    assert page.locator("#complex-trend-table tbody tr").count() >= 2
    assert_accessible(page)
    screenshot(page, "monitor-complex")
