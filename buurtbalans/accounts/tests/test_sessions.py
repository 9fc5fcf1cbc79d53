"""Sessions (ASVS 3.3): idle and absolute timeouts with a moved clock, a new id at login, logout ends it."""

from datetime import timedelta

from django.urls import reverse

from buurtbalans.core.testing import PASSWORD


def login(client, username="bob"):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_a_session_idle_for_more_than_30_minutes_is_logged_out(client, bob, clock):
    login(client)
    clock.shift(timedelta(minutes=29))
    assert client.get(reverse("home")).status_code == 200
    clock.shift(timedelta(minutes=29))  # 58 minutes after login, but never 30 minutes idle
    assert client.get(reverse("home")).status_code == 200
    clock.shift(timedelta(minutes=31))
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "30 minuten niets" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_session_ends_12_hours_after_login_however_busy(client, bob, clock):
    login(client)
    for _ in range(35):  # a request every 20 minutes for 11 h 40 min
        clock.shift(timedelta(minutes=20))
        assert client.get(reverse("home")).status_code == 200
    clock.shift(timedelta(minutes=21))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_polling_a_jobs_progress_does_not_keep_a_session_alive(client, bob, clock):
    login(client)
    for _ in range(4):
        clock.shift(timedelta(minutes=10))
        client.get(reverse("job_status", args=[999]))  # the progress script of an open job page
    assert client.get(reverse("home")).status_code == 302


def test_the_session_id_changes_at_login_and_logout_ends_the_session(client, bob):
    client.get(reverse("login"))
    before = client.cookies.get("sessionid")
    login(client)
    cookie = client.cookies["sessionid"].value
    assert before is None or before.value != cookie
    assert client.cookies["sessionid"]["httponly"] and client.cookies["sessionid"]["samesite"] == "Lax"
    client.post(reverse("logout"))
    # The old cookie, replayed, is not a login any more.
    client.cookies["sessionid"] = cookie
    assert client.get(reverse("home")).status_code == 302
