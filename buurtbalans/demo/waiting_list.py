"""The demo's waiting list: applicants registered over the last 15 years, with a made-up name and home address.

Step 6 of `generator.generate_corporation`. Each applicant's profile (target groups and an urgency decision) is
drawn from the household and the registration alone, with a generator of its own: never from a vulnerability
marker (issue 13: markers steer routes, not people). Some households carry a marker too, drawn apart; it is a fact
the concentration measures count once they live somewhere, and it gives no priority.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import numpy as np

from buurtbalans.demo.addresses import with_names_and_addresses
from buurtbalans.demo.lettings import Composition
from buurtbalans.demo.limits import LegalLimits, incomes
from buurtbalans.demo.markers import applicant_marker
from buurtbalans.demo.rows import DAYS_PER_YEAR, ApplicantRow, HouseholdRow, MarkerRow, as_decimals

WAITING_LIST_YEARS = 15
# Target groups by `allocation.ApplicantGroup` code (the generator imports no Django; a test checks the codes).
SENIOR, FAMILY, STARTER, LOCAL_BINDING = "senior", "family", "starter", "local_binding"
# About 6% of applicants have an urgency decision (urgentieverklaring), taken in the last ten months and valid for
# a year from the decision (a common term in the huisvestingsverordeningen).
URGENCY_SHARE = 0.06
URGENCY_TERM_DAYS = 365
# The share of households on the waiting list with a vulnerability marker (a referral before they applied).
APPLICANT_MARKER_SHARE = 0.06


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
    """`n` applicants with their households, profiles (groups, urgency decision) and the markers of some.

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
    # So do the profiles: drawn from the household and registration only; the markers above are not an input.
    applicants = applicant_profiles(rng.spawn(1)[0], applicants, households, reference_date)
    return households, applicants, markers


def applicant_profiles(rng: np.random.Generator, applicants: list[ApplicantRow], households: list[HouseholdRow],
                       reference_date: date) -> list[ApplicantRow]:
    """Each applicant's own profile: target groups from the household, and for about 6% an urgency decision.

    Groups: senior for a pension-age household, family with children, starter for half of the other singles,
    local ties for about a third. Urgency: decided 30 to 300 days before the reference date (not before
    registering), valid for a year from the decision. Takes no marker: an applicant's urgency and groups never
    follow from one.
    """
    by_id = {h.external_id: h for h in households}
    ref_day = reference_date.toordinal()
    rows = []
    for applicant in applicants:
        household = by_id[applicant.household_external_id]
        groups = []
        if household.is_pension_age_household:
            groups.append(SENIOR)
        if household.children:
            groups.append(FAMILY)
        if household.size == 1 and not household.is_pension_age_household and rng.random() < 0.5:
            groups.append(STARTER)
        if rng.random() < 0.35:
            groups.append(LOCAL_BINDING)
        is_urgent = bool(rng.random() < URGENCY_SHARE)
        valid_until = None
        if is_urgent:
            decided = max(applicant.registration_date.toordinal(), ref_day - int(rng.integers(30, 301)))
            valid_until = date.fromordinal(decided) + timedelta(days=URGENCY_TERM_DAYS)
        rows.append(dataclasses.replace(applicant, groups=tuple(sorted(groups)), is_urgent=is_urgent,
                                        urgency_valid_until=valid_until))
    return rows


def _applicants(rng, n, prefix, household_offset, reference_date, limits):
    """Applicants registered over the last 15 years, more of them recently, mostly with low incomes; about 6% of
    their households carry a marker."""
    ref_day, ref_year = reference_date.toordinal(), reference_date.year
    people, band, position = _applicant_households(rng, n)
    income = incomes(limits, np.full(n, ref_year), people.size > 1, people.is_pension, band, position)
    days_ago = np.floor(WAITING_LIST_YEARS * DAYS_PER_YEAR * rng.random(n) ** 1.4).astype(int)
    registered = ref_day - days_ago
    marked = rng.random(n) < APPLICANT_MARKER_SHARE
    households, applicants, markers = [], [], []
    for i, (sz, ad, ch, pens, inc, reg, has_marker) in enumerate(
        zip(people.size.tolist(), people.adults.tolist(), people.children.tolist(), people.is_pension.tolist(),
            as_decimals(income), registered.tolist(), marked.tolist(), strict=True)
    ):
        household_id = f"{prefix}-H{household_offset + i + 1:06d}"
        households.append(HouseholdRow(household_id, sz, ad, ch, pens, inc, ref_year - 1, "declared"))
        applicants.append(ApplicantRow(f"{prefix}-A{i + 1:06d}", household_id, date.fromordinal(reg)))
        if has_marker:
            markers.append(applicant_marker(rng, household_id, reg, ref_day))
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
