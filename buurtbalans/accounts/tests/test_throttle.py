"""Login throttling (ASVS 2.2.1): wrong passwords lock the account and the address, with a growing back-off."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from buurtbalans.accounts import throttle
from buurtbalans.core.models import AuditEvent
from buurtbalans.core.testing import PASSWORD


def try_login(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_is_refused_after_five_wrong_ones(client, alice, clock):
    for _ in range(4):
        assert try_login(client, "alice", "wrong-password-123").status_code == 200
    locked = try_login(client, "alice", "wrong-password-123")
    assert locked.status_code == 429

    response = try_login(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in(client)
    # A plain Dutch message that says when to try again (the first lock lasts one minute).
    text = response.content.decode()
    assert "U kunt het weer proberen om 09:01" in text
    events = AuditEvent.objects.filter(event_type=AuditEvent.Type.LOGIN_LOCKED)
    assert events.count() == 1
    event = events.get()
    assert event.data["scope"] == "account" and event.data["account"] == "alice"
    assert event.corporation == alice.membership.corporation


def test_the_lock_lifts_after_the_back_off_and_the_next_one_lasts_twice_as_long(client, alice, clock):
    for _ in range(5):
        try_login(client, "alice", "wrong-password-123")
    clock.shift(timedelta(seconds=59))
    assert try_login(client, "alice", PASSWORD).status_code == 429
    clock.shift(timedelta(seconds=2))
    assert try_login(client, "alice", "wrong-password-123").status_code == 200  # counted again, not locked yet

    for _ in range(4):
        try_login(client, "alice", "wrong-password-123")
    lock = throttle.current_lock("alice", "10.0.0.1")
    assert lock.until == timezone.now() + timedelta(minutes=2)
    clock.shift(timedelta(minutes=2, seconds=1))
    assert try_login(client, "alice", PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_tries_while_locked_do_not_make_the_lock_longer(client, alice, clock):
    for _ in range(5):
        try_login(client, "alice", "wrong-password-123")
    until = throttle.current_lock("alice", "10.0.0.1").until
    for _ in range(10):
        clock.shift(timedelta(seconds=5))
        assert try_login(client, "alice", "wrong-password-123").status_code == 429
    assert throttle.current_lock("alice", "10.0.0.1").until == until
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.LOGIN_LOCKED).count() == 1


def test_an_unknown_account_name_is_locked_the_same_way(client, alice, clock):
    """The lock says nothing about which names exist."""
    responses = [try_login(client, "nobody-here", "wrong-password-123") for _ in range(6)]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429, 429]


def test_one_address_trying_many_accounts_is_locked_for_all_of_them(client, alice, settings, clock):
    settings.LOGIN_FAILURES_PER_ADDRESS = 10
    for i in range(10):  # one try per name: no account reaches its own limit
        try_login(client, f"guess{i}", "Welkom01!", address="203.0.113.9")
    assert try_login(client, "alice", PASSWORD, address="203.0.113.9").status_code == 429
    assert not is_logged_in(client)
    # Alice at her own desk is not affected.
    assert try_login(client, "alice", PASSWORD, address="10.0.0.1").status_code == 302
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.LOGIN_LOCKED)
    assert event.data["scope"] == "address" and event.data["address"] == "203.0.113.9"


def test_a_correct_login_starts_the_account_again_from_nothing(client, alice, clock):
    for _ in range(4):
        try_login(client, "alice", "wrong-password-123")
    assert try_login(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert try_login(client, "alice", "wrong-password-123").status_code == 200


def test_an_attacker_gets_far_fewer_than_100_tries_an_hour_on_one_account(db, clock):
    """ASVS 2.2.1: at most 100 failed attempts per hour on a single account, guessing as fast as allowed."""
    tries = 0
    end = timezone.now() + timedelta(hours=1)
    while timezone.now() < end:
        address = f"198.51.100.{tries % 250}"  # a botnet: a new address for every try
        lock = throttle.current_lock("alice", address)
        if lock is not None:
            clock.move_to(lock.until + timedelta(seconds=1))
            continue
        throttle.login_failure_record(username="alice", address=address)
        tries += 1
    assert tries <= 100
    assert tries == 30  # 5 tries before locks of 1, 2, 4, 8, 16 and 32 minutes


def test_the_forwarded_address_counts_only_behind_a_trusted_proxy(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.7")
    assert throttle.client_address(request) == "10.1.1.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert throttle.client_address(request) == "198.51.100.7"
