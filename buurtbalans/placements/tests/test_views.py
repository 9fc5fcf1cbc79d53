"""The placement screens for an allocation officer: proposal per vacancy, recording a placement, contingents."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from buurtbalans.core.models import AuditEvent
from buurtbalans.placements.models import Placement, PlacementEvent


@pytest.fixture
def officer(client, alice):
    client.force_login(alice)
    client.cookies["django_language"] = "en"
    return client


@time_machine.travel("2026-03-02 10:00", tick=False)
def test_the_proposal_page_lists_vacancies_with_why_and_exports_csv(officer, town):
    page = officer.get(reverse("placements_proposals")).content.decode()
    assert "A-FULL" in page and "maximum share" in page
    response = officer.get(reverse("placements_proposals") + "?format=csv")
    body = b"".join(response.streaming_content).decode()
    assert body.lstrip("\ufeff").splitlines()[0].startswith("Dwelling code,Address,Complex")
    assert len(body.splitlines()) == 1 + 4 + 1  # the vacancies of ROOMY and FULL, and stock_a's A-D3


@time_machine.travel("2026-03-02 10:00", tick=False)
def test_an_officer_places_a_household_and_it_counts_against_the_contingent(officer, town):
    vacancy = town["full"].vacancies[0]
    url = reverse("placements_place", args=[vacancy.pk])
    data = {"household_code": "A-SEEK1", "contingent": town["status_h1"].pk, "placed_on": "2026-03-02",
            "contract_kind": "indefinite", "reason": "", "temporary_group": "", "temporary_months": ""}
    refused = officer.post(url, data)
    assert refused.status_code == 400
    assert "needs a recorded reason" in refused.content.decode()
    placed = officer.post(url, {**data, "reason": "Enige woning met lift in de wijk"})
    assert placed.status_code == 302
    assert Placement.objects.count() == 1
    contingents = officer.get(reverse("placements_contingents") + "?half=2026-H1").content.decode()
    assert "first half of 2026" in contingents
    csv = b"".join(officer.get(reverse("placements_contingents") + "?format=csv").streaming_content).decode()
    assert csv.splitlines()[1].split(",")[3:6] == ["4", "1", "3"]  # target, placed, still to place
    officer.get(reverse("placements_placed"))
    assert AuditEvent.objects.filter(event_type=PlacementEvent.PLACEMENTS_READ, subject_ids=["A-SEEK1"]).exists()


@time_machine.travel("2026-03-02 10:00", tick=False)
def test_a_temporary_contract_over_two_years_is_refused_on_screen(officer, town):
    vacancy = town["roomy"].vacancies[0]
    response = officer.post(reverse("placements_place", args=[vacancy.pk]), {
        "household_code": "A-SEEK1", "contingent": town["status_h1"].pk, "placed_on": "2026-03-02",
        "contract_kind": "temporary", "temporary_group": "status_holder_from_coa", "temporary_months": "36",
    })  # fmt: skip
    assert response.status_code == 400
    assert "at most 2 years" in response.content.decode()
    assert not Placement.objects.exists()


@time_machine.travel("2026-03-02 10:00", tick=False)
def test_setting_a_target_on_screen(officer, town):
    form = officer.get(reverse("placements_contingents")).content.decode()
    # The half year is chosen in words, newest first, from two years back to next year; the code is what is posted.
    options = re.findall(r'<option value="(\d{4}-H[12])"[^>]*>([^<]+)</option>', form)
    assert options[0] == ("2027-H2", "second half of 2027") and options[-1] == ("2024-H1", "first half of 2024")
    assert re.search(r'<option value="2026-H1" selected>first half of 2026</option>', form)
    response = officer.post(reverse("placements_contingents"), {
        "municipality": town["stock"].municipality.pk, "half_year": "2026-H2", "kind": "shelter_outflow",
        "target": "5", "note": "afspraak regio",
    })  # fmt: skip
    assert response.status_code == 302
    page = officer.get(reverse("placements_contingents") + "?half=2026-H2").content.decode()
    assert "second half of 2026" in page and "afspraak regio" in page
    assert officer.post(reverse("placements_contingents"), {
        "municipality": town["stock"].municipality.pk, "half_year": "2026", "kind": "shelter_outflow", "target": "5",
    }).status_code == 400  # fmt: skip


def test_the_nav_shows_placements_to_officers_only(client, alice, bob):
    client.force_login(alice)
    assert reverse("placements_proposals") in client.get(reverse("placements_intakes")).content.decode()
    client.force_login(bob)
    assert reverse("placements_proposals") not in client.get("/steering/").content.decode()


@time_machine.travel("2026-03-02 10:00", tick=False)
def test_the_vacancy_page_checks_this_one_placement(officer, town):
    # The list proposes two of ROOMY's three vacancies; the third's own page still allows one placement now.
    third = town["roomy"].vacancies[2]
    page = officer.get(reverse("placements_place", args=[third.pk])).content.decode()
    assert "There is room" in page
    assert "needs a recorded reason" not in page
