"""Benchmark: solve allocation rounds of regional and national size, and run the whole command on them.

    .venv/bin/python benchmarks/allocation_round.py                 # both rounds
    .venv/bin/python benchmarks/allocation_round.py --round weekly  # only the weekly regional round
    .venv/bin/python benchmarks/allocation_round.py --keep DIR      # keep the generated files in DIR

Rounds (generated deterministically from --seed into a temporary folder):

- weekly: a weekly regional round, 250 listings, 20,000 applicants, 60,000 bids;
- national: a national stress round, 2,000 listings, 500,000 applicants, 1,500,000 bids.

Listings mix the four selection keys (most by registration), a third put urgent applicants first, some have size,
income or group limits, a few are affordability exceptions; popular listings draw far more bids than others.
Reference date 2025-06-01 (a year whose legal parameters are all known).

For each round it prints:

- solve: `solve_round` on facts already in memory (eligibility, lottery, priority, deferred acceptance,
  outcomes), in a fresh process: the best of --repeat runs and the first (cold) run;
- command: `buurtbalans run_allocation_round IN.json --output OUT.json` in a fresh process (start-up, read,
  check, solve, write with explanations): wall time and that process's peak resident memory (ru_maxrss);
- the phases of the command (read + check, solve, write) measured in that second process;
- the CPU count and load average, since other work on the machine slows every figure.

Exit code 1 when the national round misses a target: solve <= 1 s, command <= 15 s, peak memory <= 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = {
    "weekly": {"listings": 250, "applicants": 20_000, "bids": 60_000},
    "national": {"listings": 2_000, "applicants": 500_000, "bids": 1_500_000},
}
TARGETS = {"solve_seconds": 1.0, "command_seconds": 15.0, "peak_mib": 2048}
REFERENCE_DATE = "2025-06-01"
GROUPS = ["senior", "starter", "student", "care", "large_family"]


def _amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def generate(path: Path, *, listings: int, applicants: int, bids: int, seed: int) -> dict:
    """Write a round file of the given size; return its counts. Deterministic for a seed."""
    rng = np.random.default_rng(seed)
    selection = rng.choice(
        ["registration", "lottery", "first_come", "motivation"], size=listings, p=[0.7, 0.15, 0.1, 0.05]
    )
    rent = rng.integers(45_000, 95_000, size=listings)
    listing_rows = []
    for i in range(listings):
        size_min = int(rng.integers(2, 4)) if rng.random() < 0.1 else None
        size_max = int(rng.integers(1, 3)) if size_min is None and rng.random() < 0.15 else None
        income_max = _amount(int(rng.integers(3_500_000, 5_500_000))) if rng.random() < 0.2 else None
        income_min = (
            _amount(int(rng.integers(3_000_000, 4_000_000))) if income_max is None and rng.random() < 0.05 else None
        )
        allowed = [GROUPS[int(rng.integers(0, 2))]] if rng.random() < 0.1 else []
        excluded = ["student"] if rng.random() < 0.05 else []
        listing_rows.append(
            {
                "id": f"L{i:05d}",
                "dwelling": f"D{i:06d}",
                "complex": f"C{i // 8:05d}",
                "municipality": f"GM{int(rng.integers(1, 400)):04d}",
                "base_rent": _amount(int(rent[i])),
                "selection": str(selection[i]),
                "urgency_first": bool(rng.random() < 0.33),
                "household_size_min": size_min,
                "household_size_max": size_max,
                "income_min": income_min,
                "income_max": income_max,
                "allowed_groups": allowed,
                "excluded_groups": excluded,
                "affordability_exception": bool(rng.random() < 0.05),
            }
        )

    size = np.minimum(1 + rng.geometric(0.45, size=applicants) - 1, 8)
    size = np.maximum(size, 1)
    income = rng.lognormal(np.log(32_000), 0.35, size=applicants).astype(np.int64) * 100
    pension = rng.random(applicants) < 0.18
    urgent = rng.random(applicants) < 0.03
    registration = rng.integers(0, 20 * 365, size=applicants)  # days before the reference date
    group_draw = rng.random((applicants, len(GROUPS))) < np.array([0.15, 0.2, 0.05, 0.04, 0.03])

    # Bids: 1-5 per applicant (3 on average, exactly `bids` in all), listings drawn by popularity (Zipf-like).
    counts = 1 + rng.binomial(4, 0.5, size=applicants)
    difference = bids - int(counts.sum())
    while difference:
        pick = rng.integers(0, applicants, size=abs(difference))
        step = 1 if difference > 0 else -1
        counts[pick] = np.clip(counts[pick] + step, 1, 5)
        difference = bids - int(counts.sum())
    weight = 1.0 / np.arange(1, listings + 1) ** 0.8
    weight = weight[rng.permutation(listings)]
    weight /= weight.sum()
    draws = rng.choice(listings, size=(applicants, 10), p=weight)
    order = np.argsort(draws, axis=1, kind="stable")
    ordered = np.take_along_axis(draws, order, axis=1)
    repeat = np.zeros_like(draws, dtype=bool)
    np.put_along_axis(repeat, order[:, 1:], ordered[:, 1:] == ordered[:, :-1], axis=1)
    place = np.cumsum(~repeat, axis=1)
    keep = ~repeat & (place <= counts[:, None])
    bid_applicant, column = np.nonzero(keep)
    bid_listing = draws[bid_applicant, column]
    bid_preference = place[bid_applicant, column]
    seconds = rng.integers(0, 7 * 24 * 3600, size=len(bid_applicant))
    # Bids in the order a platform exports them: by time.
    by_time = np.argsort(seconds, kind="stable")

    motivated = {}
    is_motivation = selection == "motivation"
    for a, li in zip(bid_applicant.tolist(), bid_listing.tolist(), strict=True):
        if is_motivation[li] and (a * 7 + li) % 10:
            motivated.setdefault(a, {})[f"L{li:05d}"] = (a * 31 + li * 17) % 100 / 10

    start_day = np.datetime64(REFERENCE_DATE) - np.timedelta64(7, "D")
    with path.open("w", encoding="utf-8") as handle:
        write = handle.write
        write(f'{{"format": "buurtbalans.round/1", "reference_date": "{REFERENCE_DATE}", '
              f'"lottery_seed": "bench-{seed}",\n')
        write('"listings": [\n' + ",\n".join(json.dumps(row) for row in listing_rows) + "],\n")
        write('"applicants": [\n')
        reference = np.datetime64(REFERENCE_DATE)
        registration_dates = (reference - registration.astype("timedelta64[D]")).astype(str)
        parts = []
        for a in range(applicants):
            groups = [GROUPS[g] for g in np.flatnonzero(group_draw[a])]
            parts.append(
                f'{{"id": "A{a:07d}", "household_size": {size[a]}, "assessed_income": "{_amount(int(income[a]))}", '
                f'"is_pension_age_household": {"true" if pension[a] else "false"}, '
                f'"registration_date": "{registration_dates[a]}", "is_urgent": {"true" if urgent[a] else "false"}, '
                f'"groups": {json.dumps(groups)}, "motivation_scores": {json.dumps(motivated.get(a, {}))}}}'
            )
            if len(parts) == 50_000:
                write(",\n".join(parts) + (",\n" if a + 1 < applicants else ""))
                parts = []
        write(",\n".join(parts) + "],\n")
        write('"bids": [\n')
        times = (start_day + seconds.astype("timedelta64[s]")).astype(str)
        parts = []
        for n, b in enumerate(by_time.tolist()):
            parts.append(
                f'{{"applicant": "A{bid_applicant[b]:07d}", "listing": "L{bid_listing[b]:05d}", '
                f'"preference": {bid_preference[b]}, "submitted_at": "{times[b]}"}}'
            )
            if len(parts) == 100_000:
                write(",\n".join(parts) + (",\n" if n + 1 < len(by_time) else ""))
                parts = []
        write(",\n".join(parts) + "]}\n")
    return {
        "listings": listings,
        "applicants": applicants,
        "bids": int(len(bid_applicant)),
        "mib": path.stat().st_size / 2**20,
    }


PHASES = r"""
import json, os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurtbalans.settings")
import django
django.setup()
from buurtbalans.allocation.roundfile import read_round_file, write_result
from buurtbalans.engine.allocation import solve_round
from buurtbalans.engine.parameters import builtin_parameter_set
t0 = time.perf_counter()
round_file = read_round_file(sys.argv[1])
t1 = time.perf_counter()
params = builtin_parameter_set(round_file.reference_date)
times = []
for _ in range(int(sys.argv[3])):
    s = time.perf_counter()
    result = solve_round(round_file.facts, params, reference_date=round_file.reference_date,
                         lottery_seed=round_file.lottery_seed)
    times.append(time.perf_counter() - s)
