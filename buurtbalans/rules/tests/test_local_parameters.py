"""A corporation's own, stricter values (a lower aftoppingsgrens): only for that corporation, never above the law."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import AuditEvent
from buurtbalans.engine.parameters import ParameterRow
from buurtbalans.engine.rules import FitOutcome, HouseholdFacts, RentFacts, affordability_fit
from buurtbalans.rules.local_parameters import LocalValue, local_value_problems, overlay
from buurtbalans.rules.models import LocalParameterValue
from buurtbalans.rules.parameters import parameter_sets, parameters_for
from buurtbalans.rules.services import LocalParameterRefused, local_parameter_value_save, parameter_values_save
from buurtbalans.rules.testing import caps_unknown
from buurtbalans.steering.models import ProposedLabel
from buurtbalans.steering.services import label_plan_request
from buurtbalans.steering.testing import Resident, Vacancy, make_mix_complex, residents

pytestmark = pytest.mark.django_db

D = Decimal
# 2025: low cap 682.96, high cap 731.93, quality discount limit 477.20 (2024: low cap 650.43).
JUNE_2025 = date(2025, 6, 1)


def own_cap(actor, corporation, value="650.00", *, key="allowance_cap_low", start=date(2025, 1, 1), until=None):
    return local_parameter_value_save(
        actor=actor, corporation=corporation, key=key, valid_from=start, valid_until=until, value=D(value),
        source="Prestatieafspraken Zwolle 2025-2028", note="art. 4.2",
    )  # fmt: skip


def fit_at(corporation, rent: str) -> FitOutcome:
    """Passend toewijzen for a one-person low-income household at `rent`, with the corporation's parameters."""
    params = parameters_for(JUNE_2025, corporation=corporation)
    household = HouseholdFacts(household_size=1, assessed_income=D("20000"), is_pension_age_household=False)
    return affordability_fit(household, RentFacts(D(rent)), params).outcome


# --- the rule -----------------------------------------------------------------------------------------------


def test_a_lower_own_cap_changes_corporation_as_results_and_not_bs(ada, corporation_a, corporation_b):
    own_cap(ada, corporation_a, "650.00")

    a, b, legal = (parameters_for(JUNE_2025, corporation=c) for c in (corporation_a, corporation_b, None))
    assert (a.allowance_cap_low, b.allowance_cap_low) == (D("650.00"), D("682.96"))
    assert legal.allowance_cap_low == D("682.96")
    # A decision records that it used an own value; B's and the legal set keep the legal version.
    assert a.version == f"{legal.version}+local:{a.version.rsplit(':', 1)[1]}" and "+local:" in a.version
    assert b.version == legal.version
    assert a.sources["allowance_cap_low"] == "Prestatieafspraken Zwolle 2025-2028"
    # A rent of 670 fits for B (below the legal cap), not for A (above its own cap).
    assert fit_at(corporation_a, "670.00") is FitOutcome.NOT_FIT
    assert fit_at(corporation_b, "670.00") is FitOutcome.FIT
    # Before the own value's period the legal cap applies to A too.
    assert parameters_for(date(2024, 12, 31), corporation=corporation_a) == parameters_for(date(2024, 12, 31))


def _town(stock, prefix: str):
    corporation, buurt = stock.corporation, stock.neighbourhood
    make_mix_complex(
        corporation, f"{prefix}-HOT", neighbourhood=buurt,
        residents=[*residents(8, income="20000", marker=True, start=date(2024, 3, 1)),
                   *residents(12, income="50000", start=date(2019, 1, 1))],
        vacancies=[Vacancy(base_rent="700.00", wws_points="180", leaving=Resident(
            income="20000", marker=True, start=date(2019, 1, 1), end=date(2025, 5, 1)))],
    )  # fmt: skip


def test_a_labelling_plan_of_a_uses_as_own_cap_and_bs_plan_the_legal_one(ada, bob, stock_a, stock_b):
    _town(stock_a, "A")
    _town(stock_b, "B")
    own_cap(ada, stock_a.corporation, "650.00")
    policy = {"min_vulnerable_placements": 0, "min_affordable_share": "0.5", "p_open": "0.3", "p_above": "0.05",
              "q_open": "0.8", "q_reserved": "0.9", "q_above": "0.1"}  # fmt: skip
    plans = {
        stock.corporation.code: label_plan_request(
            corporation=stock.corporation, actor=bob, period_start=date(2025, 7, 1), period_end=date(2025, 9, 30),
            composition_date=JUNE_2025, policy=policy,
        )  # fmt: skip
        for stock in (stock_a, stock_b)
    }
    assert run_pending_jobs() == 2
    rents = {}
    for code, plan in plans.items():
        plan.refresh_from_db()
        assert plan.is_done, plan.problem
        label = ProposedLabel.objects.get(plan=plan, dwelling__complex__external_id__endswith="-HOT")
        rents[code] = (label.label, label.base_rent, "+local:" in plan.parameter_version)
    # The 700.00 dwelling is lowered to the cap: A's own 650.00, B's the legal 682.96.
    assert rents["corp-a"][1:] == (D("650.00"), True)
    assert rents["corp-b"][1:] == (D("682.96"), False)


