"""The simulation's result: runs combined per policy into `buurtbalans.simulation-result/1` (issue 15).

Per policy and year each measure has its mean, 5th and 95th percentile over the runs (numpy's linear
interpolation), rounded to 6 decimals. A measure that is undefined in a run (a median waiting time in a year
without lettings to that type, dissimilarity_V without any V household) leaves that run out; when it is undefined
in every run, mean, p5 and p95 are null. `run0_final` gives run 0's households per complex at the end;
`complexes` gives per complex (scenario order) its `over_target_chance` per year: the share of runs in which its
V share is over target_V_max_share at that year's end (the test of complexes_over_V_target), 6 decimals. It is
summed from whole counts per chunk, so it too does not depend on how the runs were split.

The document depends only on the per-run arrays in run order, never on how the runs were split over processes:
that is what makes `--workers K` and one process byte for byte the same.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from buurtbalans.engine.simulation.model import MEASURES, Chunk
from buurtbalans.engine.simulation.scenario import Scenario

RESULT_FORMAT = "buurtbalans.simulation-result/1"
DECIMALS = 6


def _number(value: float) -> float | int:
    rounded = round(float(value), DECIMALS)
    return 0.0 if rounded == 0 else rounded  # no "-0.0"


def summarise(values: np.ndarray) -> dict[str, float | None]:
    """Mean, p5 and p95 of one measure over the runs (NaN: undefined in that run)."""
    defined = values[~np.isnan(values)]
    if defined.size == 0:
        return {"mean": None, "p5": None, "p95": None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        p5, p95 = np.percentile(defined, [5, 95])
    return {"mean": _number(defined.mean()), "p5": _number(p5), "p95": _number(p95)}


def combine(chunks: Sequence[Chunk], policies: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per policy: the runs' measures, run 0's final state and the runs over target per year and complex.

    The measures of all runs in run order (runs, years, MEASURES); per year and complex (years, C) the number of
    runs in which the complex is over its V target at the year end.
    """
    combined = []
    for p in range(policies):
        own = sorted((c for c in chunks if c.policy_index == p), key=lambda c: c.start)
        finals = [c.final for c in own if c.final is not None]
        if not own or own[0].start != 0 or not finals:
            raise ValueError(f"the chunks of policy {p} do not start at run 0")
        for before, after in zip(own, own[1:], strict=False):
            if before.stop != after.start:
                raise ValueError(f"the chunks of policy {p} leave a gap at run {before.stop}")
        over_target = np.sum([c.over_target for c in own], axis=0, dtype=np.int64)
        combined.append((np.concatenate([c.measures for c in own]), finals[0], over_target))
    return combined


def result_document(scenario: Scenario, runs: int, seed: int, chunks: Sequence[Chunk]) -> dict[str, Any]:
    """The `buurtbalans.simulation-result/1` document (docs/simulation.md, "The file contract")."""
    policies = []
    for policy, (measures, final, over_target) in zip(
        scenario.policies, combine(chunks, len(scenario.policies)), strict=True
    ):
        chances = over_target / measures.shape[0]
        years = []
        for t in range(scenario.years):
            row: dict[str, Any] = {"year": scenario.start_year + t}
            for k, name in enumerate(MEASURES):
                row[name] = summarise(measures[:, t, k])
            years.append(row)
        policies.append(
            {
                "name": policy.name,
                "kind": policy.kind,
                "years": years,
                "run0_final": [
                    {"complex": c.complex_id, "V": int(final[0, i]), "P": int(final[1, i]), "O": int(final[2, i])}
                    for i, c in enumerate(scenario.complexes)
                ],
                "complexes": [
                    {"complex": c.complex_id, "over_target_chance": [_number(x) for x in chances[:, i]]}
                    for i, c in enumerate(scenario.complexes)
                ],
            }
        )
    return {"format": RESULT_FORMAT, "runs": runs, "seed": seed, "policies": policies}


def dump(document: dict[str, Any]) -> str:
    """The document as text: indented JSON, keys in contract order, ending in a newline."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
