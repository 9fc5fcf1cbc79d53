"""The yearly caps on selection on motivation per municipality (issue 13 item 2): the first motivation listing over
a cap does not open, and the refusal names the cap.

Counted per corporation, municipality of the dwelling's buurt and year: lettings on motivation (the selection
recorded on the tenancy) plus motivation listings open now; the share is of every letting of the year plus every
listing open now (each will be a letting).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtbalans.allocation import services
from buurtbalans.allocation.models import Listing, ListingStatus
from buurtbalans.allocation.services import AllocationError
from buurtbalans.allocation.tests.support import vacant_dwelling
from buurtbalans.households.models import Household, SelectionMethod, Tenancy
from buurtbalans.neighbourhoods.models import District, Municipality, Neighbourhood
from buurtbalans.portfolio.models import Complex, Dwelling
from buurtbalans.rules.models import MotivationCap

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The services' messages in English (the msgids); the screens speak Dutch, checked where it matters."""
    with translation.override("en"):
        yield

OPENED = date(2026, 3, 2)
CRITERIA = ["Wil meedoen in de bewonerscommissie", "Woont of werkt in de buurt"]
_numbers = count(100)


def motivation(stock, officer, *, today=OPENED, dwelling=None) -> Listing:
    return services.listing_create_for_dwelling(dwelling=dwelling or vacant_dwelling(stock, next(_numbers)),
                                                actor=officer, selection="motivation", criteria=CRITERIA,
                                                today=today)


def regular(stock, officer, *, dwelling=None) -> Listing:
    return services.listing_create_for_dwelling(dwelling=dwelling or vacant_dwelling(stock, next(_numbers)),
                                                actor=officer)


def lettings(stock, n: int, *, year: int = 2026, method=SelectionMethod.REGISTRATION, complex_=None) -> None:
    """`n` tenancies started in `year` in the stock's complex (or `complex_`), chosen by `method`."""
    for _ in range(n):
        i = next(_numbers)
        dwelling = Dwelling.objects.create(
            corporation=stock.corporation, complex=complex_ or stock.complex, external_id=f"LET-{i}", street="Laan",
            house_number=i, postcode="8011AB", city="Zwolle", base_rent=Decimal("600.00"), status="occupied")
        household = Household.objects.create(corporation=stock.corporation, external_id=f"H-LET-{i}", size=1,
                                              adults=1, children=0, assessed_income=Decimal("24000"))
        Tenancy.objects.create(corporation=stock.corporation, external_id=f"HO-{i}", dwelling=dwelling,
                               household=household, start_date=date(year, 2, 1), selection_method=method)


def cap(stock, *, year: int = 2026, share=None, number=None, municipality=None) -> MotivationCap:
    return MotivationCap.objects.create(corporation=stock.corporation, municipality=municipality or stock.municipality,
                                        year=year, max_share=share, max_number=number, recorded_by_name="test")


def apeldoorn_complex(stock) -> Complex:
    municipality = Municipality.objects.create(cbs_code="GM0200", name="Apeldoorn")
    district = District.objects.create(cbs_code="WK020000", name="Centrum", municipality=municipality)
    buurt = Neighbourhood.objects.create(cbs_code="BU02000000", name="Binnenstad", district=district,
                                         municipality=municipality)
    return Complex.objects.create(corporation=stock.corporation, external_id="A-C9", name="Apeldoorn",
                                  neighbourhood=buurt)


def refusal(call) -> list[str]:
    with pytest.raises(AllocationError) as caught:
        call()
    return caught.value.messages


def test_at_the_number_cap_the_next_motivation_listing_is_refused_and_the_cap_is_named(stock_a, alice):
    cap(stock_a, number=3)
    lettings(stock_a, 2, method=SelectionMethod.MOTIVATION)
    motivation(stock_a, alice)  # 2 let + 1 open = 3: at the cap, allowed

    messages = refusal(lambda: motivation(stock_a, alice))
    assert messages[0] == ("The municipality of Zwolle allows at most 3 lettings on motivation in 2026; there are "
                           "already 3.")
    assert messages[-1] == ("Counted: 2 of 2 lettings in 2026 were on motivation, and 1 of the 1 homes on offer now "
                            "are motivation listings.")
    with translation.override("nl"):
        messages = refusal(lambda: motivation(stock_a, alice))
    assert messages[0] == ("De gemeente Zwolle staat in 2026 ten hoogste 3 toewijzingen op motivatie toe; er zijn er "
                           "al 3.")
    assert Listing.objects.filter(selection="motivation").count() == 1
    # A regular listing is never held back by the cap.
    regular(stock_a, alice)


def test_under_the_number_cap_a_motivation_listing_opens(stock_a, alice):
    cap(stock_a, number=20)
    lettings(stock_a, 19, method=SelectionMethod.MOTIVATION)
    listing = motivation(stock_a, alice)
    assert (listing.status, listing.criteria) == (ListingStatus.OPEN, CRITERIA)


def test_the_share_cap_counts_every_letting_and_every_home_on_offer(stock_a, alice):
    cap(stock_a, share=Decimal("0.25"))
    # Nothing let or on offer yet: one motivation listing would be 1 of 1 (100%).
    messages = refusal(lambda: motivation(stock_a, alice))
    assert messages[0] == ("The municipality of Zwolle allows at most 25% of the lettings on motivation in 2026; "
                           "with this home it would be 1 of 1 (100%).")
    lettings(stock_a, 2)
    regular(stock_a, alice)
    motivation(stock_a, alice)  # 1 of 2 let + 1 open + itself = 4: 25%, allowed
    messages = refusal(lambda: motivation(stock_a, alice))  # 2 of 5: 40%
    assert "with this home it would be 2 of 5 (40%)" in messages[0]
    lettings(stock_a, 3)
    motivation(stock_a, alice)  # 2 of 8


