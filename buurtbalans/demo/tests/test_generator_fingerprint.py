"""The demo generator's output for one small seed, pinned row for row.

A refactor of the generator must leave the demo as it was: the same seed gives the same town and corporation, to
the byte, so that screenshots, the README's figures and the browser tests keep describing the same data. If you
change the demo on purpose, say so in the commit and pin the new fingerprints (`fingerprints(...)` prints them).
numpy keeps a Generator's random streams within a version; an upgrade that changes them also shows here.
"""

import dataclasses
import hashlib
from datetime import date

import numpy as np

from buurtbalans.demo import generator

REFERENCE_DATE = date(2025, 6, 1)

TOWN = {
    "municipality": "0649841ada2d5fad",
    "districts": "e00689bb3ee2cfed",
    "neighbourhoods": "a0adb9ee56cb9cc9",
    "indicators": "003e737360bf8476",
}
CORPORATION = {
    "complexes": "e2e3f6dd973be510",
    "dwellings": "9ce0a253ede2e46c",
    "households": "be1826edfaf19b20",
    "tenancies": "1bea7feb62bb18fb",
    "markers": "b24be4188fbf57ec",
    # Issue 13: applicants carry their own profile (groups, urgency decision) instead of urgency from a marker; the
    # markers and every other row stayed the same.
    "applicants": "40917653c8d5745e",
}


def fingerprint(rows) -> str:
    """A hash of the rows' values in their order (Decimal and date by their repr, so 12.30 differs from 12.3)."""
    lines = (repr(dataclasses.astuple(row)) for row in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def fingerprints(data, fields) -> dict[str, str]:
    return {field: fingerprint(getattr(data, field) if field != "municipality" else [data.municipality])
            for field in fields}


def test_the_demo_town_is_the_same_to_the_byte_for_the_same_seed():
    town = generator.generate_town(np.random.default_rng(1), reference_date=REFERENCE_DATE, neighbourhoods=20)
    assert fingerprints(town, TOWN) == TOWN


def test_the_demo_corporation_is_the_same_to_the_byte_for_the_same_seed():
    town = generator.generate_town(np.random.default_rng(1), reference_date=REFERENCE_DATE, neighbourhoods=20)
    data = generator.generate_corporation(
        np.random.default_rng(2),
        neighbourhoods=generator.town_contexts(town),
        reference_date=REFERENCE_DATE,
        dwellings=600,
        prefix="VW",
        city="Voorbeeldstad",
    )
    assert data.counts() == {
        "complexes": 7, "dwellings": 600, "households": 918, "tenancies": 792, "current_tenancies": 584,
        "markers": 167, "applicants": 126,
    }
    assert fingerprints(data, CORPORATION) == CORPORATION
