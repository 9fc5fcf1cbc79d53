"""The corporation's registry: cooperatives, their stock, contacts, documents, agreements and board members."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from buurtbalans.cooperatives.models import (
    Commitment,
    CooperativeBoardMember,
    CooperativeComplex,
    CooperativeDocument,
    HousingCooperative,
)
from buurtbalans.cooperatives.testing import PDF
from buurtbalans.core.models import AuditEvent, Role
from buurtbalans.core.testing import make_user

pytestmark = pytest.mark.django_db

REGISTRATION = {"name": "De Groene Hof", "cooperative_type": "management", "kvk_number": "1234 5678",
                "founded_on": "2021-03-01", "members": "14", "households": "12"}


def test_a_policy_analyst_registers_a_cooperative_with_a_valid_kvk_number(client, bob, corporation_a):
    client.force_login(bob)
    response = client.post(reverse("cooperative_new"), REGISTRATION)
    assert response.status_code == 302
    cooperative = HousingCooperative.objects.get(name="De Groene Hof")
    assert cooperative.kvk_number == "12345678" and cooperative.corporation == corporation_a
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.COOPERATIVE_WRITTEN)
    assert event.actor_name == "bob" and event.data["new"]["kvk_number"] == "12345678"


@pytest.mark.parametrize("kvk", ["1234567", "123456789", "1234567a", ""])
def test_a_kvk_number_has_exactly_eight_digits(client, bob, kvk):
    client.force_login(bob)
    response = client.post(reverse("cooperative_new"), {**REGISTRATION, "kvk_number": kvk})
    assert response.status_code == 400
    assert "kvk_number" in response.context["form"].errors
    assert not HousingCooperative.objects.exists()


def test_the_same_kvk_number_twice_in_one_corporation_is_refused(client, bob, coop1):
    client.force_login(bob)
    response = client.post(reverse("cooperative_new"), {**REGISTRATION, "kvk_number": "11111111"})
    assert response.status_code == 400
    assert HousingCooperative.objects.filter(kvk_number="11111111").count() == 1


def test_a_complex_belongs_to_one_cooperative_at_a_time(client, bob, coop1, coop2, stock_a):
    client.force_login(bob)
    url = reverse("cooperative_complex_add", args=[coop2.cooperative.pk])
    response = client.post(url, {"complex_code": "A-C1", "arrangement": "managed", "valid_from": "2024-01-01"})
    assert response.status_code == 400 and "Cooperative ONE" in response.text
    # Only dwellings of the complex itself can be named.
    coop1.link.valid_until = date(2023, 12, 31)
    coop1.link.save()
    response = client.post(url, {"complex_code": "A-C1", "arrangement": "let", "valid_from": "2024-01-01",
                                 "dwelling_codes": "A-D1, A-E1"})
    assert response.status_code == 400 and "A-E1" in response.text
    response = client.post(url, {"complex_code": "A-C1", "arrangement": "let", "valid_from": "2024-01-01",
                                 "dwelling_codes": "A-D1, A-D2"})
    assert response.status_code == 302
    link = CooperativeComplex.objects.get(cooperative=coop2.cooperative, complex=stock_a.complex)
    assert sorted(d.external_id for d in link.dwellings.all()) == ["A-D1", "A-D2"]


def test_another_corporations_complex_cannot_be_added(client, bob, coop1, stock_b):
    client.force_login(bob)
    response = client.post(reverse("cooperative_complex_add", args=[coop1.cooperative.pk]),
                           {"complex_code": "B-C1", "arrangement": "managed", "valid_from": "2024-01-01"})
    assert response.status_code == 400
    assert not CooperativeComplex.objects.filter(complex=stock_b.complex).exists()


def test_documents_are_stored_under_var_and_served_to_the_corporation_and_the_own_board(
    client, bob, bea, bram, coop1, coop2, var_dir, django_capture_on_commit_callbacks
):
    client.force_login(bob)
    upload = SimpleUploadedFile("beheerovereenkomst.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("cooperative_document_add", args=[coop1.cooperative.pk]), {
        "kind": "management_agreement", "title": "Beheerovereenkomst 2024", "valid_from": "2024-01-01",
        "file": upload})
    assert response.status_code == 302
    document = CooperativeDocument.objects.get(title="Beheerovereenkomst 2024")
    assert (var_dir / document.file_path).read_bytes() == PDF
    assert str(var_dir / "cooperatives") in str((var_dir / document.file_path).resolve())
    url = reverse("cooperative_document_file", args=[document.pk])
    for user, status in ((bob, 200), (bea, 200), (bram, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    # Removing the document removes the file.
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("cooperative_document_delete", args=[document.pk])).status_code == 302
    assert not (var_dir / document.file_path).exists()


def test_agreements_hold_commitments_within_their_period(client, bob, coop1):
    client.force_login(bob)
    response = client.post(reverse("cooperative_agreement_add", args=[coop1.cooperative.pk]),
                           {"title": "Social part 2025-2026", "valid_from": "2025-01-01", "valid_until": "2026-12-31"})
    assert response.status_code == 302
    agreement = coop1.cooperative.agreements.get(title="Social part 2025-2026")
    url = reverse("cooperative_commitment_add", args=[agreement.pk])
    commitment = {"theme": "green", "description": "Community garden open", "target_kind": "open_weeks",
                  "target_per_year": "30", "valid_from": "2025-01-01", "valid_until": "2027-12-31",
                  "review_rhythm": "half_yearly"}
    assert client.post(url, commitment).status_code == 400
    assert client.post(url, {**commitment, "valid_until": "2026-12-31"}).status_code == 302
    saved = Commitment.objects.get(description="Community garden open")
    assert (saved.target_kind, saved.target_per_year, saved.review_rhythm) == ("open_weeks", 30, "half_yearly")


def test_board_members_are_linked_to_one_cooperative_of_their_own_corporation(
    client, bob, coop1, coop2, bram, corporation_a, corporation_b
):
    client.force_login(bob)
    url = reverse("cooperative_board_add", args=[coop1.cooperative.pk])
    # Already the board member of cooperative 2: refused.
    response = client.post(url, {"username": "bram"})
    assert response.status_code == 400 and "Cooperative TWO" in response.text
    # Not a board role, or another corporation's user: the same refusal, revealing nothing.
    make_user("olga", corporation_a, Role.POLICY_ANALYST)
    make_user("bernd", corporation_b, Role.COOPERATIVE_BOARD)
    for name in ("olga", "bernd", "nobody"):
        response = client.post(url, {"username": name})
        assert response.status_code == 400
    make_user("berta", corporation_a, Role.COOPERATIVE_BOARD)
    assert client.post(url, {"username": "berta"}).status_code == 302
    assert CooperativeBoardMember.objects.get(user__username="berta").cooperative == coop1.cooperative
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.COOPERATIVE_BOARD_CHANGED).count() == 1


def test_the_complex_page_shows_its_cooperative_to_staff(client, bob, alice, coop1, stock_a):
    for user in (bob, alice):
        client.force_login(user)
        page = client.get(reverse("complex_detail", args=[stock_a.complex.pk]))
        assert page.status_code == 200
        assert "Cooperative ONE" in page.text
        assert reverse("cooperative_detail", args=[coop1.cooperative.pk]) in page.text


def test_the_menu_offers_cooperatives_to_staff_and_the_portal_to_the_board(client, bob, bea, coop1):
    client.force_login(bob)
    assert reverse("cooperative_list") in client.get(reverse("cooperative_list")).text
    client.force_login(bea)
    page = client.get(reverse("cooperative_portal"))
    assert 'href="/cooperatives/portal/" aria-current="page"' in page.text
    assert f'href="{reverse("cooperative_list")}"' not in page.text
