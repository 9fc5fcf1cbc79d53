"""Blind assessing of motivation (issue 13 item 2): who may score, once, and only until the round runs; what the
assessor's page shows and hides; the officer's motivation texts; and the agreement of assessors (item 4)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from buurtbalans.allocation import services
from buurtbalans.allocation.assessment_selectors import assess_rows, neutral_code
from buurtbalans.allocation.models import MotivationAssessment, MotivationText
from buurtbalans.allocation.services import AllocationError
from buurtbalans.allocation.tests.assessing_support import (
    CRITERIA,
    HIDDEN,
    TEXTS,
    assessors,
    motivation_scene,
)
from buurtbalans.allocation.tests.support import solve
from buurtbalans.core.models import AuditEvent
from buurtbalans.core.tests.test_access_views import body

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The services' messages are checked in English (the product speaks Dutch by default)."""
    with translation.override("en"):
        yield


@pytest.fixture
def scene(stock_a, alice):
    return motivation_scene(stock_a, alice)


@pytest.fixture
def team(corporation_a):
    return assessors(corporation_a)


def score(scene, person, assessor, value):
    return services.motivation_assessment_create(listing=scene.listing, applicant=person, score=value,
                                                 actor=assessor)


# --- the service ------------------------------------------------------------------------------------------------


def test_an_assessor_scores_once_and_the_score_is_final(scene, team):
    anna, bram, _chris = team
    person = scene.people[0]
    assessment = score(scene, person, anna, "2,5")
    assert (assessment.assessor_name, assessment.score, assessment.assessor) == ("anna", Decimal("2.5"), anna)
    with pytest.raises(AllocationError, match="already scored"):
        score(scene, person, anna, "3.0")
    # Another assessor gives their own score; anna's stays as it was.
    score(scene, person, bram, "3.0")
    assert sorted(MotivationAssessment.objects.filter(applicant=person).values_list("assessor_name", "score")) == [
        ("anna", Decimal("2.5")), ("bram", Decimal("3.0"))]


@pytest.mark.parametrize("value", ["4.1", "-0.5", "2.55", "x", "", "NaN", "Infinity"])
def test_a_score_is_from_0_to_4_with_one_decimal(scene, team, value):
    with pytest.raises(AllocationError, match="0.0 to 4.0"):
        score(scene, scene.people[0], team[0], value)
    assert not MotivationAssessment.objects.exists()


@pytest.mark.parametrize(("value", "stored"), [("0", "0.0"), ("4", "4.0"), ("3.7", "3.7"), (" 1,5 ", "1.5")])
def test_scores_as_assessors_type_them(scene, team, value, stored):
    assert score(scene, scene.people[0], team[0], value).score == Decimal(stored)


def test_assessing_is_refused_after_the_round_was_run(scene, team, alice):
    anna, bram, _chris = team
    score(scene, scene.people[0], anna, "3.0")
    services.motivation_text_set(listing=scene.listing, applicant=scene.people[2], text="Late text", actor=alice)
    solve(scene.round, alice)
    with pytest.raises(AllocationError, match="has been run"):
        score(scene, scene.people[0], bram, "3.0")
    with pytest.raises(AllocationError, match="has been run"):
        services.motivation_text_set(listing=scene.listing, applicant=scene.people[2], text="Changed", actor=alice)
    assert MotivationAssessment.objects.count() == 1
    assert MotivationText.objects.get(applicant=scene.people[2]).text == "Late text"


def test_only_applicants_who_reacted_to_a_motivation_listing_can_be_scored(scene, team, alice):
    anna = team[0]
    with pytest.raises(AllocationError, match="does not select on motivation"):
        services.motivation_assessment_create(listing=scene.other, applicant=scene.people[0], score="3",
                                              actor=anna)
    from buurtbalans.allocation.tests.support import applicant

    stranger = applicant(scene.listing.corporation, "MV-9999")
    with pytest.raises(AllocationError, match="did not react"):
        score(scene, stranger, anna, "3.0")
    with pytest.raises(AllocationError, match="signed-in"):
        score(scene, scene.people[0], None, "3.0")


def test_a_listing_without_published_criteria_cannot_be_scored(scene, team):
    scene.listing.criteria = []
    scene.listing.save(update_fields=["criteria"])
    with pytest.raises(AllocationError, match="criteria"):
        score(scene, scene.people[0], team[0], "3.0")


def test_a_motivation_text_is_fixed_once_it_was_scored(scene, team, alice):
    person = scene.people[0]
    services.motivation_text_set(listing=scene.listing, applicant=person, text="  Corrected text  ", actor=alice)
    assert MotivationText.objects.get(listing=scene.listing, applicant=person).text == "Corrected text"
    score(scene, person, team[0], "3.0")
    with pytest.raises(AllocationError, match="already been scored"):
        services.motivation_text_set(listing=scene.listing, applicant=person, text="Other", actor=alice)
    with pytest.raises(AllocationError, match="Write the motivation"):
        services.motivation_text_set(listing=scene.listing, applicant=scene.people[2], text="  ", actor=alice)


