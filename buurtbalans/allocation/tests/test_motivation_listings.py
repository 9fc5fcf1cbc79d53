"""Motivation listings in the product (issue 13 item 2): published criteria, and the round/2 the product builds.

A listing that selects on motivation cannot open without criteria (service and form); a round with such a
listing is built as `buurtbalans.round/2` from the assessors' blind scores, and the engine decides it by its rule
(agreeing assessors: the mean; diverging: the median of three, or incomplete without a third; a repeated
assessor counts once; below the minimum). A round without motivation listings is still `buurtbalans.round/1`,
key for key as before.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtbalans.allocation import services
from buurtbalans.allocation.models import (
    BidResult,
    DeclineReason,
    Listing,
    MotivationAssessment,
    MotivationScore,
    Offer,
    OfferStatus,
)
from buurtbalans.allocation.roundfile import APPLICANT_KEYS, FORMAT, FORMAT_2, LISTING_KEYS, parse_round_document
from buurtbalans.allocation.roundinput import round_input_from_rows, run_result_document
from buurtbalans.allocation.services import AllocationError
from buurtbalans.allocation.tests.support import REFERENCE_DATE, applicant, at, scene, solve, vacant_dwelling
from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.engine.allocation import solve_round
from buurtbalans.rules.parameters import parameters_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The services' messages in English (the msgids); the screens speak Dutch, checked where it matters."""
    with translation.override("en"):
        yield

CRITERIA = ["Wil meedoen in de bewonerscommissie of de moestuin", "Woont of werkt in de buurt"]


def solved_again(run) -> dict:
    round_file = parse_round_document(run.input_document)
    return solve_round(round_file.facts, parameters_for(round_file.reference_date),
                       reference_date=round_file.reference_date, lottery_seed=round_file.lottery_seed).to_document()


def assess(listing, person, *scores) -> None:
    """The assessors' blind scores in the order they were recorded ((name, "score") pairs).

    Written as rows: how an assessor records a score is the assessing screen's business (assessment_views); the
    round reads the rows.
    """
    for name, score in scores:
        MotivationAssessment.objects.create(corporation=listing.corporation, listing=listing, applicant=person,
                                            assessor_name=name, score=Decimal(score))


# --- criteria -----------------------------------------------------------------------------------------------


def test_a_motivation_listing_without_criteria_does_not_open(stock_a, alice):
    dwelling = vacant_dwelling(stock_a, 1)
    for criteria in ({}, {"criteria": []}, {"criteria": ["  ", ""]}, {"criteria": "\n \n"}):
        with pytest.raises(AllocationError) as caught:
            services.listing_create_for_dwelling(dwelling=dwelling, actor=alice, selection="motivation", **criteria)
        assert "needs published selection criteria" in caught.value.messages[0]
    assert not Listing.objects.exists()
    typed = "  Wil meedoen in de   bewonerscommissie\n\nWoont in de buurt"
    listing = services.listing_create_for_dwelling(dwelling=dwelling, actor=alice, selection="motivation",
                                                   criteria=typed, motivation_min_score="2,5")
    assert listing.criteria == ["Wil meedoen in de bewonerscommissie", "Woont in de buurt"]
    assert listing.motivation_min_score == Decimal("2.5")
    # Taking the criteria away again is refused too.
    with pytest.raises(AllocationError):
        services.listing_update(listing=listing, actor=alice, criteria=[])
    listing.refresh_from_db()
    assert listing.criteria == ["Wil meedoen in de bewonerscommissie", "Woont in de buurt"]


def test_a_listing_that_does_not_select_on_motivation_has_no_criteria_and_loses_them_when_it_stops(stock_a, alice):
    with pytest.raises(AllocationError) as caught:
        services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock_a, 1), actor=alice, criteria=CRITERIA,
                                             motivation_min_score=Decimal("2"))
    assert caught.value.messages == ["Only a listing that selects on motivation has selection criteria.",
                                     "Only a listing that selects on motivation has a lowest motivation score."]
    listing = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock_a, 2), actor=alice,
                                                   selection="motivation", criteria=CRITERIA,
                                                   motivation_min_score=Decimal("2"))
    # The labelling plan's relabel gives only the selection key: the criteria go with the motivation.
    services.listing_relabel(listing=listing, actor=alice, selection="registration")
    listing.refresh_from_db()
    assert (listing.selection, listing.criteria, listing.motivation_min_score) == ("registration", [], None)


