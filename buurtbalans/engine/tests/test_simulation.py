"""The policy simulation's model (issue 15, "Must show"): exact cases, the closed form for `open`, seeding.

No database: scenarios are documents as in docs/simulation.md, read through `parse_scenario`.
"""

import copy
import math
from decimal import Decimal

import numpy as np
import pytest

from buurtbalans.engine.simulation import (
    MEASURES,
    dissimilarity,
    expected_open_vulnerable,
    parse_scenario,
    prepare,
    run_seed_sequences,
    simulate,
    simulate_chunk,
    simulate_run,
)
from buurtbalans.engine.simulation.model import _let_from_queue
from buurtbalans.engine.simulation.scenario import reserved_count

M = {name: k for k, name in enumerate(MEASURES)}


def scenario_document(**changes):
    document = {
        "format": "buurtbalans.simulation/1",
        "start_year": 2026,
        "years": 3,
        "complexes": [
            {"id": "A", "dwellings": 40, "V": 10, "P": 20, "O": 10, "turnover": "0.1",
             "target_V_max_share": "0.20", "target_P_max_share": "0.5"},
            {"id": "B", "dwellings": 100, "V": 10, "P": 50, "O": 40, "turnover": "0.08",
             "target_V_max_share": "0.15", "target_P_max_share": "0.5"},
            {"id": "C", "dwellings": 25, "V": 2, "P": 10, "O": 13, "turnover": "0.2",
             "target_V_max_share": "0.20", "target_P_max_share": "0.6"},
        ],
        "inflow": {
            "OPEN": {"V": "0.2", "P": "0.5", "O": "0.3"},
            "NO_VULNERABLE": {"V": "0.05", "P": "0.6", "O": "0.35"},
            "RESERVED_VULNERABLE": {"V": "1", "P": "0", "O": "0"},
        },
        "arrivals": {"V": 3, "P": 8, "O": 5},
        "initial_queue": {"V": [0, 2, 4], "P": [1, 1, 3], "O": []},
        "policies": [{"name": "open", "kind": "open"}],
    }
    document.update(copy.deepcopy(changes))
    return document


def scenario(**changes):
    return parse_scenario(scenario_document(**changes))


def run_final(sc, policy=0, seed=1, runs=1, run=0):
    return simulate_run(prepare(sc), sc.policies[policy], run_seed_sequences(seed, runs)[run])


ALL_POLICIES = [
    {"name": "open", "kind": "open"},
    {"name": "quota", "kind": "quota", "reserved_share": "0.25"},
    {"name": "room", "kind": "room_check", "min_vulnerable_placements": 2},
    {"name": "plan", "kind": "plan", "min_vulnerable_placements": 2},
]


@pytest.mark.parametrize("policy", ALL_POLICIES, ids=lambda p: p["kind"])
def test_with_turnover_zero_nothing_changes(policy):
    complexes = [dict(c, turnover="0") for c in scenario_document()["complexes"]]
    sc = scenario(complexes=complexes, arrivals={"V": 0, "P": 0, "O": 0}, policies=[policy], years=4)
    result = run_final(sc)
    assert result.final.tolist() == [[10, 10, 2], [20, 50, 10], [10, 40, 13]]
    assert (result.measures[:, [M["lettings_V"], M["lettings_P"], M["lettings_O"]]] == 0).all()
    # No letting, so no waiting time to report; the queues only grow older.
    assert np.isnan(result.measures[:, [M["median_wait_V"], M["median_wait_P"], M["median_wait_O"]]]).all()
    assert result.measures[:, M["queue_V"]].tolist() == [3, 3, 3, 3]
    assert result.measures[:, M["queue_O"]].tolist() == [0, 0, 0, 0]
    assert len(set(result.measures[:, M["dissimilarity_V"]].tolist())) == 1


def test_with_turnover_one_and_certain_inflow_open_lets_every_dwelling_to_that_type():
    complexes = [dict(c, turnover="1") for c in scenario_document()["complexes"]]
    sc = scenario(complexes=complexes, inflow={"OPEN": {"V": 0, "P": 1, "O": 0}})
    result = run_final(sc)
    assert result.final.tolist() == [[0, 0, 0], [40, 100, 25], [0, 0, 0]]
    assert result.measures[:, M["lettings_P"]].tolist() == [165, 165, 165]
    assert result.measures[:, M["complexes_over_V_target"]].tolist() == [0, 0, 0]
    assert np.isnan(result.measures[:, M["dissimilarity_V"]]).all()  # no V household left: not defined


