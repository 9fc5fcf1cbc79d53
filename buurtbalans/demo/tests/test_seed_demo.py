"""`buurtbalans seed_demo` end to end on the test database: data, logins, audit, idempotence."""

import importlib.util
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from buurtbalans.core.models import AuditEvent, HousingCorporation, Membership, Role
from buurtbalans.core.testing import make_user, require_environment
from buurtbalans.demo.writer import DEMO_CODE, DEMO_PASSWORD, DEMO_USERS, OTHER_CODE
from buurtbalans.households.models import Applicant, Household, Tenancy, VulnerabilityMarker
from buurtbalans.neighbourhoods.models import Neighbourhood, PublicIndicator
from buurtbalans.portfolio.models import Complex, Dwelling
from buurtbalans.simulation.models import PolicyStudy

SMALL = ["--dwellings", "600", "--reference-date", "2025-06-01"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The demo hashes its password once per run; the slow production hasher would dominate these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args):
    out = StringIO()
    # The command speaks the site's language (Dutch); these tests read the English source messages.
    with translation.override("en"):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot(code):
    """Every stored demo row of one corporation, without database ids."""
    corporation = {"corporation__code": code}
    return {
        "complexes": list(Complex.objects.filter(**corporation).order_by("external_id").values_list(
            "external_id", "name", "neighbourhood__cbs_code")),
        "dwellings": list(Dwelling.objects.filter(**corporation).order_by("external_id").values_list(
            "external_id", "complex__external_id", "street", "house_number", "house_number_suffix", "postcode",
            "city", "dwelling_type", "rooms", "floor_area", "build_year", "energy_label", "base_rent",
            "service_charges", "wws_points", "is_daeb", "accessibility_label", "status")),
        "households": list(Household.objects.filter(**corporation).order_by("external_id").values_list(
            "external_id", "size", "adults", "children", "is_pension_age_household", "assessed_income",
            "income_year", "income_source")),
        "tenancies": list(Tenancy.objects.filter(**corporation).order_by("external_id").values_list(
            "external_id", "dwelling__external_id", "household__external_id", "start_date", "end_date",
            "income_at_start", "rent_at_start", "contract_type", "exception_reason")),
        "markers": sorted(VulnerabilityMarker.objects.filter(**corporation).values_list(
            "household__external_id", "kind__code", "source", "valid_from", "valid_until")),
        "applicants": list(Applicant.objects.filter(**corporation).order_by("external_id").values_list(
            "external_id", "household__external_id", "registration_date")),
    }


@pytest.mark.smoke
@pytest.mark.django_db
def test_seed_demo_creates_the_demo_corporation_and_a_working_login_per_role():
    output = seed(*SMALL)

    demo = HousingCorporation.objects.get(code=DEMO_CODE)
    assert demo.name == "Voorbeeld Wonen"
    assert Dwelling.objects.filter(corporation=demo).count() == 600
    occupied = Dwelling.objects.filter(corporation=demo, status="occupied").count()
    assert Tenancy.objects.filter(corporation=demo, end_date__isnull=True).count() == occupied
    assert Tenancy.objects.filter(corporation=demo, end_date__isnull=False).count() > 100
    assert VulnerabilityMarker.objects.filter(corporation=demo).exists()
    assert Applicant.objects.filter(corporation=demo).count() == round(0.21 * 600)
    # Every complex stands in a buurt of the synthetic town, which has its public statistics.
    assert not Complex.objects.filter(corporation=demo, neighbourhood__isnull=True).exists()
    buurten = Neighbourhood.objects.filter(municipality__cbs_code="GM9999")
    assert buurten.count() >= 20 and all(b.geometry["type"] == "Polygon" for b in buurten)
    assert PublicIndicator.objects.filter(area_code__startswith="BU9999", key="lbm", year=2020).count() == len(
        buurten
    )

    for username, code, roles in DEMO_USERS:
        assert username in output
        membership = Membership.objects.get(user__username=username)
        assert membership.corporation.code == code and membership.roles == [str(r) for r in roles]
        assert Client().login(username=username, password=DEMO_PASSWORD), username
    assert DEMO_PASSWORD in output
    assert {r for _u, _c, roles in DEMO_USERS for r in roles} == set(Role.values)

    event = AuditEvent.objects.get(event_type=AuditEvent.Type.DEMO_SEEDED, corporation=demo)
    assert event.data["dwellings"] == 600 and event.data["seed"] == 1
    assert event.data["households"] == Household.objects.filter(corporation=demo).count()

    # The analyst finds a policy study built from the demo's data and calculated (issue 15).
    [study] = PolicyStudy.objects.filter(corporation=demo)
    assert study.created_by.username == "beleid" and study.job.status == "succeeded"
    assert [p["name"] for p in study.result["policies"]] == ["Open", "Ruimte per complex", "Quotum 10%"]
    assert study.result_runs == 100 and len(study.result["policies"][0]["years"]) == 10


