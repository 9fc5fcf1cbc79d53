"""Fixtures for the tests outside the package (browser tests): the same as buurtbalans/conftest.py gives its own.

- `mfa_not_enforced`: autouse, two-step verification off by default;
- `language_of_the_settings`: autouse, each test starts in the product's language;
- `django_db_setup`: lets Django empty the audit table between transactional tests on PostgreSQL, so tests/ also
  runs on its own (`pytest tests/browser`), not only after the package's tests have set the database up.
"""

from buurtbalans.conftest import django_db_setup, language_of_the_settings, mfa_not_enforced  # noqa: F401 - fixtures
