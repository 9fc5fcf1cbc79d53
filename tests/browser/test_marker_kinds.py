"""Kinds of marker in a real browser: an administrator finds the screen in the header, adds a kind of the
corporation's own, opens it, switches it off and sets it not to count for concentration (with a reason);
axe-core finds no serious accessibility violation, and an error is tied to its field."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from buurtbalans.core.models import AuditEvent, HousingCorporation, Role
from buurtbalans.core.testing import make_user
from buurtbalans.households.models import VulnerabilityKind
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
def administrator(audit_log_cleared_after):  # noqa: F811 - the fixture imported above
    default_kinds_in_place()
    corporation = HousingCorporation.objects.create(code="corp-mk", name="Corporatie Kenmerk")
    make_user("ui-admin", corporation, Role.ADMIN)
    return corporation


def test_an_administrator_adds_a_kind_and_switches_it_off(page, live_server, administrator):  # noqa: F811
    login_with_keyboard(page, live_server.url, "ui-admin")
    page.locator("#marker-kinds-link").click()
    page.wait_for_url(f"**{reverse('marker_kind_list')}")
    assert page.locator("h1").inner_text() == "Soorten kenmerken"
    assert page.locator("#default-kinds tbody tr").count() == 5
    assert page.locator("#defaults-read-only").is_visible()
    assert_accessible(page)

    # A code with a space: the error is announced, tied to the field, and the summary links to it.
    page.get_by_label("Code").fill("schuld hulp")
    page.get_by_label("Naam", exact=True).fill("Schuldhulpverlening")
    page.locator("#add-kind").click()
    page.wait_for_load_state()
    code = page.locator("#id_code")
    assert code.get_attribute("aria-invalid") == "true"
    assert "id_code_error" in code.get_attribute("aria-describedby")
    assert "kleine letters" in page.locator("#id_code_error").inner_text()
    assert page.locator('#form-errors a[href="#id_code"]').count() == 1
    assert_accessible(page)

    page.get_by_label("Code").fill("schuld_hulp")
    page.locator("#add-kind").click()
    page.wait_for_load_state()
    assert "Schuldhulpverlening" in page.locator("[role=status]").inner_text()
    row = page.locator('#own-kinds tr[data-code="schuld_hulp"]')
    assert row.locator("td").nth(1).inner_text() == "ja"

    row.get_by_role("link", name="Schuldhulpverlening").click()
    page.wait_for_url("**/settings/marker-kinds/*/")
    assert page.locator("h1").inner_text() == "Schuldhulpverlening"
    assert_accessible(page)
    page.locator("#switch-off").click()
    page.wait_for_load_state()
    assert page.locator("#kind-in-use").inner_text() == "nee, uitgezet"
    assert page.locator("#switch-on").is_visible()

    # Not counting for concentration needs a reason: the error is tied to the field (issue 13).
    assert page.locator("#kind-counts").inner_text() == "ja"
    page.get_by_label("Telt mee voor de concentratiecijfers").uncheck()
    page.locator("#save-concentration").click()
    page.wait_for_load_state()
    reason = page.locator("#id_reason")
    assert reason.get_attribute("aria-invalid") == "true"
    assert "id_reason_error" in reason.get_attribute("aria-describedby")
    assert page.locator('#form-errors a[href="#id_reason"]').count() == 1
    assert_accessible(page)
    page.get_by_label("Telt mee voor de concentratiecijfers").uncheck()
    page.get_by_label("Reden").fill("Geen kwetsbare groep voor de buurt")
    page.locator("#save-concentration").click()
    page.wait_for_load_state()
    assert page.locator("#kind-counts").inner_text() == "nee"
    assert page.locator("#kind-reason").inner_text() == "Geen kwetsbare groep voor de buurt"

    kind = VulnerabilityKind.objects.get(corporation=administrator, code="schuld_hulp")
    assert not kind.is_active and not kind.counts_for_concentration
    changes = AuditEvent.objects.filter(event_type=AuditEvent.Type.MARKER_KIND_CHANGED).order_by("pk")
    assert [e.data["change"] for e in changes] == ["created", "switched_off", "concentration_set"]

    page.get_by_role("link", name="Terug naar de soorten kenmerken").click()
    page.wait_for_url(f"**{reverse('marker_kind_list')}")
    row = page.locator('#own-kinds tr[data-code="schuld_hulp"]')
    assert row.locator("td").nth(1).inner_text() == "nee, uitgezet"
