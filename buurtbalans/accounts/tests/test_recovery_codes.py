"""Recovery codes are kept as salted hashes only (ASVS 2.6.2), each works once, and a wrong one is a failed login."""

import importlib
import re

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from buurtbalans.accounts import mfa
from buurtbalans.accounts.testing import code_for, enrol, login_verified, recovery_codes
from buurtbalans.core.models import AuditEvent
from buurtbalans.core.testing import PASSWORD

pytestmark = pytest.mark.usefixtures("mfa_enforced")

CODE_FORMAT = re.compile(r"[a-z2-7]{8}")  # 40 random bits in base32, as django-otp made them


def password_step(client, username):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def shown_codes(response) -> list[str]:
    return re.findall(r"<li class=\"utrecht-unordered-list__item\"><code>(\w+)</code></li>", response.content.decode())


def database_text() -> str:
    """Every value of every row of every table, as text: what someone with a copy of the database could read."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            values.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(values)


def test_no_recovery_code_can_be_read_from_the_database(client, alice, clock):
    """A copy of the database shows none of the codes, neither after the set-up nor after making new ones."""
    password_step(client, "alice")
    client.get(reverse("accounts_mfa_setup"))
    device = alice.totpdevice_set.get(confirmed=False)
    first = shown_codes(client.post(reverse("accounts_mfa_setup"), {"code": code_for(device), "next": "/"}))
    renewed = shown_codes(client.post(reverse("accounts_mfa_manage")))
    assert len(first) == 10 and len(renewed) == 10
    assert all(CODE_FORMAT.fullmatch(code) for code in first + renewed)

    stored = database_text()
    assert [code for code in first + renewed if code in stored] == []
    assert [code.upper() for code in first + renewed if code.upper() in stored] == []
    # The new codes still work: what is stored is enough to check them.
    assert mfa.recovery_codes_left(alice) == 10
    client.logout()
    password_step(client, "alice")
    assert client.post(reverse("accounts_mfa_verify"), {"code": renewed[3]})["Location"] == reverse("home")


def test_a_recovery_code_works_once_and_the_old_codes_no_longer_work_after_new_ones(client, alice, clock):
    enrol(alice)
    old = recovery_codes(alice)
    new = recovery_codes(alice)
    password_step(client, "alice")
    assert client.post(reverse("accounts_mfa_verify"), {"code": old[0]}).status_code == 400
    clock.shift(2)  # after a wrong code, the next one is checked after a second at the earliest (as django-otp does)
    assert client.post(reverse("accounts_mfa_verify"), {"code": f" {new[0][:4]} {new[0][4:].upper()} "})[
        "Location"
    ] == reverse("home")
    assert mfa.recovery_codes_left(alice) == 9
    client.logout()
    password_step(client, "alice")
    assert client.post(reverse("accounts_mfa_verify"), {"code": new[0]}).status_code == 400
    assert mfa.recovery_codes_left(alice) == 9


def test_wrong_recovery_codes_count_as_failed_logins_and_lock_the_account(client, alice, clock):
    enrol(alice)
    codes = recovery_codes(alice)
    password_step(client, "alice")
    for guess in ("aaaaaaaa", "bbbbbbbb", "cccccccc", "dddddddd"):
        assert client.post(reverse("accounts_mfa_verify"), {"code": guess}).status_code == 400
        clock.shift(60)  # not refused for speed: every one is counted
    response = client.post(reverse("accounts_mfa_verify"), {"code": "eeeeeeee"})
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.LOGIN_LOCKED, data__account="alice").count() == 1
    # While the lock lasts, even the password and a right code do not get her in, and the code is not used up.
    assert client.post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 429
    assert mfa.recovery_codes_left(alice) == 10
    clock.shift(120)
    password_step(client, "alice")
    assert client.post(reverse("accounts_mfa_verify"), {"code": codes[1]})["Location"] == reverse("home")


def test_making_new_codes_after_logging_in_with_a_recovery_code_keeps_you_logged_in(client, alice):
    enrol(alice)
    codes = recovery_codes(alice)
    password_step(client, "alice")
    client.post(reverse("accounts_mfa_verify"), {"code": codes[0]})
    assert len(shown_codes(client.post(reverse("accounts_mfa_manage")))) == 10
    page = client.get(reverse("accounts_mfa_manage"))
    assert page.status_code == 200 and "U hebt nog 10 herstelcodes" in page.content.decode()


def test_the_administrators_reset_removes_the_recovery_codes(client, alice, ada):
    enrol(alice)
    codes = recovery_codes(alice)
    login_verified(client, ada)
    client.post(reverse("accounts_user_mfa_reset", args=[alice.pk]))
    assert mfa.recovery_codes_left(alice) == 0
    client.logout()
    password_step(client, "alice")
    # No app, so she is sent to set one up; the old recovery code gets her nowhere.
    assert client.post(reverse("accounts_mfa_verify"), {"code": codes[0]})["Location"].startswith(
        reverse("accounts_mfa_setup")
    )
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts_mfa_setup"))


def test_the_stored_value_is_salted_per_code():
    from buurtbalans.accounts import recovery

    one, two = recovery.code_hash("abcdefgh"), recovery.code_hash("abcdefgh")
    assert one != two and "abcdefgh" not in one
    assert recovery.code_matches("abcdefgh", one) and recovery.code_matches("abcdefgh", two)
    assert not recovery.code_matches("abcdefgi", one)


def test_a_changed_secret_key_keeps_the_codes_while_the_old_key_is_a_fallback(settings):
    from buurtbalans.accounts import recovery

    stored = recovery.code_hash("abcdefgh")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "another-secret-key-for-this-test", [settings.SECRET_KEY]
    assert recovery.code_matches("abcdefgh", stored)
    settings.SECRET_KEY_FALLBACKS = []
    assert not recovery.code_matches("abcdefgh", stored)


def test_the_migration_hashes_the_plain_codes_of_django_otp_and_deletes_them(client, alice, bob):
    """Migration 0004 moves the codes that django-otp's static devices kept in plain text into hashed ones."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    enrol(alice)
    old_device = StaticDevice.objects.create(user=alice, name="recovery codes", confirmed=True)
    StaticToken.objects.bulk_create(StaticToken(device=old_device, token=t) for t in ("k2xq7mbd", "pq4rs5tu"))
    StaticDevice.objects.create(user=bob, name="recovery codes", confirmed=False)  # never usable: only removed
    migration = importlib.import_module("buurtbalans.accounts.migrations.0004_recovery_codes_from_otp_static")

    migration.static_tokens_hash(apps, None)

    assert not StaticDevice.objects.exists() and not StaticToken.objects.exists()
    stored = database_text()
    assert "k2xq7mbd" not in stored and "pq4rs5tu" not in stored
    assert mfa.recovery_codes_left(alice) == 2 and mfa.recovery_codes_left(bob) == 0
    password_step(client, "alice")
    assert client.post(reverse("accounts_mfa_verify"), {"code": "pq4rs5tu"})["Location"] == reverse("home")
    assert mfa.recovery_codes_left(alice) == 1
    client.logout()
    password_step(client, "alice")
    assert client.post(reverse("accounts_mfa_verify"), {"code": "pq4rs5tu"}).status_code == 400
