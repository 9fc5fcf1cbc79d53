"""Pages with personal or special-category data are never kept by a browser or proxy (issue 11, finding 15):
`Cache-Control: no-store, private` on every page for a signed-in user."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from buurtbalans.liveability.services import support_need_create

pytestmark = pytest.mark.django_db


def assert_not_stored(response):
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives, response["Cache-Control"]


def test_the_household_page_its_markers_and_its_download_are_not_stored(client, alice, stock_a):
    household = stock_a.households[0]
    client.force_login(alice)
    assert_not_stored(client.get(reverse("household_detail", args=[household.pk])))
    assert_not_stored(client.post(reverse("household_markers", args=[household.pk]), {"purpose": "allocation"}))
    assert_not_stored(client.get(reverse("household_detail", args=[household.pk]), {"format": "csv"}))
    assert_not_stored(client.get(reverse("complex_detail", args=[stock_a.complex.pk])))


def test_the_support_needs_page_is_not_stored(client, nina, stock_a):
    support_need_create(actor=nina, complex_=stock_a.complex, reported_on=date(2025, 2, 1),
                        dwelling=stock_a.dwellings[0], note="needs-help")
    client.force_login(nina)
    url = reverse("monitor_support_needs", args=[stock_a.complex.pk])
    assert_not_stored(client.get(url))
    shown = client.post(url, {"purpose": "social_management"})
    assert b"needs-help" in shown.content
    assert_not_stored(shown)


def test_it_is_the_middleware_that_keeps_the_household_page_out_of_caches(client, alice, stock_a, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("PrivatePagesNotStoredMiddleware")]
    client.force_login(alice)
    response = client.get(reverse("household_detail", args=[stock_a.households[0].pk]))
    assert "no-store" not in response.get("Cache-Control", "")
