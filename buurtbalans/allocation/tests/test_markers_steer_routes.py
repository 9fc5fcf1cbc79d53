"""Markers steer routes, not people (issue 13 item 1): no listing excludes an applicant because of a marker.

On every route a round takes: the product's round (`round_input_from_rows`), a re-run of it (also of a document
stored before issue 13, which put every marked applicant in `vulnerable`), and the round file the product writes,
solved by `run_allocation_round`. The group `vulnerable` is the placement route: it comes from the applicant's
profile, set by an officer, and only a `RESERVED_VULNERABLE` listing asks for it.
"""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtbalans.allocation import services
from buurtbalans.allocation.models import AllocationRun, ApplicantProfile, DeclineReason, Offer
from buurtbalans.allocation.roundinput import round_input_from_rows, run_result_document
from buurtbalans.allocation.tests.support import REFERENCE_DATE, applicant, solve, vacant_dwelling
from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import AuditEvent
from buurtbalans.engine.labelling import Label
from buurtbalans.households.models import VulnerabilityKind, VulnerabilityMarker
from buurtbalans.steering.models import LabelDecision
from buurtbalans.steering.services import listing_fields

pytestmark = pytest.mark.django_db

DEFAULT_KINDS = ("status_holder", "shelter_outflow")


def label_fields(label: str) -> dict:
    """What the product's label decision gives a listing (steering.services.listing_fields)."""
    decision = LabelDecision(label=label, base_rent=None)
    fields = listing_fields(decision)
    fields.pop("base_rent")
    return fields


def mark(person, kind: str = "status_holder") -> VulnerabilityMarker:
    return VulnerabilityMarker.objects.create(
        corporation=person.corporation, household=person.household, source="test",
        kind=VulnerabilityKind.objects.get(corporation=None, code=kind), valid_from=date(2024, 1, 1))


def place(person) -> None:
    """The officer puts the applicant in the placement route (the profile's group `vulnerable`)."""
    ApplicantProfile.objects.create(corporation=person.corporation, applicant=person, groups=["vulnerable"])


def outcomes(run: AllocationRun) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    result = run_result_document(run)
    return ({entry["listing"]: entry["applicant"] for entry in result["allocations"]},
            {(entry["applicant"], entry["listing"]): entry["reason"] for entry in result["ineligible"]})


@pytest.fixture
def labelled_round(stock_a, alice):
    """One listing per label; a marked applicant registered first (M-1, a status holder; M-2, shelter outflow),
    a plain one (P-1), and a household in the placement route (R-1, no marker)."""
    corporation = stock_a.corporation
    people = {
        "M-1": applicant(corporation, "M-1", registered=date(2005, 1, 1)),
        "M-2": applicant(corporation, "M-2", registered=date(2006, 1, 1)),
        "P-1": applicant(corporation, "P-1", registered=date(2015, 1, 1)),
        "R-1": applicant(corporation, "R-1", registered=date(2016, 1, 1)),
    }
    mark(people["M-1"], "status_holder")
    mark(people["M-2"], "shelter_outflow")
    place(people["R-1"])
    allocation_round = services.allocation_round_create(corporation=corporation, actor=alice, name="labels",
                                                        reference_date=REFERENCE_DATE, lottery_seed="labels")
    listings = {}
    for number, label in enumerate(("NO_VULNERABLE", "RESERVED_VULNERABLE", "OPEN"), start=1):
        listings[label] = services.listing_create_for_dwelling(
            dwelling=vacant_dwelling(stock_a, number), actor=alice, allocation_round=allocation_round,
            **label_fields(label))
    for person in people.values():
        for preference, label in enumerate(("NO_VULNERABLE", "RESERVED_VULNERABLE", "OPEN"), start=1):
            services.bid_create(listing=listings[label], applicant=person, preference=preference, actor=alice)
    return allocation_round, listings, people


def test_the_product_writes_route_groups_for_the_labels():
    # NO_VULNERABLE: not used for the placement route (nor urgency first); RESERVED_VULNERABLE: only that route.
    assert label_fields(Label.NO_VULNERABLE.value)["excluded_groups"] == ["vulnerable"]
    assert label_fields(Label.NO_VULNERABLE.value)["urgency_first"] is False
    assert label_fields(Label.RESERVED_VULNERABLE.value)["allowed_groups"] == ["vulnerable"]


