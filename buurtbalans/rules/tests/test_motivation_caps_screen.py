"""The caps on selection on motivation on screen: who sets them, the audit of every change, and the compliance
page's use against them (issue 13 item 2)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from buurtbalans.core.models import AuditEvent
from buurtbalans.households.models import SelectionMethod, Tenancy
from buurtbalans.rules.models import MotivationCap
from buurtbalans.rules.services import MotivationCapRefused, motivation_cap_save

pytestmark = pytest.mark.django_db


def cap_data(municipality, **changes) -> dict:
    return {"municipality": municipality.pk, "year": "2025", "share_percent": "25", "max_number": "20",
            "source": "Huisvestingsverordening 2025, art. 2.4", "note": "", **changes}


def test_an_analyst_sets_a_cap_and_every_change_is_audited(client, bob, year_a):
    zwolle = year_a.stock.municipality
    client.force_login(bob)
    assert client.post(reverse("rules_motivation_caps"), cap_data(zwolle)).status_code == 302
    cap = MotivationCap.objects.get()
    assert (cap.corporation, cap.year, cap.max_share, cap.max_number, cap.recorded_by) == (
        year_a.stock.corporation, 2025, Decimal("0.25"), 20, bob)
    edit = reverse("rules_motivation_cap_edit", args=[cap.pk])
    assert client.get(edit).context["form"]["share_percent"].value() == "25"
    assert client.post(edit, cap_data(zwolle, share_percent="", max_number="12")).status_code == 302
    cap.refresh_from_db()
    assert (cap.max_share, cap.max_number) == (None, 12)
    assert client.post(reverse("rules_motivation_cap_delete", args=[cap.pk])).status_code == 302
    assert not MotivationCap.objects.exists()
    events = list(AuditEvent.objects.filter(subject_type="motivation_cap").order_by("pk"))
    assert [(e.data["old"] is None, e.data["new"] is None) for e in events] == [
        (True, False), (False, False), (False, True)]
    assert events[1].data["old"]["max_share"] == "0.2500" and events[1].data["new"]["max_number"] == 12
    assert {e.actor_name for e in events} == {"bob"} and {e.corporation for e in events} == {year_a.stock.corporation}


def test_a_cap_needs_a_limit_and_one_per_municipality_and_year(client, ada, year_a):
    zwolle = year_a.stock.municipality
    client.force_login(ada)
    response = client.post(reverse("rules_motivation_caps"), cap_data(zwolle, share_percent="", max_number=""))
    assert response.status_code == 400
    response = client.post(reverse("rules_motivation_caps"), cap_data(zwolle, share_percent="120"))
    assert response.status_code == 400 and "share_percent" in response.context["form"].errors
    assert client.post(reverse("rules_motivation_caps"), cap_data(zwolle)).status_code == 302
    response = client.post(reverse("rules_motivation_caps"), cap_data(zwolle, max_number="5"))
    assert response.status_code == 400
    assert "Er is al een grens voor Zwolle in 2025. Pas die aan." in response.content.decode()
    with pytest.raises(MotivationCapRefused):
        motivation_cap_save(actor=ada, corporation=year_a.stock.corporation, municipality=zwolle, year=2026,
                            max_share=None, max_number=None)
    assert MotivationCap.objects.count() == 1


def test_an_allocation_officer_reads_but_does_not_set_caps_and_charlie_sees_none(client, alice, charlie, bob, year_a):
    cap = motivation_cap_save(actor=bob, corporation=year_a.stock.corporation, municipality=year_a.stock.municipality,
                              year=2025, max_share=Decimal("0.25"), max_number=20)
    client.force_login(alice)
    page = client.get(reverse("rules_motivation_caps"))
    assert page.status_code == 200 and page.context["caps"] == [cap] and page.context["form"] is None
    assert client.post(reverse("rules_motivation_caps"), cap_data(year_a.apeldoorn)).status_code == 403
    assert client.get(reverse("rules_motivation_cap_edit", args=[cap.pk])).status_code == 403
    client.force_login(charlie)
    assert client.get(reverse("rules_motivation_caps")).context["caps"] == []
    assert client.get(reverse("rules_motivation_cap_edit", args=[cap.pk])).status_code == 404
    assert client.post(reverse("rules_motivation_cap_delete", args=[cap.pk])).status_code == 404
    assert MotivationCap.objects.get() == cap


def test_the_compliance_page_shows_the_use_against_the_caps_per_municipality(client, bob, year_a):
    corporation = year_a.stock.corporation
    # Four of Zwolle's 2025 lettings and two of Apeldoorn's were chosen on motivation.
    in_2025 = Tenancy.objects.filter(corporation=corporation, start_date__year=2025).order_by("pk")
    path = "dwelling__complex__neighbourhood__municipality"
    zwolle = list(in_2025.filter(**{path: year_a.stock.municipality}).values_list("pk", flat=True))
    apeldoorn = list(in_2025.filter(**{path: year_a.apeldoorn}).values_list("pk", flat=True))
    Tenancy.objects.filter(pk__in=zwolle[:4]).update(selection_method=SelectionMethod.MOTIVATION)
    Tenancy.objects.filter(pk__in=apeldoorn[:2]).update(selection_method=SelectionMethod.MOTIVATION)
    motivation_cap_save(actor=bob, corporation=corporation, municipality=year_a.stock.municipality, year=2025,
                        max_share=Decimal("0.25"), max_number=3)
    motivation_cap_save(actor=bob, corporation=corporation, municipality=year_a.apeldoorn, year=2026,
                        max_share=None, max_number=1)
    client.force_login(bob)
    page = client.get(reverse("rules_compliance"), {"year": 2025})
    uses = {use.municipality_code: (use.lettings, use.on_motivation, use.max_number, use.is_over, words)
            for use, words in page.context["motivation"]}
    assert uses == {"GM0193": (len(zwolle), 4, 3, True, "Boven de grens"),
                    "GM0200": (len(apeldoorn), 2, None, False, "Geen grens vastgelegd")}
    html = page.content.decode()
    assert 'id="motivation-table"' in html
    export = client.get(reverse("rules_compliance"), {"year": 2025, "table": "motivation", "format": "csv"})
    assert export.status_code == 200 and "GM0193" in b"".join(export.streaming_content).decode()
    page = client.get(reverse("rules_compliance"), {"year": 2026})
    assert [(use.municipality_code, use.lettings, words) for use, words in page.context["motivation"]] == [
        ("GM0200", 0, "Binnen de grens")]