def test_with_turnover_one_room_check_gives_the_exact_end_state():
    """Room check, every household moves each year; OPEN brings an O household, NO_VULNERABLE a P household,
    RESERVED_VULNERABLE a V household, so the end state follows from the rule alone.

    Year 1: A has 10 V of 40 (target 0.20: 8), at or over: all 40 NO_VULNERABLE (40 P). B has room
    0.15 x 100 - 10 = 5, C 0.20 x 25 - 2 = 3: the 4 placements go to B (largest room): 4 V + 96 O; C 25 O.
    Year 2: A has 0 V (room 8), B 4 V (room 11), C 0 V (room 5): B first again; A and C all O.
    """
    complexes = [dict(c, turnover="1") for c in scenario_document()["complexes"]]
    sc = scenario(
        complexes=complexes,
        years=2,
        inflow={
            "OPEN": {"V": 0, "P": 0, "O": 1},
            "NO_VULNERABLE": {"V": 0, "P": 1, "O": 0},
            "RESERVED_VULNERABLE": {"V": 1, "P": 0, "O": 0},
        },
        arrivals={"V": 0, "P": 0, "O": 0},
        initial_queue={"V": [5, 3, 1, 0, 0, 0, 0], "P": [], "O": []},
        policies=[{"name": "room", "kind": "room_check", "min_vulnerable_placements": 4}],
    )
    result = run_final(sc)
    assert result.final.tolist() == [[0, 4, 0], [0, 0, 0], [40, 96, 25]]
    assert result.measures[:, M["lettings_V"]].tolist() == [4, 4]
    assert result.measures[:, M["lettings_P"]].tolist() == [40, 0]
    # Queue V: year 1 lets to the 4 longest waiting (5, 3, 1, 0: median 2); the three left wait 1 year;
    # year 2 lets to those 3 (1, 1, 1) and one from outside the queue (0): median 1.
    assert result.measures[:, M["median_wait_V"]].tolist() == [2.0, 1.0]
    assert result.measures[:, M["queue_V"]].tolist() == [3, 0]
    assert result.measures[:, M["median_wait_O"]].tolist() == [0.0, 0.0]  # no O seeker queued: from outside


def test_room_check_breaks_ties_of_room_by_complex_id():
    # Two complexes with the same room (2): "A2" before "B1" whatever their order in the file.
    complexes = [
        {"id": "B1", "dwellings": 20, "V": 2, "P": 8, "O": 10, "turnover": "1",
         "target_V_max_share": "0.2", "target_P_max_share": "0.5"},
        {"id": "A2", "dwellings": 10, "V": 0, "P": 5, "O": 5, "turnover": "1",
         "target_V_max_share": "0.2", "target_P_max_share": "0.5"},
    ]
    sc = scenario(
        complexes=complexes,
        years=1,
        inflow={"OPEN": {"V": 0, "P": 0, "O": 1}, "NO_VULNERABLE": {"V": 0, "P": 1, "O": 0},
                "RESERVED_VULNERABLE": {"V": 1, "P": 0, "O": 0}},
        policies=[{"name": "room", "kind": "room_check", "min_vulnerable_placements": 12}],
    )
    # A2 gets all 10 of its vacancies reserved first, then B1 the 2 still needed.
    assert run_final(sc).final.tolist() == [[2, 10], [0, 0], [18, 0]]


def test_a_share_exactly_at_the_target_counts_as_at_it():
    # 0.15 x 20 = 3 exactly (a float product would be 3.0000000000000004): V = 3 is at the target.
    complexes = [{"id": "A", "dwellings": 20, "V": 3, "P": 7, "O": 10, "turnover": "1",
                  "target_V_max_share": "0.15", "target_P_max_share": "0.5"}]
    sc = scenario(
        complexes=complexes,
        years=1,
        inflow={"OPEN": {"V": 1, "P": 0, "O": 0}, "NO_VULNERABLE": {"V": 0, "P": 1, "O": 0},
                "RESERVED_VULNERABLE": {"V": 1, "P": 0, "O": 0}},
        policies=[{"name": "room", "kind": "room_check", "min_vulnerable_placements": 0}],
    )
    assert run_final(sc).final.tolist() == [[0], [20], [0]]


@pytest.mark.parametrize(("share", "vacancies", "expected"), [("0.25", 165, 41), ("0.1", 165, 17), ("0.5", 3, 2),
                                                                ("0", 100, 0), ("1", 7, 7)])
