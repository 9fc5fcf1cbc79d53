"""Benchmark: the policy simulation (issue 15), in one process and on a two-worker Dask LocalCluster.

    .venv/bin/python benchmarks/simulate_policy.py [--workload room_check|plan|both] [--workers 2] [--seed 1]
                                                   [--runs N] [--skip-single] [--skip-cluster]

Workloads (issue 15, "Must show"):
- room_check: 80,000 dwellings in 1,200 complexes, 10 years, 1,000 runs; target at most 60 s on 2 cores.
- plan: 50 runs of 10 years on about 7,000 vacancies a year (100,000 dwellings in 1,500 complexes, turnover
  around 7 %), the labelling plan solved every year; target at most 6 min on 2 cores.
Each is timed in this process and on a LocalCluster of --workers processes started here (its start-up is
timed apart and included in the total), in wall-clock seconds and in CPU seconds per process: on a machine shared
with other work the CPU seconds show what the run itself costs. Both results must be the same document; the
script checks it.
The scenario is generated deterministically from --seed: complexes of 10-250 dwellings with vulnerable shares
around their targets, so many complexes are over a target and the policies have real choices.
Exit code 1 when a target is missed or the two documents differ.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time

from buurtbalans.engine.simulation import dump, local_cluster, parse_scenario, simulate

TARGETS = {"room_check": 60.0, "plan": 360.0}


def generate(*, complexes: int, dwellings: int, turnover: float, kind: str, seed: int) -> dict:
    """A `buurtbalans.simulation/1` document with one policy of `kind` (see docs/simulation.md)."""
    rng = random.Random(seed)
    weights = [rng.uniform(10, 250) for _ in range(complexes)]
    scale = dwellings / sum(weights)
    sizes = [max(10, round(w * scale)) for w in weights]
    rows = []
    for c, size in enumerate(sizes):
        v = round(size * min(0.6, max(0.0, rng.gauss(0.18, 0.08))))
        p = min(size - v, round(size * min(0.9, max(0.1, rng.gauss(0.5, 0.1)))))
        rows.append(
            {
                "id": f"C{c:05d}",
                "dwellings": size,
                "V": v,
                "P": p,
                "O": size - v - p,
                "turnover": f"{min(0.2, max(0.02, rng.gauss(turnover, 0.02))):.3f}",
                "target_V_max_share": rng.choice(["0.15", "0.20", "0.25"]),
                "target_P_max_share": rng.choice(["0.55", "0.60", "0.65"]),
            }
        )
    lettings = sum(sizes) * turnover
    policy = {"name": kind, "kind": kind}
    if kind in ("room_check", "plan"):
        policy["min_vulnerable_placements"] = round(lettings * 0.08)
    return {
        "format": "buurtbalans.simulation/1",
        "start_year": 2026,
        "years": 10,
        "complexes": rows,
        "inflow": {
            "OPEN": {"V": "0.2", "P": "0.5", "O": "0.3"},
            "NO_VULNERABLE": {"V": "0.05", "P": "0.6", "O": "0.35"},
            "RESERVED_VULNERABLE": {"V": "1", "P": "0", "O": "0"},
        },
        "arrivals": {"V": round(lettings * 0.18), "P": round(lettings * 0.5), "O": round(lettings * 0.35)},
        "initial_queue": {
            "V": [rng.randint(0, 6) for _ in range(round(lettings * 0.3))],
            "P": [rng.randint(0, 10) for _ in range(round(lettings * 1.5))],
            "O": [rng.randint(0, 12) for _ in range(round(lettings * 1.2))],
        },
        "policies": [policy],
    }


WORKLOADS = {
    "room_check": {"complexes": 1_200, "dwellings": 80_000, "turnover": 0.07, "runs": 1_000},
    "plan": {"complexes": 1_500, "dwellings": 100_000, "turnover": 0.07, "runs": 50},
}


def run(kind: str, args) -> bool:
    spec = WORKLOADS[kind]
    document = generate(complexes=spec["complexes"], dwellings=spec["dwellings"], turnover=spec["turnover"],
                        kind=kind, seed=args.seed)
    scenario = parse_scenario(document)
    runs = args.runs or spec["runs"]
    dwellings = sum(c.dwellings for c in scenario.complexes)
    print(f"\n{kind}: {len(scenario.complexes):,} complexes, {dwellings:,} dwellings, {scenario.years} years, "
          f"{runs:,} runs (about {round(dwellings * spec['turnover']):,} vacancies a year)")
    target = TARGETS[kind]
    ok, texts = True, []
    if not args.skip_single:
        started, cpu = time.perf_counter(), time.process_time()
        texts.append(dump(simulate(scenario, runs=runs, seed=args.seed)))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"  one process:            {seconds:8.1f} s wall, {cpu:.1f} s CPU (target {target:.0f} s on 2 cores)")
    if not args.skip_cluster:
        started = time.perf_counter()
        with local_cluster(args.workers) as client:
            ready = time.perf_counter()
            before = client.run(time.process_time)
            texts.append(dump(simulate(scenario, runs=runs, seed=args.seed, client=client)))
            after = client.run(time.process_time)
            computed = time.perf_counter()
        ended = time.perf_counter()
        total = ended - started
        met = total <= target
        ok &= met
        # CPU seconds per worker: on a machine with a free core per worker the wall time approaches the largest.
        cpus = ", ".join(f"{after[w] - before[w]:.1f}" for w in sorted(after))
        print(f"  {args.workers}-worker LocalCluster:   {total:8.1f} s wall (start {ready - started:.1f} s, runs "
              f"{computed - ready:.1f} s, shut down {ended - computed:.1f} s); CPU per worker {cpus} s; "
              f"target {target:.0f} s: {'met' if met else 'NOT MET'}")
    if len(texts) == 2:
        same = texts[0] == texts[1]
        ok &= same
        print(f"  same document from both: {'yes' if same else 'NO'} ({len(texts[0]):,} bytes)")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=["room_check", "plan", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=None, help="override the workload's number of runs")
    parser.add_argument("--skip-single", action="store_true")
    parser.add_argument("--skip-cluster", action="store_true")
    args = parser.parse_args()
    print(f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    kinds = ["room_check", "plan"] if args.workload == "both" else [args.workload]
    ok = all([run(kind, args) for kind in kinds])
    print(f"\nload average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
