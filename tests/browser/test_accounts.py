"""Accounts in a real browser: the demo's officer sets up two-step verification at the first login and logs in with
a code the next time; no page of any role breaks the Content-Security-Policy.

The policy is the product's own (style-src and script-src 'self', no inline code); this browser does not bypass
it, and every violation the page reports (the `securitypolicyviolation` event, or a console message) fails the test.
"""

from __future__ import annotations

import base64
import os

import pytest
from django.urls import reverse

from buurtbalans.accounts.testing import code_for
from buurtbalans.core.models import Membership
from buurtbalans.demo.writer import DEMO_CODE, DEMO_PASSWORD
from tests.browser.test_screens import (  # noqa: F401 - fixtures
    assert_accessible,
    audit_log_cleared_after,
    browser,
    seed_small_demo,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Registered before any page script runs (through the DevTools protocol, so the policy itself does not block it).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI || ''} ${e.sourceFile || ''}:${e.lineNumber}`);
});
"""


class StrictPage:
    """A browser tab with the product's CSP in force that remembers every violation it saw."""

    def __init__(self, browser):  # noqa: F811 - the fixture imported above
        self.context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 860})
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.page.add_init_script(RECORD_VIOLATIONS)
        self.console: list[str] = []
        self.page.on("console", self._console)
        self.violations: list[str] = []

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def goto(self, url):
        self.page.goto(url)
        self.check()

    def check(self):
        self.violations += [f"{self.page.url}: {v}" for v in self.page.evaluate("window.__cspViolations || []")]

    def close(self):
        self.context.close()


@pytest.fixture
def strict(browser):  # noqa: F811 - the fixture imported above
    tabs = []

    def open_tab():
        tab = StrictPage(browser)
        tabs.append(tab)
        return tab

    yield open_tab
    for tab in tabs:
        tab.close()


@pytest.fixture
def demo(settings, audit_log_cleared_after):  # noqa: F811 - the fixture imported above
    return seed_small_demo(settings, 300)


def log_in(tab, base_url, username):
    page = tab.page
    tab.goto(f"{base_url}{reverse('login')}")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_username'")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab.check()


def test_the_officer_sets_up_two_step_verification_at_the_first_login(strict, live_server, demo, settings):
    settings.MFA_REQUIRED = True
    tab = strict()
    page = tab.page
    log_in(tab, live_server.url, "verhuur")
    assert page.url.startswith(f"{live_server.url}{reverse('accounts_mfa_setup')}")
    assert page.locator("#mfa-qr svg").is_visible()
    key_text = page.locator("#mfa-key").inner_text().replace(" ", "")
    key = base64.b32decode(key_text + "=" * (-len(key_text) % 8))
    assert_accessible(page)
    # The code field has focus: type what the phone's app would show now.
    page.keyboard.type(code_for(key))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab.check()
    assert page.locator("#recovery-codes li").count() == 10
    assert_accessible(page)
    with page.expect_navigation(url=f"{live_server.url}/"):
        page.locator("#continue").click()
    tab.check()
    assert page.locator("h1").inner_text() == "Uw werk"  # the work list (issue 14)

    with page.expect_navigation():
        page.get_by_role("button", name="Uitloggen").click()
    log_in(tab, live_server.url, "verhuur")
    assert page.url.startswith(f"{live_server.url}{reverse('accounts_mfa_verify')}")
    assert page.locator("h1").inner_text() == "Typ uw code"
    assert_accessible(page)
    page.keyboard.type(code_for(key, steps_ahead=1))  # the next 30 seconds: the code above is used up
    with page.expect_navigation(url=f"{live_server.url}/"):
        page.keyboard.press("Enter")
    tab.check()
    assert tab.violations == [] and tab.console == []


def test_no_page_of_any_role_breaks_the_content_security_policy(strict, live_server, demo):
    usernames = Membership.objects.filter(corporation__code=DEMO_CODE).values_list("user__username", flat=True)
    visited = 0
    for username in usernames:
        tab = strict()
        log_in(tab, live_server.url, username)
        links = tab.page.eval_on_selector_all(
            "nav a[href], #account-link, #users-link", "links => links.map(a => a.getAttribute('href'))"
        )
        for href in dict.fromkeys(links):
            tab.goto(f"{live_server.url}{href}")
            visited += 1
            if href in (reverse("accounts_user_list"), reverse("accounts_mfa_manage")):
                assert_accessible(tab.page)
        if tab.page.locator("#users-link").count():
            tab.goto(f"{live_server.url}{reverse('accounts_user_list')}")
            tab.page.locator("#user-table tbody a").first.click()
            tab.page.wait_for_load_state()
            tab.check()
            assert_accessible(tab.page)
        assert tab.violations == [] and tab.console == [], (username, tab.violations, tab.console)
    assert visited >= 20
