"""The banner: missing and demo legal parameters in force, on every page, for whoever can act on it.

The platform administrator (who enters the shared values) gets the link to the form; a corporation's
administrator is told that the platform administrator enters them; other roles see nothing."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse

from buurtbalans.engine.parameters import ParameterRow, builtin_parameter_sets
from buurtbalans.rules.context_processors import ParameterNotice, parameter_banner, parameter_notices
from buurtbalans.rules.parameters import DEMO_VALUE_MARK
from buurtbalans.rules.services import parameter_values_save

pytestmark = pytest.mark.django_db

D = Decimal
JUNE_2026 = date(2026, 6, 15)
# The four 2026 values no official source gives exactly (docs/rules/parameters.md).
MISSING_2026 = (
    "middle_income_limit_single",
    "middle_income_limit_multi",
    "pension_assets_limit_single",
    "pension_assets_limit_multi",
)
DUTCH_NAMES = (
    "Middeninkomensgrens, 1 persoon",
    "Middeninkomensgrens, 2 of meer personen",
    "Vermogensgrens voor huishoudens met AOW-leeftijd, 1 persoon",
    "Vermogensgrens voor huishoudens met AOW-leeftijd, 2 of meer personen",
)


@pytest.fixture
def today(monkeypatch):
    """Fix the day the banner checks; June 2026 unless a test says otherwise."""

    def set_today(day: date) -> None:
        monkeypatch.setattr("buurtbalans.rules.context_processors.timezone.localdate", lambda: day)

    set_today(JUNE_2026)
    return set_today


def complete_2026(actor):
    """An administrator fills in the values 2026 lacks (made-up figures: the test is about the banner)."""
    figures = ("69000", "92000", "150000", "190000")
    rows = [
        ParameterRow(date(2026, 1, 1), key, value, "https://example.org/test")
        for key, value in zip(MISSING_2026, figures, strict=True)
    ]
    parameter_values_save(rows=rows, actor=actor)


def banner_of(response) -> str:
    text = response.content.decode()
    start = text.find("data-parameter-banner")
    return text[start : text.find("</section>", start)] if start >= 0 else ""


# --- what the banner says ----------------------------------------------------------------------------------


def test_the_platform_administrator_sees_the_missing_values_by_their_dutch_names_with_a_link_to_enter_them(
    client, paula, today
):
    client.force_login(paula)
    response = client.get(reverse("rules_parameters"))
    assert response.status_code == 200
    banner = banner_of(response)
    assert "Er ontbreken wettelijke waarden vanaf 1 januari 2026." in banner
    for name in DUTCH_NAMES:
        assert name in banner
    assert f'href="{reverse("rules_parameter_set", args=["2026-01-01"])}#edit"' in banner
    assert "Vul de officiële waarden in" in banner
    # The caps of 2026 are in the table now: they are not listed.
    assert "aftoppingsgrens" not in banner.lower()


def test_a_corporation_administrator_sees_the_missing_values_and_who_enters_them_without_the_form(
    client, ada, today
):
    client.force_login(ada)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    banner = banner_of(response)
    assert "Er ontbreken wettelijke waarden vanaf 1 januari 2026." in banner
    for name in DUTCH_NAMES:
        assert name in banner
    assert "#edit" not in banner and "Vul de officiële waarden in" not in banner
    assert "Alleen de platformbeheerder kan ze invullen" in banner
    assert f'href="{reverse("rules_parameter_set", args=["2026-01-01"])}"' in banner


def test_the_banner_is_on_every_page_an_administrator_opens(client, ada, today):
    client.force_login(ada)
    for name in ("home", "stock_overview", "rules_compliance", "rules_parameters", "audit_log"):
        response = client.get(reverse(name))
        if response.status_code == 200:
            assert banner_of(response), name


def test_the_banner_speaks_english_when_the_ui_is_english(client, paula, settings, today):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(paula)
    banner = banner_of(client.get(reverse("rules_parameters")))
    assert "Legal values from 1 January 2026 are missing." in banner
    assert "Middle income limit, 1 person" in banner
    assert "Enter the official values" in banner


@pytest.mark.parametrize("persona", ["alice", "bob", "nina", "otto"])
def test_other_roles_see_no_banner(client, persona, request, today):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(reverse("home") if persona != "otto" else reverse("audit_log"))
    assert response.status_code == 200
    assert not banner_of(response)
    assert "parameter_notices" not in response.context or not response.context["parameter_notices"]


def test_no_banner_when_every_value_in_force_is_known(client, ada, paula, today):
    complete_2026(paula)
    client.force_login(ada)
    assert not banner_of(client.get(reverse("home")))


def test_demo_values_in_force_are_listed_as_not_official(client, ada, today):
    rows = [
        ParameterRow(date(2026, 1, 1), key, value, DEMO_VALUE_MARK, f"{DEMO_VALUE_MARK}: test")
        for key, value in zip(MISSING_2026, ("67366", "89821", "118479", "148819"), strict=True)
    ]
    parameter_values_save(rows=rows, actor=None)
    client.force_login(ada)
    banner = banner_of(client.get(reverse("home")))
    assert "Sommige wettelijke waarden vanaf 1 januari 2026 zijn demo-waarden, niet officieel." in banner
    assert "Er ontbreken" not in banner
    for name in DUTCH_NAMES:
        assert name in banner
    # The parameter page shows the mark next to each demo value.
    page = client.get(reverse("rules_parameter_set", args=["2026-01-01"]))
    values = {v.key: v for v in page.context["set_view"].values}
    assert [k for k, v in values.items() if v.is_demo] == list(MISSING_2026)
    assert page.content.decode().count("demo-waarde, niet officieel</strong>") == 4


def test_in_december_the_platform_administrator_is_told_next_years_values_are_not_entered(client, paula, today):
    complete_2026(paula)
    today(date(2026, 12, 6))
    client.force_login(paula)
    banner = banner_of(client.get(reverse("rules_parameters")))
    assert "De wettelijke waarden vanaf 1 januari 2027 zijn nog niet ingevuld." in banner
    assert f'href="{reverse("rules_parameter_new")}"' in banner


def test_in_december_a_new_years_set_with_gaps_is_listed_too(client, ada, paula, today):
    complete_2026(paula)
    # Stored by a command: a new date with one value, the others unknown.
    parameter_values_save(rows=[ParameterRow(date(2027, 1, 1), "affordability_fit_quota", "0.95", "S4")], actor=None)
    today(date(2026, 12, 6))
    (notice,) = parameter_notices(tuple(_sets()), date(2026, 12, 6))
    assert notice.valid_from == date(2027, 1, 1) and "allowance_cap_low" in notice.missing
    client.force_login(ada)
    banner = banner_of(client.get(reverse("home")))
    assert "Er ontbreken wettelijke waarden vanaf 1 januari 2027." in banner
    assert "Lage aftoppingsgrens, 1-2 personen" in banner


def _sets():
    from buurtbalans.rules.parameters import parameter_sets

    return parameter_sets()


# --- the check itself ---------------------------------------------------------------------------------------


def test_the_notices_come_from_the_sets_in_force_not_from_the_table_alone():
    sets = builtin_parameter_sets()
    (notice,) = parameter_notices(sets, JUNE_2026)
    assert notice == ParameterNotice(JUNE_2026, date(2026, 1, 1), MISSING_2026, ())
    # Missing values come in screen order: a year whose caps are unknown lists them first.
    assert parameter_notices(sets, date(2024, 6, 1))[0].missing[0] == "quality_discount_limit"
    without_caps = tuple(
        replace(s, allowance_cap_low=None, allowance_cap_high=None) if s.valid_from.year == 2026 else s for s in sets
    )
    (notice,) = parameter_notices(without_caps, JUNE_2026)
    assert notice.missing[:2] == ("allowance_cap_low", "allowance_cap_high")
    assert parameter_notices(sets, date(2020, 6, 1)) == ()


def test_the_check_costs_at_most_one_query_per_request_and_runs_once(ada, django_assert_max_num_queries, today):
    from buurtbalans.rules import parameters

    _sets()  # the sets are built once per process; what a request pays is asking whether they changed
    request = RequestFactory().get("/")
    request.user = ada
    # What the request_started signal does for rules.parameters (sending the signal itself would also close the
    # test's database connection).
    parameters._request_begins()
    try:
        with django_assert_max_num_queries(2):  # the user's membership, and whether the stored values changed
            first = parameter_banner(request)
        with django_assert_max_num_queries(0):
            again = parameter_banner(request)
    finally:
        parameters._request_ends()
    assert first == again and first["parameter_notices"][0].missing == MISSING_2026


def test_a_user_who_may_not_enter_parameters_costs_no_parameter_query(alice, django_assert_max_num_queries, today):
    request = RequestFactory().get("/")
    request.user = alice
    with django_assert_max_num_queries(1):  # the membership only
        assert parameter_banner(request) == {"parameter_notices": (), "parameter_notices_may_enter": False}
