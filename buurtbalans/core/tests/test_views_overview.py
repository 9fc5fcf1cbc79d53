"""The corporation overview: stock, households, vacancy and the composition per complex."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from buurtbalans.core.testing import PASSWORD
from buurtbalans.households.models import Household, Tenancy
from buurtbalans.portfolio.models import Complex, Dwelling

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas are created per test; the production hasher's rounds would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(reverse("stock_overview"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.smoke
def test_the_overview_shows_stock_vacancy_and_composition(client, bob, stock_a):
    response = login(client, bob).get(reverse("stock_overview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Corporatie A" in html
    assert "Complex A" in html
    page_row = response.context["complex_page"].object_list[0]
    # Two households: 21,000 alone (primary), 52,000 with three people (secondary: above 39,925, below 56,910).
    assert (page_row.dwelling_count, page_row.occupied_count, page_row.vacant_count) == (3, 2, 1)
    assert (page_row.household_count, page_row.primary_count, page_row.secondary_count) == (2, 1, 1)
    assert page_row.marker_count == 1
    summary = response.context["summary"]
    assert summary.vacancy_share == pytest.approx(1 / 3)
    assert summary.households_housed == 2


def test_a_missing_limit_makes_the_band_unknown_not_wrong(client, bob, stock_a, settings):
    """2026 has no middle-income limit: an income above the DAEB limit cannot be placed, so it is unknown."""
    rich = Household.objects.create(
        corporation=stock_a.corporation, external_id="A-H9", size=1, adults=1, assessed_income=Decimal("80000")
    )
    Tenancy.objects.create(
        corporation=stock_a.corporation, external_id="A-T9", dwelling=stock_a.dwellings[2], household=rich,
        start_date=date(2024, 1, 1),
    )
    from buurtbalans.portfolio.selectors import complex_composition_list

    row = complex_composition_list(bob, reference_date=date(2026, 6, 1)).get()
    assert (row.middle_count, row.high_count, row.unknown_count) == (0, 0, 1)
    row = complex_composition_list(bob, reference_date=date(2025, 6, 1)).get()
    assert (row.middle_count, row.high_count, row.unknown_count) == (0, 1, 0)


def test_ended_tenancies_do_not_count_as_households(client, bob, stock_a):
    stock_a.tenancies[1].end_date = date(2023, 1, 1)
    stock_a.tenancies[1].save()
    response = login(client, bob).get(reverse("stock_overview"))
    row = response.context["complex_page"].object_list[0]
    assert row.household_count == 1


def test_the_complex_table_is_sorted_and_paginated_on_the_server(client, bob, stock_a):
    corporation = stock_a.corporation
    for i in range(60):
        complex_ = Complex.objects.create(corporation=corporation, external_id=f"X{i:03}", name=f"Extra {i:03}")
        for j in range(i % 3):
            Dwelling.objects.create(
                corporation=corporation, complex=complex_, external_id=f"X{i:03}-{j}", street="Weg",
                house_number=j + 1, postcode="8000AA", status="vacant",
            )
    login(client, bob)
    first = client.get(reverse("stock_overview"), {"sort": "-vacant"})
    rows = first.context["complex_page"].object_list
    assert len(rows) == 50
    assert [r.vacant_count for r in rows[:3]] == [2, 2, 2]
    second = client.get(reverse("stock_overview"), {"sort": "-vacant", "page": 2})
    assert len(second.context["complex_page"].object_list) == 11
    assert second.context["complex_page"].object_list[-1].vacant_count == 0
    html = first.content.decode()
    assert 'aria-sort="descending"' in html
    # Sorting on a plain column cuts the page before aggregating: the figures must still belong to their rows.
    by_name = client.get(reverse("stock_overview"), {"sort": "-name", "page": 1}).context["complex_page"].object_list
    assert [r.name for r in by_name[:3]] == ["Extra 059", "Extra 058", "Extra 057"]
    assert [r.vacant_count for r in by_name[:3]] == [59 % 3, 58 % 3, 57 % 3]


def test_the_overview_runs_a_fixed_number_of_queries(client, bob, stock_a, django_assert_max_num_queries):
    for i in range(30):
        Complex.objects.create(corporation=stock_a.corporation, external_id=f"Q{i}", name=f"Q {i}")
    login(client, bob)
    with django_assert_max_num_queries(12):
        client.get(reverse("stock_overview"))


def test_the_complex_table_exports_as_csv_and_excel(client, bob, stock_a):
    login(client, bob)
    response = client.get(reverse("stock_overview"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2
    assert "A-C1" in lines[1]
    xlsx = client.get(reverse("stock_overview"), {"format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_an_unknown_export_format_is_not_found(client, bob, stock_a):
    assert login(client, bob).get(reverse("stock_overview"), {"format": "pdf"}).status_code == 404


def test_an_auditor_is_led_to_the_audit_log_and_has_no_stock_overview(client, otto):
    home = login(client, otto).get(reverse("home")).content.decode()
    assert f'href="{reverse("audit_log")}"' in home
    assert client.get(reverse("stock_overview")).status_code == 403


def test_charts_keep_svg_numbers_unlocalised_in_dutch(client, alice, stock_a):
    """Dutch writes 12,5 where SVG needs 12.5: a localised coordinate would draw nothing.

    As alice: for an analyst the chart of stock_a's 2 households is left out (small cells)."""
    import re

    login(client, alice)
    html = client.get(reverse("stock_overview"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Overzicht" in html or "Overview" in html
    widths = re.findall(r'<rect class="bb-band--\w+" x="([^"]+)" y="10" width="([^"]+)"', html)
    assert widths, "the composition bar is drawn"
    assert all("," not in x and "," not in w for x, w in widths)
