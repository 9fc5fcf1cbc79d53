"""Scoring motivation blind in a real browser (issue 13): an assessor (neighbourhood manager) finds "Motivatie
beoordelen" in the header, opens a motivation home and sees its published criteria and, per applicant, only a
neutral code and the motivation text: not the name, registration number or date, income, household size, groups,
markers, urgency, nor another assessor's score or whether one was given. They score one applicant by keyboard and
see their own score back, without a form. axe-core finds no serious violation (WCAG 2.1 AA) on either page.
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from buurtbalans.allocation import services
from buurtbalans.allocation.assessment_selectors import neutral_code
from buurtbalans.allocation.models import MotivationAssessment
from buurtbalans.allocation.tests.assessing_support import CRITERIA, HIDDEN, TEXTS, assessors, motivation_scene
from buurtbalans.core.models import HousingCorporation, Role
from buurtbalans.core.testing import make_user
from buurtbalans.households.models import VulnerabilityKind, VulnerabilityMarker
from buurtbalans.testing import default_kinds_in_place, make_stock
from tests.browser.test_screens import (  # noqa: F401 - fixtures
    assert_accessible,
    audit_log_cleared_after,
    browser,
    login_with_keyboard,
    page,
    screenshot,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MARKER_LABEL = "Uitstroom maatschappelijke opvang (test)"


@pytest.fixture
def assessing(settings, audit_log_cleared_after):  # noqa: F811 - the fixture imported above
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    default_kinds_in_place()  # make_stock gives a household a marker of a default kind; a flush took them
    corporation = HousingCorporation.objects.create(code="corp-mot", name="Corporatie Motivatie")
    stock = make_stock(corporation, "M", "BU01930009")
    officer = make_user("ui-officer-m", corporation, Role.ALLOCATION_OFFICER)
    scene = motivation_scene(stock, officer)
    anna, bram, _chris = assessors(corporation)
    # Facts the page must not show: urgency and a group on a profile, a marker on a household, another assessor's
    # score of the first applicant.
    first = scene.people[0]
    services.applicant_profile_set(applicant=first, actor=officer, groups=["senior"], is_urgent=True,
                                   urgency_valid_until=date(2030, 1, 1))
    kind = VulnerabilityKind.objects.create(corporation=corporation, code="opvang_test", label=MARKER_LABEL)
    VulnerabilityMarker.objects.create(corporation=corporation, household=first.household, kind=kind,
                                       source="test", valid_from=date(2024, 1, 1))
    services.motivation_assessment_create(listing=scene.listing, applicant=first, score="1.5", actor=bram)
    return {"scene": scene, "anna": anna}


def test_an_assessor_scores_blind(page, live_server, assessing):  # noqa: F811
    scene = assessing["scene"]
    login_with_keyboard(page, live_server.url, "anna")
    page.locator("#assess-link").click()
    page.wait_for_url(f"**{reverse('allocation_assess_list')}")
    assert page.locator("h1").inner_text() == "Motivatie beoordelen"
    assert page.locator(f'#assess-table tr[data-listing="{scene.listing.reference}"]').count() == 1
    assert page.locator(f'#assess-table tr[data-listing="{scene.other.reference}"]').count() == 0
    assert_accessible(page)

    page.locator(f'#assess-table tr[data-listing="{scene.listing.reference}"] a').click()
    page.wait_for_url(f"**{reverse('allocation_assess_listing', args=[scene.listing.pk])}")
    assert page.locator("#criteria li").all_inner_texts() == CRITERIA
    codes = sorted(neutral_code(scene.listing.pk, p.pk) for p in scene.people)
    assert [s.get_attribute("data-code") for s in page.locator("section.bb-assess").all()] == codes
    main = page.locator("main").inner_text()
    assert TEXTS[0] in main and TEXTS[1] in main
    hidden = [*HIDDEN["names"], *HIDDEN["codes"], *(d.strftime("%d-%m-%Y") for d in HIDDEN["registered"]),
              *(str(d.year) for d in HIDDEN["registered"]), "23.456", "31.987", "27.654", MARKER_LABEL,
              "Senior", "urgent", "Urgent", "Inkomen", "Huishouden", "Ingeschreven", "bram", "1,5", "1.5"]
    html = page.content()
    for value in hidden:
        assert value not in main, value
        assert value not in html, value
    # Nobody else's score, nor that one was given: every applicant still has a form for anna.
    assert page.locator("input[name=score]").count() == 3
    assert_accessible(page)
    screenshot(page, "assess-motivation")

    first = neutral_code(scene.listing.pk, scene.people[0].pk)
    page.get_by_label(f"Uw cijfer voor {first} (0,0 tot 4,0)").fill("3,5")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "is opgeslagen" in page.locator("[role=status]").first.inner_text()
    section = page.locator(f"#applicant-{first}")
    assert section.locator(".bb-own-score").inner_text() == "Uw cijfer: 3,5"
    assert section.locator("input[name=score]").count() == 0
    assert "1,5" not in page.locator("main").inner_text()
    assert_accessible(page)

    # A wrong score is refused with a message, and nothing is saved.
    second = neutral_code(scene.listing.pk, scene.people[1].pk)
    page.get_by_label(f"Uw cijfer voor {second} (0,0 tot 4,0)").fill("5")
    with page.expect_navigation():  # wait for the answer to this form, not the page of the previous score
        page.keyboard.press("Enter")
    assert "0,0 tot 4,0" in page.locator("[role=status]").first.inner_text()
    assert_accessible(page)
    assert list(MotivationAssessment.objects.filter(assessor_name="anna").values_list("score", flat=True)) == [
        Decimal("3.5")]
