"""Letters to applicants and the public account: what they explain, and that they never name anyone else."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from buurtbalans.allocation import services
from buurtbalans.allocation.letters import letter_build
from buurtbalans.allocation.models import BidResult, DeclineReason, Offer
from buurtbalans.allocation.selectors import listing_account
from buurtbalans.allocation.tests.support import REFERENCE_DATE, applicant, scene, solve, vacant_dwelling
from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import Role
from buurtbalans.core.testing import make_user
from buurtbalans.core.tests.test_access_views import body

pytestmark = pytest.mark.django_db


def english_letter(allocation_round, person) -> str:
    with translation.override("en"):
        return letter_build(allocation_round, person).text()


def test_the_letter_explains_each_bid_in_words(stock_a, alice):
    s = scene(stock_a, alice)
    allocation_round = solve(s.round, alice)
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    a1, a2, _a3, a4 = s.applicants
    l1, l2, l3 = s.listings

    text = english_letter(allocation_round, a1)
    assert "We offer you this home." in text
    assert "You are number 1 on the list of candidates who meet the conditions." in text
    assert (f"You did not get this home, because you got a home that was higher on your list: "
            f"{l1.dwelling.postal_address} (your choice 1).") in text

    text = english_letter(allocation_round, a4)
    assert "You were number 3 on the list of candidates who meet the conditions." in text
    # Offered, not let yet: the letter says so.
    assert "We offered this home to someone who was ahead of you." in text
    assert "The person we offered the home to is number 1 and has been registered since 1 March 2005." in text
    assert "That person has been registered longer than you." in text
    assert "Your income is higher than the highest income for this home (€ 40,000.00 per year)." in text
    assert "registration number A4" in text

    # A1 declines; in the new run A2 moves up to L1, and the letters follow.
    services.offer_decline(offer=Offer.objects.get(listing=l1), actor=alice, reason=DeclineReason.RENT_TOO_HIGH)
    run_pending_jobs()
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    text = english_letter(allocation_round, a1)
    assert "We offered you this home. You said no." in text and "Reason: Rent too high." in text
    assert (f"You said no to the offer of {l1.dwelling.postal_address}. After that, you no longer take part in "
            "this round.") in text  # about L2, which A1 ranked second
    text = english_letter(allocation_round, a2)
    assert "We offer you this home." in text
    assert f"higher on your list: {l1.dwelling.postal_address} (your choice 1)" in text
    text = english_letter(allocation_round, a4)
    assert "The person we offered the home to is number 2 and has been registered since 1 July 2008." in text

    services.offer_accept(offer=Offer.objects.get(listing=l2), actor=alice, start_date=date(2025, 7, 1))
    text = english_letter(allocation_round, s.applicants[2])
    assert "You got this home." in text and "Your rental contract starts on 1 July 2025." in text
    assert l3.reference in english_letter(allocation_round, a2)
    services.offer_accept(offer=Offer.objects.get(listing=l1, status="offered"), actor=alice,
                          start_date=date(2025, 7, 1))
    assert ("The person who got the home was number 2 and has been registered since 1 July 2008."
            in english_letter(allocation_round, a4))


def test_every_ineligibility_reason_is_said_in_words(stock_a, alice):
    corporation = stock_a.corporation
    allocation_round = services.allocation_round_create(corporation=corporation, actor=alice, name="Reasons",
                                                        reference_date=REFERENCE_DATE, lottery_seed="r")
    labels = [
        {"household_size_min": 3, "household_size_max": 5},
        {"income_min": Decimal("30000.00")},
        {"allowed_groups": ["senior"]},
        {"excluded_groups": ["starter"]},
        {"selection": "motivation", "criteria": ["You want to help run the courtyard garden."]},
        {"base_rent": Decimal("1000.00")},
    ]
    listings = [
        services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock_a, i), actor=alice,
                                             allocation_round=allocation_round, **label)
        for i, label in enumerate(labels, start=1)
    ]
    person = applicant(corporation, "R-1", size=2, income=Decimal("21000"))
    services.applicant_profile_set(applicant=person, actor=alice, groups=["starter"])
    for preference, listing in enumerate(listings, start=1):
        services.bid_create(listing=listing, applicant=person, preference=preference, actor=alice)
    solve(allocation_round, alice)
    reasons = sorted(BidResult.objects.filter(applicant=person).values_list("reason", flat=True))
    assert reasons == sorted(["household_size", "income_below_min", "group_not_allowed", "group_excluded",
                              "motivation_incomplete", "not_affordable"])
    text = english_letter(allocation_round, person)
    for sentence in (
        "This home is for households of 3 to 5 persons. Your household has 2 persons.",
        "Your income is lower than the lowest income for this home (€ 30,000.00 per year).",
        "This home is only for: Senior (55 or older). You are not in one of these groups.",
        "This home is not for: Starter (first home of their own). You are in one of these groups.",
        "For this home we chose on motivation. Your motivation was not scored by enough assessors to give it a score.",
        "The rent of € 1,000.00 per month is too high for your income and household.",
    ):
        assert sentence in text, sentence


@pytest.fixture
def busy_round(stock_a, alice):
    """Three listings (registration with urgency, lottery, motivation) and six applicants with distinctive data."""
    corporation = stock_a.corporation
    allocation_round = services.allocation_round_create(corporation=corporation, actor=alice, name="Privacy",
                                                        reference_date=REFERENCE_DATE, lottery_seed="p")
    listings = [
        services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock_a, 1), actor=alice,
                                             allocation_round=allocation_round, urgency_first=True),
        services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock_a, 2), actor=alice,
                                             allocation_round=allocation_round, selection="lottery"),
        services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock_a, 3), actor=alice,
                                             allocation_round=allocation_round, selection="motivation",
                                             criteria=["You will help run the courtyard garden."]),
    ]
    assessors = [make_user(name, corporation, Role.NEIGHBOURHOOD_MANAGER) for name in ("assessor-1", "assessor-2")]
    people = [
        applicant(corporation, f"REG-{code}", size=1 + i % 3, income=Decimal(f"2{i}345.67"),
                  registered=date(2001 + i, 1 + i, 3 + i))
        for i, code in enumerate(("ALPHA", "BRAVO", "CHARLY", "DELTA", "ECHO", "FOXTR"))
    ]
    services.applicant_profile_set(applicant=people[4], actor=alice, is_urgent=True)
    for i, person in enumerate(people):
        for preference, listing in enumerate(listings[i % 2:] + listings[:i % 2], start=1):
            services.bid_create(listing=listing, applicant=person, preference=preference, actor=alice,
                                submitted_at=datetime(2025, 5, 20 + i, 8, 10 + 7 * i, tzinfo=UTC))
            if listing.selection == "motivation":
                for assessor in assessors:  # two agreeing assessors: the score is theirs, distinct per person
                    services.motivation_assessment_create(listing=listing, applicant=person,
                                                          score=Decimal(f"{i % 4}.{i + 1}"), actor=assessor)
    solve(allocation_round, alice)
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    services.offer_decline(offer=Offer.objects.filter(allocation_round=allocation_round).first(), actor=alice,
                           reason=DeclineReason.NO_RESPONSE)
    run_pending_jobs()
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    return allocation_round, listings, people


def private_facts(person, allocation_round) -> set[str]:
    """What identifies or describes one applicant, in every way a letter could spell it."""
    household = person.household
    income = household.assessed_income
    facts = {person.external_id, household.external_id, f"{income:.2f}", f"{income:,.2f}",
             f"{income:,.2f}".replace(",", "X").replace(".", ",").replace("X", "."), f"{int(income):,}"}
    for result in BidResult.objects.filter(applicant=person, run__allocation_round=allocation_round):
        facts.add(str(result.detail.get("lottery_number", "")) or person.external_id)
        if "motivation_score" in result.detail:
            score = str(result.detail["motivation_score"])
            for written in (score, score.replace(".", ",")):  # English and Dutch letters
                facts |= {f"score {written}", f": {written}"}
    for bid in person_bids(person):
        facts.add(bid.submitted_at.strftime("%H:%M"))
    return {fact for fact in facts if fact}


def person_bids(person):
    from buurtbalans.allocation.models import Bid

    return Bid.objects.filter(applicant=person)


def pdf_text(content: bytes) -> str:
    """The text drawn in an uncompressed PDF (the `(...) Tj` operands)."""
    return " ".join(re.findall(r"\((.*?)(?<!\\)\)\s*Tj", content.decode("latin-1")))


def test_no_letter_names_or_describes_anyone_else(client, alice, busy_round):
    allocation_round, _listings, people = busy_round
    client.force_login(alice)
    for person in people:
        page = body(client.get(reverse("allocation_letter", args=[allocation_round.pk, person.pk])))
        pdf = client.get(reverse("allocation_letter_pdf", args=[allocation_round.pk, person.pk]))
        assert pdf["Content-Type"] == "application/pdf"
        texts = {"page": page, "pdf": pdf_text(pdf.content), "letter": english_letter(allocation_round, person)}
        assert person.external_id in texts["pdf"] and person.external_id in texts["letter"]
        for other in people:
            if other == person:
                continue
            for fact in private_facts(other, allocation_round):
                for where, text in texts.items():
                    assert fact not in text, (person.external_id, where, other.external_id, fact)


def test_the_public_account_gives_counts_and_the_tenant_rank_and_year_only(client, bob, alice, busy_round):
    allocation_round, listings, people = busy_round
    client.force_login(bob)
    page = body(client.get(reverse("allocation_round_detail", args=[allocation_round.pk])))
    export = body(client.get(reverse("allocation_round_detail", args=[allocation_round.pk]), {"format": "csv"}))
    for text in (page, export):
        for person in people:
            for fact in private_facts(person, allocation_round):
                assert fact not in text, fact
            assert person.registration_date.strftime("%-d %B %Y") not in text  # no exact dates
    account = listing_account(bob, listings[0])
    offer = Offer.objects.get(listing=listings[0], status="offered")
    first_rank = BidResult.objects.get(run__number=1, listing=listings[0], applicant=offer.applicant).rank
    assert (account.bids, account.eligible, account.tenant_rank) == (6, 6, first_rank)
    assert account.tenant_registration_year == offer.applicant.registration_date.year
    assert (account.state, account.is_let) == ("offered", False)  # offered is not let
    # Whoever got the first offer and did not answer in time is counted, not named.
    if first_rank > 1:
        assert sum(n for _why, n, _share in account.passed_over) == first_rank - 1


def test_anyone_reads_the_public_account_by_its_link_without_logging_in(client, alice, busy_round):
    allocation_round, listings, people = busy_round
    url = reverse("public_account", args=[listings[0].public_token])
    page = body(client.get(url))
    assert "Aangeboden, nog niet verhuurd" in page and "Verhuurd." not in page
    csv = body(client.get(url, {"format": "csv"}))
    for text in (page, csv):
        for person in people:
            for fact in private_facts(person, allocation_round):
                assert fact not in text, fact
    offer = Offer.objects.get(listing=listings[0], status="offered")
    services.offer_accept(offer=offer, actor=alice, start_date=date(2025, 7, 1))
    assert "Verhuurd." in body(client.get(url))
    # A made-up or counted link finds nothing.
    assert client.get(reverse("public_account", args=["not-a-real-key"])).status_code == 404
    assert client.get(reverse("allocation_listing_account", args=[listings[0].pk])).status_code == 302  # login


def test_the_letter_is_in_plain_dutch_whatever_the_officers_language(client, alice, stock_a):
    s = scene(stock_a, alice)
    allocation_round = solve(s.round, alice)
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": "en"})
    url = reverse("allocation_letter", args=[allocation_round.pk, s.applicants[3].pk])
    page = body(client.get(url))
    assert "Wat er met uw reacties is gebeurd" in page
    assert "U stond op plaats 3 van de lijst met kandidaten die aan de voorwaarden voldoen." in page
    assert ("De persoon aan wie we de woning aanboden, staat op plaats 1 en staat ingeschreven sinds 1 maart 2005."
            in page)
    assert "Uw inkomen is hoger dan het hoogste inkomen voor deze woning (€ 40.000,00 per jaar)." in page
    assert 'lang="nl"' in page and "Download as PDF" in page  # the page around it is in English
    assert "What happened with your reactions" in body(client.get(url, {"language": "en"}))