def test_quota_reserves_its_share_of_the_year_s_vacancies_rounded_half_up(share, vacancies, expected):
    assert reserved_count(Decimal(share), vacancies) == expected


def test_quota_with_turnover_one_lets_exactly_its_share_to_vulnerable_households():
    complexes = [dict(c, turnover="1") for c in scenario_document()["complexes"]]
    sc = scenario(
        complexes=complexes,
        inflow={"OPEN": {"V": 0, "P": 1, "O": 0}, "RESERVED_VULNERABLE": {"V": 1, "P": 0, "O": 0}},
        policies=[{"name": "quota", "kind": "quota", "reserved_share": "0.25"}],
    )
    for run in range(3):
        result = run_final(sc, runs=3, run=run)
        assert result.measures[:, M["lettings_V"]].tolist() == [41, 41, 41]
        assert result.final[0].sum() == 41


def test_plan_places_at_least_the_minimum_each_year():
    sc = scenario(
        years=4,
        inflow={"OPEN": {"V": "0.2", "P": "0.5", "O": "0.3"}, "NO_VULNERABLE": {"V": 0, "P": "0.6", "O": "0.4"},
                "RESERVED_VULNERABLE": {"V": 1, "P": 0, "O": 0}},
        policies=[{"name": "plan", "kind": "plan", "min_vulnerable_placements": 3}],
    )
    for run in range(5):
        result = run_final(sc, runs=5, run=run)
        # Every RESERVED_VULNERABLE vacancy brings a V household: at least 3, or all vacancies in a quiet year.
        assert (result.measures[:, M["lettings_V"]] >= 3).all()


def test_plan_keeps_fewer_complexes_over_their_target_than_open_letting():
    sc = scenario(
        years=5,
        inflow={"OPEN": {"V": "0.3", "P": "0.4", "O": "0.3"}, "NO_VULNERABLE": {"V": 0, "P": "0.5", "O": "0.5"},
                "RESERVED_VULNERABLE": {"V": 1, "P": 0, "O": 0}},
        policies=[{"name": "open", "kind": "open"}, {"name": "plan", "kind": "plan", "min_vulnerable_placements": 0}],
    )
    over = [simulate_chunk(sc, p, 3, 40, 0, 40).measures[:, -1, M["complexes_over_V_target"]].mean() for p in (0, 1)]
    assert over[1] < over[0]


@pytest.mark.parametrize(
    ("queue", "lettings", "median", "left"),
    [
        ([0, 0, 0, 0], 0, None, [0, 0, 0, 0]),
        ([1, 0, 2, 1], 1, 3.0, [1, 0, 2, 0]),  # the longest waiting first
        ([1, 0, 2, 1], 2, 2.5, [1, 0, 1, 0]),  # waits 3 and 2
        ([1, 0, 2, 1], 3, 2.0, [1, 0, 0, 0]),
        ([1, 0, 2, 1], 4, 2.0, [0, 0, 0, 0]),  # waits 0, 2, 2, 3
        ([1, 0, 0, 0], 3, 0.0, [0, 0, 0, 0]),  # an empty queue: the others wait 0
        ([0, 0, 0, 2], 3, 3.0, [0, 0, 0, 0]),
    ],
)
def test_lettings_go_to_the_longest_waiting_and_record_the_median_wait(queue, lettings, median, left):
    histogram = np.array(queue, dtype=np.int64)
    result = _let_from_queue(histogram, lettings)
    assert (math.isnan(result) if median is None else result == median)
    assert histogram.tolist() == left


def test_dissimilarity_is_half_the_sum_of_share_differences():
    v, others = np.array([10, 0, 30]), np.array([10, 40, 50])
    # V shares 0.25, 0, 0.75; others 0.1, 0.4, 0.5: ½ (0.15 + 0.4 + 0.25) = 0.4
    assert dissimilarity(v, others) == pytest.approx(0.4)
    assert dissimilarity(np.array([5, 5]), np.array([5, 5])) == 0
    assert math.isnan(dissimilarity(np.array([0, 0]), np.array([3, 4])))