@pytest.mark.parametrize("score", ["4.5", "-1", "2.55", "veel"])
def test_the_lowest_score_is_on_the_assessors_scale(stock_a, alice, score):
    with pytest.raises(AllocationError) as caught:
        services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock_a, 1), actor=alice,
                                             selection="motivation", criteria=CRITERIA, motivation_min_score=score)
    assert caught.value.messages[0].startswith("motivation_min_score: the lowest score is a number from 0 to 4")


def listing_form(dwelling, **changes) -> dict:
    return {"dwelling": dwelling.pk, "selection": "motivation", "criteria": "", "motivation_min_score": "",
            **changes}


def test_the_officer_writes_the_criteria_one_per_line_and_everyone_reads_them(client, alice, bob, charlie, stock_a):
    dwelling = vacant_dwelling(stock_a, 1)
    client.force_login(alice)
    response = client.post(reverse("allocation_listing_new"), listing_form(dwelling))
    assert response.status_code == 200 and "heeft gepubliceerde selectiecriteria nodig" in str(
        response.context["form"].errors["criteria"])
    response = client.post(reverse("allocation_listing_new"), listing_form(
        dwelling, selection="registration", criteria="Woont in de buurt", motivation_min_score="2"))
    assert set(response.context["form"].errors) == {"criteria", "motivation_min_score"}
    assert not Listing.objects.exists()

    response = client.post(reverse("allocation_listing_new"), listing_form(
        dwelling, criteria=f"{CRITERIA[0]}\r\n\r\n{CRITERIA[1]}\r\n", motivation_min_score="2.5"))
    listing = Listing.objects.get()
    assert response.status_code == 302 and listing.criteria == CRITERIA
    assert listing.motivation_min_score == Decimal("2.5")
    edit = client.get(reverse("allocation_listing_edit", args=[listing.pk]))
    assert edit.context["form"]["criteria"].value() == "\n".join(CRITERIA)

    detail = client.get(reverse("allocation_listing_detail", args=[listing.pk])).content.decode()
    assert all(criterion in detail for criterion in CRITERIA)
    # No single-score form on a listing the assessors score.
    assert reverse("allocation_listing_score_add", args=[listing.pk]) not in detail
    client.force_login(bob)
    account = client.get(reverse("allocation_listing_account", args=[listing.pk])).content.decode()
    assert all(criterion in account for criterion in CRITERIA) and "2,5" in account  # the lowest score, in Dutch
    client.logout()
    public = client.get(reverse("public_account", args=[listing.public_token])).content.decode()
    assert all(criterion in public for criterion in CRITERIA)
    client.force_login(charlie)
    assert client.get(reverse("allocation_listing_detail", args=[listing.pk])).status_code == 404
    assert client.post(reverse("allocation_listing_edit", args=[listing.pk]),
                       listing_form(dwelling, criteria="Iets anders")).status_code == 404
    listing.refresh_from_db()
    assert listing.criteria == CRITERIA


def test_the_single_score_is_only_for_motivation_listings_from_before_the_criteria(stock_a, alice):
    listing = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock_a, 1), actor=alice,
                                                   selection="motivation", criteria=CRITERIA)
    person = applicant(stock_a.corporation, "S1")
    services.bid_create(listing=listing, applicant=person, preference=1, actor=alice)
    with pytest.raises(AllocationError) as caught:
        services.motivation_score_set(listing=listing, applicant=person, score=Decimal("3"), actor=alice)
    assert "is scored by assessors on its published criteria" in caught.value.messages[0]
    assert not MotivationScore.objects.exists()


# --- the round the product builds ---------------------------------------------------------------------------


