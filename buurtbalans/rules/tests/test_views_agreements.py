"""Performance agreements on screen: who records them, the legal maximum, and other corporations' agreements."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from buurtbalans.rules.models import PerformanceAgreement
from buurtbalans.rules.services import performance_agreement_save

pytestmark = pytest.mark.django_db


def agreement_data(municipality, **changes) -> dict:
    return {"municipality": municipality.pk, "valid_from": "2025-01-01", "valid_until": "", "share_percent": "15",
            "note": "Prestatieafspraken 2025-2028", **changes}  # fmt: skip


def test_an_analyst_records_an_agreement_and_it_counts_in_compliance(client, bob, year_a):
    client.force_login(bob)
    response = client.post(reverse("rules_agreements"), agreement_data(year_a.apeldoorn))
    assert response.status_code == 302
    agreement = PerformanceAgreement.objects.get()
    assert (agreement.corporation, agreement.free_allocation_share, agreement.recorded_by) == (
        year_a.stock.corporation, Decimal("0.15"), bob
    )  # fmt: skip
    page = client.get(reverse("rules_compliance"), {"year": 2025})
    rows = {r.code: r for r in page.context["rows"]}
    assert (rows["GM0200"].daeb_norm, rows["GM0200"].daeb_norm_met) == (Decimal("0.85"), True)
    assert rows["GM0193"].daeb_norm == Decimal("0.925")


def test_more_than_the_legal_maximum_or_an_end_before_the_start_is_refused(client, ada, year_a):
    client.force_login(ada)
    response = client.post(reverse("rules_agreements"), agreement_data(year_a.apeldoorn, share_percent="20"))
    assert response.status_code == 400 and "share_percent" in response.context["form"].errors
    response = client.post(reverse("rules_agreements"), agreement_data(year_a.apeldoorn, valid_until="2024-12-31"))
    assert response.status_code == 400 and "valid_until" in response.context["form"].errors
    assert not PerformanceAgreement.objects.exists()


def test_an_allocation_officer_reads_but_does_not_record_agreements(client, alice, year_a):
    client.force_login(alice)
    assert client.get(reverse("rules_agreements")).status_code == 200
    assert client.post(reverse("rules_agreements"), agreement_data(year_a.apeldoorn)).status_code == 403
    assert not PerformanceAgreement.objects.exists()


def test_an_agreement_is_changed_and_removed_by_its_own_corporation_only(client, ada, charlie, year_a):
    agreement = performance_agreement_save(
        actor=ada, corporation=year_a.stock.corporation, municipality=year_a.apeldoorn, valid_from=date(2025, 1, 1),
        valid_until=None, free_allocation_share=Decimal("0.15"),
    )  # fmt: skip
    client.force_login(charlie)
    assert client.get(reverse("rules_agreement_edit", args=[agreement.pk])).status_code == 404
    assert client.post(reverse("rules_agreement_delete", args=[agreement.pk])).status_code == 404
    assert client.get(reverse("rules_agreements")).context["agreements"] == []
    client.force_login(ada)
    edit = reverse("rules_agreement_edit", args=[agreement.pk])
    assert client.get(edit).context["form"]["share_percent"].value() == "15"
    for typed, share in (("12,5", "0.125"), ("10.5", "0.105")):
        assert client.post(edit, agreement_data(year_a.apeldoorn, share_percent=typed)).status_code == 302
        agreement.refresh_from_db()
        assert agreement.free_allocation_share == Decimal(share)
    assert client.post(edit, agreement_data(year_a.apeldoorn, share_percent="veel")).status_code == 400
    assert client.post(reverse("rules_agreement_delete", args=[agreement.pk])).status_code == 302
    assert not PerformanceAgreement.objects.exists()
