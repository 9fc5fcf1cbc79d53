"""The corporation judges commitments from the log and records escalation steps; a co-optation is recorded as the
letting's selection method and still has to pass the legal checks."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from buurtbalans.cooperatives.models import CommitmentReview, CoOptation, DocumentKind, Escalation
from buurtbalans.core.models import AuditEvent
from buurtbalans.households.models import Household, SelectionMethod, Tenancy

pytestmark = pytest.mark.django_db


def judge(client, world, commitment, period, verdict, year=2025, **extra):
    return client.post(reverse("cooperative_reviews", args=[world.cooperative.pk, year]),
                       {"commitment": str(commitment.pk), "period": period, "verdict": verdict, **extra})


def test_a_review_keeps_the_target_and_the_realised_figure_it_was_made_on(client, bob, coop1):
    client.force_login(bob)
    page = client.get(reverse("cooperative_reviews", args=[coop1.cooperative.pk, 2025]))
    row = next(p for item, p, form in page.context["rows"] if item.commitment == coop1.commitment)
    assert (row.target, row.realised, row.suggested.value) == (10, 1, "not_met")
    response = judge(client, coop1, coop1.commitment, "2025", "not_met", notes="Only one evening",
                     follow_up="Talk in January")
    assert response.status_code == 302
    review = CommitmentReview.objects.get(commitment=coop1.commitment, period="2025")
    assert (review.verdict, review.target, review.realised, review.reviewed_by_name) == ("not_met", 10, 1, "bob")
    # Judged again (a correction): one review, and the audit keeps the earlier verdict.
    judge(client, coop1, coop1.commitment, "2025", "partly")
    review.refresh_from_db()
    assert review.verdict == "partly"
    events = AuditEvent.objects.filter(event_type=AuditEvent.Type.COMMITMENT_REVIEWED).order_by("pk")
    assert [e.data["new"]["verdict"] for e in events] == ["not_met", "partly"]
    assert events[1].data["old"]["verdict"] == "not_met"


def test_a_period_that_has_not_ended_cannot_be_judged(client, bob, coop1):
    client.force_login(bob)
    year = timezone.localdate().year
    response = judge(client, coop1, coop1.commitment, str(year), "met", year=year, follow=True)
    assert "has not ended" in response.text
    assert not CommitmentReview.objects.filter(period=str(year)).exists()


def test_only_reviewers_judge(client, alice, bea, coop1):
    for user in (alice, bea):
        client.force_login(user)
        assert judge(client, coop1, coop1.commitment, "2025", "met").status_code == 403
    assert not CommitmentReview.objects.filter(period="2025").exists()


def test_the_year_status_in_the_report_follows_the_reviews_of_all_periods(client, bob, coop1):
    from buurtbalans.cooperatives.selectors import year_figures_for

    client.force_login(bob)
    for quarter in ("Q2", "Q3", "Q4"):
        judge(client, coop1, coop1.weekly, f"2025-{quarter}", "met")
    weekly = next(f for f in year_figures_for([coop1.cooperative.pk], 2025)[coop1.cooperative.pk]
                  if f.commitment == coop1.weekly)
    # The fixture judged Q1 "partly": the year as a whole is partly met.
    assert weekly.status == "partly"


def test_escalation_steps_are_recorded_and_audited(client, nina, coop1):
    client.force_login(nina)
    response = client.post(reverse("cooperative_escalation_add", args=[coop1.cooperative.pk]), {
        "commitment": str(coop1.weekly.pk), "step": "2", "decided_on": "2025-07-01",
        "notes": "Letter: open the shop every week again", "deadline": "2025-10-01"})
    assert response.status_code == 302
    step = Escalation.objects.get(step=2)
    assert step.recorded_by_name == "nina" and step.deadline == date(2025, 10, 1)
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.COOPERATIVE_ESCALATION_RECORDED)
    assert event.data["step"] == 2 and event.data["commitment"] == coop1.weekly.pk


# --- co-optation ----------------------------------------------------------------------------------------------


def letting(stock, *, income: str, rent: str, size: int = 1, exception: str = "", code: str = "A-T9"):
    household = Household.objects.create(corporation=stock.corporation, external_id=f"{code}-H", size=size,
                                         adults=1, children=size - 1, assessed_income=Decimal(income))
    return Tenancy.objects.create(
        corporation=stock.corporation, external_id=code, dwelling=stock.dwellings[2], household=household,
        start_date=date(2025, 6, 1), income_at_start=Decimal(income), rent_at_start=Decimal(rent),
        household_size_at_start=size, is_pension_age_at_start=False, exception_reason=exception,
    )


def record(client, world, code, decided_on="2025-05-10"):
    return client.post(reverse("cooperative_co_optation_add", args=[world.cooperative.pk]),
                       {"contract_code": code, "decided_on": decided_on, "note": "chosen at the members' meeting"})


def test_a_co_optation_that_passes_the_legal_checks_sets_the_selection_method(client, alice, coop1, stock_a):
    tenancy = letting(stock_a, income="20000", rent="650.00")
    client.force_login(alice)
    assert record(client, coop1, "A-T9").status_code == 302
    tenancy.refresh_from_db()
    assert tenancy.selection_method == SelectionMethod.CO_OPTATION
    co_optation = CoOptation.objects.get(tenancy=tenancy)
    assert co_optation.passes is True
    assert co_optation.checks["affordability"]["outcome"] == "FIT"
    assert co_optation.checks["daeb"]["is_target_group"] is True
    assert co_optation.checks["parameter_version"].startswith("parameters:2025-01-01")
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.CO_OPTATION_RECORDED)
    assert event.subject_ids == ["A-T9-H"] and event.data["selection_method"] == "co_optation"
    page = client.get(reverse("cooperative_detail", args=[coop1.cooperative.pk]))
    assert "A-T9" in page.text and "Passes the legal checks" in page.text


def test_a_co_optation_does_not_set_passend_toewijzen_aside(client, alice, coop1, stock_a):
    tenancy = letting(stock_a, income="20000", rent="800.00")
    client.force_login(alice)
    response = record(client, coop1, "A-T9")
    assert response.status_code == 400 and "passend toewijzen" in response.text
    tenancy.refresh_from_db()
    assert tenancy.selection_method is None and not CoOptation.objects.filter(tenancy=tenancy).exists()
    # With a recorded exception reason the letting passes (it uses the 5% exception budget).
    tenancy.exception_reason = "special_family_situation"
    tenancy.save()
    assert record(client, coop1, "A-T9").status_code == 302
    assert CoOptation.objects.get(tenancy=tenancy).checks["affordability"]["outcome"] == "NOT_FIT"


def test_a_co_optation_needs_the_cooperatives_dwelling_and_a_co_optation_right(client, alice, coop1, coop2, stock_a):
    letting(stock_a, income="20000", rent="650.00")
    client.force_login(alice)
    # The dwelling is in complex A-C1, which belongs to cooperative 1, not 2.
    response = record(client, coop2, "A-T9")
    assert response.status_code == 400 and "does not belong to this cooperative" in response.text
    coop1.document.kind = DocumentKind.OTHER
    coop1.document.save()
    response = record(client, coop1, "A-T9")
    assert response.status_code == 400 and "no co-optation right" in response.text
    # A choice after the letting started is not a co-optation.
    coop1.document.kind = DocumentKind.CO_OPTATION_RIGHT
    coop1.document.save()
    assert record(client, coop1, "A-T9", decided_on="2025-07-01").status_code == 400
    assert not CoOptation.objects.filter(tenancy__external_id="A-T9").exists()


def test_a_candidate_is_checked_before_the_letting_without_storing_anything(client, alice, coop1):
    client.force_login(alice)
    url = reverse("cooperative_co_optation_add", args=[coop1.cooperative.pk])
    events = AuditEvent.objects.count()
    fits = client.get(url, {"dwelling_code": "A-D3", "letting_date": "2025-06-01", "household_size": "1",
                            "assessed_income": "20000"})
    assert fits.context["candidate"]["passes"] is True and "Passes the legal checks" in fits.text
    too_rich = client.get(url, {"dwelling_code": "A-D3", "letting_date": "2025-06-01", "household_size": "1",
                                "assessed_income": "90000"})
    assert too_rich.context["candidate"]["daeb"]["uses_free_room"] is True
    assert "free allocation room" in too_rich.text
    outside = client.get(url, {"dwelling_code": "A-E1", "letting_date": "2025-06-01", "household_size": "1",
                               "assessed_income": "20000"})
    assert outside.context["candidate"] is None
    assert AuditEvent.objects.count() == events and not CoOptation.objects.exclude(pk=coop1.co_optation.pk).exists()
