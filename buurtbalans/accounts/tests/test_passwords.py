"""Passwords (ASVS 2.1, 2.5): the validators, changing it, and a reset link by e-mail without user enumeration."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from buurtbalans.core.models import AuditEvent, Role
from buurtbalans.core.testing import PASSWORD, make_user


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("elf tekens!", False),  # 11 characters
        ("twaalf tekns", True),  # 12, lower case only: no composition rules
        ("x" * 64 + " een lange wachtzin", True),
        ("lange zin " * 12 + "12345678", True),  # 128
        ("lange zin " * 12 + "123456789", False),  # 129
        ("qwerty123456789", False),  # in the breached-password list
        ("1q2w3e4r5t6y", False),
    ],
)
def test_the_password_rules(password, ok, db):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_a_password_like_the_user_name_is_refused(bob):
    bob.email = "bob.bakker@corporatie.nl"
    with pytest.raises(ValidationError):
        validate_password("bob.bakker@corp", user=bob)


def test_a_user_changes_their_password_and_stays_logged_in(client, bob):
    client.force_login(bob)
    wrong = client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": "een nieuwe lange zin", "new_password2": "een nieuwe lange zin"},
    )
    assert wrong.status_code == 200 and wrong.context["form"].errors
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "een nieuwe lange zin", "new_password2": "een nieuwe lange zin"},
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    bob.refresh_from_db()
    assert bob.check_password("een nieuwe lange zin")
    assert AuditEvent.objects.get(event_type=AuditEvent.Type.USER_ACCOUNT_CHANGED).data["change"] == "password_changed"


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, bob):
    bob.email = "bob@corporatie.nl"
    bob.save()
    known = client.post(reverse("password_reset"), {"email": "bob@corporatie.nl"})
    unknown = client.post(reverse("password_reset"), {"email": "niemand@corporatie.nl"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bob@corporatie.nl"]


def test_reset_mails_to_one_address_are_limited_per_hour_with_the_same_answer(client, bob, clock):
    bob.email = "bob@corporatie.nl"
    bob.save()
    answers = [client.post(reverse("password_reset"), {"email": "bob@corporatie.nl"}) for _ in range(6)]
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, reverse("password_reset_done"))}
    assert len(mail.outbox) == 3  # PASSWORD_RESET_REQUESTS_PER_EMAIL: nobody can flood bob's mailbox
    clock.shift(timedelta(minutes=61))
    client.post(reverse("password_reset"), {"email": "bob@corporatie.nl"})
    assert len(mail.outbox) == 4


def test_one_client_asking_for_many_addresses_is_limited(client, corporation_a):
    for i in range(12):
        user = make_user(f"user{i}", corporation_a, Role.POLICY_ANALYST)
        user.email = f"user{i}@corporatie.nl"
        user.save()
    for i in range(12):
        client.post(reverse("password_reset"), {"email": f"user{i}@corporatie.nl"})
    assert len(mail.outbox) == 10  # PASSWORD_RESET_REQUESTS_PER_ADDRESS


def test_the_reset_link_works_once_and_for_one_hour(client, bob, clock):
    bob.email = "bob@corporatie.nl"
    bob.save()
    client.post(reverse("password_reset"), {"email": "bob@corporatie.nl"})
    link = re.search(r"https?://[^/]+(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    assert "Kies een nieuw wachtwoord met deze link" in mail.outbox[0].body

    clock.shift(timedelta(minutes=61))
    expired = client.get(link, follow=True)
    assert "werkt niet meer" in expired.content.decode()

    clock.shift(timedelta(minutes=-2))
    form = client.get(link, follow=True)
    assert form.context["validlink"]
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "mijn nieuwe wachtzin", "new_password2": "mijn nieuwe wachtzin"})
    assert done.status_code == 302
    bob.refresh_from_db()
    assert bob.check_password("mijn nieuwe wachtzin")
    again = client.get(link, follow=True)
    assert not again.context["validlink"]


def test_the_user_gets_a_notice_after_their_password_changed(client, bob):
    bob.email = "bob@corporatie.nl"
    bob.save()
    client.force_login(bob)
    new = "een nieuwe lange zin"
    client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    (notice,) = mail.outbox
    assert notice.to == ["bob@corporatie.nl"]
    assert "wachtwoord van uw account in Buurtbalans is gewijzigd" in notice.body
    assert new not in notice.body


def test_guessing_the_current_password_on_the_change_form_locks_the_account(client, bob, clock):
    client.force_login(bob)
    data = {
        "old_password": "a-guess-at-it",
        "new_password1": "een nieuwe lange zin",
        "new_password2": "een nieuwe lange zin",
    }
    for _ in range(4):
        assert client.post(reverse("password_change"), data).status_code == 200
    response = client.post(reverse("password_change"), data)
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert client.post(reverse("login"), {"username": "bob", "password": PASSWORD}).status_code == 429