def test_every_write_is_audited_without_the_text_itself(scene, team, alice):
    person = scene.people[0]
    score(scene, person, team[0], "3.5")
    event = AuditEvent.objects.filter(subject_type="motivation_assessment").get()
    assert event.event_type == AuditEvent.Type.MOTIVATION_ASSESSED
    assert (event.actor_name, event.subject_ids, event.data["score"]) == ("anna", [f"H-{HIDDEN['codes'][0]}"], "3.5")
    texts = AuditEvent.objects.filter(subject_type="motivation_text",
                                      event_type=AuditEvent.Type.MOTIVATION_TEXT_WRITTEN)
    assert texts.count() == 2
    assert all(TEXTS[0] not in str(e.data) and TEXTS[1] not in str(e.data) for e in texts)


# --- the assessor's page ----------------------------------------------------------------------------------------


def test_the_neutral_code_is_stable_per_listing_and_differs_between_listings(scene):
    person = scene.people[0]
    code = neutral_code(scene.listing.pk, person.pk)
    assert code == neutral_code(scene.listing.pk, person.pk)
    assert code != neutral_code(scene.other.pk, person.pk)
    assert code.startswith("M-") and len(code) == 8
    assert person.external_id not in code


def test_the_assessors_page_shows_criteria_codes_and_texts_and_hides_everything_else(client, scene, team):
    anna, bram, _chris = team
    score(scene, scene.people[1], bram, "1.0")  # another assessor's score: anna must not see it, nor that it exists
    score(scene, scene.people[0], anna, "3.5")
    client.force_login(anna)
    with translation.override("en"):
        page = body(client.get(reverse("allocation_assess_listing", args=[scene.listing.pk]),
                               HTTP_ACCEPT_LANGUAGE="en"))
    for criterion in CRITERIA:
        assert criterion.replace("'", "&#x27;") in page
    codes = [neutral_code(scene.listing.pk, p.pk) for p in scene.people]
    for code in codes:
        assert code in page
    assert TEXTS[0] in page and TEXTS[1] in page
    for kind in ("names", "codes", "registered", "incomes"):
        for value in HIDDEN[kind]:
            assert str(value) not in page, value
    for value in ("2003", "2009", "2017", "23.456", "23,456", "bram", "1.0", "1,0", "Household", "Income",
                  "Registered", "Urgency", "marker"):
        assert value not in page, value
    # anna sees her own score back and no form for that applicant; the other two have a form.
    assert page.count('name="score"') == 2
    assert "3.5" in page or "3,5" in page


def test_opening_the_page_logs_whose_motivation_texts_were_read(scene, team):
    assess_rows(team[0], scene.listing)
    event = AuditEvent.objects.filter(event_type=AuditEvent.Type.MOTIVATION_TEXTS_READ,
                                      subject_type="motivation_text").get()
    assert event.subject_ids == sorted(f"H-{HIDDEN['codes'][i]}" for i in (0, 1))
    assert event.actor_name == "anna"


def test_an_assessor_scores_through_the_page_by_code(client, scene, team):
    anna = team[0]
    client.force_login(anna)
    person = scene.people[2]
    code = neutral_code(scene.listing.pk, person.pk)
    url = reverse("allocation_assess_listing", args=[scene.listing.pk])
    response = client.post(url, {"code": code.lower(), "score": "2.5"})
    assert response.status_code == 302
    assert MotivationAssessment.objects.get(applicant=person).score == Decimal("2.5")
    client.post(url, {"code": code, "score": "4.0"})
    assert MotivationAssessment.objects.get(applicant=person).score == Decimal("2.5")
    client.post(url, {"code": "M-XXXXXX", "score": "4.0"})
    assert MotivationAssessment.objects.count() == 1


def test_the_list_shows_open_motivation_listings_and_only_the_own_progress(client, scene, team, alice):
    anna, bram, _chris = team
    score(scene, scene.people[0], bram, "3.0")
    score(scene, scene.people[1], anna, "3.0")
    client.force_login(anna)
    page = body(client.get(reverse("allocation_assess_list")))
    assert scene.listing.reference in page and scene.other.reference not in page
    assert '<td class="utrecht-table__cell bb-num">3</td>' in page  # applicants
    assert '<td class="utrecht-table__cell bb-num">1</td>' in page  # scored by anna (not bram's)
    assert reverse("allocation_assess_list") in body(client.get(reverse("allocation_assess_listing",
                                                                        args=[scene.listing.pk])))
    solve(scene.round, alice)
    assert scene.listing.reference not in body(client.get(reverse("allocation_assess_list")))


def test_the_header_links_to_assessing_for_assessors_only(client, scene, team, alice):
    client.force_login(team[0])
    assert 'id="assess-link"' in body(client.get(reverse("allocation_assess_list")))
    client.force_login(alice)
    assert 'id="assess-link"' not in body(client.get(reverse("allocation_round_list")))


