"""A board member sees and changes only their own cooperative; charlie (corporation B) sees nothing of A.

Every page, export, file and form of cooperative 1 is requested by bram (board member of cooperative 2, same
corporation) and by charlie: each answer is a refusal (403/404) or a page without a trace of cooperative 1, and
nothing of cooperative 1 changes. bea, cooperative 1's own board member, gets the same URLs.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from buurtbalans.cooperatives.models import (
    Activity,
    CommitmentReview,
    CooperativeBoardMember,
    CooperativeComplex,
    CooperativeContact,
    CooperativeDocument,
    Escalation,
    HousingCooperative,
    YearlyAccount,
)
from buurtbalans.cooperatives.testing import urls_of_coop
from buurtbalans.core.models import AuditEvent

pytestmark = pytest.mark.django_db

# Texts only cooperative 1 has (see cooperatives.testing.make_cooperative with marker "ONE").
ONE_MARKERS = ("Cooperative ONE", "11111111", "Chair ONE", "ONE@example.org", "Co-optation right ONE", "Agreement ONE",
               "Language cafe ONE", "Give-away shop ONE", "Evening ONE", "review-note ONE", "escalation-note ONE",
               "account-summary ONE", "co-opt ONE", "photo-ONE", "document-ONE", "account-ONE", "A-T1")


def body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content.startswith(b"PK"):
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content), read_only=True)
        rows = (row for sheet in workbook for row in sheet.iter_rows(values_only=True))
        return "\n".join(" ".join(str(v) for v in row if v is not None) for row in rows)
    if content.startswith(b"%PDF"):
        # reportlab compresses its page streams; the test reads the account's text from the story instead.
        return content.decode("latin-1")
    return content.decode("utf-8-sig", errors="replace")


def fetch(client, method, url, data):
    return client.get(url, data) if method == "get" else client.post(url, data)


def snapshot(cooperative):
    """Everything of a cooperative that a refused request must leave as it was."""
    return {
        "cooperative": list(HousingCooperative.objects.filter(pk=cooperative.pk).values()),
        "links": list(CooperativeComplex.objects.filter(cooperative=cooperative).values()),
        "contacts": list(CooperativeContact.objects.filter(cooperative=cooperative).values()),
        "documents": list(CooperativeDocument.objects.filter(cooperative=cooperative).values()),
        "activities": list(Activity.objects.filter(cooperative=cooperative).values()),
        "reviews": list(CommitmentReview.objects.filter(commitment__agreement__cooperative=cooperative).values()),
        "escalations": list(Escalation.objects.filter(cooperative=cooperative).values()),
        "accounts": list(YearlyAccount.objects.filter(cooperative=cooperative).values()),
        "board": list(CooperativeBoardMember.objects.filter(cooperative=cooperative).values()),
    }


@pytest.mark.smoke
def test_another_cooperatives_board_member_and_charlie_see_and_change_nothing(
    client, coop1, coop2, bram, charlie, stock_b, settings
):
    settings.DEBUG = False
    before = snapshot(coop1.cooperative)
    events_before = AuditEvent.objects.filter(data__cooperative=coop1.cooperative.pk).count()
    for user in (bram, charlie):
        client.force_login(user)
        for method, url, data in urls_of_coop(coop1):
            response = fetch(client, method, url, data)
            if url == reverse("cooperative_list") and user == bram:
                # A board member has no list of cooperatives: the list sends them to their own portal.
                assert response.status_code == 302 and response.url == reverse("cooperative_portal")
                continue
            if url == reverse("cooperative_list"):
                # charlie has a list of cooperatives: his own corporation's (none), nothing of A (checked below).
                assert response.status_code == 200
            else:
                assert response.status_code in (403, 404), (user.username, method, url, data, response.status_code)
            text = body(response)
            leaked = [m for m in ONE_MARKERS if m in text]
            assert not leaked, (user.username, method, url, leaked)
    assert snapshot(coop1.cooperative) == before
    assert AuditEvent.objects.filter(data__cooperative=coop1.cooperative.pk).count() == events_before


def test_charlies_own_list_and_portal_show_nothing_of_corporation_a(client, coop1, coop2, charlie):
    client.force_login(charlie)
    for url in (reverse("cooperative_list"), reverse("cooperative_list") + "?format=csv"):
        response = client.get(url)
        assert response.status_code == 200
        text = body(response)
        assert "Cooperative ONE" not in text and "Cooperative TWO" not in text
    # charlie is no board member: the portal sends staff to the list.
    assert client.get(reverse("cooperative_portal")).status_code == 302


def test_the_board_member_of_cooperative_two_sees_only_cooperative_two(client, coop1, coop2, bram):
    client.force_login(bram)
    portal = client.get(reverse("cooperative_portal"))
    assert portal.status_code == 200
    assert "Cooperative TWO" in portal.text and "Language cafe TWO" in portal.text
    assert not [m for m in ONE_MARKERS if m in portal.text]
    # The home page leads the board member to the portal; no stock, households or co-optations are shown.
    home = client.get(reverse("home"))
    assert f'href="{reverse("cooperative_portal")}"' in home.text and "A-T2" not in home.text
    assert client.get(reverse("stock_overview")).status_code == 403
    assert "A-T2" not in portal.text and "Lettings by co-optation" not in portal.text
    for url in (reverse("complex_detail", args=[coop2.link.complex.pk]), reverse("neighbourhood_list")):
        assert client.get(url).status_code == 403


def test_a_board_member_gets_every_page_and_export_of_their_own_cooperative(client, coop1, coop2, bea):
    client.force_login(bea)
    refused_for_the_board = {
        "cooperative_edit", "cooperative_complex_add", "cooperative_complex_remove", "cooperative_contact_add",
        "cooperative_contact_delete", "cooperative_document_add", "cooperative_document_delete",
        "cooperative_agreement_add", "cooperative_commitment_add", "cooperative_commitment_edit",
        "cooperative_board_add", "cooperative_board_remove", "cooperative_escalation_add",
        "cooperative_comparison", "cooperative_co_optation_add", "cooperative_map",
    }
    from django.urls import resolve

    for method, url, data in urls_of_coop(coop1):
        name = resolve(url).url_name
        if method == "post" and name in {"cooperative_activity_add", "cooperative_activity_edit",
                                         "cooperative_activity_delete", "cooperative_account"}:
            continue  # the board's own writes have their own tests
        response = fetch(client, method, url, data)
        if name in refused_for_the_board or (name == "cooperative_reviews" and method == "post"):
            assert response.status_code == 403, (method, url, response.status_code)
        elif name == "cooperative_list":
            assert response.status_code == 302
        else:
            assert response.status_code == 200, (method, url, data, response.status_code)
            text = body(response)
            assert "Cooperative TWO" not in text and "Language cafe TWO" not in text, url


def test_a_board_member_cannot_log_against_another_cooperatives_commitment(client, coop1, coop2, bea):
    client.force_login(bea)
    response = client.post(reverse("cooperative_activity_add", args=[coop1.cooperative.pk]), {
        "commitment": str(coop2.commitment.pk), "day": "2025-05-01", "description": "sneaky", "participants": "3",
        "buurt_participants": "0",
    })
    assert response.status_code == 400
    assert not Activity.objects.filter(description="sneaky").exists()


def test_staff_of_corporation_a_see_both_cooperatives(client, coop1, coop2, bob, alice):
    for user in (bob, alice):
        client.force_login(user)
        text = client.get(reverse("cooperative_list")).text
        assert "Cooperative ONE" in text and "Cooperative TWO" in text
    # An allocation officer may look but not manage: no registration form.
    client.force_login(alice)
    assert client.get(reverse("cooperative_new")).status_code == 403
    assert client.get(reverse("cooperative_edit", args=[coop1.cooperative.pk])).status_code == 403


def test_a_board_user_without_a_link_sees_no_cooperative(client, coop1, corporation_a):
    from buurtbalans.core.models import Role
    from buurtbalans.core.testing import make_user

    client.force_login(make_user("ben", corporation_a, Role.COOPERATIVE_BOARD))
    response = client.get(reverse("cooperative_portal"))
    assert response.status_code == 200 and "Cooperative ONE" not in response.text
    assert client.get(reverse("cooperative_detail", args=[coop1.cooperative.pk])).status_code == 404
