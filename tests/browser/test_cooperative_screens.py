"""The cooperative screens in a real browser: a board member logs in with the keyboard, lands on the portal and logs
an activity; an analyst opens the cooperative, its reviews, account and comparison. axe-core finds no serious
accessibility violations. Screenshots go to docs/screenshots/cooperative-*.png.
"""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from buurtbalans.cooperatives.models import Activity, CooperativeBoardMember, HousingCooperative
from buurtbalans.core.models import Role
from buurtbalans.core.testing import PASSWORD, make_user
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
def cooperative_demo(settings, audit_log_cleared_after):  # noqa: F811 - the fixture imported above
    corporation = seed_small_demo(settings, 600)
    cooperative = HousingCooperative.objects.get(corporation=corporation, name__contains="Groene Hof")
    board = make_user("ui-board", corporation, Role.COOPERATIVE_BOARD)
    CooperativeBoardMember.objects.create(user=board, cooperative=cooperative)
    return {"cooperative": cooperative, "analyst": make_user("ui-analyst", corporation, Role.POLICY_ANALYST)}


def test_the_board_logs_an_activity_on_its_portal(page, live_server, cooperative_demo):  # noqa: F811
    base = live_server.url
    cooperative = cooperative_demo["cooperative"]
    # The keyboard login of test_screens, ending on the work list (issue 14), which leads to the portal.
    page.goto(f"{base}{reverse('login')}")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_username'")
    page.keyboard.type("ui-board")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation(url=f"{base}/"):
        page.keyboard.press("Enter")
    with page.expect_navigation(url=f"{base}{reverse('cooperative_portal')}"):
        page.locator("#place-portal a").click()
    assert page.locator("h1").inner_text() == cooperative.name
    assert page.locator("#commitment-table tbody tr").count() >= 4
    assert_accessible(page)
    screenshot(page, "cooperative-portal")

    page.get_by_role("link", name="Een activiteit in het logboek zetten").first.click()
    commitment = cooperative.agreements.first().commitments.order_by("pk").first()
    page.select_option("#id_commitment", str(commitment.pk))
    page.fill("#id_description", "Taalcafé met de bibliotheek")
    page.fill("#id_participants", "14")
    page.fill("#id_buurt_participants", "6")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="In het logboek zetten").click()
    assert "De activiteit staat in het logboek." in page.content()
    assert Activity.objects.filter(description="Taalcafé met de bibliotheek", participants=14).exists()
    assert_accessible(page)


def test_the_analyst_sees_the_cooperative_its_reviews_account_and_comparison(page, live_server, cooperative_demo):  # noqa: F811
    base = live_server.url
    cooperative = cooperative_demo["cooperative"]
    login_with_keyboard(page, base, "ui-analyst")
    year = cooperative.accounts.order_by("-year").first().year
    for name, url in (
        ("cooperative", reverse("cooperative_detail", args=[cooperative.pk])),
        ("cooperative-reviews", reverse("cooperative_reviews", args=[cooperative.pk, year])),
        ("cooperative-account", reverse("cooperative_account", args=[cooperative.pk, year])),
        ("cooperative-comparison", reverse("cooperative_comparison", args=[cooperative.pk])),
    ):
        page.goto(f"{base}{url}")
        assert cooperative.name in page.content()
        assert_accessible(page)
        screenshot(page, name)
