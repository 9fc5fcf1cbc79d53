"""The first screens in a real browser: keyboard login, overview, complex and buurt pages, the language switch,
an export download and the marker purpose flow; axe-core finds no serious accessibility violations.

Runs Debian's Chromium through Playwright against pytest-django's live server, filled by the demo generator.
Screenshots of the overview, a complex and a buurt page are written to docs/screenshots/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from buurtbalans.core.models import AuditEvent, HousingCorporation, Role
from buurtbalans.core.testing import PASSWORD, make_user, require_environment

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    require_environment(chromium is not None, "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    # A Dutch browser, as the corporation's staff have; the product speaks Dutch to them.
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 860}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def audit_log_cleared_after(live_server):
    """Let the transactional test database be emptied after a test that wrote audit events.

    On SQLite, Django empties tables with DELETE, which the audit log's append-only trigger refuses; this
    throwaway test database drops the trigger for that one statement and restores it at once. (PostgreSQL
    empties with TRUNCATE, which the row trigger does not see.)
    """
    yield
    from importlib import import_module

    from django.db import connection

    if connection.vendor != "sqlite":
        return
    migration = import_module("buurtbalans.core.migrations.0002_audit_event_append_only")
    restore = next(sql for sql in migration.SQLITE_FORWARD if "audit_event_no_delete" in sql)
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table}")
        cursor.execute(restore)


def seed_small_demo(settings, dwellings: int) -> HousingCorporation:
    """The product's own demo, small, for the browser tests; returns its corporation "Voorbeeld Wonen"."""
    # The demo hashes its password once per run; the slow production hasher would dominate these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", dwellings=dwellings, verbosity=0)
    return HousingCorporation.objects.get(name="Voorbeeld Wonen")


@pytest.fixture
def demo(settings, audit_log_cleared_after):
    """A small demo corporation (the product's own generator) and two users of ours in it."""
    corporation = seed_small_demo(settings, 400)
    return {
        "corporation": corporation,
        "officer": make_user("ui-officer", corporation, Role.ALLOCATION_OFFICER),
        "analyst": make_user("ui-analyst", corporation, Role.POLICY_ANALYST),
    }


def login_with_keyboard(page, base_url, username):
    page.goto(f"{base_url}{reverse('login')}")
    # The user name field has focus on arrival; nothing below touches the mouse.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_username'")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation(url=f"{base_url}/"):
        page.keyboard.press("Enter")


def assert_accessible(page):
    """axe-core (WCAG 2.1 A/AA rules) reports no serious or critical violations on the page."""
    require_environment(AXE.is_file(), "axe-core is not installed (make assets)")
    # Evaluated through DevTools: a <script> tag with axe's code would be inline script, which the product's
    # Content-Security-Policy blocks (script-src 'self').
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})"
    )
    serious = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"][:3]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, serious


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_keyboard_login_overview_complex_and_buurt(page, live_server, demo):
    login_with_keyboard(page, live_server.url, "ui-officer")
    # Home is the officer's work list (issue 14): what waits, with counts; the stock overview one click away.
    assert page.locator("h1").inner_text() == "Uw werk"
    assert page.locator("#work-waiting .bb-work__item, #work-done li").count() >= 3
    assert_accessible(page)
    screenshot(page, "home")
    page.locator(".bb-nav").get_by_role("link", name="Overzicht", exact=True).click()
    page.wait_for_url("**/stock/")
    assert page.locator("h1").inner_text().startswith("Overzicht van Voorbeeld Wonen")
    table = page.locator("#complex-table")
    assert table.is_visible()
    assert table.locator("tbody tr").count() >= 3
    # The skip link is the first thing the keyboard reaches and jumps to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    assert_accessible(page)
    screenshot(page, "overview")

    # Sorting by vacancy happens on the server and is announced with aria-sort.
    page.get_by_role("link", name="Leeg", exact=False).first.click()
    page.wait_for_load_state()
    assert page.locator("th[aria-sort]").count() == 1

    table = page.locator("#complex-table")
    table.locator("tbody tr th a").first.click()
    page.wait_for_url("**/stock/complexes/**")
    assert page.locator("#dwelling-table tbody tr").count() > 0
    assert_accessible(page)
    screenshot(page, "complex")

    page.locator(".utrecht-breadcrumb-nav a").nth(1).click()
    page.wait_for_url("**/neighbourhoods/BU**")
    assert page.locator("#leefbaarometer, #indicators").count() >= 1
    assert_accessible(page)
    screenshot(page, "buurt")


def test_switching_to_english_and_exporting_a_table(page, live_server, demo):
    login_with_keyboard(page, live_server.url, "ui-analyst")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Your work"
    page.locator(".bb-nav").get_by_role("link", name="Overview", exact=True).click()
    page.wait_for_url("**/stock/")
    assert page.locator("h1").inner_text().startswith("Overview of Voorbeeld Wonen")
    assert page.locator("html").get_attribute("lang") == "en"

    with page.expect_download() as download_info:
        page.locator('[data-export="csv-complexes"]').click()
    download = download_info.value
    assert download.suggested_filename.startswith("complexes-") and download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    header, *rows = text.strip().splitlines()
    assert header.startswith("Complex code,Complex,")
    assert len(rows) == demo["corporation"].complexes.count()


def test_markers_are_shown_only_after_choosing_a_purpose(page, live_server, demo):
    from buurtbalans.households.models import Tenancy, VulnerabilityMarker

    marker = VulnerabilityMarker.objects.filter(
        corporation=demo["corporation"], household__tenancies__end_date__isnull=True
    ).select_related("household", "kind").first()
    household = marker.household
    assert Tenancy.objects.filter(household=household).exists()
    login_with_keyboard(page, live_server.url, "ui-officer")
    page.goto(f"{live_server.url}{reverse('household_detail', args=[household.pk])}")
    assert page.locator("#marker-table").count() == 0
    assert marker.kind.label not in page.content()

    page.get_by_role("link", name="Kenmerken tonen").click()
    page.get_by_label("Verhuur: een passende woning zoeken voor dit huishouden").check()
    page.get_by_role("button", name="Kenmerken tonen").click()
    assert page.locator("#marker-table").is_visible()
    assert marker.kind.label in page.locator("#marker-table").inner_text()
    assert_accessible(page)

    event = AuditEvent.objects.get(event_type=AuditEvent.Type.MARKERS_READ)
    assert (event.actor_name, event.subject_ids, event.purpose) == ("ui-officer", [household.external_id], "allocation")
