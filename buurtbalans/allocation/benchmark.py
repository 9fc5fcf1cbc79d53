"""How long the product takes for a weekly regional round: 250 listings, 20,000 applicants, 60,000 bids.

    DATABASE_URL=postgres://.../scratch .venv/bin/python -m buurtbalans.allocation.benchmark [--listings 250]
        [--applicants 20000] [--bids-each 3] [--seed 2025] [--repeat 3] [--keep]

Run it on a migrated scratch database: it creates a corporation "bench-allocation" with vacant dwellings,
households, applicants and bids (bulk inserts), then times through the services, as the screens and the worker
would, the letting cycle of issue 10:

1. work the round out (the job: input from the rows, solve, store the run and 60,000 explained outcomes);
2. approve (250 offers);
3. decline one offer, then work the round out again (the job);
4. approve again;
5. once, after the cycles: all letters of the round as one PDF (the job the letters page starts).

The cycle runs `--repeat` times on the same rows (the round is put back to draft in between, untimed), because
other work on a shared machine makes single figures unreliable; the summary gives the fastest, the median and the
slowest of each step, with the target of issue 10. After the last cycle it times, once, a letter, the public
account of the round and a page of the review. At the end it deletes the corporation's rows (unless --keep).
Figures: docs/allocation-product.md ("Measured").
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

# Steps of the letting cycle and their target in seconds (issue 10); None = no target.
WORK_OUT = "work the round out (job: input, solve, 60,000 outcomes)"
APPROVE = "approve (offers)"
AGAIN = "decline one offer, then work it out again (job)"
APPROVE_AGAIN = "approve again"
ALL_LETTERS = "all letters of the round as one PDF"
TARGETS = {WORK_OUT: 2.0, APPROVE: 1.0, AGAIN: 2.0, APPROVE_AGAIN: 1.0, ALL_LETTERS: 60.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=250)
    parser.add_argument("--applicants", type=int, default=20_000)
    parser.add_argument("--bids-each", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=3, help="how many times to run the letting cycle")
    parser.add_argument("--keep", action="store_true", help="keep the generated corporation")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurtbalans.settings")
    import django

    django.setup()
    run(args)


def _timed(label: str, results: dict[str, list[float]], fn):
    started = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - started
    results.setdefault(label, []).append(seconds)
    print(f"{label}: {seconds:.2f} s", flush=True)
    return value


def _machine() -> str:
    from django.db import connection

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            database = connection.vendor
    return f"{os.cpu_count()} CPUs, load average {load}; {database}"


def generate(args, corporation, officer):
    """The round's rows: vacant dwellings, households, applicants (6% urgent), listings and bids."""
    import numpy as np

    from buurtbalans.allocation import services
    from buurtbalans.allocation.models import ApplicantProfile, Bid, Listing
    from buurtbalans.households.models import Applicant, Household
    from buurtbalans.portfolio.models import Complex, Dwelling

    rng = np.random.default_rng(args.seed)
    reference_date = date(2025, 6, 2)
    complex_ = Complex.objects.create(corporation=corporation, external_id="BENCH-C", name="Bench")
    Dwelling.objects.bulk_create([
        Dwelling(corporation=corporation, complex=complex_, external_id=f"BENCH-D{i:04d}", street="Benchstraat",
                 house_number=i + 1, postcode="1234AB", base_rent=Decimal(int(rng.integers(450, 900))),
                 status="vacant")
        for i in range(args.listings)
    ], batch_size=2000)
    sizes = rng.choice([1, 2, 3, 4, 5], size=args.applicants, p=[0.45, 0.28, 0.12, 0.1, 0.05])
    incomes = rng.integers(12_000, 70_000, size=args.applicants)
    households = Household.objects.bulk_create([
        Household(corporation=corporation, external_id=f"BENCH-H{i:06d}", size=int(s), adults=1,
                  children=int(s) - 1, assessed_income=Decimal(int(inc)))
        for i, (s, inc) in enumerate(zip(sizes, incomes, strict=True))
    ], batch_size=2000)
    days = rng.integers(0, 15 * 365, size=args.applicants)
    applicants = Applicant.objects.bulk_create([
        Applicant(corporation=corporation, external_id=f"BENCH-A{i:06d}", household=h,
                  registration_date=reference_date - timedelta(days=int(d)))
        for i, (h, d) in enumerate(zip(households, days, strict=True))
    ], batch_size=2000)
    ApplicantProfile.objects.bulk_create([
        ApplicantProfile(corporation=corporation, applicant=a, is_urgent=True,
                         groups=["starter"] if rng.random() < 0.5 else [])
        for a in applicants if rng.random() < 0.06
    ], batch_size=2000)
    allocation_round = services.allocation_round_create(corporation=corporation, actor=officer, name="Bench",
                                                        reference_date=reference_date, lottery_seed="bench")
    keys = ["registration"] * 6 + ["lottery", "first_come"]
    listings = Listing.objects.bulk_create([
        Listing(corporation=corporation, dwelling=d, allocation_round=allocation_round,
                reference=f"{d.external_id}/1",
                selection=keys[i % len(keys)], urgency_first=i % 5 == 0, base_rent=d.base_rent,
                household_size_max=2 if i % 4 == 0 else None,
                income_max=Decimal("47699.00") if i % 3 == 0 else None, created_by_name="bench")
        for i, d in enumerate(Dwelling.objects.filter(corporation=corporation).order_by("external_id"))
    ])
    popularity = rng.pareto(1.2, size=len(listings)) + 1
    popularity /= popularity.sum()
    opened = datetime(2025, 5, 26, tzinfo=UTC)
    bids = []
    for applicant in applicants:
        chosen = rng.choice(len(listings), size=args.bids_each, replace=False, p=popularity)
        for preference, index in enumerate(chosen.tolist(), start=1):
            bids.append(Bid(corporation=corporation, listing=listings[index], applicant=applicant,
                            preference=preference,
                            submitted_at=opened + timedelta(seconds=int(rng.integers(0, 5 * 86400)))))
    Bid.objects.bulk_create(bids, batch_size=5000)
    return allocation_round


