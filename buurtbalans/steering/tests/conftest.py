"""A small corporation A for the steering tests (reference date 2025-06-01; 2025 parameters).

2025 limits: allowance income limit 28,375 (1 person); caps 682.96 (low) / 731.93 (high); DAEB rent limit 900.07.

- HOT (buurt of stock_a): 20 households, 8 with a vulnerability marker (income 20,000: primary band),
  12 without (income 50,000: middle band), one of them let on motivation (carrying). Lettings: the 8 marked
  households and 2 others started in 2024, the rest in 2019. Vacancies: V1 (rent 700.00, 180 WWS points: legal
  maximum above the cap), its leaving household marked and primary; V2 (rent 600.00, no WWS points).
- CALM (same buurt): 10 households without a marker (income 50,000), let in 2019; vacancy V3 (rent 650.00,
  140 points), leaving household neither.
- stock_a's own complex A-C1 (2 households, one marked; one vacant dwelling A-D3 without an ended tenancy).
"""

from __future__ import annotations

from datetime import date

import pytest

from buurtbalans.households.models import SelectionMethod
from buurtbalans.steering.testing import Resident, Vacancy, make_mix_complex, residents

REFERENCE_DATE = date(2025, 6, 1)


@pytest.fixture
def town(stock_a):
    corporation, buurt = stock_a.corporation, stock_a.neighbourhood
    hot = make_mix_complex(
        corporation,
        "A-HOT",
        neighbourhood=buurt,
        residents=[
            *residents(8, income="20000", marker=True, start=date(2024, 3, 1)),
            Resident(income="50000", start=date(2024, 4, 1), selection_method=SelectionMethod.MOTIVATION),
            Resident(income="50000", start=date(2024, 5, 1)),
            *residents(10, income="50000", start=date(2019, 1, 1)),
        ],
        vacancies=[
            Vacancy(
                base_rent="700.00",
                wws_points="180",
                leaving=Resident(income="20000", marker=True, start=date(2019, 1, 1), end=date(2025, 5, 1)),
            ),
            Vacancy(
                base_rent="600.00",
                wws_points=None,
                leaving=Resident(income="50000", start=date(2019, 1, 1), end=date(2025, 5, 15)),
            ),
        ],
    )
    calm = make_mix_complex(
        corporation,
        "A-CALM",
        neighbourhood=buurt,
        residents=residents(10, income="50000", start=date(2019, 1, 1)),
        vacancies=[
            Vacancy(
                base_rent="650.00",
                wws_points="140",
                leaving=Resident(income="50000", start=date(2019, 1, 1), end=date(2025, 4, 1)),
            ),
        ],
    )
    return {"stock": stock_a, "hot": hot, "calm": calm}


@pytest.fixture
def english(client, settings):
    """The test client with English chosen (the switch sets this cookie); Dutch is the default."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
