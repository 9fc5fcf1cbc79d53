"""How long the product takes for a weekly regional round: 250 listings, 20,000 applicants, 60,000 bids.

    DATABASE_URL=postgres://.../scratch .venv/bin/python -m buurtbalans.allocation.benchmark [--listings 250]
        [--applicants 20000] [--bids-each 3] [--seed 2025] [--keep]

Run it on a migrated scratch database: it creates a corporation "bench-allocation" with vacant dwellings,
households, applicants and bids (bulk inserts), then times through the services, as the screens and the worker
would: working the round out (building the input from the rows, solving, storing 60,000 explained outcomes),
approving (250 offers), a decline and the re-run, a letter, the public account of the round and a page of the
review. At the end it deletes the corporation's rows (unless --keep). Figures: docs/allocation-product.md.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=250)
    parser.add_argument("--applicants", type=int, default=20_000)
    parser.add_argument("--bids-each", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--keep", action="store_true", help="keep the generated corporation")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurtbalans.settings")
    import django

    django.setup()
    run(args)


def _timed(label: str, results: list, fn):
    started = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - started
    results.append((label, seconds))
    print(f"{label}: {seconds:.2f} s", flush=True)
    return value


def run(args) -> None:
    import numpy as np
    from django.db import connection

    from buurtbalans.allocation import selectors, services
    from buurtbalans.allocation.letters import letter_build
    from buurtbalans.allocation.models import (
        AllocationRound,
        ApplicantProfile,
        Bid,
        DeclineReason,
        Listing,
        Offer,
    )
    from buurtbalans.allocation.roundinput import round_input_from_rows
    from buurtbalans.core.jobs import run_pending_jobs
    from buurtbalans.core.models import HousingCorporation, Role
    from buurtbalans.core.testing import make_user
    from buurtbalans.households.models import Applicant, Household
    from buurtbalans.portfolio.models import Complex, Dwelling

    rng = np.random.default_rng(args.seed)
    reference_date = date(2025, 6, 2)
    corporation, _created = HousingCorporation.objects.get_or_create(code="bench-allocation",
                                                                     defaults={"name": "Bench allocation"})

    def clear():
        # The corporation stays: its audit events can never be deleted (they protect it).
        AllocationRound.objects.filter(corporation=corporation).delete()
        for model in (Listing, Applicant, Household, Dwelling, Complex):
            model.objects.filter(corporation=corporation).delete()

    clear()
    officer = make_user(f"bench-officer-{os.getpid()}", corporation, Role.ALLOCATION_OFFICER)
    results: list[tuple[str, float]] = []

    def generate():
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

    try:
        allocation_round = _timed("generate (bulk inserts, not timed as product work)", results, generate)
        print(f"{Bid.objects.filter(corporation=corporation).count()} bids on "
              f"{Listing.objects.filter(corporation=corporation).count()} listings", flush=True)
        _timed("  part: build the input document from the rows", results,
               lambda: round_input_from_rows(allocation_round))

        def work_out():
            services.allocation_round_start(allocation_round=allocation_round, actor=officer)
            run_pending_jobs()
            allocation_round.refresh_from_db()
            assert allocation_round.status == "review", allocation_round.error

        _timed("work the round out (job: input, solve, 60,000 outcomes)", results, work_out)
        _timed("approve (offers)", results,
               lambda: services.allocation_round_approve(allocation_round=allocation_round, actor=officer))
        offer = Offer.objects.filter(allocation_round=allocation_round).order_by("pk").first()
        _timed("decline one offer", results,
               lambda: services.offer_decline(offer=offer, actor=officer, reason=DeclineReason.REFUSED))
        _timed("work out again (job)", results, lambda: (run_pending_jobs(), allocation_round.refresh_from_db()))
        _timed("approve again", results,
               lambda: services.allocation_round_approve(allocation_round=allocation_round, actor=officer))
        applicant = Applicant.objects.get(pk=offer.applicant_id)
        _timed("one letter", results, lambda: letter_build(allocation_round, applicant).text())
        _timed("public account of the round (250 listings)", results,
               lambda: selectors.round_account(officer, allocation_round))
        first_page = sorted(selectors.run_listing_statuses(selectors.latest_run(allocation_round)))[:20]
        _timed("review page: 20 listings", results,
               lambda: selectors.round_result(officer, allocation_round, references=first_page))
        print(f"database: {connection.vendor}", flush=True)
    finally:
        if not args.keep:
            started = time.perf_counter()
            clear()
            officer.delete()
            print(f"cleaned up ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