def reset(allocation_round) -> None:
    """Put the round back to draft for the next cycle: no offers, no runs, every listing open (not timed)."""
    from django.db import connection

    from buurtbalans.allocation.models import AllocationRound, AllocationRun, Listing, Offer, RoundStatus

    Offer.objects.filter(allocation_round=allocation_round).delete()
    AllocationRun.objects.filter(allocation_round=allocation_round).delete()
    Listing.objects.filter(allocation_round=allocation_round).update(status="open")
    AllocationRound.objects.filter(pk=allocation_round.pk).update(status=RoundStatus.DRAFT, job=None, error="")
    allocation_round.refresh_from_db()
    if connection.vendor == "postgresql":
        # The deleted outcome rows would otherwise be vacuumed in the middle of a later measurement.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE allocation_bidresult")


def cycle(allocation_round, officer, results: dict[str, list[float]]):
    """One letting cycle of issue 10, each step timed; returns the declined offer."""
    from buurtbalans.allocation import services
    from buurtbalans.allocation.models import DeclineReason, Offer
    from buurtbalans.core.jobs import run_pending_jobs

    def work_out():
        services.allocation_round_start(allocation_round=allocation_round, actor=officer)
        run_pending_jobs()
        allocation_round.refresh_from_db()
        assert allocation_round.status == "review", allocation_round.error

    _timed(WORK_OUT, results, work_out)
    _timed(APPROVE, results,
           lambda: services.allocation_round_approve(allocation_round=allocation_round, actor=officer))
    offer = Offer.objects.filter(allocation_round=allocation_round).order_by("pk").first()

    def again():
        services.offer_decline(offer=offer, actor=officer, reason=DeclineReason.REFUSED)
        run_pending_jobs()
        allocation_round.refresh_from_db()
        assert allocation_round.status == "review", allocation_round.error

    _timed(AGAIN, results, again)
    _timed(APPROVE_AGAIN, results,
           lambda: services.allocation_round_approve(allocation_round=allocation_round, actor=officer))
    return offer


