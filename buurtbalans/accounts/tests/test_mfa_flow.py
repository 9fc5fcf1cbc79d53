"""Two-step verification walked with real TOTP codes: set-up on first login, codes, recovery codes, the lock."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from buurtbalans.accounts.mfa import recovery_codes_left
from buurtbalans.accounts.models import RecoveryCodeDevice
from buurtbalans.accounts.testing import code_for, enrol, login_verified, recovery_codes
from buurtbalans.core.models import AuditEvent
from buurtbalans.core.testing import PASSWORD

pytestmark = pytest.mark.usefixtures("mfa_enforced")


def password_step(client, username, next_url=None):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def test_an_officer_sets_up_an_app_at_the_first_login_and_gets_ten_recovery_codes(client, alice, clock):
    response = password_step(client, "alice")
    assert response.status_code == 302
    # Every page of the product sends her to the set-up screen until she is done.
    for url in (reverse("home"), reverse("audit_log"), reverse("accounts_mfa_manage")):
        page = client.get(url)
        assert page.status_code == 302 and page["Location"].startswith(reverse("accounts_mfa_setup"))

    setup = client.get(reverse("accounts_mfa_setup"), {"next": "/"})
    html = setup.content.decode()
    assert "<svg" in html and "<path" in html  # the QR code, inline
    key = re.search(r'id="mfa-key">([A-Z2-7 ]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert key.replace(" ", "") in device.config_url

    wrong = client.post(reverse("accounts_mfa_setup"), {"code": "000000", "next": "/"})
    assert wrong.status_code == 400
    clock.shift(2)  # django-otp makes the next try wait a second after a wrong code
    done = client.post(reverse("accounts_mfa_setup"), {"code": code_for(device), "next": "/"})
    assert done.status_code == 200
    codes = re.findall(r"<li class=\"utrecht-unordered-list__item\"><code>(\w+)</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.MFA_CHANGED)
    assert event.data["change"] == "app_set_up" and event.actor == alice


def test_the_second_login_asks_for_a_code_and_a_wrong_code_is_refused(client, alice, clock):
    device = enrol(alice)
    response = password_step(client, "alice", next_url="/audit/")
    assert response["Location"] == "/audit/"
    page = client.get("/audit/")
    assert page["Location"] == reverse("accounts_mfa_verify") + "?next=%2Faudit%2F"
    session_before = client.session.session_key

    assert client.post(reverse("accounts_mfa_verify"), {"code": "123456", "next": "/"}).status_code == 400
    assert client.get(reverse("home")).status_code == 302
    clock.shift(2)
    response = client.post(reverse("accounts_mfa_verify"), {"code": code_for(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200
    # A new session id now the user has more rights (ASVS 3.2.1).
    assert client.session.session_key != session_before


def test_a_code_works_once(client, alice):
    device = enrol(alice)
    code = code_for(device)
    password_step(client, "alice")
    assert client.post(reverse("accounts_mfa_verify"), {"code": code}).status_code == 302
    client.logout()
    password_step(client, "alice")
    assert client.post(reverse("accounts_mfa_verify"), {"code": code}).status_code == 400


def test_a_recovery_code_lets_you_in_once(client, alice):
    enrol(alice)
    codes = recovery_codes(alice)
    password_step(client, "alice")
    response = client.post(reverse("accounts_mfa_verify"), {"code": codes[0].upper()}, follow=True)
    assert response.status_code == 200
    assert any("9" in str(m) for m in response.context["messages"])  # "... You have 9 left."
    assert recovery_codes_left(alice) == 9
    client.logout()
    password_step(client, "alice")
    assert client.post(reverse("accounts_mfa_verify"), {"code": codes[0]}).status_code == 400


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, alice, clock):
    enrol(alice)
    password_step(client, "alice")
    for _ in range(4):
        assert client.post(reverse("accounts_mfa_verify"), {"code": "000000"}).status_code == 400
    response = client.post(reverse("accounts_mfa_verify"), {"code": "000000"})
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert client.post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 429
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.LOGIN_LOCKED).count() == 1


def test_the_password_alone_cannot_replace_the_app(client, alice):
    """Someone who only knows the password must not be able to set up their own app on the account."""
    enrol(alice)
    password_step(client, "alice")
    response = client.get(reverse("accounts_mfa_setup"))
    assert response["Location"].startswith(reverse("accounts_mfa_verify"))
    assert client.post(reverse("accounts_mfa_setup"), {"code": "123456"})["Location"].startswith(
        reverse("accounts_mfa_verify")
    )
    assert TOTPDevice.objects.filter(user=alice).count() == 1


def test_an_analyst_logs_in_with_the_password_only(client, bob):
    password_step(client, "bob")
    assert client.get(reverse("home")).status_code == 200


def test_an_analyst_who_chose_an_app_is_asked_for_the_code_too(client, bob):
    enrol(bob)
    password_step(client, "bob")
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts_mfa_verify"))


def test_before_the_code_only_public_pages_and_logout_open(client, alice):
    password_step(client, "alice")
    # The public account of a listing needs no login: an unknown key is simply not found.
    assert client.get(reverse("public_account", args=["no-such-key"])).status_code == 404
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_administrator_resets_a_colleagues_app_who_then_sets_it_up_again(
    client, alice, ada, django_capture_on_commit_callbacks
):
    alice.email = "alice@corporatie.nl"
    alice.save()
    enrol(alice)
    recovery_codes(alice)
    login_verified(client, ada)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts_user_mfa_reset", args=[alice.pk]))
    # Alice hears of it, in case it was not her who asked.
    (notice,) = mail.outbox
    assert notice.to == ["alice@corporatie.nl"] and "Bel meteen uw beheerder" in notice.body
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not RecoveryCodeDevice.objects.filter(user=alice).exists()
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.MFA_CHANGED)
    assert event.actor == ada and event.data == {
        "user": "alice",
        "change": "reset_by_administrator",
        "removed_devices": 2,
    }
    client.logout()
    password_step(client, "alice")
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts_mfa_setup"))


def test_new_recovery_codes_replace_the_old_ones(client, alice):
    login_verified(client, alice)
    old = recovery_codes(alice)
    response = client.post(reverse("accounts_mfa_manage"))
    new = re.findall(r"<code>(\w+)</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert recovery_codes_left(alice) == 10