def test_an_own_cap_above_the_legal_cap_is_refused_in_plain_words(ada, corporation_a):
    with pytest.raises(LocalParameterRefused) as refused:
        own_cap(ada, corporation_a, "690.00")
    assert refused.value.problems == [
        "Uw eigen waarde mag niet hoger zijn dan de wet toestaat: "
        "Lage aftoppingsgrens, 1-2 personen is €\u00a0682,96 vanaf 01-01-2025."
    ]
    # Also when only a later year of the period has a lower legal cap: 2024's cap is lower than 2025's.
    with pytest.raises(LocalParameterRefused) as refused:
        own_cap(ada, corporation_a, "670.00", start=date(2024, 1, 1))
    assert "vanaf 01-01-2024" in refused.value.problems[0]
    assert not LocalParameterValue.objects.exists()
    assert parameters_for(JUNE_2025, corporation=corporation_a) == parameters_for(JUNE_2025)


def test_an_own_value_must_keep_the_caps_in_order_and_not_overlap_another(ada, corporation_a):
    with pytest.raises(LocalParameterRefused) as refused:
        own_cap(ada, corporation_a, "400.00")
    assert "kan niet hoger zijn dan" in refused.value.problems[0]  # below the quality discount limit (477.20)
    with pytest.raises(LocalParameterRefused):
        own_cap(ada, corporation_a, "600.00", key="allowance_cap_high")  # below the legal low cap (682.96)
    own_cap(ada, corporation_a, "650.00", until=date(2025, 12, 31))
    with pytest.raises(LocalParameterRefused) as refused:
        own_cap(ada, corporation_a, "640.00", start=date(2025, 7, 1))
    assert refused.value.problems == [
        "U hebt al een eigen waarde hiervoor vanaf 01-01-2025. Zet daar eerst een einddatum op, of haal die weg."
    ]
    own_cap(ada, corporation_a, "640.00", start=date(2026, 1, 1))
    assert LocalParameterValue.objects.count() == 2


def test_a_later_lower_legal_cap_wins_and_an_unknown_legal_cap_stays_unknown(ada, corporation_a):
    own_cap(ada, corporation_a, "680.00", until=date(2025, 12, 31))
    # The law's cap of 2025 is corrected below the own value: the stricter legal value applies, no "+local".
    parameter_values_save(rows=[ParameterRow(date(2025, 1, 1), "allowance_cap_low", "670", "S99")], actor=None)
    params = parameters_for(JUNE_2025, corporation=corporation_a)
    assert params.allowance_cap_low == D("670") and "+local" not in params.version
    # Where the law gives no value the own value does not fill it in: "parameter missing" stays.
    own_cap(ada, corporation_a, "700.00", start=date(2026, 1, 1))
    caps_unknown(2026)
    assert parameters_for(date(2026, 3, 1), corporation=corporation_a).allowance_cap_low is None


def test_overlay_never_makes_a_value_less_strict():
    legal = parameters_for(JUNE_2025)
    higher = LocalValue("allowance_cap_low", date(2025, 1, 1), None, D("900"))
    assert overlay(legal, [higher], JUNE_2025) is legal
    other_key = LocalValue("daeb_income_limit_single", date(2025, 1, 1), None, D("10000"))
    assert overlay(legal, [other_key], JUNE_2025) is legal
    assert local_value_problems(other_key, parameter_sets()) == [
        "Een corporatie kan voor deze wettelijke waarde geen eigen waarde instellen."
    ]


