"""The follow-up of tenants chosen on motivation: due exactly when twelve months have passed, voluntary, audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from buurtbalans.accountability import selectors, services
from buurtbalans.accountability.models import AccountabilityEvent, FollowUp
from buurtbalans.accountability.tests.support import let_three_homes, motivation_tenancy
from buurtbalans.core.models import AuditEvent
from buurtbalans.households.models import Tenancy

pytestmark = pytest.mark.django_db


def due_codes(user, today) -> list[str]:
    return [t.external_id for t in selectors.follow_ups_due(user, today=today)]


def test_a_motivation_letting_is_due_on_the_day_its_twelve_months_have_passed(stock_a, alice, nina):
    lettings = let_three_homes(stock_a, alice, start=date(2025, 7, 1))
    code = Tenancy.objects.get(dwelling=lettings.motivation.dwelling).external_id
    assert due_codes(nina, date(2026, 6, 30)) == []  # a day short of twelve months
    assert due_codes(nina, date(2026, 7, 1)) == [code]  # the regular and placement lettings never appear
    assert due_codes(nina, date(2027, 3, 1)) == [code]


def test_the_list_keeps_the_end_of_february_and_leaves_out_ended_and_other_tenancies(stock_a, nina):
    motivation_tenancy(stock_a, "A-LEAP", date(2024, 2, 29))
    motivation_tenancy(stock_a, "A-ENDED", date(2024, 1, 10), end=date(2024, 12, 31))
    motivation_tenancy(stock_a, "A-LOTTERY", date(2024, 1, 10), method="lottery")
    motivation_tenancy(stock_a, "A-UNKNOWN", date(2024, 1, 10), method=None)
    assert due_codes(nina, date(2025, 2, 27)) == []
    assert due_codes(nina, date(2025, 2, 28)) == ["A-LEAP"]


def test_a_recorded_follow_up_leaves_the_list_and_changes_nothing_of_the_tenancy(stock_a, nina):
    tenancy = motivation_tenancy(stock_a, "A-MOT", date(2024, 5, 1))
    before = Tenancy.objects.filter(pk=tenancy.pk).values().get()
    follow_up = services.follow_up_record(actor=nina, tenancy=tenancy, held_on=date(2025, 5, 20), took_part=True,
                                          contribution="Organiseert elke maand een koffieochtend in de portiek.")
    assert due_codes(nina, date(2025, 6, 1)) == []
    assert list(selectors.follow_up_list(nina)) == [follow_up]
    assert Tenancy.objects.filter(pk=tenancy.pk).values().get() == before
    event = AuditEvent.objects.get(event_type=AccountabilityEvent.FOLLOW_UP_RECORDED)
    assert (event.subject_ids, event.data["voluntary"], event.purpose) == (["A-H1"], True, "follow_up")
    with pytest.raises(ValidationError):  # one per tenancy
        services.follow_up_record(actor=nina, tenancy=tenancy, held_on=date(2025, 6, 1), took_part=False)


def test_a_tenant_may_say_no_and_then_nothing_is_written_about_them(stock_a, nina):
    tenancy = motivation_tenancy(stock_a, "A-NO", date(2024, 5, 1))
    with pytest.raises(ValidationError) as wrote:
        services.follow_up_record(actor=nina, tenancy=tenancy, held_on=date(2025, 5, 2), took_part=False,
                                  contribution="Doet niets.")
    assert "contribution" in wrote.value.message_dict
    follow_up = services.follow_up_record(actor=nina, tenancy=tenancy, held_on=date(2025, 5, 2), took_part=False)
    assert (follow_up.took_part, follow_up.contribution, follow_up.note) == (False, "", "")


def test_the_record_has_no_field_that_could_end_or_condition_the_tenancy():
    fields = {field.name for field in FollowUp._meta.get_fields()}
    assert fields == {"id", "corporation", "tenancy", "held_on", "took_part", "contribution", "note", "recorded",
                      "recorded_by_name"}


def test_a_follow_up_waits_for_the_twelve_months_and_only_for_motivation_lettings(stock_a, nina):
    tenancy = motivation_tenancy(stock_a, "A-EARLY", date(2024, 5, 1))
    with pytest.raises(ValidationError) as early:
        services.follow_up_record(actor=nina, tenancy=tenancy, held_on=date(2025, 4, 30), took_part=True)
    assert "held_on" in early.value.message_dict
    lottery = motivation_tenancy(stock_a, "A-LOT", date(2024, 5, 1), method="lottery")
    with pytest.raises(ValidationError):
        services.follow_up_record(actor=nina, tenancy=lottery, held_on=date(2025, 5, 2), took_part=True)


def test_only_a_neighbourhood_manager_of_the_same_corporation_records_or_reads(stock_a, alice, bob, charlie,
                                                                               corporation_b, nina):
    from buurtbalans.core.models import Role
    from buurtbalans.core.testing import make_user

    tenancy = motivation_tenancy(stock_a, "A-RIGHTS", date(2024, 5, 1))
    manager_b = make_user("nora-b", corporation_b, Role.NEIGHBOURHOOD_MANAGER)
    for other in (alice, bob, charlie, manager_b):
        with pytest.raises(PermissionDenied):
            services.follow_up_record(actor=other, tenancy=tenancy, held_on=date(2025, 5, 2), took_part=True)
    assert due_codes(manager_b, date(2025, 6, 1)) == []
    assert due_codes(nina, date(2025, 6, 1)) == ["A-RIGHTS"]
    assert FollowUp.objects.count() == 0
    for other in (alice, bob):
        with pytest.raises(PermissionDenied):
            selectors.follow_ups_due(other, today=date(2025, 6, 1))


def test_twelve_months_later_is_a_date_not_a_count_of_days(stock_a, nina):
    motivation_tenancy(stock_a, "A-365", date(2023, 3, 1))  # 2024 is a leap year: 366 days to 1 March 2024
    assert due_codes(nina, date(2023, 3, 1) + timedelta(days=365)) == []
    assert due_codes(nina, date(2024, 3, 1)) == ["A-365"]
