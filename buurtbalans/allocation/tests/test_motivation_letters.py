"""Letters of a motivation letting (issue 13 item 4): every bid on a motivation listing names the published
criteria and the applicant's own assessments and score, and each motivation reason is said in words; never who
the assessors are, nor anyone else's score. The same in the letter, its page, its PDF and the letters file."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from buurtbalans.allocation import services
from buurtbalans.allocation.letterfile import round_letters_entry
from buurtbalans.allocation.letterpdf import letter_pdf
from buurtbalans.allocation.letters import LetterMotivation, assessments_used, letter_build
from buurtbalans.allocation.models import AllocationRun, BidResult
from buurtbalans.allocation.tests.assessing_support import CRITERIA, assessors, motivation_scene
from buurtbalans.allocation.tests.support import applicant, at, solve
from buurtbalans.allocation.tests.test_letters import pdf_text
from buurtbalans.core.tests.test_access_views import body
from buurtbalans.engine.tests.allocation_support import spec_motivation_score

pytestmark = pytest.mark.django_db

D = Decimal


def english_letter(allocation_round, person) -> str:
    with translation.override("en"):
        return letter_build(allocation_round, person).text()


@pytest.fixture
def decided(stock_a, alice, corporation_a):
    """M1 (lowest score 2.0) worked out as round/2 with four applicants:

    P0: 2.5 and 3.0 agree: 2.75 (second); P1: 1.0 and 3.0 differ, the third 4.0 decides: 3.0 (gets M1);
    P2: 1.0 and 2.0: 1.5, below the minimum; P3: one assessment only: incomplete.
    """
    scene = motivation_scene(stock_a, alice, minimum="2.0")
    late = applicant(corporation_a, "MV-8104")
    services.bid_create(listing=scene.listing, applicant=late, preference=1, actor=alice, submitted_at=at(15))
    people = [*scene.people, late]
    anna, bram, chris = assessors(corporation_a)
    given_scores = {0: [(anna, "2.5"), (bram, "3.0")], 1: [(anna, "1.0"), (bram, "3.0"), (chris, "4.0")],
                    2: [(anna, "1.0"), (bram, "2.0")], 3: [(anna, "4.0")]}
    for index, scores in given_scores.items():
        for assessor, value in scores:
            services.motivation_assessment_create(listing=scene.listing, applicant=people[index], score=value,
                                                  actor=assessor)
    allocation_round = solve(scene.round, alice)
    run = AllocationRun.objects.get(allocation_round=allocation_round)
    assert run.input_document["format"] == "buurtbalans.round/2", "the product solves a round with criteria as /2"
    return allocation_round, scene.listing, people


def test_the_round_decided_as_the_rule_says(decided):
    allocation_round, listing, people = decided
    outcomes = dict(BidResult.objects.filter(listing=listing).values_list("applicant__external_id", "reason"))
    assert outcomes == {"MV-8101": "", "MV-8102": "", "MV-8103": "motivation_below_minimum",
                        "MV-8104": "motivation_incomplete"}


def test_every_motivation_letter_names_the_criteria(decided):
    allocation_round, _listing, people = decided
    for person in people:
        text = english_letter(allocation_round, person)
        assert "For this home we chose on motivation. These are the published criteria:" in text
        for criterion in CRITERIA:
            assert f"- {criterion}" in text


def test_a_candidate_reads_the_two_scores_that_agreed_and_their_mean(decided, alice):
    allocation_round, _listing, people = decided
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    text = english_letter(allocation_round, people[0])
    assert ("2 assessors scored your motivation, each on their own, on a scale from 0 to 4 "
            "(first assessor: 2.5; second assessor: 3.0).") in text
    assert "Your score is 2.75: the average of the two scores." in text
    assert "The motivation of that person got a higher score." in text


def test_the_winner_reads_the_three_scores_and_the_median(decided, alice):
    allocation_round, _listing, people = decided
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    text = english_letter(allocation_round, people[1])
    assert "We offer you this home." in text
    assert "(first assessor: 1.0; second assessor: 3.0; third assessor: 4.0)" in text
    assert ("Your score is 3.0: the middle one of the three scores, because the first two were more than 1.5 "
            "apart.") in text


def test_below_the_minimum_is_said_with_the_score_and_the_minimum(decided):
    allocation_round, _listing, people = decided
    text = english_letter(allocation_round, people[2])
    assert "You could not get this home." in text
    assert ("For this home we chose on motivation. Your motivation got the score 1.5. The lowest score for this "
            "home is 2.0. With a lower score, you could not get this home.") in text
    assert "(first assessor: 1.0; second assessor: 2.0)" in text
    assert "Your score is 1.5: the average of the two scores." in text


def test_incomplete_is_said_with_the_one_score_there_was(decided):
    allocation_round, _listing, people = decided
    text = english_letter(allocation_round, people[3])
    assert ("For this home we chose on motivation. Your motivation was not scored by enough assessors to give it a "
            "score. Without a score, you could not get this home.") in text
    assert "One assessor scored your motivation, on a scale from 0 to 4 (first assessor: 4.0)." in text
    assert "That was not enough for a score" in text


def test_a_letter_never_names_the_assessors_nor_another_applicants_scores(decided):
    allocation_round, _listing, people = decided
    text = english_letter(allocation_round, people[0])
    for name in ("anna", "bram", "chris"):
        assert name not in text
    # P1's scores (1.0, 4.0) and score (3.0 as a score) are not in P0's letter.
    assert "1.0" not in text and "4.0" not in text and "score is 3.0" not in text
    # A bid on a listing that does not select on motivation says nothing of criteria.
    with translation.override("en"):
        letter = letter_build(allocation_round, people[0])
    other = [item for item in letter.items if item.listing_reference != decided[1].reference]
    assert other and not other[0].criteria and not other[0].motivation


def test_the_letter_is_in_dutch_by_default(decided):
    allocation_round, _listing, people = decided
    with translation.override("nl"):
        text = letter_build(allocation_round, people[2]).text()
    assert "eerste beoordelaar: 1,0; tweede beoordelaar: 2,0" in text
    assert "1,5" in text


def test_the_page_the_pdf_and_the_letters_file_say_the_same(client, alice, decided):
    allocation_round, listing, people = decided
    client.force_login(alice)
    page = body(client.get(reverse("allocation_letter", args=[allocation_round.pk, people[0].pk]),
                           {"language": "en"}))
    with translation.override("en"):
        pdf = pdf_text(letter_pdf(letter_build(allocation_round, people[0])))
    for criterion in CRITERIA:
        assert criterion.replace("'", "&#x27;") in page
        assert criterion.replace("'", "\\'") in pdf or criterion in pdf
    assert "Your score is 2.75" in page and "Your score is 2.75" in pdf

    letters = {letter["applicant"]: letter for letter in round_letters_entry(allocation_round)["letters"]}
    bids = {bid["listing"]: bid for bid in letters["MV-8101"]["bids"]}
    assert bids[listing.reference]["motivation"] == {"criteria": CRITERIA, "assessments": ["2.5", "3.0"],
                                                     "score": "2.75"}
    assert "motivation" not in [b for ref, b in bids.items() if ref != listing.reference][0]
    below = next(b for b in letters["MV-8103"]["bids"] if b["listing"] == listing.reference)
    assert below["motivation"] == {"criteria": CRITERIA, "assessments": ["1.0", "2.0"], "score": "1.5"}
    incomplete = next(b for b in letters["MV-8104"]["bids"] if b["listing"] == listing.reference)
    assert incomplete["motivation"] == {"criteria": CRITERIA, "assessments": ["4.0"], "score": None}


def test_before_the_round_runs_the_letter_names_only_the_criteria(stock_a, alice, corporation_a):
    scene = motivation_scene(stock_a, alice)
    anna, bram, _chris = assessors(corporation_a)
    for assessor in (anna, bram):
        services.motivation_assessment_create(listing=scene.listing, applicant=scene.people[0], score="3.0",
                                              actor=assessor)
    text = english_letter(scene.round, scene.people[0])
    assert CRITERIA[0] in text and "assessor" not in text


# --- the rule the letters count with, against the rule written out ------------------------------------------------

ASSESSORS = st.sampled_from(["anna", "bram", "chris", "dirk"])
SCORES = st.integers(0, 40).map(lambda tenths: D(tenths) / 10)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(ASSESSORS, SCORES), max_size=6))
def test_the_letters_rule_gives_the_rounds_score(given_scores):
    class Given:
        def __init__(self, assessor, score):
            self.assessor, self.score = assessor, score

    result = assessments_used(given_scores)
    assert result.score == spec_motivation_score([Given(a, s) for a, s in given_scores])
    # The assessments named are each assessor's first, in order, at most three (two when they agree).
    firsts = []
    for assessor, score in given_scores:
        if assessor not in [a for a, _s in firsts]:
            firsts.append((assessor, score))
    assert list(result.assessments) == [s for _a, s in firsts][:len(result.assessments)]
    assert len(result.assessments) == min(len(firsts), 3 if result.score is not None and len(firsts) >= 3
                                          and abs(firsts[0][1] - firsts[1][1]) > D("1.5") else 2)


def test_the_rule_keeps_the_first_of_an_assessor():
    assert assessments_used([("anna", D("4.0")), ("anna", D("3.0"))]) == LetterMotivation((D("4.0"),), None)
