"""Where the evaluation panel's figures come from (issue 16 item 4 after part B): share V and P, turnover and signals
per 100 dwellings from the history of the stock and the households when the corporation has it, the monitor's yearly
figure otherwise; the owned share from the ownership history; the small-cell rule on the history's shares; a note
naming the complexes that sold dwellings in the panel's years."""

from __future__ import annotations

from datetime import date

import pytest

from buurtbalans.evaluation.panel import HISTORY, MONITOR, panel_build
from buurtbalans.evaluation.testing import START_YEAR, make_evaluation_data
from buurtbalans.history.models import ComplexOwnership, HouseholdIncomeBand
from buurtbalans.history.outcomes import share_by_year, share_counts_by_year
from buurtbalans.history.services import history_record
from buurtbalans.households.models import Household, Tenancy, VulnerabilityKind, VulnerabilityMarker
from buurtbalans.liveability.models import Signal
from buurtbalans.portfolio.models import Dwelling

pytestmark = pytest.mark.django_db
YEARS = (2020, 2021, 2022, 2023, 2024)


def _people(corporation, complex_, *, households: int, marked: int, primary: int = 0, ended_in: int | None = None):
    """`households` dwellings of the complex let from 2019 to one household each; the first `marked` of them with a
    vulnerability marker from 2019, the next `primary` in the primary income band every year; with `ended_in`, the
    last household's tenancy ends in that year."""
    kind = VulnerabilityKind.objects.get(corporation=None, code="shelter_outflow")
    for i in range(households):
        code = f"{complex_.external_id}-{i}"
        dwelling = Dwelling.objects.create(corporation=corporation, complex=complex_, external_id=f"D{code}",
                                           street="Teststraat", house_number=i + 1, postcode="8011AA",
                                           status="occupied")
        household = Household.objects.create(corporation=corporation, external_id=f"H{code}", size=1, adults=1)
        last = i == households - 1 and ended_in is not None
        Tenancy.objects.create(corporation=corporation, external_id=f"T{code}", dwelling=dwelling, household=household,
                               start_date=date(2019, 1, 1), end_date=date(ended_in, 6, 30) if last else None)
        if i < marked:
            VulnerabilityMarker.objects.create(corporation=corporation, household=household, kind=kind, source="test",
                                               valid_from=date(2019, 1, 1))
        elif i < marked + primary:
            for year in YEARS:
                HouseholdIncomeBand.objects.create(corporation=corporation, household=household, year=year,
                                                   band="primary")


@pytest.fixture
def data(corporation_a):
    """Five complexes with monitor figures 2020-2024 (two treated from 2022); the first treated complex and two
    controls also have ten households each and a status history from 1 January 2019."""
    data = make_evaluation_data(corporation_a, treated=2, controls=3)
    complexes = data["complexes"]
    _people(corporation_a, complexes[0], households=10, marked=6, primary=4, ended_in=2023)
    _people(corporation_a, complexes[2], households=10, marked=5)
    _people(corporation_a, complexes[3], households=10, marked=2, primary=6)
    history_record(corporation=corporation_a, as_of=date(2019, 1, 1), source="test")
    return data


def _values(built) -> dict[str, dict[int, float]]:
    return {u.unit_id: dict(u.values) for u in built.panel.units}


def test_share_counts_give_the_households_behind_each_share_and_share_by_year_stays_the_same(data, corporation_a):
    treated = data["complexes"][0]
    counts = share_counts_by_year(corporation_a, YEARS, "V")
    assert counts[treated.pk][2022] == (6, 10)
    shares = share_by_year(corporation_a, YEARS, "V")
    assert shares == {cid: {y: c / n for y, (c, n) in per.items()} for cid, per in counts.items()}
    assert share_counts_by_year(corporation_a, YEARS, "P")[treated.pk][2022] == (4, 10)


def test_share_v_comes_from_the_history_and_a_share_of_fewer_than_5_households_is_left_out(data, bob):
    built = panel_build(bob, kind="social_management", start_year=START_YEAR, outcome="vulnerable_share")
    values = _values(built)
    assert built.source == HISTORY
    # The last household left in 2023: six of nine on 1 January 2024.
    assert values["E-001"] == {2020: 0.6, 2021: 0.6, 2022: 0.6, 2023: 0.6, 2024: pytest.approx(6 / 9)}
    assert values["E-003"] == {year: 0.5 for year in YEARS}
    # Two marked households of ten: the analyst may not read markers, so that complex has no figure at all.
    assert not values.get("E-004")
    assert any("history of the dwellings and households" in note or "geschiedenis" in note for note in built.notes)


def test_share_p_comes_from_the_history_of_income_bands(data, bob):
    built = panel_build(bob, kind="social_management", start_year=START_YEAR, outcome="primary_share")
    values = _values(built)
    assert built.source == HISTORY
    assert values["E-004"] == {year: 0.6 for year in YEARS}
    # Four of ten in the primary band: fewer than 5, left out for the analyst under the small-cell rule; a complex
    # without any known income band has no share P at all.
    assert not values["E-001"] and not values.get("E-003")


def test_turnover_comes_from_the_history_of_tenancies(data, bob):
    built = panel_build(bob, kind="social_management", start_year=START_YEAR, outcome="turnover_rate")
    values = _values(built)
    assert built.source == HISTORY
    assert values["E-001"][2023] == pytest.approx(0.1) and values["E-001"][2022] == 0.0
    assert values["E-003"][2023] == 0.0 and not values.get("E-005")


def test_signals_per_100_come_from_the_history_when_it_has_them(data, corporation_a, bob):
    treated = data["complexes"][0]
    for day in (date(2023, 2, 1), date(2023, 9, 1)):
        Signal.objects.create(corporation=corporation_a, complex=treated, kind="nuisance", reported_on=day,
                              recorded_by_name="nina")
    built = panel_build(bob, kind="social_management", start_year=START_YEAR, outcome="signals_per_100")
    assert built.source == HISTORY
    assert _values(built)["E-001"] == {2020: 0.0, 2021: 0.0, 2022: 0.0, 2023: 20.0, 2024: 0.0}


def test_without_history_the_monitor_figure_is_used_and_said(corporation_a, bob):
    make_evaluation_data(corporation_a, treated=2, controls=3)
    built = panel_build(bob, kind="social_management", start_year=START_YEAR, outcome="signals_per_100")
    assert built.source == MONITOR
    assert len(_values(built)["E-001"]) == 5
    assert len(built.notes) >= 1


def test_the_owned_share_is_an_outcome_and_a_sale_in_the_window_is_noted(data, corporation_a, bob, client):
    for complex_ in data["complexes"]:
        for year in YEARS:
            sold = 4 if complex_ == data["complexes"][1] and year >= 2023 else 0
            ComplexOwnership.objects.update_or_create(
                complex=complex_, year=year,
                defaults={"corporation": corporation_a, "as_of": date(year, 1, 1), "dwelling_count": 10,
                          "owned_count": 10 - sold, "sold_count": sold})
    built = panel_build(bob, kind="social_management", start_year=START_YEAR, outcome="owned_share")
    assert built.source == HISTORY
    assert _values(built)["E-002"] == {2020: 1.0, 2021: 1.0, 2022: 1.0, 2023: 0.6, 2024: 0.6}
    assert any("E Complex 2" in note for note in built.notes)
    client.force_login(bob)
    from django.urls import reverse

    response = client.get(reverse("evaluation_evaluate"),
                          {"kind": "social_management", "start_year": START_YEAR, "outcome": "owned_share"})
    assert response.status_code == 200
    assert "E Complex 2" in response.content.decode()
