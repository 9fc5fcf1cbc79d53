"""Benchmark: import 100k dwellings, 100k households and their tenancies into PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bb_bench .venv/bin/python benchmarks/import_portfolio.py

Generates the CSV files deterministically (a seed) in a temporary folder, then for the corporation
`bench` (created if needed, its portfolio emptied first) runs three imports through the same service
as `buurtbalans import_portfolio`:

1. a first import (every row new),
2. a re-import where every row changed (rents, incomes, names: every row an UPDATE),
3. a re-import of the same files (every row unchanged).

For each it prints rows per second end to end (read + validate + write + commit), the time of each
phase and the peak memory of the process so far. Exit code 1 when a run is below --target rows/s.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

BENCH_CODE = "bench"
BENCH_MUNICIPALITY = "GM9999"


def dutch_amount(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


def generate(folder: Path, *, dwellings: int, complexes: int, ended: int, markers: int, seed: int, variant: int) -> int:
    """Write complexes/dwellings/households/tenancies/markers CSVs; `variant` 1 changes every value. Returns rows."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    neighbourhoods = [f"BU9999{i:04d}" for i in range(1, 51)]
    types = ["apartment", "appartement", "eengezinswoning", "single_family", "seniorenwoning"]
    labels = ["A", "B", "C", "D", "E", "F", "G", "A+"]
    rows = 0

    def write(name: str, header: list[str], body) -> None:
        nonlocal rows
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\n")
            writer.writerow(header)
            for row in body:
                writer.writerow(row)
                rows += 1

    write(
        "complexes",
        ["external_id", "name", "neighbourhood"],
        ([f"C{c:05d}", f"Complex {c}{' (renamed)' if variant else ''}", neighbourhoods[c % len(neighbourhoods)]]
         for c in range(complexes)),
    )

    def dwelling_rows():
        for d in range(dwellings):
            rent = rng.randint(45_000, 95_000) + variant * 1_250
            yield [
                f"E{d:07d}", f"C{d % complexes:05d}", f"Straat {d % 977}", d % 300 + 1, "a" if d % 17 == 0 else "",
                f"{8000 + d % 1000} {chr(65 + d % 26)}{chr(65 + (d // 26) % 26)}", "Zwolle", types[d % len(types)],
                rng.randint(1, 6), f"{rng.randint(30, 140)},{rng.randint(0, 9)}", rng.randint(1900, 2024),
                labels[d % len(labels)], dutch_amount(rent), dutch_amount(rng.randint(0, 8_000)),
                rng.randint(80, 250), "ja" if d % 10 else "nee", "", "verhuurd" if d % 20 else "leegstand",
            ]

    write(
        "dwellings",
        ["external_id", "complex", "street", "house_number", "house_number_suffix", "postcode", "city",
         "dwelling_type", "rooms", "floor_area", "build_year", "energy_label", "base_rent", "service_charges",
         "wws_points", "is_daeb", "accessibility_label", "status"],
        dwelling_rows(),
    )

    def household_rows():
        for h in range(dwellings):
            adults = 1 + (h % 3 == 0)
            children = h % 4 if h % 5 == 0 else 0
            income = rng.randint(1_200_000, 7_000_000) + variant * 50_000
            yield [f"H{h:07d}", adults + children, adults, children, "ja" if h % 4 == 0 else "nee",
                   dutch_amount(income), 2024 + variant, "belastingdienst"]

    write(
        "households",
        ["external_id", "size", "adults", "children", "is_pension_age_household", "assessed_income",
         "income_year", "income_source"],
        household_rows(),
    )

    def tenancy_rows():
        start = date(2000, 1, 1)
        for t in range(dwellings):
            begin = start + timedelta(days=(t * 7919) % 9000)
            yield [f"T{t:07d}", f"E{t:07d}", f"H{t:07d}", begin.strftime("%d-%m-%Y"), "",
                   dutch_amount(rng.randint(1_200_000, 6_000_000)), dutch_amount(rng.randint(40_000, 90_000) + variant),
                   "onbepaalde tijd", ""]
        for t in range(ended):
            begin = start - timedelta(days=3000 + t % 2000)
            end = begin + timedelta(days=365 + t % 1500)
            yield [f"X{t:07d}", f"E{(t * 7) % dwellings:07d}", f"H{(t * 13) % dwellings:07d}",
                   begin.isoformat(), end.isoformat(), "", dutch_amount(30_000 + t % 10_000 + variant), "regulier", ""]

    write(
        "tenancies",
        ["external_id", "dwelling", "household", "start_date", "end_date", "income_at_start", "rent_at_start",
         "contract_type", "exception_reason"],
        tenancy_rows(),
    )
    kinds = ["shelter_outflow", "medical_urgency", "social_urgency", "care_indication", "status_holder"]
    write(
        "markers",
        ["household", "kind", "source", "valid_from", "valid_until"],
        ([f"H{(m * 31) % dwellings:07d}", kinds[m % len(kinds)], "wijkteam" + ("!" if variant else ""),
          (date(2020, 1, 1) + timedelta(days=m % 1500)).isoformat(), ""] for m in range(markers)),
    )
    return rows


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dwellings", type=int, default=100_000, help="dwellings = households = current tenancies")
    parser.add_argument("--complexes", type=int, default=1_500)
    parser.add_argument("--ended", type=int, default=10_000, help="ended tenancies on top of the current ones")
    parser.add_argument("--markers", type=int, default=3_000)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--target", type=float, default=20_000, help="rows per second each run must reach")
    parser.add_argument("--keep", action="store_true", help="keep the generated files (their folder is printed)")
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("benchmarks/import_portfolio.py: set DATABASE_URL=postgres://... (the benchmark is for PostgreSQL)",
              file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurtbalans.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from buurtbalans.core.models import HousingCorporation
    from buurtbalans.neighbourhoods.models import District, Municipality, Neighbourhood
    from buurtbalans.portfolio.services import portfolio_import

    call_command("migrate", verbosity=0)
    corporation, _ = HousingCorporation.objects.get_or_create(code=BENCH_CODE, defaults={"name": "Benchmark"})
    municipality, _ = Municipality.objects.get_or_create(cbs_code=BENCH_MUNICIPALITY, defaults={"name": "Bench"})
    district, _ = District.objects.get_or_create(
        cbs_code="WK999900", defaults={"name": "Bench", "municipality": municipality}
    )
    for i in range(1, 51):
        Neighbourhood.objects.get_or_create(
            cbs_code=f"BU9999{i:04d}",
            defaults={"name": f"Buurt {i}", "district": district, "municipality": municipality},
        )
    # The history (issue 16) refers to households, dwellings and complexes: emptied first.
    tables = ("history_householdincomeband", "history_dwellingstatusperiod", "history_complexownership",
              "history_historyimport", "restricted_vulnerability_marker", "households_applicant",
              "households_tenancy", "households_household", "portfolio_dwelling", "portfolio_complex")
    with connection.cursor() as cursor:
        # Start from an empty portfolio, so the first run really inserts everything, and from tables
        # without the dead rows of earlier runs, so repeated runs measure the same thing.
        for table in tables:
            cursor.execute(f"DELETE FROM {table} WHERE corporation_id = %s", [corporation.pk])
        cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")

    workdir = Path(tempfile.mkdtemp(prefix="bb-import-bench-"))
    sizes = dict(dwellings=args.dwellings, complexes=args.complexes, ended=args.ended, markers=args.markers,
                 seed=args.seed)
    started = time.perf_counter()
    rows = generate(workdir / "first", variant=0, **sizes)
    generate(workdir / "changed", variant=1, **sizes)
    print(f"generated {rows:,} rows per set in {time.perf_counter() - started:.1f}s into {workdir}")
    print(f"command line equivalent: buurtbalans import_portfolio {workdir / 'first'} --corporation {BENCH_CODE}")

    failed = False
    for label, folder in (("first import", "first"), ("re-import, every row changed", "changed"),
                          ("re-import, nothing changed", "changed")):
        started = time.perf_counter()
        report = portfolio_import(source=workdir / folder, corporation=corporation, actor=None, dry_run=False)
        seconds = time.perf_counter() - started
        if not report.is_valid or not report.written:
            print(f"{label}: FAILED: {report.error_count} errors", *report.errors[:10], sep="\n  ")
            return 1
        rate = report.rows / seconds
        phases = ", ".join(f"{k} {v:.2f}s" for k, v in report.timings.items() if k != "total")
        print(f"{label}: {report.rows:,} rows in {seconds:.2f}s = {rate:,.0f} rows/s ({phases}); "
              f"peak memory so far {peak_memory_mb():,.0f} MB")
        print(f"    {report.counts_line()}")
        failed |= rate < args.target
    if not args.keep:
        import shutil

        shutil.rmtree(workdir)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
