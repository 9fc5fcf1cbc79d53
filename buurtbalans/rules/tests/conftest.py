"""A generated year (2025) of lettings of corporation A in three places, with a hand-computed expectation.

2025 parameters: caps 682.96 (1-2 persons) / 731.93 (3+); allowance income limits 28,375 (1 person) /
38,500 (2+); DAEB income limits 49,669 / 54,847; norms 95%, 92.5% (free 7.5%, 15% with an agreement).

Zwolle (GM0193, corporation A's complex from `stock_a`), 40 lettings, all DAEB:
  30 x 1 person, 25,000, rent 650.00                      low income, FIT, target group
   2 x 2 persons at start (4 now), 30,000, rent 700.00    low income, NOT_FIT (low cap), target group
   6 x 1 person, 40,000, rent 650.00                      not low income, target group
   2 x 1 person, 60,000, rent 650.00                      not low income, outside the target group (free room)
  -> low 32, fit 30 (0.9375, norm not met), exception budget floor(1.6) - 2 = -1;
     DAEB 40, target 38 (0.95, met), free room allowed floor(3.0) = 3, used 2, left 1.
Apeldoorn (GM0200), 20 lettings:
  10 x 3 persons, 35,000, rent 731.93 (= high cap), DAEB; size and pension age at start not recorded (fallback)
   6 x 2 persons, 50,000, rent 800.00, DAEB               target group
   2 x 2 persons, 70,000, rent 800.00, DAEB               free room
   2 x 2 persons, 70,000, rent 1,100.00, not DAEB
  -> low 10, fit 10 (met); DAEB 18, target 16 (0.8888): not met with 92.5% (min 16.65) and free room
     floor(1.35) = 1 < 2 used; met with an agreement (85%: min 15.3; room floor(2.7) = 2, used 2, left 0).
Municipality unknown (a dwelling without a complex), 2 lettings:
   1 x 1 person, 20,000, rent at start not recorded (dwelling's base rent 600.00: fallback), DAEB: FIT, target
   1 x income at start and current income both unknown: incomplete, left out of the figures
Total: lettings 61 (the incomplete one left out), low 43, fit 41 (0.9534, met: 41 >= 40.85),
  exception budget floor(2.15) - 2 = 0;
  DAEB 59, target 55 (min 0.925 x 59 = 54.575: met), free used 4 <= 4.425 (allowed 4, left 0);
  with the Apeldoorn agreement: min 53.225, room 5.775 (allowed 5, left 1).
Fallbacks: household size at start 10, pension age at start 10, rent at start 1, income at start 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from buurtbalans.core.models import Role
from buurtbalans.core.testing import make_user
from buurtbalans.households.models import Household, Tenancy
from buurtbalans.neighbourhoods.models import District, Municipality, Neighbourhood
from buurtbalans.portfolio.models import Complex, Dwelling

YEAR = 2025


@dataclass
class Year:
    stock: object
    apeldoorn: Municipality
    tenancies: dict[str, Tenancy]


def _dwelling(corporation, code, complex_, *, is_daeb=True, base_rent="650.00"):
    return Dwelling.objects.create(
        corporation=corporation, complex=complex_, external_id=code, street="Straat", house_number=1,
        postcode="8011AA", base_rent=Decimal(base_rent), is_daeb=is_daeb,
    )  # fmt: skip


def make_year(stock) -> Year:
    """Corporation A's 2025 lettings as described in this module's docstring; returns the tenancies by id."""
    corporation = stock.corporation
    apeldoorn = Municipality.objects.create(cbs_code="GM0200", name="Apeldoorn")
    district = District.objects.create(cbs_code="WK020000", name="Centrum", municipality=apeldoorn)
    buurt = Neighbourhood.objects.create(
        cbs_code="BU02000000", name="Binnenstad", district=district, municipality=apeldoorn
    )
    complex_apeldoorn = Complex.objects.create(
        corporation=corporation, external_id="A-C2", name="Complex A2", neighbourhood=buurt
    )
    zwolle_daeb = _dwelling(corporation, "A-Z1", stock.complex)
    apeldoorn_daeb = _dwelling(corporation, "A-P1", complex_apeldoorn)
    apeldoorn_free = _dwelling(corporation, "A-P2", complex_apeldoorn, is_daeb=False, base_rent="1100.00")
    nowhere = _dwelling(corporation, "A-X1", None, base_rent="600.00")

    # (count, prefix, dwelling, size at start, size now, income, rent at start, exception, facts at start recorded)
    groups = [
        (30, "Z-FIT", zwolle_daeb, 1, 1, "25000", "650.00", "", True),
        (2, "Z-NOFIT", zwolle_daeb, 2, 4, "30000", "700.00", "", True),
        (6, "Z-MID", zwolle_daeb, 1, 1, "40000", "650.00", "", True),
        (2, "Z-HIGH", zwolle_daeb, 1, 1, "60000", "650.00", "", True),
        (10, "P-FIT", apeldoorn_daeb, 3, 3, "35000", "731.93", "", False),
        (6, "P-MID", apeldoorn_daeb, 2, 2, "50000", "800.00", "", True),
        (2, "P-HIGH", apeldoorn_daeb, 2, 2, "70000", "800.00", "", True),
        (2, "P-FREE", apeldoorn_free, 2, 2, "70000", "1100.00", "", True),
        (1, "X-FIT", nowhere, 1, 1, "20000", None, "", True),
        (1, "X-NOINCOME", nowhere, 1, 1, None, "600.00", "", True),
    ]
    households, tenancies = [], []
    day = date(YEAR, 1, 2)
    for count, prefix, dwelling, size_at_start, size_now, income, rent, exception, recorded in groups:
        for i in range(1, count + 1):
            code = f"{prefix}-{i}"
            adults = min(size_now, 2)
            households.append(
                Household(
                    corporation=corporation, external_id=f"H-{code}", size=size_now, adults=adults,
                    children=size_now - adults, assessed_income=None if income is None else Decimal(income),
                )
            )  # fmt: skip
            tenancies.append(
                Tenancy(
                    corporation=corporation, external_id=code, dwelling=dwelling, start_date=day,
                    income_at_start=None if income is None else Decimal(income),
                    rent_at_start=None if rent is None else Decimal(rent),
                    household_size_at_start=size_at_start if recorded else None,
                    is_pension_age_at_start=False if recorded else None,
                    exception_reason=exception,
                )
            )  # fmt: skip
            day += timedelta(days=5)
    saved = Household.objects.bulk_create(households)
    for tenancy, household in zip(tenancies, saved, strict=True):
        tenancy.household = household
    # One non-fitting letting records why: the other stays without a reason.
    tenancies[30].exception_reason = "rehousing"
    # A letting from the year before and one from the year after do not count.
    Tenancy.objects.bulk_create(tenancies)
    for code, start in (("OLD-1", date(YEAR - 1, 12, 31)), ("NEW-1", date(YEAR + 1, 1, 1))):
        Tenancy.objects.create(
            corporation=corporation, external_id=code, dwelling=zwolle_daeb, household=saved[0], start_date=start,
            income_at_start=Decimal("20000"), rent_at_start=Decimal("900.00"),
        )  # fmt: skip
    return Year(stock, apeldoorn, {t.external_id: t for t in Tenancy.objects.filter(corporation=corporation)})


@pytest.fixture
def year_a(stock_a):
    return make_year(stock_a)


@pytest.fixture
def paula(corporation_a):
    """The platform administrator: changes the legal parameters every corporation shares (and nothing else)."""
    return make_user("paula", corporation_a, Role.PLATFORM_ADMIN)
