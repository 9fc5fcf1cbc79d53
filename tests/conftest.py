"""Fixtures for the tests outside the package (browser tests): the same MFA switch as buurtbalans/conftest.py."""

from buurtbalans.conftest import mfa_not_enforced  # noqa: F401 - autouse: two-step verification off by default
