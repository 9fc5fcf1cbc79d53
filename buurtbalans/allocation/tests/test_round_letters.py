"""`buurtbalans round_letters`: the machine-readable letters of a corporation's rounds."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from buurtbalans.allocation import services
from buurtbalans.allocation.models import DeclineReason, Offer
from buurtbalans.allocation.tests.support import letter_invariant_problems, scene, solve
from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out, err = io.StringIO(), io.StringIO()
    call_command("round_letters", *args, stdout=out, stderr=err)
    return json.loads(out.getvalue())


def test_it_writes_every_round_with_its_homes_offers_and_one_letter_per_applicant(stock_a, alice):
    s = scene(stock_a, alice)
    solve(s.round, alice)
    services.allocation_round_approve(allocation_round=s.round, actor=alice)
    services.offer_decline(offer=Offer.objects.get(listing=s.listings[0]), actor=alice,
                           reason=DeclineReason.DWELLING_NOT_LIKED)
    run_pending_jobs()
    services.allocation_round_approve(allocation_round=s.round, actor=alice)
    draft = services.allocation_round_create(corporation=stock_a.corporation, actor=alice, name="Next week",
                                             reference_date=s.round.reference_date)

    document = run("--corporation", stock_a.corporation.code)
    assert document["format"] == "buurtbalans.round-letters/1"
    assert [r["name"] for r in document["rounds"]] == ["Week 23", "Next week"]
    entry = document["rounds"][0]
    assert entry["status"] == "approved" and entry["problem"] is None
    l1, l2, l3 = (listing.reference for listing in s.listings)
    assert {x["listing"]: (x["state"], x["applicant"]) for x in entry["listings"]} == {
        l1: ("offered", "A2"), l2: ("offered", "A3"), l3: ("open", None)}
    assert entry["listings"][0]["address"] == s.listings[0].dwelling.address
    assert {(o["listing"], o["applicant"], o["state"], o["reason"], o["replaced_by"]) for o in entry["offers"]} == {
        (l1, "A1", "declined", "WBN", None), (l1, "A2", "offered", None, None), (l2, "A3", "offered", None, None),
        (l3, "A2", "withdrawn", None, l1)}
    letters = {letter["applicant"]: letter["bids"] for letter in entry["letters"]}
    assert letters["A1"] == [
        {"listing": l1, "preference": 1, "status": "declined", "reason": "WBN", "refers_to": None},
        {"listing": l2, "preference": 2, "status": "not_considered", "reason": "declined_other", "refers_to": l1}]
    assert letters["A2"][1] == {"listing": l3, "preference": 2, "status": "allocated_elsewhere", "reason": None,
                                "refers_to": l1}
    assert letter_invariant_problems(entry) == []
    assert run("--round", str(draft.pk))["rounds"][0]["letters"] == []
    # The document names applicants: writing it is logged as an export of personal data.
    event = AuditEvent.objects.filter(event_type=AuditEvent.Type.PERSONAL_DATA_EXPORTED).latest("pk")
    assert "H-A1" in event.subject_ids


def test_it_writes_to_a_file_and_names_what_is_wrong_with_the_arguments(stock_a, stock_b, alice, tmp_path):
    s = scene(stock_a, alice)
    target = tmp_path / "letters.json"
    call_command("round_letters", "--corporation", "corp-a", "--output", str(target), stdout=io.StringIO())
    assert json.loads(target.read_text())["rounds"][0]["round"] == s.round.pk
    with translation.override("nl"), pytest.raises(CommandError, match="meer dan één corporatie"):
        run()
    with translation.override("nl"), pytest.raises(CommandError, match="onbekende corporatiecode 'nope'"):
        run("--corporation", "nope")
    with translation.override("nl"), pytest.raises(CommandError, match=f"ronde {s.round.pk} is geen ronde van corp-b"):
        run("--corporation", "corp-b", "--round", str(s.round.pk))
