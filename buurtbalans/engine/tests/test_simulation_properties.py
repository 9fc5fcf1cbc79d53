"""Properties of the policy simulation that hold for every scenario, policy and seed (issue 15)."""

from decimal import Decimal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtbalans.engine.simulation import (
    MEASURES,
    parse_scenario,
    prepare,
    run_seed_sequences,
    simulate,
    simulate_chunk,
    simulate_run,
)

M = {name: k for k, name in enumerate(MEASURES)}
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def shares(places=2):
    return st.integers(0, 10**places).map(lambda n: str(Decimal(n) / 10**places))


@st.composite
def distribution(draw):
    v = draw(st.integers(0, 100))
    p = draw(st.integers(0, 100 - v))
    return {"V": str(Decimal(v) / 100), "P": str(Decimal(p) / 100), "O": str(Decimal(100 - v - p) / 100)}


@st.composite
def complex_rows(draw, i):
    dwellings = draw(st.integers(1, 60))
    v = draw(st.integers(0, dwellings))
    p = draw(st.integers(0, dwellings - v))
    return {
        "id": f"K{draw(st.integers(0, 5))}-{i}",
        "dwellings": dwellings,
        "V": v,
        "P": p,
        "O": dwellings - v - p,
        "turnover": draw(shares()),
        "target_V_max_share": draw(shares()),
        "target_P_max_share": draw(shares()),
    }


@st.composite
def policies(draw):
    kind = draw(st.sampled_from(["open", "quota", "room_check", "plan"]))
    policy = {"name": kind, "kind": kind}
    if kind == "quota":
        policy["reserved_share"] = draw(shares())
    if kind in ("room_check", "plan"):
        policy["min_vulnerable_placements"] = draw(st.integers(0, 30))
    return policy


@st.composite
def scenarios(draw):
    count = draw(st.integers(1, 6))
    return {
        "format": "buurtbalans.simulation/1",
        "start_year": 2026,
        "years": draw(st.integers(1, 4)),
        "complexes": [draw(complex_rows(i)) for i in range(count)],
        "inflow": {label: draw(distribution()) for label in ("OPEN", "NO_VULNERABLE", "RESERVED_VULNERABLE")},
        "arrivals": {t: draw(st.integers(0, 20)) for t in "VPO"},
        "initial_queue": {t: draw(st.lists(st.integers(0, 10), max_size=15)) for t in "VPO"},
        "policies": [draw(policies())],
    }


@PROPERTY
@given(document=scenarios(), seed=st.integers(0, 2**32), runs=st.integers(1, 3))
def test_every_dwelling_holds_one_household_at_every_year_end(document, seed, runs):
    """V + P + O = dwellings in every complex, run and year; no count below 0; every letting counted once."""
    scenario = parse_scenario(document)
    prepared = prepare(scenario)
    dwellings = prepared.dwellings
    for sequence in run_seed_sequences(seed, runs):
        result = simulate_run(prepared, scenario.policies[0], sequence)
        assert (result.final >= 0).all()
        assert (result.final.sum(axis=0) == dwellings).all()
        measures = result.measures
        lettings = measures[:, [M["lettings_V"], M["lettings_P"], M["lettings_O"]]]
        assert (lettings >= 0).all()
        assert (lettings.sum(axis=1) <= dwellings.sum()).all()
        assert (measures[:, M["complexes_over_V_target"]] <= len(dwellings)).all()
        assert ((measures[:, M["mean_V_share"]] >= 0) & (measures[:, M["mean_V_share"]] <= 1)).all()
        queues = measures[:, [M["queue_V"], M["queue_P"], M["queue_O"]]]
        assert (queues >= 0).all()


@PROPERTY
@given(document=scenarios(), seed=st.integers(0, 2**32))
def test_a_longer_simulation_leaves_the_earlier_years_as_they_were(document, seed):
    """Years are drawn in order from the run's stream: simulating one year more changes none before it."""
    longer = parse_scenario({**document, "years": document["years"] + 1})
    scenario = parse_scenario(document)
    short = simulate_run(prepare(scenario), scenario.policies[0], run_seed_sequences(seed, 1)[0])
    long = simulate_run(prepare(longer), longer.policies[0], run_seed_sequences(seed, 1)[0])
    assert np.array_equal(short.measures, long.measures[: scenario.years], equal_nan=True)


@PROPERTY
@given(document=scenarios(), seed=st.integers(0, 2**32), runs=st.integers(1, 6))
def test_the_chance_to_exceed_the_target_agrees_with_the_complexes_over_it(document, seed, runs):
    """Each complex's chance lies in [0, 1], and the mean chance over the complexes is the mean number of
    complexes over their target divided by the number of complexes (the same runs, the same test)."""
    scenario = parse_scenario(document)
    complexes = len(scenario.complexes)
    chunk = simulate_chunk(scenario, 0, seed, runs, 0, runs)
    # Exactly, in whole counts: each run's complexes over target, summed over the runs, per year.
    over = chunk.measures[:, :, M["complexes_over_V_target"]].sum(axis=0)
    assert chunk.over_target.sum(axis=1).tolist() == over.tolist()
    # In the document, within the rounding to 6 decimals.
    result = simulate(scenario, runs=runs, seed=seed)["policies"][0]
    chances = np.array([row["over_target_chance"] for row in result["complexes"]])  # (complexes, years)
    assert ((chances >= 0) & (chances <= 1)).all()
    for t, year in enumerate(result["years"]):
        mean = year["complexes_over_V_target"]["mean"]
        assert abs(chances[:, t].mean() - mean / complexes) <= 1e-6
