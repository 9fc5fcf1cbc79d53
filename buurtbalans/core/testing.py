"""Shared test personas, used by every app's tests (see conftest.py). Only what core alone needs: the builders
that need domain models (make_stock) live above the domain apps, in buurtbalans/testing.py.

alice: allocation officer at corporation A; bob: policy analyst at A (aggregates only);
nina: neighbourhood manager at A; ada: administrator at A; otto: auditor at A;
charlie: allocation officer and administrator at corporation B, who must see nothing of A.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from buurtbalans.core.models import HousingCorporation, Membership, Role

PASSWORD = "correct-horse-battery"


def make_user(username: str, corporation: HousingCorporation, *roles: str):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    Membership.objects.create(user=user, corporation=corporation, roles=list(roles))
    return user


def require_environment(condition: bool, reason: str) -> None:
    """Skip a test whose environment is missing (Chromium, open data), but fail in CI.

    CI sets BUURTBALANS_STRICT=1, so a test that silently stopped running there is a red build.
    """
    import os

    import pytest

    if condition:
        return
    if os.environ.get("BUURTBALANS_STRICT") == "1":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


__all__ = ["PASSWORD", "Role", "make_user", "require_environment"]