@pytest.fixture
def motivation_round(stock_a, alice):
    """One motivation listing (criteria, minimum 2.5) and one registration listing, five applicants.

    M1 and M2 agree (2.5 and 3.0: 2.75); M3 diverges with a third (1.0, 3.0, 4.0: the median 3.0); M4 diverges
    without a third (incomplete); M5 has one assessment (incomplete); M6 agrees below the minimum (2.5 and 2.0:
    2.25). Everyone also wants the registration listing as their second choice.
    """
    s = scene(stock_a, alice, name="Motivatie")
    listing = services.listing_create_for_dwelling(
        dwelling=vacant_dwelling(stock_a, 9), actor=alice, allocation_round=s.round, selection="motivation",
        criteria=CRITERIA, motivation_min_score=Decimal("2.5"))
    people = {code: applicant(stock_a.corporation, code, registered=date(2000 + i, 1, 1))
              for i, code in enumerate(("M1", "M2", "M3", "M4", "M5", "M6"))}
    scores = {
        "M1": [("anna", "2.5"), ("bram", "3.0")],
        "M2": [("bram", "3.0"), ("anna", "2.5")],
        "M3": [("anna", "1.0"), ("bram", "3.0"), ("chris", "4.0")],
        "M4": [("anna", "4.0"), ("bram", "1.0")],
        "M5": [("anna", "4.0")],
        "M6": [("anna", "2.5"), ("bram", "2.0")],
    }
    for i, (code, person) in enumerate(people.items()):
        services.bid_create(listing=listing, applicant=person, preference=1, actor=alice,
                            submitted_at=at(8) + timedelta(minutes=i))
        services.bid_create(listing=s.listings[0], applicant=person, preference=2, actor=alice,
                            submitted_at=at(8) + timedelta(minutes=i, seconds=30))
        assess(listing, person, *scores[code])
    # A second score of anna for M5 is refused by the storage (one per assessor and applicant); the rule would
    # count only her first anyway (the engine's golden scenario round2_duplicate_assessor).
    return s, listing, people


def test_a_round_with_a_motivation_listing_is_round_2_and_the_engine_scores_the_assessments(
        stock_a, alice, motivation_round):
    s, listing, people = motivation_round
    document = round_input_from_rows(s.round).document
    assert document["format"] == FORMAT_2
    entries = {entry["id"]: entry for entry in document["listings"]}
    assert entries[listing.reference]["criteria"] == CRITERIA
    assert entries[listing.reference]["motivation_min_score"] == "2.5"
    assert entries[s.listings[0].reference]["criteria"] == []
    applicants = {entry["id"]: entry for entry in document["applicants"]}
    assert applicants["M2"]["motivation_assessments"] == {listing.reference: [
        {"assessor": "bram", "score": "3.0"}, {"assessor": "anna", "score": "2.5"}]}
    assert applicants["A1"]["motivation_assessments"] is None and "motivation_scores" not in applicants["A1"]

    run = solve(s.round, alice).runs.get()
    outcomes = {r.applicant.external_id: (r.outcome, r.reason, r.rank)
                for r in BidResult.objects.filter(run=run, listing=listing).select_related("applicant")}
    # M3 (3.0) is first; M1 and M2 tie at 2.75 and the earlier registration date (M1, 2000) goes first.
    assert outcomes == {
        "M3": ("allocated", "", 1),
        "M1": ("outranked", "", 2),
        "M2": ("outranked", "", 3),
        "M4": ("ineligible", "motivation_incomplete", None),
        "M5": ("ineligible", "motivation_incomplete", None),
        "M6": ("ineligible", "motivation_below_minimum", None),
    }
    m1 = BidResult.objects.get(run=run, listing=listing, applicant=people["M1"]).detail
    assert (m1["motivation_score"], m1["decided_by"]) == ("2.75", "motivation_score")
    assert m1["motivation_assessments"] == [{"assessor": "anna", "score": "2.5"}, {"assessor": "bram", "score": "3.0"}]
    result = run_result_document(run)
    assert result == solved_again(run)
    assert result["format"] == "buurtbalans.round-result/2"
    refused = {e["applicant"]: e for e in result["ineligible"] if e["listing"] == listing.reference}
    assert refused["M6"] == {"applicant": "M6", "listing": listing.reference, "reason": "motivation_below_minimum",
                             "motivation_score": "2.25", "motivation_assessments": [
                                 {"assessor": "anna", "score": "2.5"}, {"assessor": "bram", "score": "2.0"}]}
    assert refused["M4"]["motivation_assessments"] == [{"assessor": "anna", "score": "4.0"},
                                                       {"assessor": "bram", "score": "1.0"}]


