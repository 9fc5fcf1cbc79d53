"""Vulnerability markers in the demo: concentrated in a few complexes, as they are in real stock.

Step 5 of `generator.generate_corporation`, and the markers of some households on the waiting list. The marker
kinds are the defaults of households migration 0002; the sources say "synthetic" so nobody takes them for a real
referral.

A marker is a fact the concentration measures count once the household lives in a complex. It never gives an
applicant urgency or a target group (issue 13: markers steer routes, not people): the waiting list's urgency is an
urgency decision on the applicant's profile, drawn on its own (`waiting_list.applicant_profiles`).
"""

from __future__ import annotations

from datetime import date

import numpy as np

from buurtbalans.demo.rows import MarkerRow

# The default kinds of vulnerability marker (households migration 0002) and how often each occurs.
VULNERABILITY_KINDS = ("shelter_outflow", "medical_urgency", "social_urgency", "care_indication", "status_holder")
VULNERABILITY_WEIGHTS = (0.15, 0.15, 0.15, 0.30, 0.25)
MARKER_SOURCES = {
    "shelter_outflow": "municipality, outflow agreement (synthetic)",
    "medical_urgency": "urgency committee (synthetic)",
    "social_urgency": "urgency committee (synthetic)",
    "care_indication": "care provider (synthetic)",
    "status_holder": "COA (synthetic)",
}
# The kinds a household on the waiting list may carry (from a referral before it applied); none gives priority.
APPLICANT_MARKER_KINDS = ("medical_urgency", "social_urgency", "status_holder", "shelter_outflow")


def complex_marker_rates(rng: np.random.Generator, low_share: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """The share of marked households per complex: 25-40% in 3-5 "hot" complexes, 2-5% elsewhere.

    Hot complexes are drawn mostly among flats in low-income buurten, where the liveability screens should find
    them; the marker concentration is what those screens are for.

    Args:
        rng: the random generator.
        low_share: the low-income share among tenants of each complex's buurt.
        kind: each complex's dwelling type.
    """
    n_complexes = len(kind)
    n_hot = min(int(np.clip(round(n_complexes * 0.04), 3, 5)), n_complexes // 2)
    hot_weight = low_share ** 2 * np.where(kind == "apartment", 2.0, 1.0)
    hot = np.zeros(n_complexes, dtype=bool)
    if n_hot:
        hot[rng.choice(n_complexes, size=n_hot, replace=False, p=hot_weight / hot_weight.sum())] = True
    return np.where(hot, rng.uniform(0.25, 0.40, n_complexes), rng.uniform(0.02, 0.05, n_complexes))


def tenant_markers(
    rng: np.random.Generator, rate: np.ndarray, household_ids: list[str], start: np.ndarray, end: np.ndarray
) -> list[MarkerRow]:
    """Markers for the tenants' households: each is marked with its complex's rate, one kind or now and then two.

    A marker starts a little before the tenancy (the referral came first) and ends with it.
    """
    marked = rng.random(len(rate)) < rate
    rows = []
    weights = np.array(VULNERABILITY_WEIGHTS)
    for i in np.flatnonzero(marked).tolist():
        n_kinds = 2 if rng.random() < 0.12 else 1
        kinds = rng.choice(len(VULNERABILITY_KINDS), size=n_kinds, replace=False, p=weights)
        for k in sorted(kinds.tolist()):
            kind = VULNERABILITY_KINDS[k]
            valid_from = date.fromordinal(int(start[i] - rng.integers(30, 400)))
            valid_until = None if end[i] < 0 else date.fromordinal(int(end[i]))
            rows.append(MarkerRow(household_ids[i], kind, MARKER_SOURCES[kind], valid_from, valid_until))
    return rows


def applicant_marker(rng, household_id: str, registered: int, ref_day: int) -> MarkerRow:
    """A marker of a household on the waiting list, recorded within about ten months of registering (never after
    today), still valid. It is no urgency: the applicant's urgency is a decision on their profile."""
    kind = APPLICANT_MARKER_KINDS[int(rng.integers(len(APPLICANT_MARKER_KINDS)))]
    valid_from = date.fromordinal(min(ref_day, registered + int(rng.integers(0, 300))))
    return MarkerRow(household_id, kind, MARKER_SOURCES[kind], valid_from, None)
