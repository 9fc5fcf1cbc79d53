"""The corporation's own kinds of vulnerability marker: added, renamed, switched off and deleted through the
service, each change audited with old and new; defaults read-only; another corporation sees and changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from buurtbalans.core.models import AuditEvent, Role
from buurtbalans.core.testing import make_user
from buurtbalans.households.models import VulnerabilityKind, VulnerabilityMarker
from buurtbalans.households.selectors import marker_kind_get, marker_kind_list
from buurtbalans.households.services import (
    marker_kind_active_set,
    marker_kind_create,
    marker_kind_delete,
    marker_kind_label_set,
)

pytestmark = pytest.mark.django_db

DEFAULT_CODES = ["care_indication", "medical_urgency", "shelter_outflow", "social_urgency", "status_holder"]


@pytest.fixture(autouse=True)
def english_messages():
    with translation.override("en"):
        yield


def kind_events():
    return list(AuditEvent.objects.filter(event_type=AuditEvent.Type.MARKER_KIND_CHANGED).order_by("pk"))


def add_markers(corporation, households, kind, *, valid_from=date(2024, 1, 1), valid_until=None):
    for household in households:
        VulnerabilityMarker.objects.create(corporation=corporation, household=household, kind=kind, source="test",
                                           valid_from=valid_from, valid_until=valid_until)


def test_an_administrator_adds_a_kind_and_the_audit_log_says_what(ada, corporation_a):
    kind = marker_kind_create(actor=ada, code=" Debt_Support ", label="  Schuldhulp   verlening ")
    assert (kind.corporation, kind.code, kind.label, kind.is_active) == (
        corporation_a, "debt_support", "Schuldhulp verlening", True,
    )
    [event] = kind_events()
    assert (event.actor, event.actor_name, event.corporation) == (ada, "ada", corporation_a)
    assert event.subject_type == "marker_kind" and event.subject_ids == []
    assert event.data == {"change": "created", "kind": "debt_support", "old": None,
                          "new": {"code": "debt_support", "label": "Schuldhulp verlening", "is_active": True,
                                  "counts_for_concentration": True, "concentration_reason": ""}}


def test_rename_switch_off_and_on_are_audited_with_old_and_new(ada, corporation_a):
    kind = marker_kind_create(actor=ada, code="debt_support", label="Schuldhulp")
    marker_kind_label_set(actor=ada, kind=kind, label="Schuldhulpverlening")
    marker_kind_active_set(actor=ada, kind=kind, is_active=False)
    marker_kind_active_set(actor=ada, kind=kind, is_active=False)  # no change: no event
    marker_kind_active_set(actor=ada, kind=kind, is_active=True)
    kind.refresh_from_db()
    assert (kind.code, kind.label, kind.is_active) == ("debt_support", "Schuldhulpverlening", True)
    created, renamed, off, on = kind_events()
    assert renamed.data["change"] == "renamed"
    assert (renamed.data["old"]["label"], renamed.data["new"]["label"]) == ("Schuldhulp", "Schuldhulpverlening")
    assert off.data["change"] == "switched_off"
    assert (off.data["old"]["is_active"], off.data["new"]["is_active"]) == (True, False)
    assert on.data["change"] == "switched_on"
    assert (on.data["old"]["is_active"], on.data["new"]["is_active"]) == (False, True)


def test_a_code_is_a_slug_and_no_two_kinds_share_a_code_or_a_name(ada, corporation_a, corporation_b, charlie):
    for code in ("debt support", "schuld/hulp", "é", "-x", "a" * 41, ""):
        with pytest.raises(ValidationError) as error:
            marker_kind_create(actor=ada, code=code, label="Schuldhulp")
        assert "code" in error.value.message_dict
    # The import finds a kind by its code or its name, compared without case, accents or separators.
    for code, label, field in [
        ("shelter_outflow", "Iets anders", "code"),  # a default's code
        ("iets_anders", "Medische urgentie", "label"),  # a default's name
        ("medischeurgentie", "Iets anders", "code"),  # a default's name, written as a code
        ("iets_anders", "Status-holder", "label"),  # a default's code, written as a name
    ]:
        with pytest.raises(ValidationError) as error:
            marker_kind_create(actor=ada, code=code, label=label)
        assert list(error.value.message_dict) == [field], (code, label)
    marker_kind_create(actor=ada, code="debt_support", label="Schuldhulp")
    with pytest.raises(ValidationError):
        marker_kind_create(actor=ada, code="debt-support", label="Nog een")
    # Another corporation's kinds do not count: B may use the same code and name.
    marker_kind_create(actor=charlie, code="debt_support", label="Schuldhulp")
    assert VulnerabilityKind.objects.filter(code="debt_support").count() == 2
    assert len(kind_events()) == 2


def test_a_rename_may_not_take_another_kinds_name(ada):
    kind = marker_kind_create(actor=ada, code="debt_support", label="Schuldhulp")
    marker_kind_create(actor=ada, code="language", label="Taalhulp")
    with pytest.raises(ValidationError) as error:
        marker_kind_label_set(actor=ada, kind=kind, label="taalhulp")
    assert list(error.value.message_dict) == ["label"]
    with pytest.raises(ValidationError):
        marker_kind_label_set(actor=ada, kind=kind, label=" - ")
    # Its own code as its name is fine: it is the same kind.
    assert marker_kind_label_set(actor=ada, kind=kind, label="Debt support").label == "Debt support"


def test_defaults_are_read_only_for_every_corporation(ada):
    default = VulnerabilityKind.objects.get(corporation=None, code="shelter_outflow")
    for change in (
        lambda: marker_kind_label_set(actor=ada, kind=default, label="Anders"),
        lambda: marker_kind_active_set(actor=ada, kind=default, is_active=False),
        lambda: marker_kind_delete(actor=ada, kind=default),
    ):
        with pytest.raises(ValidationError, match="default kind"):
            change()
    default.refresh_from_db()
    assert (default.label, default.is_active) == ("Uitstroom beschermd wonen of maatschappelijke opvang", True)
    assert kind_events() == []


def test_a_kind_with_markers_cannot_be_deleted_but_can_be_switched_off(ada, corporation_a, stock_a):
    kind = marker_kind_create(actor=ada, code="debt_support", label="Schuldhulp")
    # A marker that ended long ago still counts: the kind was used.
    add_markers(corporation_a, stock_a.households[1:], kind, valid_until=date(2024, 6, 30))
    with pytest.raises(ValidationError, match="cannot be deleted"):
        marker_kind_delete(actor=ada, kind=kind)
    assert VulnerabilityKind.objects.filter(pk=kind.pk).exists()
    marker_kind_active_set(actor=ada, kind=kind, is_active=False)
    assert VulnerabilityMarker.objects.filter(kind=kind).count() == 1  # the markers stay
    assert [e.data["change"] for e in kind_events()] == ["created", "switched_off"]


def test_a_kind_never_used_can_be_deleted_and_the_deletion_is_audited(ada, corporation_a):
    kind = marker_kind_create(actor=ada, code="typo_kind", label="Tikfout")
    marker_kind_delete(actor=ada, kind=kind)
    assert not VulnerabilityKind.objects.filter(pk=kind.pk).exists()
    deleted = kind_events()[-1]
    assert deleted.data == {"change": "deleted", "kind": "typo_kind", "new": None,
                            "old": {"code": "typo_kind", "label": "Tikfout", "is_active": True,
                                    "counts_for_concentration": True, "concentration_reason": ""}}
    assert deleted.corporation == corporation_a


def test_another_corporation_cannot_see_or_change_a_kind(ada, charlie, corporation_a):
    kind = marker_kind_create(actor=ada, code="debt_support", label="Schuldhulp")
    assert "debt_support" not in [r.kind.code for r in marker_kind_list(charlie, reference_date=date(2026, 1, 1))]
    from django.http import Http404

    with pytest.raises(Http404):
        marker_kind_get(charlie, kind.pk)
    for change in (
        lambda: marker_kind_label_set(actor=charlie, kind=kind, label="Van B"),
        lambda: marker_kind_active_set(actor=charlie, kind=kind, is_active=False),
        lambda: marker_kind_delete(actor=charlie, kind=kind),
    ):
        with pytest.raises(PermissionDenied):
            change()
    kind.refresh_from_db()
    assert (kind.label, kind.is_active) == ("Schuldhulp", True)
    assert len(kind_events()) == 1


def test_only_a_role_with_the_right_manages_kinds(corporation_a, alice, bob, nina, otto):
    privacy = make_user("paula", corporation_a, Role.PRIVACY_OFFICER)
    for user in (alice, bob, nina, otto, privacy):
        with pytest.raises(PermissionDenied):
            marker_kind_create(actor=user, code="debt_support", label="Schuldhulp")
        with pytest.raises(PermissionDenied):
            marker_kind_list(user, reference_date=date(2026, 1, 1))
    assert not VulnerabilityKind.objects.filter(code="debt_support").exists()


def test_the_list_counts_households_with_a_marker_today_under_the_small_cell_rule(ada, charlie, corporation_a,
                                                                                   corporation_b, stock_a, stock_b):
    today = timezone.localdate()
    own = marker_kind_create(actor=ada, code="debt_support", label="Schuldhulp")
    marker_kind_create(actor=ada, code="unused", label="Nooit gebruikt")
    shelter = VulnerabilityKind.objects.get(corporation=None, code="shelter_outflow")
    # Six more households with a current shelter marker (stock_a has one), one whose marker ended yesterday.
    from buurtbalans.households.models import Household

    extra = [Household.objects.create(corporation=corporation_a, external_id=f"A-X{i}", size=1, adults=1)
             for i in range(7)]
    add_markers(corporation_a, extra[:6], shelter)
    add_markers(corporation_a, extra[6:], shelter, valid_until=today - timedelta(days=1))
    add_markers(corporation_a, extra[:2], own)
    rows = {r.kind.code: r for r in marker_kind_list(ada, reference_date=today)}
    assert list(rows) == [*DEFAULT_CODES, "debt_support", "unused"]  # defaults first, then the corporation's own
    assert (rows["shelter_outflow"].households.count, rows["shelter_outflow"].households.count_text) == (7, "7")
    assert rows["debt_support"].households.count_text == "< 5"  # ada may not read markers
    assert rows["debt_support"].has_markers and not rows["unused"].has_markers
    assert rows["medical_urgency"].is_default and not rows["debt_support"].is_default
    # charlie (corporation B) counts only B's markers: stock_b's one household.
    rows_b = {r.kind.code: r for r in marker_kind_list(charlie, reference_date=today)}
    assert list(rows_b) == DEFAULT_CODES
    # charlie also reads markers (allocation officer), so the small-cell rule does not hide his count.
    assert rows_b["shelter_outflow"].households.count_text == "1"


def test_a_kind_stored_before_the_checks_with_a_defaults_code_can_still_be_renamed(ada, corporation_a):
    # The database allows a corporation's kind with a default's code (the import lets it win); a rename only
    # checks the new name.
    legacy = VulnerabilityKind.objects.create(corporation=corporation_a, code="status_holder", label="Statushouder A")
    assert marker_kind_label_set(actor=ada, kind=legacy, label="Statushouder (eigen)").label == "Statushouder (eigen)"
