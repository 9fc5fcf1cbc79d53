"""A small scenario for the simulation app's tests (one complex with fewer than 5 vulnerable households)."""

from __future__ import annotations

import copy
from datetime import date

from buurtbalans.simulation.services import policy_study_create_from_document

SCENARIO = {
    "format": "buurtbalans.simulation/1",
    "start_year": 2026,
    "years": 4,
    "complexes": [
        {"id": "A-C1", "dwellings": 120, "V": 30, "P": 55, "O": 35, "turnover": "0.08",
         "target_V_max_share": "0.20", "target_P_max_share": "0.50"},
        {"id": "A-C2", "dwellings": 60, "V": 3, "P": 30, "O": 27, "turnover": "0.10",
         "target_V_max_share": "0.20", "target_P_max_share": "0.55"},
    ],
    "inflow": {
        "OPEN": {"V": "0.20", "P": "0.50", "O": "0.30"},
        "NO_VULNERABLE": {"V": "0.05", "P": "0.60", "O": "0.35"},
        "RESERVED_VULNERABLE": {"V": "1", "P": "0", "O": "0"},
    },
    "arrivals": {"V": "8", "P": "20", "O": "12"},
    "initial_queue": {"V": [0, 1, 2], "P": [0, 2, 4], "O": [1]},
    "policies": [
        {"name": "Open", "kind": "open"},
        {"name": "Ruimte-toets", "kind": "room_check", "min_vulnerable_placements": 2},
    ],
}
ESTIMATES = [
    {"key": "inflow.OPEN.V", "value": "0.2", "n": 40, "k": 8, "low": "0.11", "high": "0.32",
     "note": "Van 40 verhuringen met het label open gingen er 8 naar een kwetsbaar huishouden."},
    {"key": "turnover.A-C1", "value": "0.08", "n": 120, "k": 10, "low": "0.05", "high": "0.12", "note": ""},
    {"key": "arrivals.P", "value": "20", "n": 20, "k": None, "low": "14", "high": "27", "note": ""},
]


def make_study(corporation, actor, *, runs: int = 20, seed: int = 7, name: str = "Proef", document=None):
    return policy_study_create_from_document(
        corporation=corporation, actor=actor, name=name, on=date(2026, 1, 1),
        document=copy.deepcopy(document or SCENARIO), estimates=copy.deepcopy(ESTIMATES),
        problems=["Van 2 complexen is geen mutatiegraad bekend; daar staat 8%."], runs=runs, seed=seed)
