from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from buurtbalans.core.models import Role
from buurtbalans.core.testing import make_user
from buurtbalans.households.models import Applicant, Household, Tenancy, VulnerabilityMarker
from buurtbalans.liveability.models import ArrearsRecord, Signal, SupportNeed
from buurtbalans.steering.models import SteeringRole


@pytest.fixture
def petra(corporation_a):
    """The privacy officer of corporation A."""
    return make_user("petra", corporation_a, Role.PRIVACY_OFFICER)


@pytest.fixture
def english(client, settings):
    """Pages in English (the product is Dutch unless the user switches), so tests read the source strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield client


@pytest.fixture
def former_tenant(stock_a):
    """A-H9: rented A-D3 from 2015 to 2023, registered again as a home-seeker (name and address), with a marker,
    a support need at that home, arrears and a carrying role on the contract, and notes that name it."""
    corporation = stock_a.corporation
    household = Household.objects.create(corporation=corporation, external_id="A-H9", size=2, adults=2,
                                         assessed_income=Decimal("31000"), income_year=2024,
                                         income_source="tax_authority")
    tenancy = Tenancy.objects.create(corporation=corporation, external_id="A-T9", dwelling=stock_a.dwellings[2],
                                     household=household, start_date=date(2015, 1, 1), end_date=date(2023, 6, 30),
                                     income_at_start=Decimal("25000"), rent_at_start=Decimal("550.00"))
    Applicant.objects.create(corporation=corporation, external_id="R-9", household=household,
                             registration_date=date(2023, 1, 1), name="Wilhelmina Jansen",
                             street_address="Kerkstraat 9", postal_code="8011 AB", city="Zwolle")
    VulnerabilityMarker.objects.create(corporation=corporation, household=household,
                                       kind=stock_a.markers[0].kind, source="gemeente", valid_from=date(2020, 1, 1))
    SupportNeed.objects.create(corporation=corporation, complex=stock_a.complex, dwelling=stock_a.dwellings[2],
                               reported_on=date(2021, 3, 1), referred_to="wijkteam", note="help-at-home-note",
                               recorded_by_name="nina")
    # Reported after they left: someone else's.
    SupportNeed.objects.create(corporation=corporation, complex=stock_a.complex, dwelling=stock_a.dwellings[2],
                               reported_on=date(2024, 3, 1), note="next-tenant-note", recorded_by_name="nina")
    ArrearsRecord.objects.create(corporation=corporation, complex=stock_a.complex, tenancy=tenancy,
                                 reference_date=date(2022, 12, 31), amount=Decimal("310.00"),
                                 households_in_arrears=1, recorded_by_name="t")
    SteeringRole.objects.create(corporation=corporation, tenancy=tenancy, source="other",
                                valid_from=date(2016, 1, 1), note="runs-the-garden-note", recorded_by_name="nina")
    Signal.objects.create(corporation=corporation, complex=stock_a.complex, kind="nuisance",
                          reported_on=date(2022, 5, 1), note="Overlast gemeld door Wilhelmina Jansen (A-H9).",
                          recorded_by_name="nina")
    Signal.objects.create(corporation=corporation, complex=stock_a.complex, kind="neglect",
                          reported_on=date(2022, 5, 2), note="Tuin van A-H90 verwaarloosd.", recorded_by_name="nina")
    return household
