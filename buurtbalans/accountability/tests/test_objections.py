"""The objection register: who objects against which letting, the six-week term, the decision and its outcome."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from buurtbalans.accountability import selectors, services
from buurtbalans.accountability.models import AccountabilityEvent, Objection, ObjectionOutcome
from buurtbalans.accountability.tests.support import let_three_homes
from buurtbalans.core.models import AuditEvent

pytestmark = pytest.mark.django_db

RECEIVED = date(2025, 8, 4)


@pytest.fixture
def lettings(stock_a, alice):
    return let_three_homes(stock_a, alice)


def register(alice, lettings, **fields):
    defaults = {"listing": lettings.motivation, "received_on": RECEIVED,
                "applicant": lettings.candidates["motivation"][1],
                "summary": "Ik sta al langer ingeschreven en vind de keuze op motivatie niet eerlijk."}
    return services.objection_register(actor=alice, **{**defaults, **fields})


def test_an_objection_is_due_six_weeks_after_receipt_and_overdue_from_day_43(alice, lettings):
    objection = register(alice, lettings)
    assert objection.due_on == RECEIVED + timedelta(weeks=6) == date(2025, 9, 15)

    def overdue_on(day):
        return list(selectors.objection_list(alice, today=day, state="overdue"))

    assert overdue_on(RECEIVED + timedelta(days=42)) == []  # day 42, the due date: on time
    assert overdue_on(RECEIVED + timedelta(days=43)) == [objection]  # day 43: too late
    assert objection.is_overdue_on(RECEIVED + timedelta(days=43))
    assert list(selectors.objection_list(alice, today=RECEIVED + timedelta(days=43), state="open")) == [objection]


def test_a_candidate_or_a_free_reference_objects(alice, lettings):
    by_candidate = register(alice, lettings)
    assert by_candidate.objector == lettings.candidates["motivation"][1].external_id
    by_letter = register(alice, lettings, applicant=None, objector_reference="Brief van advocaat, kenmerk 2025-17",
                         kind="complaint")
    assert by_letter.objector == "Brief van advocaat, kenmerk 2025-17"
    with pytest.raises(ValidationError) as nobody:
        register(alice, lettings, applicant=None, objector_reference=" ")
    assert "applicant" in nobody.value.message_dict
    # An applicant who did not react to this home is no candidate for it.
    with pytest.raises(ValidationError) as stranger:
        register(alice, lettings, applicant=lettings.candidates["regular"][1])
    assert "applicant" in stranger.value.message_dict


@pytest.mark.parametrize("outcome", ObjectionOutcome.values)
def test_every_outcome_is_recorded_once_with_its_date(alice, lettings, outcome):
    objection = register(alice, lettings)
    text = "" if outcome == ObjectionOutcome.WITHDRAWN else "De keuze volgde de gepubliceerde criteria."
    decided = services.objection_decide(actor=alice, objection=objection, decided_on=RECEIVED + timedelta(days=30),
                                        outcome=outcome, decision=text)
    assert (decided.outcome, decided.decided_on, decided.was_decided_late) == (
        outcome, RECEIVED + timedelta(days=30), False)
    assert list(selectors.objection_list(alice, today=RECEIVED + timedelta(days=60), state="decided")) == [decided]
    assert list(selectors.objection_list(alice, today=RECEIVED + timedelta(days=60), state="overdue")) == []
    with pytest.raises(ValidationError):
        services.objection_decide(actor=alice, objection=objection, decided_on=RECEIVED + timedelta(days=31),
                                  outcome=ObjectionOutcome.UPHELD, decision="Toch anders.")
    assert Objection.objects.get(pk=objection.pk).outcome == outcome


def test_a_decision_needs_a_text_unless_withdrawn_and_a_date_after_receipt(alice, lettings):
    objection = register(alice, lettings)
    with pytest.raises(ValidationError) as no_text:
        services.objection_decide(actor=alice, objection=objection, decided_on=RECEIVED, outcome="rejected")
    assert "decision" in no_text.value.message_dict
    with pytest.raises(ValidationError) as too_early:
        services.objection_decide(actor=alice, objection=objection, decided_on=RECEIVED - timedelta(days=1),
                                  outcome="rejected", decision="Ongegrond.")
    assert "decided_on" in too_early.value.message_dict
    with pytest.raises(ValidationError):
        services.objection_decide(actor=alice, objection=objection, decided_on=RECEIVED, outcome="maybe",
                                  decision="?")
    late = services.objection_decide(actor=alice, objection=objection, decided_on=RECEIVED + timedelta(days=43),
                                     outcome="partly_upheld", decision="Deels gegrond: de uitleg ontbrak.")
    assert late.was_decided_late


def test_registering_and_deciding_are_audited_with_the_candidate_household(alice, lettings):
    objection = register(alice, lettings)
    services.objection_decide(actor=alice, objection=objection, decided_on=RECEIVED, outcome="rejected",
                              decision="Ongegrond.")
    household = lettings.candidates["motivation"][1].household.external_id
    events = AuditEvent.objects.filter(event_type__in=[AccountabilityEvent.OBJECTION_REGISTERED,
                                                       AccountabilityEvent.OBJECTION_DECIDED]).order_by("pk")
    assert [(e.event_type, e.subject_ids, e.actor_name) for e in events] == [
        (701, [household], "alice"), (702, [household], "alice")]
    assert events[1].data["outcome"] == "rejected"


def test_only_an_allocation_officer_of_the_same_corporation_registers_or_decides(alice, bob, nina, charlie,
                                                                                   lettings):
    for other in (bob, nina, charlie):
        with pytest.raises(PermissionDenied):
            register(other, lettings)
    objection = register(alice, lettings)
    with pytest.raises(PermissionDenied):
        services.objection_decide(actor=charlie, objection=objection, decided_on=RECEIVED, outcome="rejected",
                                  decision="x")
    assert list(selectors.objection_list(charlie, today=RECEIVED)) == []
