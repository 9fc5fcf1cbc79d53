"""The rent of a vacancy let above the rent cap (ABOVE_CAP, issue 10): the officer chooses it between the cap +
€0.01 and the highest lawful rent; the form proposes the highest with the reason; the rules engine's limits
check it; the decision and the listing take the chosen rent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtbalans.allocation import services as allocation
from buurtbalans.core.figures import euro
from buurtbalans.engine.rules import maximum_rent
from buurtbalans.steering.models import LabelDecision, ProposedLabel
from buurtbalans.steering.rents import AboveCapRange, above_cap_range, rent_problem
from buurtbalans.steering.services import SteeringInputError, vacancy_label_decide
from buurtbalans.steering.tests.test_views import make_plan
from buurtbalans.steering.tests.test_views import text as raw_text

pytestmark = pytest.mark.django_db

CAP = Decimal("682.96")  # allowance_cap_low 2025
DAEB_RENT_LIMIT = Decimal("900.07")  # 2025


def text(response) -> str:
    """The page with its non-breaking spaces (between € and the amount) as plain spaces."""
    return raw_text(response).replace("\xa0", " ")


@pytest.fixture
def hot_vacancy(town, bob):
    """HOT's first vacancy: DAEB, 180 WWS points (legal maximum above the DAEB rent limit), proposed NO_VULNERABLE."""
    make_plan(town, bob)
    return ProposedLabel.objects.select_related("plan", "dwelling").get(dwelling=town["hot"].vacancies[0])


def test_the_limits_come_from_the_rules_engine(hot_vacancy):
    allowed = above_cap_range(hot_vacancy)
    wws = maximum_rent(Decimal("180"), hot_vacancy.plan.reference_date).maximum_rent
    assert wws > DAEB_RENT_LIMIT
    assert (allowed.cap, allowed.lowest, allowed.highest) == (CAP, Decimal("682.97"), DAEB_RENT_LIMIT)
    assert (allowed.max_base_rent, allowed.daeb_rent_limit, allowed.whole_points) == (wws, DAEB_RENT_LIMIT, 180)
    # Not DAEB: the legal maximum from the WWS points is the highest rent.
    hot_vacancy.dwelling.is_daeb = False
    assert above_cap_range(hot_vacancy).highest == wws
    # No WWS points: no legal maximum known, so not above the cap.
    hot_vacancy.dwelling.wws_points = None
    assert above_cap_range(hot_vacancy) is None


def test_the_form_proposes_the_highest_rent_with_the_reason(client, town, alice, hot_vacancy):
    client.force_login(alice)
    page = client.get(reverse("steering_vacancy", args=[hot_vacancy.dwelling_id]))
    body = text(page)
    assert page.context["form"]["base_rent"].value() == DAEB_RENT_LIMIT
    assert 'value="900,07"' in body
    assert "We stellen de hoogste huur voor die mag: € 900,07 (de DAEB-huurgrens" in body
    assert "Voor deze woning geldt de lage aftoppingsgrens € 682,96." in body
    assert "U kunt een huur kiezen van € 682,97 tot en met € 900,07." in body


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("682,96", "Kale huur boven de aftoppingsgrens: € 682,96 is niet hoger dan de aftoppingsgrens van € 682,96. "
                   "Kies een huur van € 682,97 tot en met € 900,07."),
        ("900,08", "Kale huur boven de aftoppingsgrens: € 900,08 is hoger dan de hoogste huur die hier mag, € 900,07 "
                   "(de DAEB-huurgrens"),
        ("750,555", "Kale huur boven de aftoppingsgrens: geef een bedrag in euro's met hoogstens twee decimalen, van "
                    "€ 682,97 tot en met € 900,07."),
    ],
)  # fmt: skip
def test_a_rent_outside_the_limits_is_refused_naming_the_field_and_the_limits(
    client, town, alice, hot_vacancy, typed, problem
):
    client.force_login(alice)
    url = reverse("steering_vacancy", args=[hot_vacancy.dwelling_id])
    response = client.post(url, {"label": "ABOVE_CAP", "reason": "Mix", "base_rent": typed})
    assert response.status_code == 400
    assert problem.replace("'", "&#x27;") in text(response)
    assert not LabelDecision.objects.exists()


