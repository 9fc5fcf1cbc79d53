"""Test data for the evaluation: complexes with a yearly vitality measurement and interventions with a planted effect.

Used by the app's tests, the Dutch page walk and the browser test. Not for the demo: the demo's vitality is
counted from its facts (docs/evaluation.md, "The demo").
"""

from __future__ import annotations

from datetime import date

import numpy as np
from django.utils import timezone

from buurtbalans.evaluation.models import Intervention, InterventionKind, InterventionSource
from buurtbalans.liveability.models import ComplexVitality
from buurtbalans.neighbourhoods.models import District, Municipality, Neighbourhood
from buurtbalans.portfolio.models import Complex

YEARS = tuple(range(2020, 2025))
START_YEAR = 2022


def make_evaluation_data(corporation, *, prefix: str = "E", treated: int = 8, controls: int = 30,
                         effect: float = 6.0, kind: str = InterventionKind.SOCIAL_MANAGEMENT,
                         start_year: int = START_YEAR, seed: int = 0, pre_trend: float = 0.0) -> dict:
    """Complexes `{prefix}-001`... with a vitality score (and signals per 100) per year on 31 December.

    The first `treated` complexes got an intervention of `kind` on 1 April of `start_year`; their score is `effect`
    points higher from that year on (and rises `pre_trend` a year faster before it). Returns the complexes and the
    interventions.
    """
    rng = np.random.default_rng(seed)
    municipality, _ = Municipality.objects.get_or_create(cbs_code="GM0193", defaults={"name": "Zwolle"})
    district, _ = District.objects.get_or_create(cbs_code="WK019300",
                                                 defaults={"name": "Centrum", "municipality": municipality})
    buurt, _ = Neighbourhood.objects.get_or_create(
        cbs_code=f"BU0193{prefix[:1].encode().hex()[:2]}99",
        defaults={"name": f"Buurt {prefix}", "district": district, "municipality": municipality})
    complexes, interventions, rows = [], [], []
    now = timezone.now()
    for i in range(treated + controls):
        is_treated = i < treated
        complex_ = Complex.objects.create(corporation=corporation, external_id=f"{prefix}-{i + 1:03}",
                                          name=f"{prefix} Complex {i + 1}", neighbourhood=buurt)
        complexes.append(complex_)
        level, slope = rng.normal(60, 6), rng.normal(0.5, 0.2) + (pre_trend if is_treated else 0.0)
        dwellings = int(rng.integers(20, 160))
        for year in YEARS:
            score = level + slope * (year - YEARS[0]) + rng.normal(0, 1.0)
            if is_treated and year >= start_year:
                score += effect
            signals = max(0.0, 12 - (score - 60) / 2 + rng.normal(0, 0.5))
            rows.append(ComplexVitality(
                corporation=corporation, complex=complex_, reference_date=date(year, 12, 31),
                is_latest=year == YEARS[-1], dwelling_count=dwellings, household_count=dwellings,
                values={"signals_per_100": round(signals, 2), "turnover_rate": 0.08},
                score=round(score, 2), computed=now,
            ))
        if is_treated:
            interventions.append(Intervention.objects.create(
                corporation=corporation, complex=complex_, kind=kind, started_on=date(start_year, 4, 1),
                description="Portiekgesprekken en een buurtconciërge", source=InterventionSource.ENTERED,
                created_by_name="test",
            ))
    ComplexVitality.objects.bulk_create(rows)
    return {"complexes": complexes, "interventions": interventions}
