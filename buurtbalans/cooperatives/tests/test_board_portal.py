"""The board keeps its activity log and hands in the yearly account; reviewed periods and handed-in years close."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from buurtbalans.cooperatives.models import Activity, YearlyAccount
from buurtbalans.cooperatives.testing import PNG
from buurtbalans.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def log(client, world, **overrides):
    data = {"commitment": str(world.commitment.pk), "day": "2025-06-12", "description": "Conversation table",
            "participants": "8", "buurt_participants": "3", **overrides}
    return client.post(reverse("cooperative_activity_add", args=[world.cooperative.pk]), data)


def test_the_board_logs_an_activity_with_a_photo_and_the_portal_counts_it(client, coop1, bea, var_dir):
    client.force_login(bea)
    photo = SimpleUploadedFile("market.png", PNG, content_type="image/png")
    response = log(client, coop1, file=photo)
    assert response.status_code == 302
    activity = Activity.objects.get(description="Conversation table")
    assert (activity.participants, activity.buurt_participants, activity.recorded_by_name) == (8, 3, "bea")
    # Stored under VAR_DIR with a random name, never under the uploader's file name.
    stored = var_dir / activity.file_path
    assert stored.read_bytes() == PNG and stored.name != "market.png"
    download = client.get(reverse("cooperative_activity_file", args=[activity.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert 'filename="market.png"' in download["Content-Disposition"]
    portal = client.get(reverse("cooperative_portal"), {"year": "2025"})
    row = next(f for f in portal.context["figures"] if f.commitment == coop1.commitment)
    assert row.realised == 2  # the fixture's evening in March and this one
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.COOPERATIVE_ACTIVITY_WRITTEN)
    assert event.actor_name == "bea" and event.data["participants"] == 8


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"day": "2099-01-01"}, "future"),
        ({"participants": "2", "buurt_participants": "5"}, "buurt"),
        ({"day": "2019-06-01"}, "did not run"),
    ],
)
def test_the_log_refuses_what_cannot_be_true(client, coop1, bea, overrides, message):
    client.force_login(bea)
    response = log(client, coop1, **overrides)
    assert response.status_code == 400
    assert message in response.text or message in str(response.context["form"].errors)
    assert not Activity.objects.filter(description="Conversation table").exists()


def test_a_file_that_is_not_what_its_name_says_is_refused(client, coop1, bea, var_dir):
    client.force_login(bea)
    fake = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script>", content_type="image/png")
    response = log(client, coop1, file=fake)
    assert response.status_code == 400
    assert not Activity.objects.filter(description="Conversation table").exists()
    corporation_dir = var_dir / "cooperatives" / str(coop1.cooperative.corporation_id)
    assert not corporation_dir.exists() or not list(corporation_dir.iterdir())


def test_a_reviewed_period_closes_the_log_for_that_commitment(client, coop1, bea):
    client.force_login(bea)
    # The fixture's review covers the give-away shop in 2025-Q1.
    response = log(client, coop1, commitment=str(coop1.weekly.pk), day="2025-02-03")
    assert response.status_code == 400 and "reviewed" in response.text
    # Other periods and other commitments stay open.
    assert log(client, coop1, commitment=str(coop1.weekly.pk), day="2025-04-03").status_code == 302
    assert log(client, coop1, day="2025-02-03").status_code == 302


def test_the_board_changes_and_removes_its_own_entries_until_the_period_closes(client, coop1, bea):
    client.force_login(bea)
    activity = coop1.activity
    url = reverse("cooperative_activity_edit", args=[activity.pk])
    response = client.post(url, {"commitment": str(coop1.commitment.pk), "day": "2025-03-15",
                                 "description": "Evening, moved", "participants": "11", "buurt_participants": "2"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.day, activity.participants) == (date(2025, 3, 15), 11)
    assert client.post(reverse("cooperative_activity_delete", args=[activity.pk])).status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_handing_in_the_account_closes_the_year_and_keeps_the_figures(client, coop1, bea):
    client.force_login(bea)
    assert log(client, coop1, day="2025-09-01", participants="20").status_code == 302
    url = reverse("cooperative_account", args=[coop1.cooperative.pk, 2025])
    assert client.post(url, {"summary": "A good year", "members_at_year_end": "13", "save": "1"}).status_code == 302
    account = YearlyAccount.objects.get(cooperative=coop1.cooperative, year=2025)
    assert account.status == YearlyAccount.Status.DRAFT and account.summary == "A good year"
    assert client.post(url, {"summary": "A good year", "members_at_year_end": "13", "submit": "1"}).status_code == 302
    account.refresh_from_db()
    assert account.is_submitted and account.submitted_by_name == "bea"
    assert account.figures[str(coop1.commitment.pk)] == {"target": 10, "realised": 2}
    # The year is closed: no new entries, no changes, and the account cannot be handed in again.
    assert log(client, coop1, day="2025-10-01").status_code == 400
    edit = client.post(reverse("cooperative_activity_edit", args=[coop1.activity.pk]), {
        "commitment": str(coop1.commitment.pk), "day": "2025-03-14", "description": "x", "participants": "1",
        "buurt_participants": "0"})
    assert edit.status_code == 400
    again = client.post(url, {"summary": "changed", "submit": "1"}, follow=True)
    account.refresh_from_db()
    assert account.summary == "A good year" and "handed in already" in again.text
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.COOPERATIVE_ACCOUNT_WRITTEN).count() == 2


def test_the_current_year_cannot_be_handed_in_yet(client, coop1, bea):
    from django.utils import timezone

    client.force_login(bea)
    year = timezone.localdate().year
    url = reverse("cooperative_account", args=[coop1.cooperative.pk, year])
    response = client.post(url, {"summary": "early", "submit": "1"})
    assert response.status_code == 400
    assert not YearlyAccount.objects.filter(cooperative=coop1.cooperative, year=year, status="submitted").exists()


def test_staff_read_the_account_but_cannot_write_it(client, coop1, bob):
    client.force_login(bob)
    url = reverse("cooperative_account", args=[coop1.cooperative.pk, 2024])
    page = client.get(url)
    assert page.status_code == 200 and "account-summary ONE" in page.text and page.context["form"] is None
    assert client.post(reverse("cooperative_account", args=[coop1.cooperative.pk, 2025]),
                       {"summary": "x"}).status_code == 403
    assert client.post(reverse("cooperative_activity_add", args=[coop1.cooperative.pk]), {}).status_code == 403


def test_the_portal_speaks_dutch_unless_english_is_chosen(coop1, bea):
    from django.test import Client

    client = Client()  # without the tests' English cookie
    client.force_login(bea)
    page = client.get(reverse("cooperative_portal"))
    assert "Onze coöperatie" in page.text and "Een activiteit in het logboek zetten" in page.text
