"""The administrator's user screen: own corporation only, corporation roles only, every change audited."""

import pytest
from django.core import mail
from django.urls import reverse

from buurtbalans.accounts.testing import enrol, login_verified
from buurtbalans.core.models import AuditEvent, Membership, Role
from buurtbalans.core.testing import make_user


@pytest.fixture
def admin_client(client, ada):
    client.force_login(ada)
    return client


def events(event_type):
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("id"))


def test_an_administrator_sees_the_users_of_their_own_corporation_only(admin_client, alice, bob, charlie):
    html = admin_client.get(reverse("accounts_user_list")).content.decode()
    assert "alice" in html and "bob" in html and "charlie" not in html


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_user_list_downloads_with_the_same_users_and_the_download_is_recorded(admin_client, alice, charlie,
                                                                                   export_format):
    response = admin_client.get(reverse("accounts_user_list"), {"format": export_format})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if export_format == "xlsx":
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content), read_only=True).active
        text = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    else:
        text = content.decode("utf-8-sig")
    assert "alice" in text and "charlie" not in text
    (event,) = events(AuditEvent.Type.PERSONAL_DATA_EXPORTED)
    assert event.subject_type == "user" and event.data["format"] == export_format


def test_another_corporations_user_is_not_found(admin_client, charlie):
    assert admin_client.get(reverse("accounts_user_detail", args=[charlie.pk])).status_code == 404
    for name in ("accounts_user_active", "accounts_user_mfa_reset", "accounts_user_password_link"):
        assert admin_client.post(reverse(name, args=[charlie.pk]), {"is_active": "0"}).status_code == 404
    charlie.refresh_from_db()
    assert charlie.is_active


def test_charlie_cannot_manage_corporation_as_users(client, charlie, alice):
    client.force_login(charlie)
    assert client.get(reverse("accounts_user_detail", args=[alice.pk])).status_code == 404
    assert client.post(reverse("accounts_user_detail", args=[alice.pk]), {"roles": ["ADMIN"]}).status_code == 404
    assert "alice" not in client.get(reverse("accounts_user_list")).content.decode()


def test_only_administrators_open_the_screen(client, alice):
    client.force_login(alice)
    assert client.get(reverse("accounts_user_list")).status_code == 403
    assert client.post(reverse("accounts_user_create"), {}).status_code == 403


def test_a_new_user_gets_corporation_roles_and_an_e_mail_to_choose_a_password(admin_client, ada, corporation_a):
    data = {"username": "noor", "email": "noor@corporatie.nl", "first_name": "Noor", "roles": ["POLICY_ANALYST"]}
    response = admin_client.post(reverse("accounts_user_create"), data)
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="noor")
    assert membership.corporation == corporation_a and membership.roles == ["POLICY_ANALYST"]
    assert not membership.user.has_usable_password()
    assert len(mail.outbox) == 1 and "Kies uw wachtwoord met deze link" in mail.outbox[0].body
    assert [e.data["change"] for e in events(AuditEvent.Type.USER_ACCOUNT_CHANGED)] == ["created", "password_link_sent"]
    assert events(AuditEvent.Type.MEMBERSHIP_CHANGED)[0].data == {
        "user": "noor",
        "old_roles": [],
        "new_roles": ["POLICY_ANALYST"],
    }


def test_a_platform_role_cannot_be_given(admin_client):
    data = {"username": "eve", "email": "eve@corporatie.nl", "roles": [str(Role.PLATFORM_ADMIN)]}
    response = admin_client.post(reverse("accounts_user_create"), data)
    assert response.status_code == 400
    assert not Membership.objects.filter(user__username="eve").exists()


def test_roles_change_and_the_change_is_audited(admin_client, alice):
    response = admin_client.post(
        reverse("accounts_user_detail", args=[alice.pk]), {"roles": ["ALLOCATION_OFFICER", "AUDITOR"]}
    )
    assert response.status_code == 302
    alice.membership.refresh_from_db()
    assert alice.membership.roles == ["ALLOCATION_OFFICER", "AUDITOR"]
    (event,) = events(AuditEvent.Type.MEMBERSHIP_CHANGED)
    assert event.data["old_roles"] == ["ALLOCATION_OFFICER"] and event.data["new_roles"] == [
        "ALLOCATION_OFFICER",
        "AUDITOR",
    ]


def test_changing_roles_on_the_screen_keeps_a_platform_role_granted_on_the_server(admin_client, corporation_a):
    operator = make_user("olga", corporation_a, Role.POLICY_ANALYST, Role.PLATFORM_ADMIN)
    response = admin_client.post(reverse("accounts_user_detail", args=[operator.pk]), {"roles": ["AUDITOR"]})
    assert response.status_code == 302
    operator.membership.refresh_from_db()
    assert operator.membership.roles == ["AUDITOR", "PLATFORM_ADMIN"]


def test_the_last_administrator_cannot_drop_their_own_role(admin_client, ada, corporation_a):
    response = admin_client.post(reverse("accounts_user_detail", args=[ada.pk]), {"roles": ["POLICY_ANALYST"]})
    assert response.status_code == 400
    ada.membership.refresh_from_db()
    assert ada.membership.roles == ["ADMIN"]
    make_user("ida", corporation_a, Role.ADMIN)
    response = admin_client.post(reverse("accounts_user_detail", args=[ada.pk]), {"roles": ["POLICY_ANALYST"]})
    assert response.status_code == 302


def test_a_switched_off_account_cannot_log_in_and_can_be_switched_on(admin_client, client, bob):
    assert admin_client.post(reverse("accounts_user_active", args=[bob.pk]), {"is_active": "0"}).status_code == 302
    bob.refresh_from_db()
    assert not bob.is_active
    assert [e.data["change"] for e in events(AuditEvent.Type.USER_ACCOUNT_CHANGED)] == ["deactivated"]
    admin_client.post(reverse("accounts_user_active", args=[bob.pk]), {"is_active": "1"})
    bob.refresh_from_db()
    assert bob.is_active


def test_an_administrator_cannot_switch_off_their_own_account(admin_client, ada):
    admin_client.post(reverse("accounts_user_active", args=[ada.pk]), {"is_active": "0"})
    ada.refresh_from_db()
    assert ada.is_active


def test_the_screen_needs_the_administrators_second_step(client, ada, alice, mfa_enforced):
    client.force_login(ada)
    assert client.get(reverse("accounts_user_list"))["Location"].startswith(reverse("accounts_mfa_setup"))
    enrol(alice)
    login_verified(client, ada)
    html = client.get(reverse("accounts_user_list")).content.decode()
    assert "alice" in html
