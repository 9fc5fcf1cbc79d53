"""Policy simulation: a multi-year Monte Carlo of turnover and letting per complex under a letting policy (issue 15).

- `parse_scenario` (scenario.py): the `buurtbalans.simulation/1` scenario, every problem listed (`ScenarioError`).
- `simulate_run` / `simulate_chunk` (model.py): the yearly step and the runs, seeded per run.
- `label_counts` (policies.py): open, quota, room_check and plan (`engine.labelling.plan_labels` each year).
- `simulate`, `local_cluster`, `connect` (runner.py): in one process or on a Dask cluster, the same result.
- `result_document` (result.py): `buurtbalans.simulation-result/1`, mean / p5 / p95 per measure and year.
Model, assumptions and limits: docs/simulation.md.
"""

from buurtbalans.engine.simulation.model import (
    MEASURES,
    Chunk,
    Prepared,
    RunResult,
    dissimilarity,
    expected_open_vulnerable,
    prepare,
    run_seed_sequences,
    simulate_chunk,
    simulate_run,
)
from buurtbalans.engine.simulation.policies import SimulationError, label_counts
from buurtbalans.engine.simulation.result import RESULT_FORMAT, combine, dump, result_document, summarise
from buurtbalans.engine.simulation.runner import chunk_bounds, connect, local_cluster, simulate
from buurtbalans.engine.simulation.scenario import (
    KINDS,
    LABELS,
    SCENARIO_FORMAT,
    TYPES,
    ComplexState,
    Policy,
    Scenario,
    ScenarioError,
    parse_scenario,
)

__all__ = [
    "KINDS",
    "LABELS",
    "MEASURES",
    "RESULT_FORMAT",
    "SCENARIO_FORMAT",
    "TYPES",
    "Chunk",
    "ComplexState",
    "Policy",
    "Prepared",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SimulationError",
    "chunk_bounds",
    "combine",
    "connect",
    "dissimilarity",
    "dump",
    "expected_open_vulnerable",
    "label_counts",
    "local_cluster",
    "parse_scenario",
    "prepare",
    "result_document",
    "run_seed_sequences",
    "simulate",
    "simulate_chunk",
    "simulate_run",
    "summarise",
]
