"""Benchmark: a labelling plan for a year of vacancies of a 100k-dwelling corporation (issue 5: at most 10 s).

    .venv/bin/python benchmarks/label_plan.py [--complexes 1500] [--dwellings 100000] [--vacancies 7000] [--seed 1]

Generates a corporation deterministically (a seed): complexes of 10-250 dwellings summing to about --dwellings,
each with its own vulnerable and primary-band shares around the limits (so many complexes are over a limit and
the program has real choices), and --vacancies re-lettings spread over the complexes in proportion to their size.
Then it times, like `buurtbalans plan_labels` does, (1) reading and checking the input file, (2) the plan
(rents, the three HiGHS solves, labels and explanations) and (3) writing the result file, and prints the
objective, the counts per label and the peak memory. Exit code 1 when the whole run takes more than --target s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import highspy

from buurtbalans.engine.labelling import plan_labels
from buurtbalans.engine.parameters import builtin_parameter_set
from buurtbalans.steering.planfile import read_plan_input, write_plan_result


def generate(*, complexes: int, dwellings: int, vacancies: int, seed: int) -> dict:
    """A `buurtbalans.label-plan/1` document (see docs/labelling.md)."""
    rng = random.Random(seed)
    weights = [rng.uniform(10, 250) for _ in range(complexes)]
    scale = dwellings / sum(weights)
    sizes = [max(10, round(w * scale)) for w in weights]
    complex_rows = []
    for c, households in enumerate(sizes):
        vulnerable_share = min(0.6, max(0.0, rng.gauss(0.18, 0.08)))
        primary_share = min(0.95, max(0.2, rng.gauss(0.68, 0.1)))
        complex_rows.append(
            {
                "id": f"C{c:05d}",
                "households": households,
                "vulnerable": round(households * vulnerable_share),
                "primary": round(households * primary_share),
                "target_vulnerable_max_share": rng.choice(["0.15", "0.20", "0.25"]),
                "target_primary_max_share": rng.choice(["0.65", "0.70", "0.75"]),
            }
        )
    picks = rng.choices(range(complexes), weights=sizes, k=vacancies)
    leaving: Counter[tuple[int, str]] = Counter()
    vacancy_rows = []
    for v, c in enumerate(picks):
        row = complex_rows[c]
        if leaving[(c, "any")] >= row["households"]:
            continue  # a complex cannot have more vacancies than dwellings
        leaving[(c, "any")] += 1
        is_vulnerable = leaving[(c, "vulnerable")] < row["vulnerable"] and rng.random() < 0.2
        is_primary = leaving[(c, "primary")] < row["primary"] and rng.random() < 0.65
        leaving[(c, "vulnerable")] += is_vulnerable
        leaving[(c, "primary")] += is_primary
        base_cents = rng.randint(52_000, 88_000)
        vacancy_rows.append(
            {
                "id": f"V{v:06d}",
                "complex": row["id"],
                "base_rent": f"{base_cents / 100:.2f}",
                "max_base_rent": f"{(base_cents + rng.randint(-5_000, 40_000)) / 100:.2f}",
                "is_daeb": rng.random() < 0.85,
                "household_size_min": rng.choice([1, 1, 1, 2, 2, 3, 4]),
                "leaving_household_vulnerable": is_vulnerable,
                "leaving_household_primary": is_primary,
            }
        )
    return {
        "format": "buurtbalans.label-plan/1",
        "reference_date": "2025-01-01",
        "policy": {
            "min_vulnerable_placements": round(0.12 * len(vacancy_rows)),
            "min_affordable_share": "0.9",
            "p_open": "0.25",
            "p_above": "0.05",
            "q_open": "0.75",
            "q_reserved": "0.9",
            "q_above": "0.2",
        },
        "exception_budget_left": 12,
        "complexes": complex_rows,
        "vacancies": vacancy_rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--complexes", type=int, default=1500)
    parser.add_argument("--dwellings", type=int, default=100_000)
    parser.add_argument("--vacancies", type=int, default=7000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target", type=float, default=10.0, help="seconds allowed for the whole run")
    parser.add_argument(
        "--write-input", type=Path, default=None, help="also save the generated input here (to time the command)"
    )
    args = parser.parse_args(argv)

    document = generate(complexes=args.complexes, dwellings=args.dwellings, vacancies=args.vacancies, seed=args.seed)
    if args.write_input:
        args.write_input.write_text(json.dumps(document, indent=1), encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "plan.json", Path(folder) / "result.json"
        source.write_text(json.dumps(document), encoding="utf-8")
        started = time.perf_counter()
        plan_input = read_plan_input(source)
        read_done = time.perf_counter()
        params = builtin_parameter_set(plan_input.reference_date)
        plan = plan_labels(plan_input, params)
        plan_done = time.perf_counter()
        write_plan_result(plan, params, target)
        finished = time.perf_counter()
    labels = Counter(label.label.value for label in plan.labels)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = finished - started
    print(
        f"label plan: {len(plan.labels)} vacancies, {len(plan.complexes)} complexes, "
        f"{sum(c['households'] for c in document['complexes'])} households"
    )
    print(
        f"  read+check {read_done - started:.2f} s, plan {plan_done - read_done:.2f} s "
        f"(of which HiGHS {plan.solver_seconds:.2f} s), write {finished - plan_done:.2f} s, total {total:.2f} s"
    )
    print(
        f"  objective: excess share sum {plan.objective.excess_share_sum:.6f}, above cap {plan.objective.above_cap}, "
        f"open {plan.objective.open}; labels {dict(sorted(labels.items()))}"
    )
    highs = f"{highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}.{highspy.HIGHS_VERSION_PATCH}"
    print(
        f"  machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, HiGHS {highs}; peak memory {peak_mb:.0f} MB"
    )
    if total > args.target:
        print(f"FAIL: {total:.2f} s is more than the target of {args.target:.0f} s")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