def test_a_rerun_of_a_round_2_round_keeps_its_assessments_and_solves_to_the_same_result(
        stock_a, alice, motivation_round):
    s, listing, people = motivation_round
    solve(s.round, alice)
    services.allocation_round_approve(allocation_round=s.round, actor=alice)
    offer = Offer.objects.get(listing=listing, status=OfferStatus.OFFERED)
    assert offer.applicant == people["M3"]
    services.offer_decline(offer=offer, actor=alice, reason=DeclineReason.REFUSED)
    run_pending_jobs()
    second = s.round.runs.get(number=2)
    assert second.input_document["format"] == FORMAT_2
    assert "M3" not in {entry["id"] for entry in second.input_document["applicants"]}
    assert run_result_document(second) == solved_again(second)
    assert {e["listing"]: e["applicant"] for e in run_result_document(second)["allocations"]}[
        listing.reference] == "M1"


def test_a_round_without_motivation_listings_is_round_1_as_before(stock_a, alice):
    s = scene(stock_a, alice)
    document = round_input_from_rows(s.round).document
    assert document["format"] == FORMAT
    assert all(tuple(entry) == LISTING_KEYS for entry in document["listings"])
    assert all(tuple(entry) == APPLICANT_KEYS for entry in document["applicants"])
    assert all(entry["motivation_scores"] is None for entry in document["applicants"])
    run = solve(s.round, alice).runs.get()
    assert run.input_document == document
    assert run_result_document(run)["format"] == "buurtbalans.round-result/1" == solved_again(run)["format"]


def test_a_motivation_listing_from_before_the_criteria_still_runs_as_round_1_with_its_single_score(stock_a, alice):
    s = scene(stock_a, alice)
    # A listing opened before criteria were required (the service no longer opens one like it).
    Listing.objects.filter(pk=s.listings[0].pk).update(selection="motivation")
    for person, score in zip(s.applicants[:2], ("7.5", "9"), strict=True):
        services.motivation_score_set(listing=s.listings[0], applicant=person, score=Decimal(score), actor=alice)
    document = round_input_from_rows(s.round).document
    assert document["format"] == FORMAT
    assert {e["id"]: e["motivation_scores"] for e in document["applicants"]}["A2"] == {s.listings[0].reference: 9}
    run = solve(s.round, alice).runs.get()
    assert {e["listing"]: e["applicant"] for e in run_result_document(run)["allocations"]}[
        s.listings[0].reference] == "A2"
    assert run_result_document(run) == solved_again(run)


SCORES = st.sampled_from(["0.0", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0"])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(st.lists(st.tuples(st.sampled_from(["anna", "bram", "chris", "dirk"]), SCORES),
                                max_size=4, unique_by=lambda pair: pair[0]), min_size=1, max_size=5),
       minimum=st.one_of(st.none(), SCORES), decline=st.booleans())
def test_what_the_product_stores_is_what_the_engine_gives_for_the_stored_round_2_input(
        stock_a, alice, people, minimum, decline):
    from django.db import transaction

    with transaction.atomic():
        allocation_round = services.allocation_round_create(corporation=stock_a.corporation, actor=alice,
                                                            name="Random", reference_date=REFERENCE_DATE,
                                                            lottery_seed="r")
        listing = services.listing_create_for_dwelling(
            dwelling=vacant_dwelling(stock_a, 40), actor=alice, allocation_round=allocation_round,
            selection="motivation", criteria=CRITERIA, motivation_min_score=minimum)
        other = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock_a, 41), actor=alice,
                                                     allocation_round=allocation_round)
        for i, scores in enumerate(people):
            person = applicant(stock_a.corporation, f"P{i}", registered=date(2010, 1, 1 + i))
            services.bid_create(listing=listing, applicant=person, preference=1, actor=alice)
            services.bid_create(listing=other, applicant=person, preference=2, actor=alice)
            assess(listing, person, *scores)
        run = solve(allocation_round, alice).runs.get()
        assert run.input_document["format"] == FORMAT_2
        assert run_result_document(run) == solved_again(run)
        if decline:
            services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
            offer = Offer.objects.filter(allocation_round=allocation_round, status=OfferStatus.OFFERED).first()
            if offer is not None:
                services.offer_decline(offer=offer, actor=alice, reason=DeclineReason.REFUSED)
                run_pending_jobs()
                second = allocation_round.runs.get(number=2)
                assert run_result_document(second) == solved_again(second)
        transaction.set_rollback(True)
