"""The accountability screens in a real browser: an officer reaches the register from the menu, registers an
objection (an error is tied to its field), records the decision; a neighbourhood manager sees the follow-up list
with its notice that it is voluntary. axe-core finds no serious accessibility violation on any of them."""

from __future__ import annotations

import os

import pytest
from django.utils import timezone

from buurtbalans.accountability.models import Objection
from buurtbalans.accountability.terms import add_months
from buurtbalans.accountability.tests.support import let_three_homes, motivation_tenancy
from buurtbalans.core.models import HousingCorporation, Role
from buurtbalans.core.testing import make_user
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
def scene(audit_log_cleared_after):  # noqa: F811 - the fixture imported above
    default_kinds_in_place()  # make_stock gives a household a marker of a default kind
    corporation = HousingCorporation.objects.create(code="corp-acc", name="Corporatie Verantwoording")
    stock = make_stock(corporation, "A", "BU01930001")
    officer = make_user("ui-officer-acc", corporation, Role.ALLOCATION_OFFICER)
    make_user("ui-manager-acc", corporation, Role.NEIGHBOURHOOD_MANAGER)
    lettings = let_three_homes(stock, officer)
    motivation_tenancy(stock, "A-MOTIV", add_months(timezone.localdate(), -13))
    return lettings


def test_an_officer_registers_and_decides_an_objection(page, live_server, scene):  # noqa: F811
    login_with_keyboard(page, live_server.url, "ui-officer-acc")
    page.get_by_role("link", name="Verantwoording").click()
    page.wait_for_url("**/accountability/objections/")
    assert page.locator("h1").inner_text() == "Bezwaren"
    assert_accessible(page)
    page.locator("#objection-new").click()
    page.wait_for_load_state()
    page.get_by_label("Code van de advertentie").fill(scene.motivation.reference)
    page.get_by_label("Waar gaat het bezwaar over?").fill("Ik sta langer ingeschreven.")
    page.get_by_role("button", name="Bewaren").click()
    page.wait_for_load_state()
    applicant = page.locator("#id_applicant")
    assert applicant.get_attribute("aria-invalid") == "true"
    assert "inschrijfnummer" in page.locator("#id_applicant_error").inner_text()
    assert page.locator('#form-errors a[href="#id_applicant"]').count() == 1
    assert_accessible(page)
    applicant.fill(scene.candidates["motivation"][1].external_id)
    page.get_by_role("button", name="Bewaren").click()
    page.wait_for_url("**/accountability/objections/*/")
    objection = Objection.objects.get()
    due = page.locator("#objection-due").inner_text().split()  # "15 januari 2027": six weeks after today
    assert (due[0], due[2]) == (str(objection.due_on.day), str(objection.due_on.year))
    assert_accessible(page)
    page.get_by_label("Uitkomst").select_option("rejected")
    page.get_by_label("Besluit", exact=True).fill("De keuze volgde de gepubliceerde criteria.")
    page.get_by_role("button", name="Het besluit bewaren").click()
    page.wait_for_load_state()
    assert page.locator("#objection-outcome").inner_text() == "Ongegrond"


def test_a_neighbourhood_manager_sees_the_follow_ups_as_voluntary(page, live_server, scene):  # noqa: F811
    login_with_keyboard(page, live_server.url, "ui-manager-acc")
    page.get_by_role("link", name="Verantwoording").click()
    page.wait_for_url("**/accountability/follow-ups/")
    assert "nooit een voorwaarde voor de huur" in page.locator("#follow-up-voluntary").inner_text()
    assert page.locator('#due-table tr[data-tenancy="A-MOTIV"]').count() == 1
    assert_accessible(page)
    page.locator('#due-table tr[data-tenancy="A-MOTIV"] a').click()
    page.wait_for_load_state()
    assert page.get_by_label("Wilde de huurder praten?").is_visible()
    assert_accessible(page)