def test_means_over_many_runs_match_the_closed_form_for_open_within_three_standard_errors():
    """E[V_t+1] = V_t (1 - τ) + τ · dwellings · inflow_V (issue 15), per complex and, through mean_V_share, per year."""
    sc = scenario(years=5)
    runs = 2000
    finals = np.stack([simulate_run(prepare(sc), sc.policies[0], s).final[0] for s in run_seed_sequences(11, runs)])
    chunk = simulate_chunk(sc, 0, 11, runs, 0, runs)
    inflow_v = sc.inflow["OPEN"][0]
    expected = []
    for c in sc.complexes:
        v = float(c.V)
        per_year = []
        for _ in range(sc.years):
            v = expected_open_vulnerable(v, c.dwellings, c.turnover, inflow_v)
            per_year.append(v / c.dwellings)
        expected.append(per_year)
    for i, c in enumerate(sc.complexes):
        mean, error = finals[:, i].mean(), finals[:, i].std(ddof=1) / math.sqrt(runs)
        assert abs(mean - expected[i][-1] * c.dwellings) <= 3 * error, c.complex_id
    shares = chunk.measures[:, :, M["mean_V_share"]]
    for t in range(sc.years):
        closed = sum(expected[i][t] for i in range(len(sc.complexes))) / len(sc.complexes)
        error = shares[:, t].std(ddof=1) / math.sqrt(runs)
        assert abs(shares[:, t].mean() - closed) <= 3 * error, t


def test_the_same_seed_gives_the_same_result_and_another_seed_another():
    sc = scenario(policies=ALL_POLICIES)
    first = simulate(sc, runs=8, seed=5)
    assert simulate(sc, runs=8, seed=5) == first
    assert simulate(sc, runs=8, seed=6) != first


def test_a_run_does_not_depend_on_the_chunk_that_computes_it():
    sc = scenario(policies=ALL_POLICIES)
    whole = simulate_chunk(sc, 2, 9, 10, 0, 10)
    parts = [simulate_chunk(sc, 2, 9, 10, a, b) for a, b in ((0, 3), (3, 4), (4, 10))]
    assert np.array_equal(np.concatenate([p.measures for p in parts]), whole.measures, equal_nan=True)
    assert np.array_equal(parts[0].final, whole.final)
    assert parts[1].final is None
    assert np.array_equal(sum(p.over_target for p in parts), whole.over_target)


@pytest.mark.parametrize("policy", ALL_POLICIES, ids=lambda p: p["kind"])
def test_with_turnover_zero_a_complex_over_its_target_stays_over_it_in_every_run(policy):
    """A: 10 of 40 V (0.25 > 0.20) is over its target every year, B (0.10 < 0.15) and C (0.08 < 0.20) never."""
    complexes = [dict(c, turnover="0") for c in scenario_document()["complexes"]]
    sc = scenario(complexes=complexes, policies=[policy], years=4)
    document = simulate(sc, runs=7, seed=3)
    assert document["policies"][0]["complexes"] == [
        {"complex": "A", "over_target_chance": [1.0, 1.0, 1.0, 1.0]},
        {"complex": "B", "over_target_chance": [0.0, 0.0, 0.0, 0.0]},
        {"complex": "C", "over_target_chance": [0.0, 0.0, 0.0, 0.0]},
    ]


def test_the_chance_to_exceed_the_target_is_the_share_of_runs_over_it():
    """Per complex and year: runs over the target / runs, from the same runs as complexes_over_V_target."""
    sc = scenario(policies=ALL_POLICIES[:3], years=4)
    runs = 30
    document = simulate(sc, runs=runs, seed=11)
    prepared = prepare(sc)
    for p, policy in enumerate(sc.policies):
        over = np.zeros((sc.years, len(sc.complexes)), dtype=int)
        for sequence in run_seed_sequences(11, runs):
            over += simulate_run(prepared, policy, sequence).over_target
        chances = [row["over_target_chance"] for row in document["policies"][p]["complexes"]]
        assert chances == [[round(n / runs, 6) for n in over[:, i]] for i in range(len(sc.complexes))]


def test_the_result_gives_mean_p5_and_p95_per_measure_and_year():
    sc = scenario(policies=ALL_POLICIES[:2])
    document = simulate(sc, runs=20, seed=1)
    assert document["format"] == "buurtbalans.simulation-result/1"
    assert (document["runs"], document["seed"]) == (20, 1)
    assert [p["name"] for p in document["policies"]] == ["open", "quota"]
    year = document["policies"][0]["years"][0]
    assert year["year"] == 2026
    assert set(year) == {"year", *MEASURES}
    for name in MEASURES:
        band = year[name]
        assert band["p5"] <= band["mean"] <= band["p95"], name
    assert [row["complex"] for row in document["policies"][0]["run0_final"]] == ["A", "B", "C"]
    assert [row["complex"] for row in document["policies"][0]["complexes"]] == ["A", "B", "C"]
    assert all(len(row["over_target_chance"]) == sc.years for row in document["policies"][0]["complexes"])