@pytest.mark.smoke
@pytest.mark.django_db
def test_running_it_again_changes_nothing_and_reset_rebuilds_the_same_rows():
    seed(*SMALL)
    first = snapshot(DEMO_CODE)
    other = snapshot(OTHER_CODE)

    output = seed(*SMALL)
    assert "already exists" in output and DEMO_PASSWORD in output
    assert snapshot(DEMO_CODE) == first
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.DEMO_SEEDED).count() == 2

    seed(*SMALL, "--reset")
    assert snapshot(DEMO_CODE) == first
    assert snapshot(OTHER_CODE) == other
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.DEMO_SEEDED).count() == 4


@pytest.mark.django_db
def test_another_seed_gives_other_data():
    seed(*SMALL)
    first = snapshot(DEMO_CODE)
    seed(*SMALL, "--reset", "--seed", "2")
    second = snapshot(DEMO_CODE)
    assert len(second["dwellings"]) == 600
    assert first["dwellings"] != second["dwellings"]


@pytest.mark.django_db
def test_a_dry_run_writes_nothing():
    output = seed(*SMALL, "--dry-run")
    assert "rolled back" in output
    assert not Dwelling.objects.exists()
    assert not HousingCorporation.objects.filter(code=DEMO_CODE).exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_the_other_corporations_login_sees_none_of_voorbeeld_wonen():
    seed(*SMALL)
    andere = Membership.objects.get(user__username="andere").user
    visible = Dwelling.objects.visible_to(andere)
    assert visible.exists()
    assert not visible.filter(corporation__code=DEMO_CODE).exists()
    assert set(visible.values_list("corporation__code", flat=True)) == {OTHER_CODE}
    assert 2 <= Complex.objects.filter(corporation__code=OTHER_CODE).count() <= 5


@pytest.mark.django_db
def test_a_real_user_with_a_demo_username_is_left_alone(corporation_a):
    make_user("beheer", corporation_a, Role.ADMIN)
    output = seed(*SMALL)
    assert Membership.objects.get(user__username="beheer").corporation == corporation_a
    assert not Client().login(username="beheer", password=DEMO_PASSWORD)
    assert "beheer" in output and "left alone" in output


@pytest.mark.django_db
def test_seed_demo_places_the_stock_in_a_real_municipality_from_open_data():
    directory = os.environ.get("BUURTBALANS_OPEN_DATA_DIR")
    require_environment(bool(directory), "BUURTBALANS_OPEN_DATA_DIR is not set")
    require_environment(
        importlib.util.find_spec("buurtbalans.neighbourhoods.services") is not None, "no open-data import yet"
    )
    output = seed("--dwellings", "1500", "--reference-date", "2025-06-01", "--open-data", str(Path(directory)),
                  "--municipality", "GM0193")

    assert "Zwolle" in output
    complexes = Complex.objects.filter(corporation__code=DEMO_CODE)
    assert complexes.exists()
    assert all(c.neighbourhood.cbs_code.startswith("BU0193") for c in complexes.select_related("neighbourhood"))
    assert set(Dwelling.objects.filter(corporation__code=DEMO_CODE).values_list("city", flat=True)) == {"Zwolle"}
    # No synthetic town was made, and the real statistics are not overwritten by synthetic ones.
    assert not Neighbourhood.objects.filter(municipality__cbs_code="GM9999").exists()
    assert not PublicIndicator.objects.filter(area_code__startswith="BU0193", source__icontains="synthetic").exists()


@pytest.mark.django_db
def test_bulk_insert_stores_what_the_orm_reads_back(corporation_a, stock_a):
    from datetime import date
    from decimal import Decimal

    from buurtbalans.demo.writer import rows_insert

    [pk] = rows_insert(
        Household,
        ("corporation", "external_id", "size", "adults", "children", "assessed_income"),
        [(corporation_a.pk, "X-H1", 3, 1, 2, Decimal("21345.67"))],
    )
    household = Household.objects.get(pk=pk)
    assert (household.size, household.children, household.assessed_income) == (3, 2, Decimal("21345.67"))
    # Fields not given get the model's defaults.
    assert household.income_source == "unknown" and household.is_pension_age_household is False
    assert household.income_year is None
    [tenancy_pk] = rows_insert(
        Tenancy,
        ("corporation", "external_id", "dwelling", "household", "start_date", "end_date"),
        [(corporation_a.pk, "X-T1", stock_a.dwellings[2].pk, pk, date(2024, 2, 29), None)],
    )
    tenancy = Tenancy.objects.get(pk=tenancy_pk)
    assert tenancy.start_date == date(2024, 2, 29) and tenancy.end_date is None and tenancy.is_current
    assert tenancy.contract_type == "indefinite" and tenancy.exception_reason == ""
    # The next row the ORM creates gets a fresh key.
    assert Household.objects.create(corporation=corporation_a, external_id="X-H2", size=1, adults=1).pk > pk
