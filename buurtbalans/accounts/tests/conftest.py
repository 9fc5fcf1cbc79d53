import pytest


@pytest.fixture
def mfa_enforced(settings):
    """Two-step verification as in production (buurtbalans/conftest.py switches it off for the other tests)."""
    settings.MFA_REQUIRED = True


@pytest.fixture
def clock():
    """A frozen clock at a whole minute (the start of a 30-second TOTP window); shift it to let time pass."""
    from datetime import UTC, datetime

    import time_machine

    # 9:00 in Amsterdam (winter time).
    with time_machine.travel(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller
