"""Test builders that need the domain apps' models (a small portfolio), used by conftest.py's stock_a/stock_b.

They sit here, above every app, so core stays at the bottom of the layers: core/testing.py keeps the personas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from buurtbalans.core.models import HousingCorporation
from buurtbalans.households.models import Household, Tenancy, VulnerabilityKind, VulnerabilityMarker
from buurtbalans.neighbourhoods.models import District, Municipality, Neighbourhood
from buurtbalans.portfolio.models import Complex, Dwelling


@dataclass
class Stock:
    """A small portfolio of one corporation, for tests."""

    corporation: HousingCorporation
    municipality: object
    neighbourhood: object
    complex: object
    dwellings: list
    households: list
    tenancies: list
    markers: list


def make_stock(corporation: HousingCorporation, prefix: str = "A", bu_code: str = "BU01930000") -> Stock:
    """Two dwellings let to two households (one with a vulnerability marker) and one vacant dwelling."""
    municipality, _ = Municipality.objects.get_or_create(cbs_code="GM0193", defaults={"name": "Zwolle"})
    district, _ = District.objects.get_or_create(
        cbs_code="WK019300", defaults={"name": "Centrum", "municipality": municipality}
    )
    neighbourhood, _ = Neighbourhood.objects.get_or_create(
        cbs_code=bu_code, defaults={"name": f"Buurt {prefix}", "district": district, "municipality": municipality}
    )
    complex_ = Complex.objects.create(
        corporation=corporation, external_id=f"{prefix}-C1", name=f"Complex {prefix}", neighbourhood=neighbourhood
    )
    dwellings = [
        Dwelling.objects.create(
            corporation=corporation,
            complex=complex_,
            external_id=f"{prefix}-D{i}",
            street=f"{prefix}straat",
            house_number=i,
            postcode="8011AA",
            city="Zwolle",
            dwelling_type="apartment",
            rooms=3,
            floor_area=Decimal("65.00"),
            build_year=1975,
            energy_label="C",
            base_rent=Decimal("650.00"),
            service_charges=Decimal("35.00"),
            wws_points=Decimal("140"),
            is_daeb=True,
            status="vacant" if i == 3 else "occupied",
        )
        for i in (1, 2, 3)
    ]
    households = [
        Household.objects.create(
            corporation=corporation,
            external_id=f"{prefix}-H{i}",
            size=size,
            adults=1,
            children=size - 1,
            assessed_income=income,
            income_year=2025,
            income_source="tax_authority",
        )
        for i, (size, income) in enumerate([(1, Decimal("21000")), (3, Decimal("52000"))], start=1)
    ]
    tenancies = [
        Tenancy.objects.create(
            corporation=corporation,
            external_id=f"{prefix}-T{i}",
            dwelling=dwelling,
            household=household,
            start_date=date(2020, 1, 1),
            income_at_start=household.assessed_income,
            rent_at_start=Decimal("600.00"),
        )
        for i, (dwelling, household) in enumerate(zip(dwellings[:2], households, strict=True), start=1)
    ]
    kind = VulnerabilityKind.objects.get(corporation=None, code="shelter_outflow")
    markers = [
        VulnerabilityMarker.objects.create(
            corporation=corporation, household=households[0], kind=kind, source="test", valid_from=date(2024, 1, 1)
        )
    ]
    return Stock(corporation, municipality, neighbourhood, complex_, dwellings, households, tenancies, markers)


__all__ = ["Stock", "make_stock"]


def default_kinds_in_place() -> None:
    """The default vulnerability kinds as the households migrations make them, for tests outside a transaction.

    They are data of a migration: a transactional test's flush empties them and serialized_rollback should put
    them back, but after the concurrency tests (threads that close their connections) it did not on PostgreSQL.
    Running the migrations' own steps again is idempotent and keeps a test independent of what ran before.
    """
    from importlib import import_module

    from django.apps import apps

    for name in ("0002_default_vulnerability_kinds", "0007_status_holder_does_not_count"):
        import_module(f"buurtbalans.households.migrations.{name}").forward(apps, None)
