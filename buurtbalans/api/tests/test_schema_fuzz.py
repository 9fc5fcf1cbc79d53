"""Schemathesis against the API (issue 17): every operation, generated requests (valid and invalid), answered as the
schema says: 0 server errors and 0 schema violations. In process through Django's WSGI app, inside the test's
transaction; the stateful run follows the links the schema declares (list -> one row)."""

from __future__ import annotations

import time

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import ignored_auth, negative_data_rejection
from schemathesis.config import SchemathesisConfig

from buurtbalans.api.tests.conftest import ALL_WRITE
from buurtbalans.core.models import Job, Role

pytestmark = pytest.mark.django_db

# A request the schema allows may still be refused for what the schema cannot say: 400 for a cursor that is not one
# this listing gave out, or a missing X-Purpose on personal data (docs/api.md); 403 for a purpose not of the role;
# 422 for an import file whose content is not a stock or bids file (the schema says "a file", not "a good workbook"),
# and for a labelling plan of a quarter other than this one or the next three (which quarters depends on the day).
ACCEPTED = ["2xx", "3xx", 400, 401, 403, 404, 409, 429]
CHECKED_BY_CONTENT = ("/api/v1/portfolio/imports", "/api/v1/allocation/bids/imports", "/api/v1/label-plans")
CONFIG = SchemathesisConfig.from_dict({
    "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
    "operations": [{"include-path": path,
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, 422]}}}
                   for path in CHECKED_BY_CONTENT],
})
EXAMPLES = 25  # per operation; the whole run stays well under a minute


@pytest.fixture
def connection_kept_open():
    """Requests through the raw WSGI handler would close the test's database connection at their end (Django's test
    client switches that off in the same way)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(stock_a, alice, ada, bob, token_for, settings, tmp_path, connection_kept_open):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    settings.UPLOAD_DIR = tmp_path
    Job.objects.create(kind="api_walk", corporation=stock_a.corporation, user=alice, status=Job.Status.RUNNING,
                       progress_done=3, progress_total=10)
    tokens = {"officer": token_for(alice, Role.ALLOCATION_OFFICER, ALL_WRITE),
              "admin": token_for(ada, Role.ADMIN, ALL_WRITE),
              "analyst": token_for(bob, Role.POLICY_ANALYST, ALL_WRITE)}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=CONFIG)
    return schema, tokens


# Who may write where, so a generated write reaches the service behind the rights check instead of stopping at 403:
# the stock import is the administrator's, a labelling plan the analyst's, the letting of homes the officer's.
WRITERS = (("/portfolio", "admin"), ("/label-plans", "analyst"), ("/allocation", "officer"))


def _headers(tokens, operation) -> dict:
    # Reads go as the allocation officer (the only role that reads markers), writes as the role that may make them.
    role = "officer"
    if operation.method.upper() != "GET":
        path = operation.path.removeprefix("/api/v1")
        role = next((who for prefix, who in WRITERS if path.startswith(prefix)), "admin")
    return {"Authorization": f"Bearer {tokens[role]}"}


def test_every_operation_answers_as_its_schema_says(api_schema):
    schema, tokens = api_schema
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, _headers(tokens, operation))
    assert time.monotonic() - started < 120


def _fuzz(operation, mode, headers: dict) -> None:
    """EXAMPLES generated requests of one operation in one mode (valid or invalid data), each answer checked."""

    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        case.call_and_validate(headers={**(case.headers or {}), **headers})

    check()


def test_the_stateful_links_lead_to_answers_by_the_schema(api_schema):
    schema, tokens = api_schema
    paths = schema.raw_schema["paths"]
    linked = {operation["operationId"] for methods in paths.values() for operation in methods.values()
              if operation["responses"].get("200", {}).get("links")}
    steering_monitor_cooperatives = {"label_plan_list", "monitor_complex_list", "cooperative_list"}
    assert steering_monitor_cooperatives <= linked
    linked -= steering_monitor_cooperatives
    assert linked == {"complex_list", "dwelling_list", "household_list", "tenancy_list", "job_list",
                      "listing_list", "round_list", "offer_list"}
    machine = schema.as_state_machine()
    officer = {"Authorization": f"Bearer {tokens['officer']}", "X-Purpose": "allocation"}

    class Machine(machine):
        def get_call_kwargs(self, case):
            return {"headers": {**(case.headers or {}), **officer}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # Our token replaces whatever auth the machine generated, so "invalid auth accepted" would be a false
            # alarm here; the run above checks that a request without a valid token is refused.
            # Likewise a generated bad header is overwritten by ours: the negative cases are the run above's job.
            case.validate_response(response, additional_checks=additional_checks,
                                   excluded_checks=[ignored_auth, negative_data_rejection])

    Machine.TestCase.settings = hypothesis_settings(max_examples=20, stateful_step_count=4, deadline=None,
                                                    database=None, derandomize=True,
                                                    suppress_health_check=list(HealthCheck))
    Machine.run()
