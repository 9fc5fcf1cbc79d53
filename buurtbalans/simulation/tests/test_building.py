"""A simulation scenario built from the corporation's data (issue 15, "In the product"; docs/simulation.md,
"A scenario from the corporation's data").

Corporation A on 1 June 2025 (2025 limits: 28,375 for one person; cap 682.96), built with the steering test
builders: stock_a's complex A-C1 (one household with a marker and the lowest income, one with a middle income, one
empty dwelling); A-LEFT, whose four tenancies all ended in the last three years; A-STAY, six households living
there since 2019, none left; A-NEW, lettings of the last year (three with a marker, five without, of whom three
with the lowest incomes). Corporation B (stock_b) has its own complex, applicants and a letting of the last year.
The texts are checked in Dutch, the default language.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from buurtbalans.allocation.models import ApplicantProfile, ApplicantStatus, Bid, Listing
from buurtbalans.engine.simulation import parse_scenario, simulate
from buurtbalans.households.models import Applicant, Household, VulnerabilityKind, VulnerabilityMarker
from buurtbalans.simulation.building import (
    BuiltScenario,
    Estimate,
    ScenarioBuildError,
    build_scenario,
    start_year_for,
    whole_years,
)
from buurtbalans.steering.models import ComplexProfile
from buurtbalans.steering.testing import Resident, Vacancy, make_mix_complex, residents

pytestmark = pytest.mark.django_db

ON = date(2025, 6, 1)


def applicant(corporation, code, *, registered, income="24000", size=1, marker=False, housed_on=None,
              status=None) -> Applicant:
    household = Household.objects.create(corporation=corporation, external_id=f"H-{code}", size=size, adults=1,
                                         children=size - 1, assessed_income=Decimal(income), income_year=2024)
    person = Applicant.objects.create(corporation=corporation, external_id=code, household=household,
                                      registration_date=registered)
    if marker:
        VulnerabilityMarker.objects.create(corporation=corporation, household=household, source="test",
                                           kind=VulnerabilityKind.objects.get(corporation=None, code="shelter_outflow"),
                                           valid_from=date(2024, 1, 1))
    if status is not None:
        ApplicantProfile.objects.create(corporation=corporation, applicant=person, status=status, housed_on=housed_on)
    return person


@pytest.fixture
def corporation_data(stock_a, stock_b):
    a = stock_a.corporation
    left = make_mix_complex(a, "A-LEFT", vacancies=[
        Vacancy(leaving=Resident(income="50000", start=date(2015, 1, 1), end=date(2023, 3, 1) + timedelta(days=90 * i)))
        for i in range(4)
    ])
    stay = make_mix_complex(a, "A-STAY", residents=residents(6, income="50000", start=date(2019, 1, 1)))
    new = make_mix_complex(a, "A-NEW", residents=[
        *residents(3, income="20000", marker=True, start=date(2024, 9, 1)),
        *residents(3, income="20000", start=date(2024, 10, 1)),
        *residents(2, income="60000", start=date(2024, 11, 1)),
    ])
    # Applicants of A: registered in the last year (one of each type), earlier ones, a housed one.
    applicant(a, "A-R1", registered=date(2025, 1, 10), marker=True)
    applicant(a, "A-R2", registered=date(2024, 12, 1), income="20000")
    applicant(a, "A-R3", registered=date(2025, 5, 1), income="70000")
    applicant(a, "A-OLD1", registered=date(2019, 1, 1), income="20000")  # 6 years on ON
    applicant(a, "A-OLD2", registered=date(2019, 7, 1), income="20000", status=ApplicantStatus.WAITING)  # 5
    applicant(a, "A-LATER", registered=date(2020, 3, 1), income="70000", status=ApplicantStatus.HOUSED,
              housed_on=date(2025, 8, 1))  # housed after ON: still waiting on ON, 5 years
    applicant(a, "A-HOUSED", registered=date(2018, 1, 1), status=ApplicantStatus.HOUSED, housed_on=date(2025, 2, 1))
    applicant(a, "A-FUTURE", registered=date(2025, 7, 1))  # registers after ON
    # Corporation B: its own complex (stock_b), applicants and a letting of the last year.
    b = stock_b.corporation
    make_mix_complex(b, "B-NEW", residents=residents(4, income="20000", marker=True, start=date(2024, 10, 1)))
    for i in range(5):
        applicant(b, f"B-R{i}", registered=date(2025, 2, 1), marker=True)
    return {"a": a, "b": b, "left": left, "stay": stay, "new": new}


def by_id(built: BuiltScenario) -> dict[str, dict]:
    return {row["id"]: row for row in built.document["complexes"]}


def estimate(built: BuiltScenario, key: str) -> Estimate:
    [found] = [e for e in built.estimates if e.key == key]
    return found


def test_the_document_is_a_valid_scenario_that_simulates(corporation_data):
    built = build_scenario(corporation_data["a"], on=ON, years=4)
    scenario = parse_scenario(built.document)
    assert (scenario.start_year, scenario.years) == (2025, 4)
    assert built.on == ON
    assert [p.kind for p in scenario.policies] == ["open", "room_check"]
    assert simulate(scenario, runs=3, seed=1)["runs"] == 3


def test_every_dwelling_holds_one_household_of_one_type(corporation_data):
    built = build_scenario(corporation_data["a"], on=ON)
    complexes = by_id(built)
    assert list(complexes) == ["A-C1", "A-LEFT", "A-NEW", "A-STAY"]  # by complex code
    for row in complexes.values():
        assert row["V"] + row["P"] + row["O"] == row["dwellings"]
    # A-C1: a household with a marker (V), one with a middle income (O), the empty dwelling counted as O.
    assert {k: complexes["A-C1"][k] for k in ("dwellings", "V", "P", "O")} == {"dwellings": 3, "V": 1, "P": 0, "O": 2}
    assert {k: complexes["A-NEW"][k] for k in ("dwellings", "V", "P", "O")} == {"dwellings": 8, "V": 3, "P": 3, "O": 2}
    # Five empty dwellings (A-C1's and A-LEFT's four) are said to be counted as O.
    assert "5 woningen staan leeg op 1 juni 2025." in " ".join(built.problems), built.problems


def test_targets_are_those_of_the_complex_profile_in_force(corporation_data, bob):
    ComplexProfile.objects.create(corporation=corporation_data["a"], complex=corporation_data["stay"].complex,
                                  max_vulnerable_share=Decimal("0.2000"), max_primary_share=Decimal("0.6500"),
                                  decided_on=date(2025, 1, 1), decided_by_name="bob")
    complexes = by_id(build_scenario(corporation_data["a"], on=ON))
    assert (complexes["A-STAY"]["target_V_max_share"], complexes["A-STAY"]["target_P_max_share"]) == (
        Decimal("0.2"), Decimal("0.65"))
    # Without a decision: the built-in profile (35 % with a marker, 75 % lowest incomes).
    assert (complexes["A-C1"]["target_V_max_share"], complexes["A-C1"]["target_P_max_share"]) == (
        Decimal("0.35"), Decimal("0.75"))


def test_a_complex_whose_tenancies_all_ended_turns_over_faster_than_one_where_nobody_left(corporation_data):
    built = build_scenario(corporation_data["a"], on=ON)
    complexes = by_id(built)
    left, stay = complexes["A-LEFT"]["turnover"], complexes["A-STAY"]["turnover"]
    assert left > stay > 0  # shrunk towards the corporation's rate: no complex gets exactly 0
    assert all(Decimal(0) <= row["turnover"] <= 1 for row in complexes.values())
    assert all(-row["turnover"].as_tuple().exponent <= 6 for row in complexes.values())
    # What the estimates rest on: 4 move-outs in about 4.5 household-years (0.75-1.5 years each); A-STAY 6 x 3.
    assert estimate(built, "turnover.A-LEFT").note.startswith("4 keer verhuisd in 4 huishoudjaren")
    assert estimate(built, "turnover.A-STAY").n == 18
    whole = estimate(built, "turnover")
    assert whole.k is None and whole.low <= whole.value <= whole.high


def test_inflow_sums_to_one_for_every_label_and_rests_on_the_last_year_s_lettings(corporation_data):
    built = build_scenario(corporation_data["a"], on=ON)
    inflow = built.document["inflow"]
    assert set(inflow) == {"OPEN", "NO_VULNERABLE", "RESERVED_VULNERABLE"}
    for label, shares in inflow.items():
        assert shares["V"] + shares["P"] + shares["O"] == 1, label
        assert all(share >= 0 for share in shares.values()), label
    # 8 lettings in the last year at or below the cap, 3 with a marker: Laplace (3 + 1) / (8 + 2).
    open_v = estimate(built, "inflow.OPEN.V")
    assert (open_v.value, open_v.k, open_v.n) == (Decimal("0.4"), 3, 8)
    assert open_v.low < Decimal("0.375") < open_v.high
    # Of the 5 without a marker, 3 have the lowest incomes: P = (1 - 0.4) x (3 + 1) / (5 + 2).
    open_p = estimate(built, "inflow.OPEN.P")
    assert (open_p.k, open_p.n) == (3, 5)
    assert inflow["OPEN"]["P"] == Decimal("0.342857")
    assert inflow["RESERVED_VULNERABLE"] == {"V": 1, "P": 0, "O": 0}
    # No NO_VULNERABLE letting yet: 0 assumed, and said.
    assert inflow["NO_VULNERABLE"]["V"] == 0
    assert estimate(built, "inflow.NO_VULNERABLE.V").n == 0
    assert estimate(built, "inflow.NO_VULNERABLE.V").low is None
    assert any("Niet via plaatsing of urgentie" in problem for problem in built.problems), built.problems


def test_arrivals_and_the_waiting_list_by_type(corporation_data):
    built = build_scenario(corporation_data["a"], on=ON)
    document = built.document
    # No bids imported: the applicants registered in the last year stand in, typed on ON (one of each type).
    assert document["arrivals"] == {"V": 1, "P": 1, "O": 1}
    assert any("geen reacties" in problem for problem in built.problems), built.problems
    # Not housed on ON, in whole years since registration: OLD1 6, OLD2 5 (P); LATER 5 (O, housed after ON).
    assert document["initial_queue"] == {"V": [0], "P": [6, 5, 0], "O": [5, 0]}


def test_the_room_check_s_minimum_is_last_year_s_lettings_to_households_with_a_marker(corporation_data):
    built = build_scenario(corporation_data["a"], on=ON)
    room = built.document["policies"][1]
    assert room == {"name": "Ruimte per complex", "kind": "room_check", "min_vulnerable_placements": 3}
    assert estimate(built, "policies.Ruimte per complex.min_vulnerable_placements").n == 8


def test_another_corporation_s_complexes_applicants_and_lettings_never_appear(corporation_data):
    document = build_scenario(corporation_data["a"], on=ON).document
    assert not [row for row in document["complexes"] if row["id"].startswith("B-")]
    assert document["arrivals"]["V"] == 1  # B's five applicants with a marker are B's
    assert document["policies"][1]["min_vulnerable_placements"] == 3  # not B's four
    b = build_scenario(corporation_data["b"], on=ON).document
    assert [row["id"] for row in b["complexes"]] == ["B-C1", "B-NEW"]
    assert b["arrivals"] == {"V": 5, "P": 0, "O": 0}


def test_without_any_letting_the_scenario_is_still_valid_and_says_so(stock_b):
    built = build_scenario(stock_b.corporation, on=ON)
    scenario = parse_scenario(built.document)
    assert scenario.policies[1].min_vulnerable_placements == 0
    for shares in built.document["inflow"].values():
        assert shares["V"] + shares["P"] + shares["O"] == 1
    # The inflow of open vacancies falls back to who lives there: 1 with a marker of 2 households.
    assert built.document["inflow"]["OPEN"]["V"] == Decimal("0.5")
    assert any("geen verhuringen tot de aftoppingsgrens" in problem for problem in built.problems), built.problems
    assert estimate(built, "inflow.OPEN.V").n == 0


def test_without_complexes_there_is_nothing_to_simulate(corporation_a):
    with pytest.raises(ScenarioBuildError):
        build_scenario(corporation_a, on=ON)


def test_it_reads_in_a_handful_of_queries(corporation_data, django_assert_max_num_queries):
    """Grouped counts, never a query per complex (the lettings' parameter look-ups are steering's, per date)."""
    with django_assert_max_num_queries(40):
        build_scenario(corporation_data["a"], on=ON)


@pytest.mark.parametrize("on, year", [(date(2025, 6, 1), 2025), (date(2025, 7, 1), 2025), (date(2025, 7, 2), 2026),
                                      (date(2025, 12, 31), 2026)])
def test_the_simulation_starts_next_year_when_the_data_is_from_after_1_july(on, year):
    assert start_year_for(on) == year


@pytest.mark.parametrize("since, years", [(date(2019, 6, 1), 6), (date(2019, 6, 2), 5), (date(2024, 2, 29), 1),
                                          (date(2025, 6, 2), 0)])
def test_waiting_years_are_whole_years(since, years):
    assert whole_years(since, ON) == years


def test_arrivals_are_the_applicants_whose_first_bid_fell_in_the_last_year(corporation_data):
    """A bid shows who started looking: registered long ago or last month, what counts is the first bid."""
    a = corporation_data["a"]
    dwelling = corporation_data["new"].dwellings[0]
    listing = Listing.objects.create(corporation=a, reference="L-1", dwelling=dwelling, base_rent=Decimal("650"))
    earlier = Listing.objects.create(corporation=a, reference="L-0", dwelling=dwelling, base_rent=Decimal("650"),
                                     status="let")
    moment = lambda day: timezone.make_aware(datetime.combine(day, time(12)))  # noqa: E731

    def bid(code, on_listing, day):
        Bid.objects.create(corporation=a, listing=on_listing, applicant=Applicant.objects.get(external_id=code),
                           preference=1, submitted_at=moment(day))

    bid("A-OLD1", listing, date(2025, 3, 1))  # registered in 2019, first bid this year: a new seeker (P)
    bid("A-R1", listing, ON)  # registered and bid this year, on the last day of the window (V)
    bid("A-OLD2", earlier, date(2024, 5, 31))  # first bid the year before: already looking
    bid("A-OLD2", listing, date(2025, 3, 1))
    bid("A-FUTURE", listing, ON + timedelta(days=1))  # after ON
    built = build_scenario(a, on=ON)
    # A-R2 and A-R3 registered this year but never bid: not counted.
    assert built.document["arrivals"] == {"V": 1, "P": 1, "O": 0}
    assert not any("geen reacties" in problem for problem in built.problems)
    assert "voor het eerst" in estimate(built, "arrivals.P").note
