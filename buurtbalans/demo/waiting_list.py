"""The demo's waiting list: applicants registered over the last 15 years, with a made-up name and home address.

Step 6 of `generator.generate_corporation`.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from buurtbalans.demo.addresses import with_names_and_addresses
from buurtbalans.demo.lettings import Composition
from buurtbalans.demo.limits import LegalLimits, incomes
from buurtbalans.demo.markers import urgency_marker
from buurtbalans.demo.rows import DAYS_PER_YEAR, ApplicantRow, HouseholdRow, MarkerRow, as_decimals

WAITING_LIST_YEARS = 15


def generate_waiting_list(
    rng: np.random.Generator,
    n: int,
    *,
    prefix: str,
    household_offset: int,
    reference_date: date,
    limits: LegalLimits,
    city: str,
    postal_areas: list[int],
) -> tuple[list[HouseholdRow], list[ApplicantRow], list[MarkerRow]]:
    """`n` applicants with their households and urgency markers.

    Args:
        rng: the random generator.
        n: how many applicants.
        prefix: starts every external id.
        household_offset: how many households the tenants already have (the applicants' number on from there).
        reference_date: "today": nobody registers after it.
        limits: the legal limits per year.
        city: the town the applicants live in now.
        postal_areas: the town's four-digit postal areas, for their home addresses.
    """
    households, applicants, markers = _applicants(rng, n, prefix, household_offset, reference_date, limits)
    # Names and addresses come from a generator of their own, so adding them changed no other row of the demo.
    applicants = with_names_and_addresses(rng.spawn(1)[0], applicants, households, city, postal_areas)
    return households, applicants, markers


def _applicants(rng, n, prefix, household_offset, reference_date, limits):
    """Applicants registered over the last 15 years, more of them recently, mostly with low incomes; about 6% has
    an urgency."""
    ref_day, ref_year = reference_date.toordinal(), reference_date.year
    people, band, position = _applicant_households(rng, n)
    income = incomes(limits, np.full(n, ref_year), people.size > 1, people.is_pension, band, position)
    days_ago = np.floor(WAITING_LIST_YEARS * DAYS_PER_YEAR * rng.random(n) ** 1.4).astype(int)
    registered = ref_day - days_ago
    urgent = rng.random(n) < 0.06
    households, applicants, markers = [], [], []
    for i, (sz, ad, ch, pens, inc, reg, urg) in enumerate(
        zip(people.size.tolist(), people.adults.tolist(), people.children.tolist(), people.is_pension.tolist(),
            as_decimals(income), registered.tolist(), urgent.tolist(), strict=True)
    ):
        household_id = f"{prefix}-H{household_offset + i + 1:06d}"
        households.append(HouseholdRow(household_id, sz, ad, ch, pens, inc, ref_year - 1, "declared"))
        applicants.append(ApplicantRow(f"{prefix}-A{i + 1:06d}", household_id, date.fromordinal(reg)))
        if urg:
            markers.append(urgency_marker(rng, household_id, reg, ref_day))
    return households, applicants, markers


def _applicant_households(rng, n) -> tuple[Composition, np.ndarray, np.ndarray]:
    """Who is looking: smaller and younger households than the tenants, and poorer (band and position in it)."""
    size = rng.choice(np.arange(1, 7), size=n, p=[0.50, 0.25, 0.12, 0.08, 0.04, 0.01])
    u = rng.random(n)
    adults = np.where(size == 1, 1, np.where(u < 0.75, 2, 1))
    adults = np.minimum(adults, size)
    children = size - adults
    is_pension = (children == 0) & (rng.random(n) < 0.12)
    band = rng.choice(5, size=n, p=[0.30, 0.45, 0.18, 0.06, 0.01])
    return Composition(size, adults, children, is_pension), band, rng.uniform(0.03, 0.97, n)
