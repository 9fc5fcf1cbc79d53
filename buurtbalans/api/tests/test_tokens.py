"""Tokens: hashed at rest, shown once, bound to one corporation and role, scoped per app, expiring, revocable and
audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from buurtbalans.api.models import ApiToken
from buurtbalans.api.services import api_token_create, api_token_revoke
from buurtbalans.api.tests.conftest import bearer
from buurtbalans.core.models import AuditEvent, Role
from buurtbalans.core.testing import make_user

pytestmark = pytest.mark.django_db


def test_only_a_hash_of_the_token_is_stored(alice, token_for):
    text = token_for(alice)
    row = ApiToken.objects.get()
    assert text.startswith(f"bb_{row.prefix}_") and len(text) == 3 + 8 + 1 + 43
    assert text not in str(list(ApiToken.objects.values_list()))
    assert row.secret_hash != text and len(row.secret_hash) == 64


def test_no_token_or_a_bad_one_is_401_in_the_error_shape(client, alice, stock_a, token_for):
    text = token_for(alice)
    wrong_secret = text[:-1] + ("A" if text[-1] != "A" else "B")
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer nonsense"}, bearer(wrong_secret),
                    {"HTTP_AUTHORIZATION": f"Basic {text}"}):
        response = client.get("/api/v1/complexes", **headers)
        assert response.status_code == 401, headers
        assert set(response.json()) == {"detail", "errors"} and response["WWW-Authenticate"] == "Bearer"
    assert client.get("/api/v1/complexes", **bearer(text)).status_code == 200


def test_an_expired_or_revoked_token_no_longer_works(client, alice, stock_a, token_for):
    text = token_for(alice)
    token = ApiToken.objects.get()
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/complexes", **bearer(text)).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() + timedelta(days=1))
    assert client.get("/api/v1/complexes", **bearer(text)).status_code == 200
    api_token_revoke(actor=alice, token=token)
    assert client.get("/api/v1/complexes", **bearer(text)).status_code == 401
    events = AuditEvent.objects.filter(subject_type="user", data__api_token=token.prefix)
    assert [(e.event_type, e.data["action"]) for e in events.order_by("pk")] == [
        (AuditEvent.Type.API_TOKEN_CREATED, "created"), (AuditEvent.Type.API_TOKEN_REVOKED, "revoked")]
    assert all(e.data["api_token"] == token.prefix for e in events)


def test_a_scope_the_token_lacks_is_403(client, ada, stock_a, token_for):
    text = token_for(ada, Role.ADMIN, {"portfolio": "read"})
    assert client.get("/api/v1/complexes", **bearer(text)).status_code == 200
    for method, url in [("get", "/api/v1/jobs"), ("get", "/api/v1/households")]:
        response = getattr(client, method)(url, HTTP_X_PURPOSE="import", **bearer(text))
        assert response.status_code == 403, url
        assert set(response.json()) == {"detail", "errors"}
    response = client.post("/api/v1/portfolio/imports", {"file": b""}, **bearer(text))
    assert response.status_code == 403


def test_the_token_acts_with_its_role_only(client, corporation_a, stock_a, token_for):
    """A user with two roles makes a token for one: it can do only what that role may (here: no households)."""
    both = make_user("both", corporation_a, Role.ALLOCATION_OFFICER, Role.POLICY_ANALYST)
    analyst = token_for(both, Role.POLICY_ANALYST)
    officer = token_for(both, Role.ALLOCATION_OFFICER)
    assert client.get("/api/v1/households", HTTP_X_PURPOSE="allocation", **bearer(analyst)).status_code == 403
    assert client.get("/api/v1/households", HTTP_X_PURPOSE="allocation", **bearer(officer)).status_code == 200


def test_a_user_who_lost_the_role_or_left_loses_the_token(client, alice, stock_a, token_for):
    text = token_for(alice)
    alice.membership.roles = [Role.POLICY_ANALYST]
    alice.membership.save()
    assert client.get("/api/v1/complexes", **bearer(text)).status_code == 401
    alice.membership.roles = [Role.ALLOCATION_OFFICER]
    alice.membership.save()
    assert client.get("/api/v1/complexes", **bearer(text)).status_code == 200
    alice.is_active = False
    alice.save()
    assert client.get("/api/v1/complexes", **bearer(text)).status_code == 401


def test_who_may_make_which_token(alice, ada, bob):
    later = timezone.now() + timedelta(days=30)
    with pytest.raises(PermissionDenied):  # a personal token with a role alice does not have
        api_token_create(actor=alice, kind="personal", name="x", role=Role.ADMIN, scopes={"jobs": "read"},
                         expires=later)
    with pytest.raises(PermissionDenied):  # service tokens are for administrators
        api_token_create(actor=bob, kind="service", name="erp", role=Role.POLICY_ANALYST, scopes={"jobs": "read"},
                         expires=later)
    for bad in [dict(role=Role.PLATFORM_ADMIN), dict(scopes={}), dict(scopes={"jobs": "admin"}),
                dict(scopes={"nothing": "read"}), dict(expires=timezone.now() + timedelta(days=400)),
                dict(expires=timezone.now() - timedelta(days=1)), dict(name="ERP sync!")]:
        values = dict(kind="service", name="erp", role=Role.POLICY_ANALYST, scopes={"jobs": "read"}, expires=later)
        values.update(bad)
        with pytest.raises(ValidationError):
            api_token_create(actor=ada, **values)


def test_a_service_token_acts_as_a_user_of_its_own(client, ada, stock_a, token_for):
    text = token_for(ada, Role.ALLOCATION_OFFICER, {"households": "read"}, kind="service", name="erp-sync")
    token = ApiToken.objects.get()
    assert token.user != ada and token.user.username == f"api.corp-a.erp-sync.{token.prefix}"
    assert not token.user.has_usable_password()
    response = client.get(f"/api/v1/households/{stock_a.households[0].pk}", HTTP_X_PURPOSE="allocation",
                          **bearer(text))
    assert response.status_code == 200
    read = AuditEvent.objects.get(event_type=AuditEvent.Type.HOUSEHOLD_READ)
    assert read.actor == token.user and read.actor_name == token.user.username and read.purpose == "allocation"
    api_token_revoke(actor=ada, token=token)
    token.user.refresh_from_db()
    assert not token.user.is_active
    assert client.get("/api/v1/complexes", **bearer(text)).status_code == 401


def test_the_screens_show_the_token_once_and_revoke_it(client, ada, bob):
    client.force_login(bob)
    assert client.get(reverse("api_tokens")).status_code == 200
    assert client.get(reverse("api_service_token_new")).status_code == 403
    expires = (timezone.localdate() + timedelta(days=60)).isoformat()
    response = client.post(reverse("api_token_new"), {"name": "laptop", "role": Role.POLICY_ANALYST,
                                                       "scope_portfolio": "read", "expires": expires})
    assert response.status_code == 200
    text = response.context["text"]
    assert text in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    listing = client.get(reverse("api_tokens")).content.decode()
    token = ApiToken.objects.get()
    assert token.prefix in listing and text not in listing
    # Someone else cannot revoke bob's token; bob can.
    client.force_login(make_user("other", bob.membership.corporation, Role.POLICY_ANALYST))
    assert client.post(reverse("api_tokens"), {"token": token.pk}).status_code == 404
    client.force_login(bob)
    assert client.post(reverse("api_tokens"), {"token": token.pk}).status_code == 302
    token.refresh_from_db()
    assert token.revoked is not None and token.revoked_by_name == "bob"


def test_an_administrator_makes_and_revokes_service_tokens_on_screen(client, ada, charlie):
    client.force_login(ada)
    expires = (timezone.localdate() + timedelta(days=60)).isoformat()
    response = client.post(reverse("api_service_token_new"), {
        "name": "erp-sync", "role": Role.ADMIN, "scope_portfolio": "write", "expires": expires})
    assert response.status_code == 200 and response.context["text"].startswith("bb_")
    token = ApiToken.objects.get()
    assert token.kind == "service" and token.scopes == {"portfolio": "write"}
    too_late = (timezone.localdate() + timedelta(days=400)).isoformat()
    response = client.post(reverse("api_service_token_new"), {
        "name": "erp-sync", "role": Role.ADMIN, "scope_portfolio": "write", "expires": too_late})
    assert response.status_code == 200 and response.context["form"].errors
    # charlie (corporation B, also an administrator) neither sees nor revokes A's service token.
    client.force_login(charlie)
    assert token.prefix not in client.get(reverse("api_tokens")).content.decode()
    assert client.post(reverse("api_tokens"), {"token": token.pk}).status_code == 404
    client.force_login(ada)
    assert token.prefix in client.get(reverse("api_tokens")).content.decode()
    assert client.post(reverse("api_tokens"), {"token": token.pk}).status_code == 302


def test_the_users_page_still_opens_with_a_service_tokens_user_on_it(client, ada, token_for):
    token_for(ada, Role.POLICY_ANALYST, {"portfolio": "read"}, kind="service", name="bi-report")
    client.force_login(ada)
    response = client.get(reverse("accounts_user_list"))
    assert response.status_code == 200
    assert "api.corp-a.bi-report." in response.content.decode()