def test_who_may_not_assess_gets_no_page(client, scene, alice, bob, charlie):
    for user, status in ((alice, 403), (bob, 403), (charlie, 403)):
        client.force_login(user)
        assert client.get(reverse("allocation_assess_list")).status_code == status
        assert client.get(reverse("allocation_assess_listing", args=[scene.listing.pk])).status_code == status
        response = client.post(reverse("allocation_assess_listing", args=[scene.listing.pk]),
                               {"code": neutral_code(scene.listing.pk, scene.people[0].pk), "score": "3"})
        assert response.status_code == status
    assert not MotivationAssessment.objects.exists()


def test_an_assessor_of_another_corporation_sees_nothing_of_ours(client, scene, corporation_b):
    from buurtbalans.core.models import Role
    from buurtbalans.core.testing import make_user

    charlotte = make_user("charlotte", corporation_b, Role.NEIGHBOURHOOD_MANAGER)
    client.force_login(charlotte)
    assert scene.listing.reference not in body(client.get(reverse("allocation_assess_list")))
    assert client.get(reverse("allocation_assess_listing", args=[scene.listing.pk])).status_code == 404
    assert client.post(reverse("allocation_assess_listing", args=[scene.listing.pk]),
                       {"code": "M-AAAAAA", "score": "3"}).status_code == 404


def test_after_the_round_the_page_shows_the_own_scores_and_no_form(client, scene, team, alice):
    anna = team[0]
    score(scene, scene.people[0], anna, "3.0")
    solve(scene.round, alice)
    client.force_login(anna)
    page = body(client.get(reverse("allocation_assess_listing", args=[scene.listing.pk])))
    assert 'id="assessing-closed"' in page and 'name="score"' not in page


# --- the officer's motivation texts ------------------------------------------------------------------------------


def test_an_officer_records_a_motivation_text(client, scene, alice, team):
    client.force_login(alice)
    url = reverse("allocation_motivation_texts", args=[scene.listing.pk])
    page = body(client.get(url))
    assert all(code in page for code in HIDDEN["codes"]) and TEXTS[0] in page
    client.post(url, {"applicant": HIDDEN["codes"][2], "text": "We want to start a repair café."})
    assert MotivationText.objects.get(applicant=scene.people[2]).text == "We want to start a repair café."
    client.post(url, {"applicant": "NOBODY", "text": "x"})
    assert MotivationText.objects.count() == 3
    client.force_login(team[0])
    assert client.get(url).status_code == 403


def test_another_corporation_cannot_open_our_motivation_texts(client, scene, charlie):
    client.force_login(charlie)
    url = reverse("allocation_motivation_texts", args=[scene.listing.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"applicant": HIDDEN["codes"][2], "text": "x"}).status_code == 404


# --- the agreement of assessors ---------------------------------------------------------------------------------


def test_the_agreement_page_shows_kappa_per_pair_and_downloads_it(client, scene, team, alice, bob):
    anna, bram, chris = team
    for person, a, b in zip(scene.people, ("3.0", "1.0", "4.0"), ("3.4", "3.0", "4.0"), strict=True):
        score(scene, person, anna, a)
        score(scene, person, bram, b)
    score(scene, scene.people[1], chris, "1.5")
    # classes anna 3,1,4 / bram 3,3,4: p_o 2/3, p_e (1*2 + 1*0 + 1*1)/9 = 1/3, kappa 0.5
    client.force_login(bob)
    with translation.override("en"):
        page = body(client.get(reverse("allocation_assessor_agreement"), HTTP_ACCEPT_LANGUAGE="en"))
    assert 'data-pair="anna|bram"' in page and 'data-pair="anna|chris"' in page and 'data-pair="bram|chris"' in page
    assert "0.50" in page or "0,50" in page
    assert not any(code in page for code in HIDDEN["codes"])
    csv = body(client.get(reverse("allocation_assessor_agreement"), {"format": "csv"}))
    lines = csv.strip().splitlines()
    assert len(lines) == 4
    assert "anna,bram,3,67,67,0.5" in lines[1].replace('"', "")
    client.force_login(alice)
    assert client.get(reverse("allocation_assessor_agreement")).status_code == 200


def test_the_agreement_page_explains_kappa_in_dutch(client, bob):
    client.force_login(bob)
    with translation.override("nl"):
        page = body(client.get(reverse("allocation_assessor_agreement"), HTTP_ACCEPT_LANGUAGE="nl"))
    assert "toeval" in page


def test_an_assessor_or_another_corporation_gets_no_agreement_report(client, scene, team, charlie):
    anna, bram, _chris = team
    score(scene, scene.people[0], anna, "3.0")
    score(scene, scene.people[0], bram, "3.0")
    client.force_login(anna)
    assert client.get(reverse("allocation_assessor_agreement")).status_code == 403
    client.force_login(charlie)
    assert "anna" not in body(client.get(reverse("allocation_assessor_agreement")))
    assert "anna" not in body(client.get(reverse("allocation_assessor_agreement"), {"format": "csv"}))