def test_the_service_refuses_a_rent_outside_the_limits_too(town, alice, hot_vacancy):
    with translation.override("en"), pytest.raises(SteeringInputError) as refused:
        vacancy_label_decide(
            proposal=hot_vacancy, actor=alice, label="ABOVE_CAP", reason="Mix", base_rent=Decimal("950.00")
        )
    (message,) = refused.value.errors
    assert message.startswith("Base rent above the rent cap: €\u00a0950.00 is above the highest rent allowed here")
    assert "Choose a rent from €\u00a0682.97 to €\u00a0900.07." in message
    with pytest.raises(SteeringInputError):  # a chosen rent belongs to ABOVE_CAP only
        vacancy_label_decide(proposal=hot_vacancy, actor=alice, label="OPEN", reason="x", base_rent=Decimal("700"))
    assert not LabelDecision.objects.exists()


def test_a_rent_inside_the_limits_is_stored_and_reaches_the_listing(client, town, alice, hot_vacancy):
    listing = allocation.listing_create_for_dwelling(dwelling=hot_vacancy.dwelling, actor=alice)
    client.force_login(alice)
    url = reverse("steering_vacancy", args=[hot_vacancy.dwelling_id])
    response = client.post(url, {"label": "ABOVE_CAP", "reason": "Mix", "base_rent": "750,50"})
    assert response.status_code == 302
    decision = LabelDecision.objects.get()
    assert (decision.label, decision.base_rent) == ("ABOVE_CAP", Decimal("750.50"))
    listing.refresh_from_db()
    assert (listing.label, listing.base_rent) == ("ABOVE_CAP", Decimal("750.50"))
    assert "€ 750,50" in text(client.get(url))


def test_without_a_chosen_rent_the_highest_lawful_rent_is_taken(town, alice, hot_vacancy):
    decision = vacancy_label_decide(proposal=hot_vacancy, actor=alice, label="ABOVE_CAP", reason="Mix")
    assert decision.base_rent == DAEB_RENT_LIMIT
    # The other labels keep the plan's affordable rent.
    assert vacancy_label_decide(proposal=hot_vacancy, actor=alice, label="NO_VULNERABLE").base_rent == CAP


cents = st.integers(min_value=50_000, max_value=120_000).map(lambda c: Decimal(c).scaleb(-2))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rent=cents)
def test_any_accepted_rent_is_above_the_cap_and_at_most_the_legal_maximum(town, alice, hot_vacancy, rent):
    allowed = above_cap_range(hot_vacancy)
    before = LabelDecision.objects.count()
    try:
        decision = vacancy_label_decide(
            proposal=hot_vacancy, actor=alice, label="ABOVE_CAP", reason="Mix", base_rent=rent
        )
    except SteeringInputError as refused:
        assert not allowed.cap < rent <= allowed.highest
        assert euro(allowed.lowest) in refused.errors[0] and euro(allowed.highest) in refused.errors[0]
        assert LabelDecision.objects.count() == before
    else:
        assert allowed.cap < decision.base_rent == rent <= allowed.highest <= allowed.max_base_rent


@given(
    cap=st.integers(40_000, 100_000),
    extra=st.integers(1, 60_000),
    rent=st.decimals(min_value=0, max_value=2000, allow_nan=False, allow_infinity=False, places=3),
)
def test_the_check_accepts_exactly_the_whole_cents_above_the_cap_and_up_to_the_ceiling(cap, extra, rent):
    cap_amount = Decimal(cap).scaleb(-2)
    allowed = AboveCapRange(
        cap_name="allowance_cap_low", cap=cap_amount, lowest=cap_amount + Decimal("0.01"),
        highest=cap_amount + Decimal(extra).scaleb(-2), max_base_rent=cap_amount + Decimal(extra).scaleb(-2),
        whole_points=150, daeb_rent_limit=None,
    )  # fmt: skip
    accepted = rent_problem(rent, allowed) is None
    assert accepted == (allowed.cap < rent <= allowed.highest and rent == rent.quantize(Decimal("0.01")))
    if accepted:
        assert allowed.lowest <= rent <= allowed.max_base_rent
