"""The yearly step of the policy simulation and the runs (issue 15; docs/simulation.md, "The model").

One run, per year t (calendar year start_year + t), in this order of random draws:
  1. New seekers join each type's queue with waiting 0: Poisson with mean `arrivals[type]`.
  2. Move-outs: per complex and type a binomial draw with the complex's `turnover` probability.
  3. Labels: every vacancy gets a label from the policy (`policies.label_counts`; quota draws which vacancies).
  4. Inflow: per complex and label a multinomial draw of the incoming households' types from `inflow[label]`.
     The complex ends the year full again: V + P + O = dwellings.
  5. Lettings: the year's lettings to a type go to that type's longest-waiting seekers and record their waiting
     years; a letting finding the queue empty records 0 (the household came from outside the queue).
  6. Everyone still queued waits one year more.
  7. The measures at the end of the year (MEASURES).

Run r draws from `numpy.random.default_rng(numpy.random.SeedSequence(seed).spawn(runs)[r])`, so a run's result
does not depend on which chunk or worker computes it. Every policy's run r starts from the same stream (common
random numbers), which makes the comparison between policies sharper. The model is vectorised with numpy over
the complexes; the runs are a loop (each has its own generator).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from buurtbalans.engine.simulation.policies import label_counts
from buurtbalans.engine.simulation.scenario import LABELS, Policy, Scenario

MEASURES = (
    "complexes_over_V_target",
    "mean_V_share",
    "dissimilarity_V",
    "lettings_V",
    "lettings_P",
    "lettings_O",
    "median_wait_V",
    "median_wait_P",
    "median_wait_O",
    "queue_V",
    "queue_P",
    "queue_O",
)


@dataclass(frozen=True)
class Prepared:
    """The scenario as numpy arrays, made once per process or chunk.

    `v_limit` is target_V_max_share x dwellings exactly, in units of 1/`scale` household (scale = 10^9): the
    room check and complexes_over_V_target compare V x scale with it, so a share exactly at its target is at it.
    `id_order` lists the complexes by id (ties in the room check's order). `queue` holds per type a histogram
    of the initial queue by waiting years, long enough for every year of the run.
    """

    scenario: Scenario
    dwellings: np.ndarray
    households: np.ndarray  # (3, C): V, P, O at the start
    turnover: np.ndarray
    v_limit: np.ndarray
    scale: int
    id_order: np.ndarray
    inflow: dict[str, np.ndarray]
    arrivals: np.ndarray
    queue: np.ndarray  # (3, W)


def prepare(scenario: Scenario) -> Prepared:
    """The scenario's arrays (see `Prepared`)."""
    complexes = scenario.complexes
    scale = 10**9
    wait_bins = max((max(q, default=0) for q in scenario.initial_queue), default=0) + scenario.years + 2
    queue = np.zeros((3, wait_bins), dtype=np.int64)
    for t, waits in enumerate(scenario.initial_queue):
        if waits:
            queue[t] += np.bincount(np.asarray(waits, dtype=np.int64), minlength=wait_bins)
    return Prepared(
        scenario=scenario,
        dwellings=np.array([c.dwellings for c in complexes], dtype=np.int64),
        households=np.array([[c.V for c in complexes], [c.P for c in complexes], [c.O for c in complexes]],
                            dtype=np.int64),
        turnover=np.array([float(c.turnover) for c in complexes], dtype=np.float64),
        v_limit=np.array([int(c.target_V_max_share * c.dwellings * scale) for c in complexes], dtype=np.int64),
        scale=scale,
        id_order=np.array(sorted(range(len(complexes)), key=lambda i: complexes[i].complex_id), dtype=np.int64),
        inflow={label: np.array([float(p) for p in shares]) for label, shares in scenario.inflow.items()},
        arrivals=np.array([float(mean) for mean in scenario.arrivals]),
        queue=queue,
    )


@dataclass(frozen=True)
class RunResult:
    """One run: its measures per year, its final state and which complexes end each year over their target.

    `measures` (years, MEASURES) is NaN where a measure is undefined; `final` (3, C) the households per type at
    the end; `over_target` (years, C) whether the complex's V share is over its target at the year end.
    """

    measures: np.ndarray
    final: np.ndarray
    over_target: np.ndarray


def simulate_run(prepared: Prepared, policy: Policy, seed_sequence: np.random.SeedSequence) -> RunResult:
    """One run of one policy over the scenario's years (steps in the module docstring).

    Args:
        prepared: the scenario's arrays (`prepare`).
        policy: the letting policy.
        seed_sequence: this run's child of `SeedSequence(seed)`.

    Returns:
        The measures per year and the households per type and complex at the end.

    Raises:
        SimulationError: the policy could not label a year's vacancies (plan: the solver stopped).
    """
    rng = np.random.default_rng(seed_sequence)
    scenario = prepared.scenario
    state = prepared.households.copy()
    queue = prepared.queue.copy()
    dwellings = prepared.dwellings
    measures = np.full((scenario.years, len(MEASURES)), np.nan)
    over_target = np.zeros((scenario.years, len(dwellings)), dtype=bool)
    used_labels = [label for label in LABELS if label in prepared.inflow]
    for t in range(scenario.years):
        queue[:, 0] += rng.poisson(prepared.arrivals)
        start = state.copy()
        moved = rng.binomial(state, prepared.turnover)
        state -= moved
        vacancies = moved.sum(axis=0)
        counts = label_counts(prepared, policy, scenario.start_year + t, start, moved, vacancies, rng)
        let = np.zeros(3, dtype=np.int64)
        for label in used_labels:
            n = counts[:, LABELS.index(label)]
            if not n.any():
                continue
            incoming = rng.multinomial(n, prepared.inflow[label])  # (C, 3)
            state += incoming.T
            let += incoming.sum(axis=0)
        row = measures[t]
        for k in range(3):
            row[6 + k] = _let_from_queue(queue[k], int(let[k]))
        queue[:, 1:] = queue[:, :-1].copy()
        queue[:, 0] = 0
        v = state[0]
        over = over_target[t]
        np.greater(v * prepared.scale, prepared.v_limit, out=over)
        row[0] = np.count_nonzero(over)
        row[1] = float(np.mean(v / dwellings))
        row[2] = dissimilarity(v, state[1] + state[2])
        row[3:6] = let
        row[9:12] = queue.sum(axis=1)
    return RunResult(measures=measures, final=state, over_target=over_target)


def dissimilarity(v: np.ndarray, others: np.ndarray) -> float:
    """½ Σ_c |V_c / V - (P_c + O_c) / (P + O)|; NaN when V or P + O is 0 (the index is not defined)."""
    total_v, total_others = int(v.sum()), int(others.sum())
    if total_v == 0 or total_others == 0:
        return float("nan")
    return float(0.5 * np.abs(v / total_v - others / total_others).sum())


def _let_from_queue(queue: np.ndarray, lettings: int) -> float:
    """Let `lettings` dwellings to one type's longest-waiting seekers; the median waiting years of those lettings.

    The seekers are taken out of `queue`, a histogram by waiting years; a letting that finds the queue empty
    counts 0 years. NaN without lettings.
    """
    if lettings == 0:
        return float("nan")
    from_top = queue[::-1]
    before = np.concatenate(([0], np.cumsum(from_top)[:-1]))
    taken = np.clip(lettings - before, 0, from_top)[::-1].copy()
    queue -= taken
    taken[0] += lettings - int(taken.sum())
    cumulative = np.cumsum(taken)
    low = int(np.searchsorted(cumulative, (lettings - 1) // 2, side="right"))
    high = int(np.searchsorted(cumulative, lettings // 2, side="right"))
    return (low + high) / 2


@dataclass(frozen=True)
class Chunk:
    """Runs start .. stop - 1 of one policy.

    Its measures (runs, years, MEASURES); `over_target` (years, complexes): in how many of the chunk's runs each
    complex's V share is over its target at each year end (whole counts, so chunks add up exactly in any order);
    and, for the chunk holding run 0, run 0's final state.
    """

    policy_index: int
    start: int
    stop: int
    measures: np.ndarray
    final: np.ndarray | None
    over_target: np.ndarray


def run_seed_sequences(seed: int, runs: int) -> list[np.random.SeedSequence]:
    """The issue's seeding: run r draws from SeedSequence(seed).spawn(runs)[r]."""
    return np.random.SeedSequence(seed).spawn(runs)


def simulate_chunk(
    scenario: Scenario | Prepared,
    policy_index: int,
    seed: int,
    runs: int,
    start: int,
    stop: int,
    on_progress: Callable[[int], None] | None = None,
) -> Chunk:
    """Runs start .. stop - 1 (of `runs`) of the scenario's policy `policy_index`, seeded as the issue says.

    A chunk's result depends only on its arguments, so chunks computed anywhere combine, in run order, into the
    same result as one process computing all runs.

    Args:
        scenario: the scenario, or its arrays (`prepare`) when many chunks run in one process.
        policy_index: which of the scenario's policies.
        seed: the root seed.
        runs: the number of runs in the whole simulation (the seeds depend on it).
        start: the first run of this chunk.
        stop: one past the last run of this chunk.
        on_progress: called with 1 after each run.

    Returns:
        The chunk's measures and, when it holds run 0, run 0's final state.
    """
    prepared = scenario if isinstance(scenario, Prepared) else prepare(scenario)
    policy = prepared.scenario.policies[policy_index]
    sequences = run_seed_sequences(seed, runs)[start:stop]
    years, complexes = prepared.scenario.years, len(prepared.dwellings)
    measures = np.empty((len(sequences), years, len(MEASURES)))
    over_target = np.zeros((years, complexes), dtype=np.int64)
    final = None
    for k, sequence in enumerate(sequences):
        result = simulate_run(prepared, policy, sequence)
        measures[k] = result.measures
        over_target += result.over_target
        if start == 0 and k == 0:
            final = result.final
        if on_progress:
            on_progress(1)
    return Chunk(policy_index, start, stop, measures, final, over_target)


def expected_open_vulnerable(v: float, dwellings: int, turnover: Decimal | float, inflow_v: Decimal | float) -> float:
    """The closed form for `open`: E[V_t+1] = V_t (1 - τ) + τ · dwellings · inflow_V (issue 15)."""
    tau = float(turnover)
    return v * (1 - tau) + tau * dwellings * float(inflow_v)
