"""One composition count per complex (issue 12): the overview and complex page, the steering mix and the monitor's
indicators read the same counts from `portfolio.composition.composition_by_complex`.

Lives with the liveability tests because liveability is the highest of the three apps that use the count.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from buurtbalans.households.models import Tenancy
from buurtbalans.liveability.measures import measure_complexes
from buurtbalans.portfolio.composition import composition_by_complex
from buurtbalans.portfolio.models import Dwelling, DwellingStatus
from buurtbalans.portfolio.selectors import complex_composition, complex_composition_list, stock_summary
from buurtbalans.steering.mix import complex_mix_rows
from buurtbalans.steering.testing import Resident, Vacancy, make_mix_complex, residents

pytestmark = pytest.mark.django_db

REFERENCE_DATE = date(2025, 6, 1)


@pytest.fixture
def mixed(stock_a):
    """A complex with every kind of household: each income band and an unknown income, markers (one expired), a
    household renting two of its dwellings, a sold dwelling, a vacancy whose household left, a tenancy to come."""
    corporation = stock_a.corporation
    built = make_mix_complex(
        corporation,
        "A-MIX",
        neighbourhood=stock_a.neighbourhood,
        residents=[
            *residents(3, income="20000", marker=True),  # primary, marked
            *residents(2, income="20000"),  # primary
            Resident(income="35000"),  # secondary (1 person: above 28,375, at most the DAEB limit)
            Resident(income="60000", size=3),  # middle
            *residents(2, income="150000"),  # high
            Resident(income=None, marker=True),  # unknown, marked
            Resident(income="50000", start=date(2025, 9, 1)),  # not yet living there
        ],
        vacancies=[Vacancy(leaving=Resident(income="20000", marker=True, end=date(2025, 5, 1)))],
    )
    second = Dwelling.objects.create(
        corporation=corporation, complex=built.complex, external_id="A-MIX-D2ND", street="Mixlaan", house_number=99,
        postcode="8011AA", status=DwellingStatus.OCCUPIED, base_rent=Decimal("650.00"),
    )
    first = built.tenancies[0]
    Tenancy.objects.create(  # the first marked household also rents a second dwelling: still one household
        corporation=corporation, external_id="A-MIX-T2ND", dwelling=second, household=first.household,
        start_date=date(2022, 1, 1),
    )
    Dwelling.objects.create(
        corporation=corporation, complex=built.complex, external_id="A-MIX-SOLD", street="Mixlaan", house_number=98,
        postcode="8011AA", status=DwellingStatus.SOLD,
    )
    return built


def test_the_one_count_counts_households_once_by_band_and_marker(mixed):
    composition = composition_by_complex(mixed.complex.corporation_id, REFERENCE_DATE)[mixed.complex.pk]
    assert composition.as_counts() == {
        "dwelling_count": 14,  # 11 residents' homes, the vacancy, the second home, the sold one
        "occupied_count": 12,
        "vacant_count": 1,
        "household_count": 10,
        "primary_count": 5,
        "secondary_count": 1,
        "middle_count": 1,
        "high_count": 2,
        "unknown_count": 1,
        "marker_count": 4,
    }
    assert composition.lettable_count == 13


def test_the_overview_the_complex_page_the_mix_and_the_monitor_agree(mixed, nina):
    complex_ = mixed.complex
    corporation_id = complex_.corporation_id
    page = complex_composition(nina, complex_, reference_date=REFERENCE_DATE)
    (row,) = [r for r in complex_composition_list(nina, reference_date=REFERENCE_DATE) if r.pk == complex_.pk]
    (sorted_row,) = [
        r for r in complex_composition_list(nina, reference_date=REFERENCE_DATE, sort="-primary") if r.pk == complex_.pk
    ]
    (mix,) = complex_mix_rows(corporation_id, REFERENCE_DATE, complex_ids=[complex_.pk])
    measure = measure_complexes(corporation_id, REFERENCE_DATE)[complex_.pk]

    assert {key: getattr(row, key) for key in page} == page == {key: getattr(sorted_row, key) for key in page}
    assert (mix.households, mix.counts.vulnerable, mix.counts.primary, mix.vacant) == (
        page["household_count"], page["marker_count"], page["primary_count"], page["vacant_count"]
    )
    assert measure.household_count == page["household_count"]
    assert measure.dwelling_count == page["dwelling_count"] - 1  # the sold dwelling is not counted by the monitor
    assert measure.values["vulnerable_share"] == pytest.approx(page["marker_count"] / page["household_count"])
    assert measure.values["primary_share"] == pytest.approx(page["primary_count"] / page["household_count"])
    assert row.marker_share == measure.values["vulnerable_share"] == mix.vulnerable_share


def test_the_corporation_totals_count_each_household_once(mixed, stock_a, nina):
    summary = stock_summary(nina, reference_date=REFERENCE_DATE)
    complexes = composition_by_complex(stock_a.corporation.pk, REFERENCE_DATE)
    # Here no household rents in two complexes, so the corporation's totals are the complexes' summed.
    for key in ("household_count", "marker_count", "primary_count", "unknown_count"):
        assert summary.composition[key] == sum(c.as_counts()[key] for c in complexes.values())