def all_letters(allocation_round, officer) -> int:
    """Every letter of the round as one PDF, as the screen asks it for a large round: the job, run here."""
    from buurtbalans.allocation import services
    from buurtbalans.core.jobs import run_pending_jobs

    job = services.round_letters_request(allocation_round=allocation_round, actor=officer)
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == "succeeded", job.result
    return job.result["letters"]


def run(args) -> None:
    from django.db import connection
    from django.urls import get_resolver

    from buurtbalans.allocation import selectors
    from buurtbalans.allocation.letters import letter_build
    from buurtbalans.allocation.models import AllocationRound, Bid, Listing
    from buurtbalans.allocation.roundinput import round_input_from_rows
    from buurtbalans.core.models import HousingCorporation, Role
    from buurtbalans.core.testing import make_user
    from buurtbalans.households.models import Applicant, Household
    from buurtbalans.portfolio.models import Complex, Dwelling

    corporation, _created = HousingCorporation.objects.get_or_create(code="bench-allocation",
                                                                     defaults={"name": "Bench allocation"})

    def clear():
        # The corporation stays: its audit events can never be deleted (they protect it).
        AllocationRound.objects.filter(corporation=corporation).delete()
        for model in (Listing, Applicant, Household, Dwelling, Complex):
            model.objects.filter(corporation=corporation).delete()

    clear()
    officer = make_user(f"bench-officer-{os.getpid()}", corporation, Role.ALLOCATION_OFFICER)
    # A running worker has loaded the URL configuration long before: the job's link to the round (`reverse`)
    # would otherwise import every view, once per process (0.3 s), in the first measurement.
    get_resolver().url_patterns  # noqa: B018 - loads them
    results: dict[str, list[float]] = {}
    machine_before = _machine()
    print(f"machine: {machine_before}", flush=True)
    try:
        allocation_round = _timed("generate (bulk inserts, not product work)", {},
                                  lambda: generate(args, corporation, officer))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"{Bid.objects.filter(corporation=corporation).count()} bids on "
              f"{Listing.objects.filter(corporation=corporation).count()} listings", flush=True)
        _timed("  part: build the input document from the rows", results,
               lambda: round_input_from_rows(allocation_round))
        offer = None
        for number in range(1, max(1, args.repeat) + 1):
            if number > 1:
                reset(allocation_round)
            print(f"-- cycle {number}", flush=True)
            offer = cycle(allocation_round, officer, results)
        letters = _timed(ALL_LETTERS, results, lambda: all_letters(allocation_round, officer))
        print(f"  ({letters} letters)", flush=True)
        applicant = Applicant.objects.get(pk=offer.applicant_id)
        _timed("one letter", results, lambda: letter_build(allocation_round, applicant).text())
        _timed("public account of the round (250 listings)", results,
               lambda: selectors.round_account(officer, allocation_round))
        first_page = sorted(selectors.run_listing_statuses(selectors.latest_run(allocation_round)))[:20]
        _timed("review page: 20 listings", results,
               lambda: selectors.round_result(officer, allocation_round, references=first_page))
        print(f"\nsummary ({connection.vendor}; {len(results[WORK_OUT])} cycles; seconds: fastest / median / "
              "slowest; target of issue 10)")
        for label, seconds in results.items():
            target = TARGETS.get(label)
            verdict = "" if target is None else (
                f"   target {target:g} s: {'met' if max(seconds) <= target else 'MISSED'}")
            print(f"  {label}: {min(seconds):.2f} / {statistics.median(seconds):.2f} / {max(seconds):.2f}{verdict}")
        print(f"machine before: {machine_before}\nmachine after:  {_machine()}", flush=True)
    finally:
        if not args.keep:
            started = time.perf_counter()
            clear()
            officer.delete()
            print(f"cleaned up ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
