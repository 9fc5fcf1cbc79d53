"""Tokens for the API tests: `token_for(user, role, scopes)` makes one through the service and returns its text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from buurtbalans.api.access import SCOPES
from buurtbalans.api.models import ApiToken
from buurtbalans.api.services import api_token_create

ALL_READ = {scope: "read" for scope in SCOPES}
ALL_WRITE = {scope: "write" for scope in SCOPES}


@pytest.fixture
def token_for():
    def make(user, role: str | None = None, scopes: dict | None = None, *, kind=ApiToken.Kind.PERSONAL,
             name: str = "test", days: int = 30) -> str:
        role = role or user.membership.roles[0]
        _token, text = api_token_create(actor=user, kind=kind, name=name, role=role, scopes=scopes or ALL_WRITE,
                                        expires=timezone.now() + timedelta(days=days))
        return text

    return make


def bearer(text: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}
