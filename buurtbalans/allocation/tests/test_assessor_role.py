"""The motivation assessor (beoordelaar motivatie, issue 13): a role that may score motivation texts blind and do
nothing else, so blind assessing holds by role and not only because one page leaves facts out."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from buurtbalans.accounts.mfa import role_requires_mfa
from buurtbalans.allocation.assessment_selectors import neutral_code
from buurtbalans.allocation.models import MotivationAssessment
from buurtbalans.allocation.tests.assessing_support import HIDDEN, TEXTS, motivation_scene
from buurtbalans.core.models import Role
from buurtbalans.core.permissions import ROLE_ACTIONS, Action
from buurtbalans.core.testing import make_user
from buurtbalans.core.tests.test_access_views import body

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(stock_a, alice):
    return motivation_scene(stock_a, alice)


@pytest.fixture
def bea(corporation_a):
    """An assessor of corporation A, with this role only."""
    return make_user("bea", corporation_a, Role.MOTIVATION_ASSESSOR)


def test_the_role_holds_assessing_only_and_the_neighbourhood_manager_keeps_it():
    assert ROLE_ACTIONS[Role.MOTIVATION_ASSESSOR] == frozenset({Action.ASSESS_MOTIVATION})
    assert Action.ASSESS_MOTIVATION in ROLE_ACTIONS[Role.NEIGHBOURHOOD_MANAGER]
    # It reads no special-category data and administers nothing: no second step, like the policy analyst.
    assert not role_requires_mfa([Role.MOTIVATION_ASSESSOR])


def test_the_assessor_sees_the_assessing_list_and_scores(client, scene, bea):
    client.force_login(bea)
    listing_page = body(client.get(reverse("allocation_assess_list")))
    assert scene.listing.reference in listing_page
    page = body(client.get(reverse("allocation_assess_listing", args=[scene.listing.pk])))
    assert TEXTS[0] in page
    for value in (*HIDDEN["names"], *HIDDEN["codes"]):
        assert value not in page

    code = neutral_code(scene.listing.pk, scene.people[0].pk)
    response = client.post(reverse("allocation_assess_listing", args=[scene.listing.pk]),
                           {"code": code, "score": "3,5"})
    assert response.status_code == 302
    assessment = MotivationAssessment.objects.get()
    assert (assessment.assessor, assessment.applicant, str(assessment.score)) == (bea, scene.people[0], "3.5")


def test_the_assessor_gets_no_household_marker_round_or_monitor_page(client, scene, bea, stock_a, alice):
    household = stock_a.households[0]
    person = scene.people[0]
    client.force_login(bea)
    refused = [
        ("get", reverse("household_detail", args=[household.pk]), {}),
        ("get", reverse("household_markers", args=[household.pk]), {}),
        ("post", reverse("household_markers", args=[household.pk]), {"purpose": "allocation"}),
        ("get", reverse("allocation_round_list"), {}),
        ("get", reverse("allocation_round_detail", args=[scene.round.pk]), {}),
        ("get", reverse("allocation_round_result", args=[scene.round.pk]), {}),
        ("get", reverse("allocation_applicant", args=[person.pk]), {}),
        ("get", reverse("allocation_motivation_texts", args=[scene.listing.pk]), {}),
        ("get", reverse("allocation_assessor_agreement"), {}),
        ("get", reverse("monitor_overview"), {}),
        ("get", reverse("complex_detail", args=[stock_a.complex.pk]), {}),
        ("get", reverse("neighbourhood_list"), {}),
        ("get", reverse("audit_log"), {}),
    ]
    for method, url, data in refused:
        response = client.get(url, data) if method == "get" else client.post(url, data)
        assert response.status_code in (403, 404), (url, response.status_code)


def test_home_leads_the_assessor_to_the_assessing_list_and_the_menu_shows_only_that(client, bea):
    client.force_login(bea)
    home = client.get(reverse("home")).content.decode()
    assert 'id="work-assess"' in home and f'href="{reverse("allocation_assess_list")}"' in home
    page = client.get(reverse("allocation_assess_list")).content.decode()
    menu = page[page.index('class="bb-nav'):page.index("</nav>")]
    assert reverse("allocation_assess_list") in menu
    for other in ("stock_overview", "allocation_round_list", "monitor_overview", "neighbourhood_list", "job_list",
                  "audit_log", "privacy_home", "placements_proposals", "accountability_home"):
        assert f'href="{reverse(other)}"' not in menu, other


def test_administrators_give_the_role_by_its_dutch_name(client, ada, bea):
    client.force_login(ada)
    with translation.override("nl"):
        new_user = client.get(reverse("accounts_user_create")).content.decode()
        users = client.get(reverse("accounts_user_list")).content.decode()
    assert "Beoordelaar motivatie" in new_user
    assert 'value="MOTIVATION_ASSESSOR"' in new_user
    assert "Beoordelaar motivatie" in users  # bea's role in the list of users
    assert "Motivation assessor" not in new_user + users