def test_a_withdrawn_motivation_listing_no_longer_counts(stock_a, alice):
    cap(stock_a, number=1)
    first = motivation(stock_a, alice)
    refusal(lambda: motivation(stock_a, alice))
    services.listing_withdraw(listing=first, actor=alice)
    motivation(stock_a, alice)


def test_caps_are_per_municipality(stock_a, alice):
    cap(stock_a, number=0)
    apeldoorn = apeldoorn_complex(stock_a)
    lettings(stock_a, 5, method=SelectionMethod.MOTIVATION, complex_=apeldoorn)
    # No cap in Apeldoorn, and Apeldoorn's lettings on motivation do not count in Zwolle's.
    there = Dwelling.objects.create(corporation=stock_a.corporation, complex=apeldoorn, external_id="A-AP1",
                                    street="Loolaan", house_number=1, postcode="7300AA", city="Apeldoorn",
                                    base_rent=Decimal("600.00"), status="vacant")
    motivation(stock_a, alice, dwelling=there)
    messages = refusal(lambda: motivation(stock_a, alice))
    assert messages[0].startswith("The municipality of Zwolle allows at most 0 lettings on motivation in 2026")
    assert "there are already 0." in messages[0]
    # Apeldoorn's own cap counts Apeldoorn only: its 5 lettings and the listing open there.
    cap(stock_a, number=6, municipality=apeldoorn.neighbourhood.municipality)
    elsewhere = Dwelling.objects.create(corporation=stock_a.corporation, complex=apeldoorn, external_id="A-AP2",
                                        street="Loolaan", house_number=2, postcode="7300AA", city="Apeldoorn",
                                        base_rent=Decimal("600.00"), status="vacant")
    messages = refusal(lambda: motivation(stock_a, alice, dwelling=elsewhere))
    assert messages[0] == ("The municipality of Apeldoorn allows at most 6 lettings on motivation in 2026; there are "
                           "already 6.")


def test_caps_are_per_year(stock_a, alice):
    cap(stock_a, year=2025, number=0)
    lettings(stock_a, 4, year=2025, method=SelectionMethod.MOTIVATION)
    # In 2026 no cap is recorded: 2025's cap and 2025's lettings do not count.
    motivation(stock_a, alice, today=date(2026, 1, 5))
    cap(stock_a, year=2026, number=2)
    lettings(stock_a, 1, year=2026, method=SelectionMethod.MOTIVATION)
    messages = refusal(lambda: motivation(stock_a, alice, today=date(2026, 1, 6)))
    assert "in 2026; there are already 2." in messages[0]
    # The 2025 cap refuses a listing that opens in 2025.
    messages = refusal(lambda: motivation(stock_a, alice, today=date(2025, 12, 30)))
    assert "allows at most 0 lettings on motivation in 2025" in messages[0]


def test_another_corporations_lettings_and_listings_do_not_count(stock_a, stock_b, alice, charlie):
    cap(stock_a, number=1)
    lettings(stock_b, 3, method=SelectionMethod.MOTIVATION)
    motivation(stock_b, charlie)
    motivation(stock_a, alice)


def test_becoming_a_motivation_listing_is_counted_as_opening_one(stock_a, alice):
    cap(stock_a, number=1)
    motivation(stock_a, alice)
    listing = regular(stock_a, alice)
    messages = refusal(lambda: services.listing_update(listing=listing, actor=alice, selection="motivation",
                                                       criteria=CRITERIA, today=OPENED))
    assert "allows at most 1 lettings on motivation in 2026; there are already 1." in messages[0]
    messages = refusal(lambda: services.listing_relabel(listing=listing, actor=alice, selection="motivation",
                                                        criteria=CRITERIA, today=OPENED))
    assert "there are already 1." in messages[0]
    listing.refresh_from_db()
    assert (listing.selection, listing.criteria) == ("registration", [])


def test_a_motivation_listing_changing_its_criteria_is_not_counted_again(stock_a, alice):
    cap(stock_a, number=1)
    listing = motivation(stock_a, alice)
    changed = services.listing_update(listing=listing, actor=alice, criteria=["Doet mee in de buurt"], today=OPENED)
    assert changed.criteria == ["Doet mee in de buurt"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=st.one_of(st.none(), st.integers(0, 6)), share=st.one_of(st.none(), st.sampled_from(["0.25", "0.5"])),
       let=st.integers(0, 4), let_on_motivation=st.integers(0, 3), attempts=st.integers(1, 6))
def test_whatever_is_opened_the_year_never_goes_over_a_cap(stock_a, alice, number, share, let, let_on_motivation,
                                                           attempts):
    from django.db import transaction

    if number is None and share is None:
        number = 3
    with transaction.atomic():
        cap(stock_a, number=number, share=None if share is None else Decimal(share))
        lettings(stock_a, let)
        lettings(stock_a, let_on_motivation, method=SelectionMethod.MOTIVATION)
        for _ in range(attempts):
            try:
                motivation(stock_a, alice)
            except AllocationError:
                pass
        opened = Listing.objects.filter(corporation=stock_a.corporation, selection="motivation").count()
        used = let_on_motivation + opened
        if used > let_on_motivation:  # the cap only holds back what opens, not what was let before it was set
            if number is not None:
                assert used <= number
            if share is not None:
                total = let + let_on_motivation + opened
                assert Decimal(used) / total <= Decimal(share)
        transaction.set_rollback(True)
