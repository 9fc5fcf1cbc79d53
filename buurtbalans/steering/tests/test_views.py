"""The steering screens: who sees what (aggregates only for analysts, the small-cell rule), the ranked list, the
complex page's section, room per vacancy, profiles with history, categories, carrying roles, label decisions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import AuditEvent
from buurtbalans.steering.mix import complex_mix_rows
from buurtbalans.steering.models import ComplexProfile, LabelDecision, MixCategory, SteeringRole
from buurtbalans.steering.services import label_plan_request, listing_fields
from buurtbalans.steering.tests.conftest import REFERENCE_DATE
from buurtbalans.steering.tests.test_plans import POLICY

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_reference_date(monkeypatch):
    """The screens' "today" is the town's reference date (2025-06-01)."""
    monkeypatch.setattr("buurtbalans.steering.views.timezone.localdate", lambda: REFERENCE_DATE)
    monkeypatch.setattr("buurtbalans.screens.complex_page.timezone.localdate", lambda: REFERENCE_DATE)


def text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def test_the_ranked_list_puts_the_complex_furthest_over_its_limits_first(english, town, alice, on_reference_date):
    english.force_login(alice)
    response = english.get(reverse("steering_concentration"))
    assert response.status_code == 200
    codes = [v["row"].code for v in response.context["page"].object_list]
    # A-C1: 50% marked (15 points over 35%); A-HOT: 40% (5 points); A-CALM: within.
    assert codes == ["A-C1", "A-HOT", "A-CALM"]
    assert "2 of 3 rows are over their limits" in text(response)
    by_name = english.get(reverse("steering_concentration"), {"sort": "name"}).context["page"].object_list
    assert [v["row"].code for v in by_name] == ["A-C1", "A-CALM", "A-HOT"]
    buurten = english.get(reverse("steering_concentration"), {"level": "neighbourhood"}).context["page"].object_list
    assert len(buurten) == 1 and buurten[0]["row"].households == 32
    csv = text(english.get(reverse("steering_concentration"), {"format": "csv"}))
    assert csv.splitlines()[1].startswith("A-C1,Complex A-C1") or "A-C1" in csv.splitlines()[1]


def test_the_analyst_sees_fewer_than_5_households_as_less_than_5(client, town, alice, bob, on_reference_date):
    client.force_login(bob)
    page = client.get(reverse("steering_concentration"), {"sort": "code"})
    rows = {v["row"].code: v for v in page.context["page"].object_list}
    assert rows["A-C1"]["vulnerable"].share_text == "< 5"  # 1 of 2 households
    assert rows["A-HOT"]["vulnerable"].share_text == "40,0%"  # 8 of 20: shown
    assert rows["A-CALM"]["vulnerable"].share_text == "< 5"  # none of 10: also fewer than 5
    assert "&lt; 5" in text(page)
    csv = text(client.get(reverse("steering_concentration"), {"format": "csv", "sort": "code"}))
    c1 = next(line for line in csv.splitlines() if line.startswith("A-C1,"))
    assert "< 5" in c1 and "0.5" not in c1.split(",")[6:8]
    # The allocation officer, who may read markers, sees the exact share.
    client.force_login(alice)
    rows = {v["row"].code: v for v in client.get(reverse("steering_concentration")).context["page"].object_list}
    assert rows["A-C1"]["vulnerable"].share_text == "50,0%"


def test_the_complex_page_shows_the_mix_and_whether_there_is_room(english, town, bob, on_reference_date):
    english.force_login(bob)
    hot = english.get(reverse("complex_detail", args=[town["hot"].complex.pk]))
    page = text(hot)
    assert 'id="steering-mix"' in page
    assert (
        "No, there is no room for a vulnerable household: the share with a vulnerability marker is 40.0%, "
        "the profile allows 35.0%." in page
    )
    assert (
        "Now 8 of the 20 households have a vulnerability marker (40.0%). The maximum for this complex is 35.0%." in page
    )
    calm = text(english.get(reverse("complex_detail", args=[town["calm"].complex.pk])))
    assert "Yes, there is room for a vulnerable household: the complex stays within every limit" in calm
    # For the analyst the empty count is "fewer than 5" and the share after one more is not given away.
    assert "Now fewer than 5 of the 10 households have a vulnerability marker." in calm
    assert "would stay within its maximum" in calm


def test_every_vacancy_says_whether_there_is_room_with_its_reasons(english, town, alice, on_reference_date):
    english.force_login(alice)
    response = english.get(reverse("steering_vacancies"))
    answers = {v["dwelling"].external_id: v["room"].answer for v in response.context["page"].object_list}
    assert sorted(answers.values()) == ["no", "no", "no", "yes"]
    dwelling = town["calm"].vacancies[0]
    page = text(english.get(reverse("steering_vacancy", args=[dwelling.pk])))
    assert "Yes, there is room for a vulnerable household" in page
    assert "With one more vulnerable household the share would be 9.1%: still within the maximum." in page
    assert "There were no lettings in this complex in the last five years." in page
    assert "No labelling plan includes this dwelling yet." in page


def test_a_recent_inflow_above_the_maximum_makes_it_borderline(english, town, bob, on_reference_date):
    english.force_login(bob)
    hot = town["hot"].complex
    response = english.post(
        reverse("steering_profile_edit", args=[hot.pk]),
        {
            "mix__extra_attention": "35", "mix__carrying": "15", "mix__regular": "50",
            "max_vulnerable_share": "45", "max_primary_share": "75", "decided_on": "2025-05-20",
            "note": "Board decision 20 May",
        },
    )  # fmt: skip
    assert response.status_code == 302
    page = text(english.get(reverse("steering_vacancy", args=[town["hot"].vacancies[0].pk])))
    assert (
        "Borderline, there is little room for a vulnerable household: recent lettings brought the share with a "
        "vulnerability marker above the 45.0% the profile allows; recent lettings brought the share of the lowest "
        "incomes above the 75.0% the profile allows." in page
    )
    assert "Of the last 10 lettings, 8 went to a household with a vulnerability marker (80.0%)." in page
    assert "recent lettings raise the share" in page


def test_profiles_are_decided_by_the_analyst_with_history(english, town, alice, bob, on_reference_date):
    hot = town["hot"].complex
    url = reverse("steering_profile_edit", args=[hot.pk])
    english.force_login(alice)
    assert english.get(url).status_code == 200  # may read
    assert english.post(url, {"max_vulnerable_share": "10"}).status_code == 403
    english.force_login(bob)
    base = {"mix__extra_attention": "30", "mix__carrying": "20", "mix__regular": "50", "max_primary_share": "75",
            "note": "", "decided_on": "2025-01-10"}  # fmt: skip
    assert english.post(url, {**base, "max_vulnerable_share": "30"}).status_code == 302
    assert english.post(url, {**base, "max_vulnerable_share": "25", "decided_on": "2025-03-01"}).status_code == 302
    bad = english.post(url, {**base, "mix__regular": "60", "max_vulnerable_share": "25"})
    assert bad.status_code == 400 and "they must add up to 100%" in text(bad)
    history = ComplexProfile.objects.filter(complex=hot).order_by("decided_on")
    assert [p.max_vulnerable_share for p in history] == [Decimal("0.3000"), Decimal("0.2500")]
    assert history[1].decided_by_name == "bob"
    row = complex_mix_rows(hot.corporation_id, REFERENCE_DATE, complex_ids=[hot.pk])[0]
    assert row.profile.max_vulnerable_share == Decimal("0.25")
    assert row.profile.target_mix == {"extra_attention": Decimal("0.3"), "carrying": Decimal("0.2"),
                                      "regular": Decimal("0.5")}  # fmt: skip
    page = text(english.get(url))
    assert "Board decision" not in page and page.count("bob") >= 2
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.COMPLEX_PROFILE_DECIDED).count() == 2
    listing = english.get(reverse("steering_profiles"))
    rows = {r["complex"].external_id: r["profile"] for r in listing.context["page"].object_list}
    assert rows["A-HOT"].source == "complex" and rows["A-CALM"].source == "builtin"
    assert english.get(reverse("steering_profiles"), {"format": "xlsx"}).status_code == 200


def test_the_default_profile_applies_to_complexes_without_their_own(english, town, ada, on_reference_date):
    english.force_login(ada)
    response = english.post(
        reverse("steering_profile_default"),
        {"mix__extra_attention": "20", "mix__carrying": "20", "mix__regular": "60", "max_vulnerable_share": "55",
         "max_primary_share": "75", "decided_on": "2025-02-01"},
    )  # fmt: skip
    assert response.status_code == 302
    rows = {r.code: r for r in complex_mix_rows(town["stock"].corporation.pk, REFERENCE_DATE)}
    assert rows["A-C1"].profile.source == "default" and rows["A-C1"].excess == 0


def test_categories_decide_who_counts_where(english, town, bob, on_reference_date):
    english.force_login(bob)
    url = reverse("steering_categories")
    assert english.get(url).status_code == 200
    form = {
        "category-TOTAL_FORMS": "3", "category-INITIAL_FORMS": "3",
        "category-0-code": "lowest", "category-0-label": "Lowest incomes", "category-0-rule": "lowest_income",
        "category-0-default_share": "60",
        "category-1-code": "rest", "category-1-label": "Others", "category-1-rule": "rest",
        "category-1-default_share": "40",
        "category-2-code": "regular", "category-2-label": "Regular", "category-2-rule": "rest",
        "category-2-default_share": "50", "category-2-DELETE": "on",
    }  # fmt: skip
    assert english.post(url, form).status_code == 302
    assert list(MixCategory.objects.values_list("code", flat=True)) == ["lowest", "rest"]
    hot = complex_mix_rows(town["stock"].corporation.pk, REFERENCE_DATE, complex_ids=[town["hot"].complex.pk])[0]
    assert hot.counts.categories == {"lowest": 8, "rest": 12}
    # Now two categories and a blank row; making both "all other households" is refused.
    two_rests = {
        **form,
        "category-INITIAL_FORMS": "2",
        "category-0-rule": "rest",
        "category-2-code": "",
        "category-2-label": "",
        "category-2-rule": "",
        "category-2-default_share": "",
    }
    del two_rests["category-2-DELETE"]
    response = english.post(url, two_rests)
    assert response.status_code == 400 and "Exactly one category must hold all other households." in text(response)
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.MIX_CATEGORIES_CHANGED).count() == 1


def test_carrying_residents_are_recorded_by_officers_and_counted_only(english, town, alice, bob, on_reference_date):
    english.force_login(bob)
    assert english.get(reverse("steering_roles")).status_code == 403
    english.force_login(alice)
    tenancy = town["calm"].tenancies[0]
    response = english.post(
        reverse("steering_roles"),
        {"tenancy_code": tenancy.external_id, "source": "cooperative_membership", "valid_from": "2025-01-01"},
    )
    assert response.status_code == 302
    role = SteeringRole.objects.get()
    assert role.tenancy == tenancy and role.recorded_by_name == "alice"
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.STEERING_ROLE_WRITTEN)
    assert event.subject_ids == [tenancy.household.external_id]
    calm = complex_mix_rows(town["stock"].corporation.pk, REFERENCE_DATE, complex_ids=[town["calm"].complex.pk])[0]
    assert calm.counts.carrying == 1 and calm.counts.categories["carrying"] == 1
    unknown = english.post(
        reverse("steering_roles"), {"tenancy_code": "nope", "source": "other", "valid_from": "2025-01-01"}
    )
    assert unknown.status_code == 400
    assert english.post(reverse("steering_role_end", args=[role.pk])).status_code == 302
    role.refresh_from_db()
    assert role.valid_until is not None


def make_plan(town, bob):
    plan = label_plan_request(
        corporation=town["stock"].corporation, actor=bob, period_start=date(2025, 7, 1),
        period_end=date(2025, 9, 30), composition_date=REFERENCE_DATE, policy=POLICY,
    )  # fmt: skip
    run_pending_jobs()
    plan.refresh_from_db()
    assert plan.is_done
    return plan


def test_the_officer_accepts_or_changes_the_proposed_label_with_a_reason(english, town, alice, bob, on_reference_date):
    make_plan(town, bob)
    dwelling = town["hot"].vacancies[0]  # proposed NO_VULNERABLE, lawful maximum above the cap
    url = reverse("steering_vacancy", args=[dwelling.pk])
    english.force_login(bob)
    page = english.get(url)
    assert page.context["form"] is None and "No placement or urgency route" in text(page)
    assert english.post(url, {"label": "NO_VULNERABLE"}).status_code == 403

    english.force_login(alice)
    page = text(english.get(url))
    assert "Not used for a placement or an urgency allocation: with an open letting the complex would go" in page
    assert english.post(url, {"label": "NO_VULNERABLE"}).status_code == 302
    accepted = LabelDecision.objects.get()
    assert (accepted.label, accepted.is_change, accepted.base_rent) == ("NO_VULNERABLE", False, Decimal("682.96"))
    no_reason = english.post(url, {"label": "ABOVE_CAP", "reason": " "})
    assert no_reason.status_code == 400 and "Say why you change the proposed label." in text(no_reason)
    assert english.post(url, {"label": "ABOVE_CAP", "reason": "Agreed with the municipality"}).status_code == 302
    changed = LabelDecision.objects.order_by("-pk").first()
    assert changed.is_change and changed.label == "ABOVE_CAP" and changed.base_rent > Decimal("682.96")
    assert changed.reason == "Agreed with the municipality"
    events = AuditEvent.objects.filter(event_type__in=[504, 505]).order_by("pk")
    assert [e.event_type for e in events] == [504, 505] and events[1].data["reason"] == "Agreed with the municipality"
    history = text(english.get(url))
    assert history.count("Agreed with the municipality") == 1 and "changed by alice" in history
    # No WWS points: not above the cap.
    other = reverse("steering_vacancy", args=[town["hot"].vacancies[1].pk])
    refused = english.post(other, {"label": "ABOVE_CAP", "reason": "try"})
    assert refused.status_code == 400 and not LabelDecision.objects.filter(dwelling=town["hot"].vacancies[1])
    # The vacancy list shows the decision.
    rows = {v["dwelling"].pk: v for v in english.get(reverse("steering_vacancies")).context["page"].object_list}
    assert rows[dwelling.pk]["decided"] == "Above the rent cap"


def test_a_listing_takes_the_label_groups_rent_and_selection_key(english, town, alice, bob):
    from buurtbalans.allocation.models import Listing
    from buurtbalans.steering.models import ProposedLabel
    from buurtbalans.steering.services import vacancy_label_decide

    make_plan(town, bob)
    closed = ProposedLabel.objects.filter(label="NO_VULNERABLE").first()
    fields = listing_fields(vacancy_label_decide(proposal=closed, actor=alice, label="NO_VULNERABLE"))
    assert fields["excluded_groups"] == ["vulnerable"] and fields["allowed_groups"] == []

    reserved = ProposedLabel.objects.get(label="RESERVED_VULNERABLE")
    vacancy = reserved.dwelling
    url = reverse("steering_vacancy_listing", args=[vacancy.pk])
    english.force_login(alice)
    # No decision yet: nothing is listed.
    english.post(url)
    assert not Listing.objects.filter(dwelling=vacancy).exists()
    english.post(reverse("steering_vacancy", args=[vacancy.pk]), {"label": "RESERVED_VULNERABLE"})
    english.force_login(bob)
    assert english.post(url).status_code == 403
    english.force_login(alice)
    assert english.post(url).status_code == 302
    listing = Listing.objects.get(dwelling=vacancy)
    assert (listing.label, listing.base_rent, listing.selection, listing.urgency_first) == (
        "RESERVED_VULNERABLE",
        Decimal("650.00"),
        "registration",
        True,
    )
    assert (listing.allowed_groups, listing.excluded_groups) == (["vulnerable"], [])
    page = text(english.get(reverse("steering_vacancy", args=[vacancy.pk])))
    assert listing.reference in page
    again = english.post(url, follow=True)
    assert "already listed" in text(again) and Listing.objects.filter(dwelling=vacancy).count() == 1


def test_bob_sees_aggregates_and_dwellings_but_never_a_household(client, town, alice, bob, on_reference_date):
    from buurtbalans.households.models import Household
    from buurtbalans.steering.services import steering_role_record

    plan = make_plan(town, bob)
    steering_role_record(
        corporation=town["stock"].corporation, actor=alice, tenancy=town["calm"].tenancies[0],
        source="other", valid_from=date(2025, 1, 1),
    )  # fmt: skip
    client.force_login(bob)
    household_codes = list(Household.objects.values_list("external_id", flat=True))
    tenancy_codes = [t.external_id for t in town["calm"].tenancies]
    vacancy = town["hot"].vacancies[0]
    urls = [
        (reverse("steering_concentration"), {}),
        (reverse("steering_concentration"), {"format": "csv"}),
        (reverse("steering_concentration"), {"level": "neighbourhood"}),
        (reverse("steering_vacancies"), {}),
        (reverse("steering_vacancies"), {"format": "csv"}),
        (reverse("steering_vacancy", args=[vacancy.pk]), {}),
        (reverse("steering_profiles"), {}),
        (reverse("steering_plan", args=[plan.pk]), {}),
        (reverse("steering_plan", args=[plan.pk]), {"format": "csv"}),
        (reverse("steering_plan_complexes", args=[plan.pk]), {}),
        (reverse("steering_plan_result", args=[plan.pk]), {}),
        (reverse("complex_detail", args=[town["calm"].complex.pk]), {}),
    ]
    for url, data in urls:
        response = client.get(url, data)
        assert response.status_code == 200, url
        body = text(response)
        assert not [code for code in (*household_codes, *tenancy_codes) if code in body], url
    assert client.get(reverse("steering_roles")).status_code == 403
    assert client.post(reverse("steering_roles"), {"tenancy_code": tenancy_codes[0]}).status_code == 403