def test_the_product_round_excludes_nobody_for_a_marker_and_reads_no_marker(labelled_round, alice):
    allocation_round, listings, _people = labelled_round
    built = round_input_from_rows(allocation_round)
    groups = {entry["id"]: entry["groups"] for entry in built.document["applicants"]}
    assert groups == {"M-1": [], "M-2": [], "P-1": [], "R-1": ["vulnerable"]}

    run = solve(allocation_round, alice).runs.get()
    allocated, ineligible = outcomes(run)
    no_vulnerable, reserved, open_ = (listings[label].reference
                                      for label in ("NO_VULNERABLE", "RESERVED_VULNERABLE", "OPEN"))
    # The status holder, registered first, gets the NO_VULNERABLE home; the placement route's household the
    # reserved one; the marked households are regular applicants there, not placed ones.
    assert allocated == {no_vulnerable: "M-1", reserved: "R-1", open_: "M-2"}
    assert ineligible == {
        ("M-1", reserved): "group_not_allowed", ("M-2", reserved): "group_not_allowed",
        ("P-1", reserved): "group_not_allowed", ("R-1", no_vulnerable): "group_excluded",
    }
    assert not any(person.startswith("M-") and reason == "group_excluded"
                   for (person, _listing), reason in ineligible.items())
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.MARKERS_READ).exists()


def test_a_re_run_excludes_nobody_for_a_marker_even_from_a_document_stored_before(labelled_round, alice):
    allocation_round, listings, _people = labelled_round
    allocation_round = solve(allocation_round, alice)
    first = allocation_round.runs.get()
    # A first run stored before issue 13: its document put the marked applicants in `vulnerable`.
    document = first.input_document
    for entry in document["applicants"]:
        if entry["id"].startswith("M-"):
            entry["groups"] = ["vulnerable"]
    AllocationRun.objects.filter(pk=first.pk).update(input_document=document)

    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    # M-1 declines the NO_VULNERABLE home: the round is worked out again without M-1, and M-2 (with a
    # marker, and in `vulnerable` in the stored document) is next in line for it.
    no_vulnerable = listings["NO_VULNERABLE"].reference
    services.offer_decline(offer=Offer.objects.get(listing=listings["NO_VULNERABLE"]), actor=alice,
                           reason=DeclineReason.REFUSED)
    run_pending_jobs()
    again = allocation_round.runs.get(number=2)

    stored = {entry["id"]: entry["groups"] for entry in again.input_document["applicants"]}
    assert stored == {"M-2": [], "P-1": [], "R-1": ["vulnerable"]}
    allocated, ineligible = outcomes(again)
    assert allocated[no_vulnerable] == "M-2"
    assert not any(code.startswith("M-") and reason == "group_excluded" for (code, _), reason in ineligible.items())


def test_the_round_file_the_product_writes_excludes_nobody_for_a_marker(labelled_round, alice, tmp_path):
    allocation_round, listings, _people = labelled_round
    run = solve(allocation_round, alice).runs.get()
    path = tmp_path / "round.json"
    path.write_text(json.dumps(run.input_document), encoding="utf-8")
    out = io.StringIO()
    call_command("run_allocation_round", str(path), "--output", str(tmp_path / "result.json"), stdout=out)
    result = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))

    # A file carries no marker at all: its groups are what the file says, and the product writes route groups.
    assert "marker" not in path.read_text(encoding="utf-8")
    no_vulnerable = listings["NO_VULNERABLE"].reference
    assert {(e["applicant"], e["listing"]) for e in result["ineligible"] if e["reason"] == "group_excluded"} == {
        ("R-1", no_vulnerable)}
    assert {e["listing"]: e["applicant"] for e in result["allocations"]}[no_vulnerable] == "M-1"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_markers_never_change_the_round_the_product_builds(labelled_round, data):
    """Property: whichever households have markers, of whichever kind, the round's document is the same."""
    allocation_round, _listings, people = labelled_round
    VulnerabilityMarker.objects.all().delete()
    before = round_input_from_rows(allocation_round).document
    for person in people.values():
        kinds = data.draw(st.lists(st.sampled_from(DEFAULT_KINDS), max_size=2, unique=True))
        for kind in kinds:
            mark(person, kind)
    assert round_input_from_rows(allocation_round).document == before
