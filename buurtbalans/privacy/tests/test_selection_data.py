"""Data subjects' rights over what issue 13 added: motivation texts and the assessors' blind scores, objections,
intake conversations, placements with their temporary contracts, and the follow-up after a year. The download holds
them (never an assessor's name, never another corporation's rows), erasure empties or deletes what no law needs and
pseudonymises what one does, and each kind has its retention term."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from buurtbalans.accountability.models import FollowUp, Objection
from buurtbalans.allocation import services
from buurtbalans.allocation.models import AllocationRound, MotivationAssessment, MotivationText, RoundStatus
from buurtbalans.allocation.tests.assessing_support import HIDDEN, TEXTS, motivation_listing, motivation_scene
from buurtbalans.allocation.tests.support import REFERENCE_DATE, applicant
from buurtbalans.core.models import AuditEvent, Role
from buurtbalans.core.testing import make_user
from buurtbalans.households.models import Tenancy
from buurtbalans.placements.models import Contingent, IntakeRecord, Placement
from buurtbalans.privacy.erasure import ErasureRefused, erasure_plan, household_erase
from buurtbalans.privacy.retention import retention_purge

pytestmark = pytest.mark.django_db

NAME = HIDDEN["names"][0]  # Zwaantje Vlietstra, registration MV-8101, household H-MV-8101
# Strings only corporation B's rows hold.
B_ONLY = ("b-intake-note", "b-follow-up-note", "b-objection-summary", "b-motivation-text")


def intake(stock, household, held_on, *, note="intake-wish-note"):
    return IntakeRecord.objects.create(
        corporation=stock.corporation, household=household, held_on=held_on, wish_dwelling="any",
        wish_area="Assendorp", wish_note=note, support_kind="money", support_organisation="Schuldhulp Zwolle",
        support_note="intake-support-note", follow_up_on=held_on + timedelta(days=90), follow_up_by="together",
        follow_up_name="team-noord", follow_up_note="intake-agreement-note", recorded_by_name="alice")


def placement(stock, household, placed_on, record=None, *, half_year="2023-H2"):
    contingent, _ = Contingent.objects.get_or_create(
        corporation=stock.corporation, municipality=stock.municipality, half_year=half_year, kind="second_chance",
        defaults={"target": 3, "decided_by_name": "alice"})
    return Placement.objects.create(
        corporation=stock.corporation, contingent=contingent, household=household, dwelling=stock.dwellings[2],
        intake=record, placed_on=placed_on, per_complex_per_year=2, contract_kind="temporary",
        temporary_group="second_chance", temporary_months=24, recorded_by_name="alice")


def tenancy(stock, household, code, start, end=None):
    return Tenancy.objects.create(corporation=stock.corporation, external_id=code, dwelling=stock.dwellings[2],
                                  household=household, start_date=start, end_date=end)


def close(allocation_round, when):
    AllocationRound.objects.filter(pk=allocation_round.pk).update(status=RoundStatus.CLOSED, closed_at=when)


@pytest.fixture
def chosen(stock_a, stock_b, alice):
    """MV-8101 reacted to a motivation listing (text scored by two assessors), objected to its letting, was placed
    after an intake on a temporary contract and had a follow-up. MV-8102 is another household of A; corporation B
    has a household with the same registration number and name, with rows of its own."""
    scene = motivation_scene(stock_a, alice)
    anna, bram = (make_user(name, stock_a.corporation, Role.MOTIVATION_ASSESSOR) for name in ("anna", "bram"))
    person, other = scene.people[0], scene.people[1]
    for assessor, value in ((anna, "3.0"), (bram, "2.0")):
        services.motivation_assessment_create(listing=scene.listing, applicant=person, score=value, actor=assessor)
    services.motivation_assessment_create(listing=scene.listing, applicant=other, score="1.5", actor=anna)
    household = person.household
    lease = tenancy(stock_a, household, "MV-T1", date(2024, 1, 1), date(2025, 12, 31))
    FollowUp.objects.create(corporation=stock_a.corporation, tenancy=lease, held_on=date(2025, 1, 15),
                            contribution="Started a repair cafe", note="follow-up-note-x", recorded_by_name="nina")
    record = intake(stock_a, household, date(2023, 10, 1))
    placement(stock_a, household, date(2024, 1, 1), record)
    Objection.objects.create(
        corporation=stock_a.corporation, listing=scene.listing, applicant=person, received_on=date(2025, 6, 2),
        due_on=date(2025, 7, 14), summary=f"{NAME} (H-MV-8101) finds her score unfair.", decided_on=date(2025, 7, 1),
        outcome="rejected", decision=f"The objection of {NAME} is rejected: the criteria were published.",
        registered_by_name="alice", decided_by_name="olga-decider")
    Objection.objects.create(
        corporation=stock_a.corporation, listing=scene.listing, applicant=other, received_on=date(2025, 6, 3),
        due_on=date(2025, 7, 15), summary="other-objection-summary", registered_by_name="alice")
    # Corporation B: the same registration number and name, its own intake, follow-up, objection and motivation.
    twin = applicant(stock_b.corporation, "MV-8101")
    twin.name = NAME
    twin.save()
    intake(stock_b, twin.household, date(2023, 10, 1), note="b-intake-note")
    b_lease = tenancy(stock_b, twin.household, "MV-TB", date(2024, 1, 1), date(2025, 12, 31))
    FollowUp.objects.create(corporation=stock_b.corporation, tenancy=b_lease, held_on=date(2025, 1, 15),
                            note="b-follow-up-note", recorded_by_name="b")
    charlie = make_user("charlie-officer", stock_b.corporation, Role.ALLOCATION_OFFICER)
    b_round = services.allocation_round_create(corporation=stock_b.corporation, actor=charlie, name="B round",
                                               reference_date=REFERENCE_DATE, lottery_seed="b")
    b_listing = motivation_listing(stock_b, charlie, b_round, 1)
    MotivationText.objects.create(corporation=stock_b.corporation, listing=b_listing, applicant=twin,
                                  text="b-motivation-text", recorded_by_name="b")
    Objection.objects.create(corporation=stock_b.corporation, listing=b_listing, applicant=None,
                             objector_reference=f"Letter of {NAME}", received_on=date(2025, 6, 2),
                             due_on=date(2025, 7, 14), summary="b-objection-summary", registered_by_name="b")
    close(scene.round, timezone.make_aware(datetime(2025, 6, 1)))
    return scene


def download(client, household) -> dict:
    response = client.post(reverse("privacy_household_access", args=[household.pk]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    pdf = next(archive.read(n) for n in archive.namelist() if n.endswith(".pdf"))
    assert pdf.startswith(b"%PDF")
    return json.loads(archive.read("data.json"))


def test_the_download_holds_motivation_objections_intakes_placements_and_follow_ups(english, petra, chosen):
    english.force_login(petra)
    data = download(english, chosen.people[0].household)

    assert [(t["listing"], t["text"]) for t in data["motivation_texts"]] == [(chosen.listing.reference, TEXTS[0])]
    # The scores as the letter gives them: by the assessors' order, never their names.
    assert [(a["assessor"], a["score"]) for a in data["motivation_assessments"]] == [
        ("first assessor", "3.0"), ("second assessor", "2.0")]
    (objection,) = data["objections"]
    assert objection["summary"].startswith(NAME) and objection["outcome"] == "Rejected"
    assert objection["due_on"] == "2025-07-14" and "criteria were published" in objection["decision"]
    (talk,) = data["intake_conversations"]
    assert (talk["wish_note"], talk["support_kind"], talk["follow_up_note"]) == (
        "intake-wish-note", "Help with money matters", "intake-agreement-note")
    (placed,) = data["placements"]
    assert placed["contract"].startswith("Temporary") and placed["temporary_months"] == 24
    assert placed["temporary_group"] == "Second-chance tenancy" and placed["half_year"] == "2023-H2"
    (follow_up,) = data["follow_ups"]
    assert (follow_up["contract"], follow_up["contribution"], follow_up["took_part"]) == (
        "MV-T1", "Started a repair cafe", True)

    dump = json.dumps(data)
    for absent in ("anna", "bram", "olga-decider", "1.5", TEXTS[1], "other-objection-summary", *B_ONLY):
        assert absent not in dump, absent
    counts = AuditEvent.objects.get(event_type=AuditEvent.Type.SUBJECT_ACCESS_EXPORTED).data["counts"]
    assert (counts["motivation_texts"], counts["placements"], counts["objections"]) == (1, 1, 1)


def test_the_household_of_the_other_corporation_gets_only_its_own_rows(english, corporation_b, chosen):
    officer_b = make_user("privacy-b", corporation_b, Role.PRIVACY_OFFICER)
    english.force_login(officer_b)
    twin = IntakeRecord.objects.get(corporation=corporation_b).household
    data = download(english, twin)
    assert [t["wish_note"] for t in data["intake_conversations"]] == ["b-intake-note"]
    assert [t["text"] for t in data["motivation_texts"]] == ["b-motivation-text"]
    # Found by its free reference, which names the household's applicant.
    assert [o["summary"] for o in data["objections"]] == ["b-objection-summary"]
    assert [f["note"] for f in data["follow_ups"]] == ["b-follow-up-note"]
    dump = json.dumps(data)
    for absent in (TEXTS[0], "intake-wish-note", "Started a repair cafe", "finds her score unfair", "3.0"):
        assert absent not in dump, absent
    # B's household has no placement or scores; A's are not found through the shared registration number.
    assert not data["placements"] and not data["motivation_assessments"]


def test_erasure_empties_the_free_text_deletes_motivation_texts_and_pseudonymises_the_objection(
        english, petra, chosen, corporation_b):
    household = chosen.people[0].household
    english.force_login(petra)
    page = english.get(reverse("privacy_household_erase", args=[household.pk])).content.decode()
    for line in ("Motivation texts: 1", "Free text of intake conversations: 1",
                 "Free text of follow-up conversations: 1", "Objections and complaints with their decisions"):
        assert line in page, line

    counts = household_erase(user=petra, household=household)

    household.refresh_from_db()
    pseudonym = household.external_id
    assert not MotivationText.objects.filter(applicant=chosen.people[0]).exists()
    assert MotivationText.objects.filter(applicant=chosen.people[1]).exists()
    # The scores stay with the allocation decision.
    assert MotivationAssessment.objects.filter(applicant=chosen.people[0]).count() == 2
    talk = IntakeRecord.objects.get(household=household)
    assert (talk.wish_area, talk.wish_note, talk.support_organisation, talk.support_note, talk.follow_up_name,
            talk.follow_up_note) == ("", "", "", "", "", "")
    assert (talk.support_kind, talk.follow_up_by) == ("money", "together")  # the placement's documented basis
    placed = Placement.objects.get(household=household)
    assert (placed.contract_kind, placed.temporary_months, placed.intake_id) == ("temporary", 24, talk.pk)
    follow_up = FollowUp.objects.get(tenancy__household=household)
    assert (follow_up.contribution, follow_up.note, follow_up.took_part) == ("", "", True)
    objection = Objection.objects.get(applicant=chosen.people[0])
    assert NAME not in objection.summary + objection.decision and "H-MV-8101" not in objection.summary
    assert objection.summary == f"{pseudonym} ({pseudonym}) finds her score unfair."
    assert (objection.outcome, objection.decided_on) == ("rejected", date(2025, 7, 1))
    assert Objection.objects.get(applicant=chosen.people[1]).summary == "other-objection-summary"
    # Corporation B's namesake is untouched.
    assert IntakeRecord.objects.get(corporation=corporation_b).wish_note == "b-intake-note"
    assert Objection.objects.get(corporation=corporation_b).objector_reference == f"Letter of {NAME}"
    assert (counts["motivation_texts"], counts["intakes"], counts["follow_ups"], counts["objections"]) == (1, 1, 1, 1)
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.HOUSEHOLD_ERASED)
    assert event.data["counts"]["objections"] == 1


def test_an_objection_not_decided_yet_holds_the_erasure(english, petra, chosen):
    person = chosen.people[1]  # its objection is not decided
    with pytest.raises(ErasureRefused) as refused:
        household_erase(user=petra, household=person.household)
    assert any(chosen.listing.reference in reason and "not decided" in reason for reason in refused.value.reasons)
    assert erasure_plan(person.household).holds
    assert MotivationText.objects.filter(applicant=person).exists()


def test_retention_empties_old_intake_and_follow_up_text_and_removes_old_motivation_texts_and_objections(
        stock_a, stock_b, alice):
    now = timezone.make_aware(datetime(2026, 6, 1, 3, 0))  # two years back: 2024-06-01; seven: 2019-05-31
    households = {}
    for stock in (stock_a, stock_b):
        corporation = stock.corporation
        prefix = corporation.code
        made = {}
        for key in ("placed-old", "placed-new", "talked-old", "talked-new", "tenant-old", "tenant-new"):
            made[key] = applicant(corporation, f"{prefix}-{key}").household
        placement(stock, made["placed-old"], date(2024, 5, 1), intake(stock, made["placed-old"], date(2022, 1, 1)))
        placement(stock, made["placed-new"], date(2024, 7, 1), intake(stock, made["placed-new"], date(2022, 1, 1)),
                  half_year="2024-H2")
        intake(stock, made["talked-old"], date(2024, 5, 1))
        intake(stock, made["talked-new"], date(2024, 7, 1))
        for key, start in (("tenant-old", date(2024, 5, 1)), ("tenant-new", date(2024, 7, 1))):
            lease = tenancy(stock, made[key], f"{prefix}-{key}-T", start)
            FollowUp.objects.create(corporation=corporation, tenancy=lease, held_on=start + timedelta(days=365),
                                    contribution="did-things", note="a-note", recorded_by_name="nina")
        officer = make_user(f"officer-{prefix}", corporation, Role.ALLOCATION_OFFICER)
        rounds = {}
        for number, (name, closed) in enumerate((("old", datetime(2025, 5, 1)), ("new", datetime(2025, 7, 1)),
                                                 ("open", None)), start=1):
            rounds[name] = services.allocation_round_create(corporation=corporation, actor=officer, name=name,
                                                            reference_date=REFERENCE_DATE, lottery_seed=name)
            listing = motivation_listing(stock, officer, rounds[name], number)
            MotivationText.objects.create(corporation=corporation, listing=listing, applicant=applicant(
                corporation, f"{prefix}-m-{name}"), text=f"text-{name}", recorded_by_name="alice")
            if closed:
                close(rounds[name], timezone.make_aware(closed))
            for received, decided in ((date(2019, 1, 1), date(2019, 2, 1)), (date(2019, 5, 1), date(2019, 6, 10)),
                                      (date(2019, 3, 1), None)):
                Objection.objects.create(corporation=corporation, listing=listing, received_on=received,
                                         due_on=received + timedelta(weeks=6), decided_on=decided,
                                         outcome="rejected" if decided else "", summary=f"{name}-{received}",
                                         objector_reference="someone", registered_by_name="alice")
        households[prefix] = made

    counts = retention_purge(corporation=stock_a.corporation, now=now)

    a, b = stock_a.corporation, stock_b.corporation

    def intake_notes(corporation):
        return dict(IntakeRecord.objects.filter(corporation=corporation).values_list(
            "household__applications__external_id", "wish_note"))
    assert intake_notes(a) == {f"{a.code}-placed-old": "", f"{a.code}-placed-new": "intake-wish-note",
                               f"{a.code}-talked-old": "", f"{a.code}-talked-new": "intake-wish-note"}
    assert set(intake_notes(b).values()) == {"intake-wish-note"}
    emptied = IntakeRecord.objects.get(household=households[a.code]["placed-old"])
    assert (emptied.support_note, emptied.support_organisation, emptied.support_kind) == ("", "", "money")
    follow_ups = dict(FollowUp.objects.filter(corporation=a).values_list("tenancy__external_id", "note"))
    assert follow_ups == {f"{a.code}-tenant-old-T": "", f"{a.code}-tenant-new-T": "a-note"}
    assert set(FollowUp.objects.filter(corporation=b).values_list("note", flat=True)) == {"a-note"}
    assert sorted(MotivationText.objects.filter(corporation=a).values_list("text", flat=True)) == [
        "text-new", "text-open"]
    assert MotivationText.objects.filter(corporation=b).count() == 3
    # Decided 2019-02-01 and never decided since 2019-03-01: past seven years; decided 2019-06-10: not yet.
    assert set(Objection.objects.filter(corporation=a).values_list("decided_on", flat=True)) == {date(2019, 6, 10)}
    assert Objection.objects.filter(corporation=b).count() == 9
    assert (counts["intake_notes"], counts["follow_up_notes"], counts["motivation_texts"], counts["objections"]) == (
        2, 1, 1, 6)
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.RETENTION_PURGED)
    assert event.data["terms_days"]["objections"] == 7 * 365 + 2 and event.subject_ids == []
    # A second run finds nothing more.
    again = retention_purge(corporation=stock_a.corporation, now=now)
    assert (again["intake_notes"], again["follow_up_notes"], again["motivation_texts"], again["objections"]) == (
        0, 0, 0, 0)


def test_the_privacy_officer_sees_the_new_terms(english, petra):
    english.force_login(petra)
    page = english.get(reverse("privacy_home")).content.decode()
    for label in ("Free text of intake conversations", "Motivation texts",
                  "Objections and complaints, with their decisions"):
        assert label in page, label
