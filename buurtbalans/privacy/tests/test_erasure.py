"""Erasure (AVG art. 17): special-category data and notes go at once, identifying fields are replaced, what the law
asks for stays, and nothing happens while a legal hold applies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from buurtbalans.allocation.testing import make_allocation_objects
from buurtbalans.core.models import AuditEvent
from buurtbalans.households.models import Applicant, Household, Tenancy, VulnerabilityMarker
from buurtbalans.liveability.models import ArrearsRecord, Signal, SupportNeed
from buurtbalans.privacy.erasure import ErasureRefused, household_erase
from buurtbalans.steering.models import SteeringRole

pytestmark = pytest.mark.django_db


def test_the_confirmation_says_what_is_erased_and_what_is_kept(english, petra, former_tenant):
    english.force_login(petra)
    page = english.get(reverse("privacy_household_erase", args=[former_tenant.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Vulnerability markers: 1" in text and "Support needs at their home: 1" in text
    assert "This is kept, because the law asks for it" in text and "rent contract" in text
    assert "You cannot undo it." in text
    assert VulnerabilityMarker.objects.filter(household=former_tenant).exists()  # nothing happens on GET


def test_erasing_removes_special_category_data_and_notes_and_replaces_the_identifying_fields(
        english, petra, former_tenant, stock_a):
    english.force_login(petra)
    response = english.post(reverse("privacy_household_erase", args=[former_tenant.pk]))
    assert response.status_code == 302 and response.url == reverse("household_detail", args=[former_tenant.pk])

    household = Household.objects.get(pk=former_tenant.pk)
    assert household.external_id.startswith("erased-") and household.external_id != "A-H9"
    assert (household.assessed_income, household.income_year, household.income_source) == (None, None, "unknown")
    assert not VulnerabilityMarker.objects.filter(household=household).exists()
    assert list(SupportNeed.objects.values_list("note", flat=True)) == ["next-tenant-note"]
    assert not ArrearsRecord.objects.exists() and not SteeringRole.objects.exists()
    applicant = Applicant.objects.get(household=household)
    assert (applicant.name, applicant.street_address, applicant.postal_code, applicant.city) == ("", "", "", "")
    notes = dict(Signal.objects.values_list("kind", "note"))
    assert notes == {"nuisance": "", "neglect": "Tuin van A-H90 verwaarloosd."}
    # Kept: the rent contract with its letting facts, and the other households.
    tenancy = Tenancy.objects.get(external_id="A-T9")
    assert (tenancy.household_id, tenancy.income_at_start) == (household.pk, Decimal("25000.00"))
    assert VulnerabilityMarker.objects.filter(household=stock_a.households[0]).exists()

    event = AuditEvent.objects.get(event_type=AuditEvent.Type.HOUSEHOLD_ERASED)
    assert event.subject_ids == ["A-H9"]
    assert event.data["counts"]["markers"] == 1 and event.data["pseudonym"] == household.external_id
    assert event.actor == petra
    # The audit log keeps what happened before, under the old code (it is never rewritten).
    english.get(reverse("household_detail", args=[household.pk]))
    assert "Wilhelmina" not in english.get(reverse("household_detail", args=[household.pk])).content.decode()


def test_a_tenant_still_renting_is_not_erased_and_the_page_says_why(english, petra, stock_a):
    household = stock_a.households[0]
    english.force_login(petra)
    page = english.get(reverse("privacy_household_erase", args=[household.pk])).content.decode()
    assert "still rents a home from us (contract A-T1)" in page
    assert 'id="erase-confirm"' not in page

    response = english.post(reverse("privacy_household_erase", args=[household.pk]))
    assert response.status_code == 409
    assert Household.objects.get(pk=household.pk).external_id == "A-H1"
    assert VulnerabilityMarker.objects.filter(household=household).exists()
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.HOUSEHOLD_ERASED).exists()


def test_an_applicant_in_a_round_that_is_not_closed_is_not_erased(petra, stock_a, alice):
    objects = make_allocation_objects(stock_a, alice)  # approved, not closed
    household = objects["declined"].applicant.household
    with pytest.raises(ErasureRefused) as refused:
        household_erase(user=petra, household=household)
    assert any("round-of-a" in reason for reason in refused.value.reasons)
    assert Household.objects.get(pk=household.pk).external_id == household.external_id


def test_only_the_privacy_officer_of_the_corporation_may_erase(english, alice, ada, otto, charlie, former_tenant):
    for user in (alice, ada, otto, charlie):
        english.force_login(user)
        assert english.post(reverse("privacy_household_erase", args=[former_tenant.pk])).status_code in (403, 404)
        with pytest.raises(PermissionDenied):
            household_erase(user=user, household=former_tenant)
    assert Household.objects.get(pk=former_tenant.pk).external_id == "A-H9"
