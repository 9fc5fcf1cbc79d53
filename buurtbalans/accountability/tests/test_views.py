"""The screens: the register with its filters, form and download; the follow-ups; who may open which."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from buurtbalans.accountability import services
from buurtbalans.accountability.models import AccountabilityEvent, Objection
from buurtbalans.accountability.terms import add_months
from buurtbalans.accountability.tests.support import let_three_homes, motivation_tenancy
from buurtbalans.core.models import AuditEvent, Role
from buurtbalans.core.testing import make_user
from buurtbalans.core.tests.test_access_views import body

pytestmark = pytest.mark.django_db


@pytest.fixture
def lettings(stock_a, alice):
    return let_three_homes(stock_a, alice)


@pytest.fixture
def objections(alice, lettings):
    """One objection on day 43 (too late), one on day 42 (due today), one decided."""
    today = timezone.localdate()
    candidate = lettings.candidates["motivation"][1]

    def register(days_ago, summary):
        return services.objection_register(actor=alice, listing=lettings.motivation, applicant=candidate,
                                           received_on=today - timedelta(days=days_ago), summary=summary)

    late, due_today, decided = register(43, "bezwaar-te-laat"), register(42, "bezwaar-vandaag"), register(10, "klaar")
    services.objection_decide(actor=alice, objection=decided, decided_on=today, outcome="rejected",
                              decision="besluit-ongegrond")
    return late, due_today, decided


def test_the_register_shows_the_due_date_and_flags_what_is_too_late(client, alice, objections):
    late, due_today, decided = objections
    client.force_login(alice)
    page = body(client.get(reverse("accountability_objections")))
    assert f'data-objection="{late.pk}" data-overdue="1"' in page
    assert f'data-objection="{due_today.pk}" data-overdue="0"' in page
    assert timezone.localdate().strftime("%-d") in page and "te laat" in page
    overdue = body(client.get(reverse("accountability_objections"), {"state": "overdue"}))
    assert f'data-objection="{late.pk}"' in overdue and f'data-objection="{due_today.pk}"' not in overdue
    open_ = body(client.get(reverse("accountability_objections"), {"state": "open"}))
    assert f'data-objection="{decided.pk}"' not in open_ and f'data-objection="{late.pk}"' in open_
    done = body(client.get(reverse("accountability_objections"), {"state": "decided"}))
    assert f'data-objection="{decided.pk}"' in done and "Ongegrond" in done
    detail = body(client.get(reverse("accountability_objection", args=[late.pk])))
    assert 'id="objection-overdue"' in detail and "bezwaar-te-laat" in detail


def test_the_register_downloads_as_csv_and_the_download_is_audited(client, alice, lettings, objections):
    client.force_login(alice)
    csv = body(client.get(reverse("accountability_objections"), {"format": "csv"}))
    assert "bezwaar-te-laat" in csv and "besluit-ongegrond" in csv and lettings.motivation.reference in csv
    event = AuditEvent.objects.filter(event_type=AuditEvent.Type.PERSONAL_DATA_EXPORTED).latest("pk")
    assert event.subject_ids == [lettings.candidates["motivation"][1].household.external_id]


def test_an_officer_registers_and_decides_an_objection_on_screen(client, alice, lettings):
    client.force_login(alice)
    url = reverse("accountability_objection_new")
    assert 'for="id_summary"' in body(client.get(url, {"listing": lettings.motivation.pk}))
    today = timezone.localdate()
    refused = client.post(url, {"listing": lettings.motivation.reference, "kind": "objection", "applicant": "",
                                "objector_reference": "", "received_on": today.isoformat(), "summary": "Oneerlijk."})
    assert refused.status_code == 200 and "inschrijfnummer van de kandidaat, of een andere" in body(refused)
    assert Objection.objects.count() == 0
    response = client.post(url, {"listing": lettings.motivation.reference, "kind": "complaint", "applicant": "",
                                 "objector_reference": "Brief 17", "received_on": today.isoformat(),
                                 "summary": "Oneerlijk."})
    objection = Objection.objects.get()
    assert response.status_code == 302 and objection.due_on == today + timedelta(days=42)
    decided = client.post(reverse("accountability_objection", args=[objection.pk]),
                          {"decided_on": today.isoformat(), "outcome": "withdrawn", "decision": ""})
    assert decided.status_code == 302
    objection.refresh_from_db()
    assert objection.outcome == "withdrawn"
    assert AuditEvent.objects.filter(event_type=AccountabilityEvent.OBJECTION_DECIDED).count() == 1


def test_another_corporation_never_sees_the_register(client, charlie, objections):
    late = objections[0]
    client.force_login(charlie)  # allocation officer at corporation B
    page = body(client.get(reverse("accountability_objections")))
    assert "bezwaar-te-laat" not in page and 'data-objection="' not in page
    csv = body(client.get(reverse("accountability_objections"), {"format": "csv"}))
    assert "bezwaar-te-laat" not in csv and len(csv.strip().splitlines()) == 1  # the header only
    assert client.get(reverse("accountability_objection", args=[late.pk])).status_code == 404
    response = client.post(reverse("accountability_objection", args=[late.pk]),
                           {"decided_on": timezone.localdate().isoformat(), "outcome": "upheld", "decision": "x"})
    assert response.status_code == 404
    late.refresh_from_db()
    assert late.decided_on is None


@pytest.mark.parametrize("persona", ["bob", "board"])
def test_a_policy_analyst_and_a_cooperative_board_get_403(client, request, corporation_a, objections, persona):
    user = (request.getfixturevalue("bob") if persona == "bob"
            else make_user("board", corporation_a, Role.COOPERATIVE_BOARD))
    client.force_login(user)
    late = objections[0]
    urls = [reverse("accountability_home"), reverse("accountability_objections"),
            reverse("accountability_objection_new"), reverse("accountability_objection", args=[late.pk]),
            reverse("accountability_follow_ups")]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("accountability_objections"), {"format": "csv"}).status_code == 403


def test_the_menu_leads_each_role_to_its_part(client, alice, nina):
    client.force_login(alice)
    assert client.get(reverse("accountability_home")).url == reverse("accountability_objections")
    assert 'href="/accountability/"' in body(client.get(reverse("accountability_objections")))
    assert client.get(reverse("accountability_follow_ups")).status_code == 403
    client.force_login(nina)
    assert client.get(reverse("accountability_home")).url == reverse("accountability_follow_ups")
    assert client.get(reverse("accountability_objections")).status_code == 403


def test_the_follow_up_screen_says_it_is_voluntary_and_its_reads_are_audited(client, nina, stock_a):
    today = timezone.localdate()
    tenancy = motivation_tenancy(stock_a, "A-MOTIV", add_months(today, -24))
    client.force_login(nina)
    page = body(client.get(reverse("accountability_follow_ups")))
    assert 'data-tenancy="A-MOTIV"' in page
    assert "Het is nooit een voorwaarde voor de huur." in page
    read = AuditEvent.objects.filter(event_type=AccountabilityEvent.FOLLOW_UPS_READ).latest("pk")
    assert read.subject_ids == ["A-H1"] and read.actor_name == "nina"
    form = body(client.get(reverse("accountability_follow_up_new", args=[tenancy.pk])))
    assert "Het is nooit een voorwaarde voor de huur." in form and 'for="id_note"' in form
    assert "Schrijf niets over gezondheid" in form
    response = client.post(reverse("accountability_follow_up_new", args=[tenancy.pk]),
                           {"held_on": today.isoformat(), "took_part": "yes", "contribution": "Moestuin", "note": ""})
    assert response.status_code == 302
    page = body(client.get(reverse("accountability_follow_ups")))
    assert "Moestuin" in page
    csv = body(client.get(reverse("accountability_follow_ups"), {"format": "csv", "table": "recorded"}))
    assert "Moestuin" in csv and "nooit een voorwaarde" in csv


def test_a_neighbourhood_manager_of_another_corporation_sees_no_follow_up(client, corporation_b, stock_a):
    tenancy = motivation_tenancy(stock_a, "A-MOTIV", add_months(timezone.localdate(), -60))
    client.force_login(make_user("nora-b", corporation_b, Role.NEIGHBOURHOOD_MANAGER))
    assert 'data-tenancy="A-MOTIV"' not in body(client.get(reverse("accountability_follow_ups")))
    assert "A-MOTIV" not in body(client.get(reverse("accountability_follow_ups"), {"format": "csv"}))
    assert client.get(reverse("accountability_follow_up_new", args=[tenancy.pk])).status_code == 404