def test_saving_and_removing_an_own_value_is_audited_for_that_corporation(client, ada, corporation_a):
    client.force_login(ada)
    value = own_cap(ada, corporation_a, "650.00")
    client.post(reverse("rules_local_parameter_remove", args=[value.pk]))
    events = AuditEvent.objects.filter(event_type=AuditEvent.Type.LOCAL_PARAMETERS_CHANGED).order_by("pk")
    expected = [(corporation_a, ada, "allowance_cap_low")] * 2
    assert [(e.corporation, e.actor, e.subject_label) for e in events] == expected
    assert events[0].data["old"] is None and events[0].data["new"]["value"] == "650"
    assert events[1].data["old"]["value"] == "650" and events[1].data["new"] is None
    assert parameters_for(JUNE_2025, corporation=corporation_a) == parameters_for(JUNE_2025)


def test_changing_an_own_value_on_screen_audits_what_it_was_and_what_it_is(client, ada, corporation_a):
    value = own_cap(ada, corporation_a, "650.00")
    client.force_login(ada)
    edit = reverse("rules_local_parameter_edit", args=[value.pk])
    assert client.get(edit).context["form"]["amount"].value() == "650"
    data = {"key": "allowance_cap_low", "valid_from": "2025-01-01", "valid_until": "2025-12-31", "amount": "640",
            "source": "Prestatieafspraken 2025, addendum", "note": ""}  # fmt: skip
    assert client.post(edit, data).status_code == 302
    event = AuditEvent.objects.filter(event_type=AuditEvent.Type.LOCAL_PARAMETERS_CHANGED).latest("pk")
    assert (event.data["old"]["value"], event.data["old"]["valid_until"], event.data["old"]["source"]) == (
        "650", None, "Prestatieafspraken Zwolle 2025-2028"
    )
    assert (event.data["new"]["value"], event.data["new"]["valid_until"]) == ("640", "2025-12-31")
    assert parameters_for(JUNE_2025, corporation=corporation_a).allowance_cap_low == D("640")


# --- screens ------------------------------------------------------------------------------------------------


def test_the_administrator_enters_an_own_cap_on_screen_and_sees_it_beside_the_legal_value(client, ada, bob):
    client.force_login(ada)
    url = reverse("rules_local_parameters")
    data = {"key": "allowance_cap_low", "valid_from": "2025-01-01", "valid_until": "", "amount": "650,00",
            "source": "Prestatieafspraken 2025", "note": ""}  # fmt: skip
    refused = client.post(url, {**data, "amount": "700"})
    assert refused.status_code == 400 and not LocalParameterValue.objects.exists()
    assert "mag niet hoger zijn dan de wet toestaat" in " ".join(refused.context["form"].non_field_errors())
    assert client.post(url, data).status_code == 302
    (view,) = client.get(url).context["values"]
    assert (view.row.value, view.legal) == (D("650.00"), D("682.96"))
    page = client.get(reverse("rules_parameter_set", args=["2025-01-01"]))
    values = {v.key: v for v in page.context["set_view"].values}
    assert [o.value for o in values["allowance_cap_low"].own] == [D("650.00")]
    assert "data-own-value" in page.content.decode()
    # An analyst of the corporation reads the own values but does not enter them.
    client.force_login(bob)
    page = client.get(url)
    assert page.status_code == 200 and len(page.context["values"]) == 1 and page.context["form"] is None
    assert client.post(url, data).status_code == 403


def test_charlie_cannot_see_change_or_remove_as_own_values(client, ada, charlie, corporation_a):
    value = own_cap(ada, corporation_a, "650.00")
    client.force_login(charlie)
    assert client.get(reverse("rules_local_parameters")).context["values"] == []
    page = client.get(reverse("rules_parameter_set", args=["2025-01-01"]))
    assert all(v.own == () for v in page.context["set_view"].values)
    edit = reverse("rules_local_parameter_edit", args=[value.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"key": "allowance_cap_low", "valid_from": "2025-01-01", "amount": "600",
                              "source": "x"}).status_code == 404  # fmt: skip
    assert client.post(reverse("rules_local_parameter_remove", args=[value.pk])).status_code == 404
    value.refresh_from_db()
    assert value.value == D("650.00")
    # What charlie enters is corporation B's own value: A's decisions do not change.
    response = client.post(reverse("rules_local_parameters"), {
        "key": "allowance_cap_low", "valid_from": "2025-01-01", "valid_until": "", "amount": "600",
        "source": "B's agreement", "note": ""})  # fmt: skip
    assert response.status_code == 302
    assert LocalParameterValue.objects.get(value=D("600")).corporation == charlie.membership.corporation
    assert parameters_for(JUNE_2025, corporation=corporation_a).allowance_cap_low == D("650.00")
    # And the service refuses charlie a value for corporation A, whatever calls it.
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        own_cap(charlie, corporation_a, "500.00")
