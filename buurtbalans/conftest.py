"""Personas and fixtures shared by all tests (see buurtbalans/core/testing.py and buurtbalans/testing.py)."""

import pytest

from buurtbalans.core.models import HousingCorporation, Role
from buurtbalans.core.testing import make_user
from buurtbalans.testing import make_stock


@pytest.fixture
def corporation_a(db):
    return HousingCorporation.objects.create(code="corp-a", name="Corporatie A")


@pytest.fixture
def corporation_b(db):
    return HousingCorporation.objects.create(code="corp-b", name="Corporatie B")


@pytest.fixture
def alice(corporation_a):
    return make_user("alice", corporation_a, Role.ALLOCATION_OFFICER)


@pytest.fixture
def bob(corporation_a):
    return make_user("bob", corporation_a, Role.POLICY_ANALYST)


@pytest.fixture
def nina(corporation_a):
    return make_user("nina", corporation_a, Role.NEIGHBOURHOOD_MANAGER)


@pytest.fixture
def ada(corporation_a):
    return make_user("ada", corporation_a, Role.ADMIN)


@pytest.fixture
def otto(corporation_a):
    return make_user("otto", corporation_a, Role.AUDITOR)


@pytest.fixture
def charlie(corporation_b):
    return make_user("charlie", corporation_b, Role.ALLOCATION_OFFICER, Role.ADMIN)


@pytest.fixture
def stock_a(corporation_a):
    return make_stock(corporation_a, "A", "BU01930001")


@pytest.fixture
def stock_b(corporation_b):
    return make_stock(corporation_b, "B", "BU01930002")


@pytest.fixture(autouse=True)
def mfa_not_enforced(settings):
    """Two-step verification off: tests log in with force_login or a password only, as before issue 11.

    The accounts tests (and tests/browser/test_accounts.py) switch it on again with `mfa_enforced` and walk the
    real flow with TOTP codes.
    """
    settings.MFA_REQUIRED = False


@pytest.fixture(autouse=True)
def language_of_the_settings():
    """Each test starts in the product's language (settings.LANGUAGE_CODE), whatever the one before it did.

    A request through the test client leaves the language it chose active in the thread (Django deactivates
    nothing after a response); a test that then builds a message outside a request read it in that language.
    """
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """PBKDF2 costs ~0.3 s per persona; tests need a password check, not its strength."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()
    yield


def pytest_collection_modifyitems(config, items):
    """Skip `postgres_only` tests before their fixtures run when the suite runs on SQLite.

    A skip inside the test comes after the database fixtures: on SQLite a transactional test with
    serialized_rollback then fails in set-up, reloading rows that an earlier test's flush left behind.
    """
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (row locks, a second process); CI runs it there")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Let Django empty the audit table between transactional tests on PostgreSQL.

    Django flushes with TRUNCATE, which the audit log refuses (migration core 0010). Only the test database
    switches the guard off; `core/tests/test_audit_truncate.py` switches it on again to show it holds.
    """
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER audit_event_no_truncate")