t2 = time.perf_counter()
with open(sys.argv[2], "w", encoding="utf-8") as handle:
    write_result(result, handle)
t3 = time.perf_counter()
import resource
print(json.dumps({"read_check": t1 - t0, "solve_first": times[0], "solve_best": min(times), "write": t3 - t2,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "summary": result.summary()}))
"""


def run_child(argv: list[str]) -> tuple[float, float, str]:
    """Run a child process; return wall seconds, its own peak RSS in MiB, and its stdout."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    out, err = process.stdout.read(), process.stderr.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.exit(f"{' '.join(argv)} failed ({process.returncode}):\n{err[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, out + err


def bench(name: str, folder: Path, seed: int, repeat: int) -> dict:
    spec = ROUNDS[name]
    path = folder / f"{name}.json"
    started = time.perf_counter()
    counts = generate(path, seed=seed, **spec)
    print(
        f"{name}: generated {counts['listings']:,} listings, {counts['applicants']:,} applicants, "
        f"{counts['bids']:,} bids ({counts['mib']:.0f} MiB) in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    python = sys.executable
    console = str(Path(python).with_name("buurtbalans"))
    seconds, peak, text = run_child([console, "run_allocation_round", str(path), "--output", str(folder / "out.json")])
    out_mib = (folder / "out.json").stat().st_size / 2**20
    print(f"{name}: command {seconds:.2f} s, peak {peak:.0f} MiB, output {out_mib:.0f} MiB; {text.strip()}", flush=True)
    _s, _p, phases_text = run_child([python, "-c", PHASES, str(path), str(folder / "out2.json"), str(repeat)])
    phases = json.loads(phases_text.strip().splitlines()[-1])
    print(
        f"{name}: read+check {phases['read_check']:.2f} s, solve {phases['solve_best']:.3f} s (best of {repeat}; "
        f"first {phases['solve_first']:.3f} s), write {phases['write']:.2f} s; "
        f"allocations {phases['summary']['allocations']:,}",
        flush=True,
    )
    return {
        "name": name,
        "counts": counts,
        "command_seconds": seconds,
        "command_peak_mib": peak,
        "solve_seconds": phases["solve_best"],
        "read_check_seconds": phases["read_check"],
        "write_seconds": phases["write"],
        "output_mib": out_mib,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--round", choices=[*ROUNDS, "all"], default="all")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the generated round files in this folder")
    args = parser.parse_args()
    names = list(ROUNDS) if args.round == "all" else [args.round]
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        results = [bench(name, folder, args.seed, args.repeat) for name in names]
    print(f"load average {os.getloadavg()[0]:.2f} at the end", flush=True)
    failed = False
    for result in results:
        if result["name"] != "national":
            continue
        for key, limit, value in (
            ("solve_seconds", TARGETS["solve_seconds"], result["solve_seconds"]),
            ("command_seconds", TARGETS["command_seconds"], result["command_seconds"]),
            ("peak_mib", TARGETS["peak_mib"], result["command_peak_mib"]),
        ):
            if value > limit:
                print(f"national: {key} {value:.2f} is above the target {limit}")
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
