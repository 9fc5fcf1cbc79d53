"""The cross-corporation and cross-role walk over every API operation (as core/tests/test_access_views.py does for
the screens).

Every operation of the OpenAPI schema is called with corporation A's object ids:

* with a token of every role of corporation B: no answer holds anything of A, and nothing is recorded against A;
* with a token of every role of A: the operation answers exactly when the role has the right the screens ask for
  (403 otherwise), so the API has no rights of its own.

A new operation must be added to OPERATIONS (the right it needs and how to call it), or the walk fails.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from buurtbalans.api.main import api
from buurtbalans.api.tests import walk_allocation
from buurtbalans.api.tests.conftest import ALL_WRITE, bearer
from buurtbalans.api.tests.walk_steering import walk_ids, walk_link, walk_request
from buurtbalans.core.models import AuditEvent, Job, Role
from buurtbalans.core.permissions import MARKER_PURPOSES, ROLE_ACTIONS, Action
from buurtbalans.core.testing import make_user

pytestmark = pytest.mark.django_db

# (method, path) -> the right the screens need for the same data.
OPERATIONS = {
    ("get", "/api/v1/complexes"): Action.VIEW_STOCK,
    ("get", "/api/v1/complexes/{complex_id}"): Action.VIEW_STOCK,
    ("get", "/api/v1/dwellings"): Action.VIEW_STOCK,
    ("get", "/api/v1/dwellings/{dwelling_id}"): Action.VIEW_STOCK,
    ("get", "/api/v1/households"): Action.VIEW_HOUSEHOLDS,
    ("get", "/api/v1/households/{household_id}"): Action.VIEW_HOUSEHOLDS,
    ("get", "/api/v1/households/{household_id}/markers"): Action.VIEW_MARKERS,
    ("get", "/api/v1/tenancies"): Action.VIEW_HOUSEHOLDS,
    ("get", "/api/v1/tenancies/{tenancy_id}"): Action.VIEW_HOUSEHOLDS,
    ("get", "/api/v1/jobs"): Action.VIEW_JOBS,
    ("get", "/api/v1/jobs/{job_id}"): Action.VIEW_JOBS,
    ("post", "/api/v1/portfolio/imports"): Action.MANAGE_PORTFOLIO,
    **walk_allocation.OPERATIONS,  # listings, bids, rounds, offers, letters, compliance
    ("get", "/api/v1/label-plans"): Action.VIEW_AGGREGATES,
    ("post", "/api/v1/label-plans"): Action.PLAN_LABELS,
    ("get", "/api/v1/label-plans/{plan_id}"): Action.VIEW_AGGREGATES,
    ("get", "/api/v1/label-plans/{plan_id}/result"): Action.VIEW_AGGREGATES,
    ("get", "/api/v1/vacancies"): Action.VIEW_AGGREGATES,
    ("get", "/api/v1/monitor/complexes"): Action.VIEW_MONITOR,
    ("get", "/api/v1/monitor/complexes/{vitality_id}"): Action.VIEW_MONITOR,
    ("get", "/api/v1/monitor/buurten"): Action.VIEW_MONITOR,
    ("get", "/api/v1/focus-buurten"): Action.VIEW_MONITOR,
    # A board's own cooperative (walk_steering.walk_link) or the staff's VIEW_COOPERATIVES; writes the board only.
    ("get", "/api/v1/cooperatives"): (Action.VIEW_COOPERATIVES, Action.COOPERATIVE_PORTAL),
    ("get", "/api/v1/cooperatives/{cooperative_id}"): (Action.VIEW_COOPERATIVES, Action.COOPERATIVE_PORTAL),
    ("get", "/api/v1/cooperatives/{cooperative_id}/activities"): (Action.VIEW_COOPERATIVES,
                                                                  Action.COOPERATIVE_PORTAL),
    ("post", "/api/v1/cooperatives/{cooperative_id}/activities"): Action.COOPERATIVE_PORTAL,
    ("get", "/api/v1/cooperative-activities/{activity_id}"): (Action.VIEW_COOPERATIVES, Action.COOPERATIVE_PORTAL),
    ("patch", "/api/v1/cooperative-activities/{activity_id}"): Action.COOPERATIVE_PORTAL,
    ("delete", "/api/v1/cooperative-activities/{activity_id}"): Action.COOPERATIVE_PORTAL,
}
# Strings only A's rows hold (B's test stock has the same incomes and marker kinds, so those tell nothing).
A_MARKERS = ("A-C1", "A-D1", "A-H1", "A-H2", "A-T1", "Complex A", "Astraat", "BU01930001")
ROLES = [role for role in Role.values if role != Role.PLATFORM_ADMIN]


def schema_operations() -> set[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return {(method, path) for path, methods in paths.items() for method in methods}


def test_the_walk_covers_every_operation_of_the_schema():
    assert schema_operations() == set(OPERATIONS), "add the new operation to OPERATIONS with the right it needs"


@pytest.fixture
def a_ids(stock_a, stock_b, alice):
    # A kind without a runner of its own needs VIEW_JOBS only (an import's job needs MANAGE_PORTFOLIO, as on screen).
    job = Job.objects.create(kind="api_walk", corporation=stock_a.corporation, user=alice, status=Job.Status.QUEUED)
    return {"complex_id": stock_a.complex.pk, "dwelling_id": stock_a.dwellings[0].pk,
            "household_id": stock_a.households[0].pk, "tenancy_id": stock_a.tenancies[0].pk, "job_id": job.pk,
            **walk_ids(stock_a), **walk_allocation.walk_ids(stock_a, alice)}


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("complexes.csv", "external_id;name;neighbourhood\nW-1;Walk;\n")
    return buffer.getvalue()


def call(client, method: str, path: str, ids: dict, token: str, role: str):
    url = path.format(**ids)
    headers = {**bearer(token), "HTTP_X_PURPOSE": MARKER_PURPOSES.get(role, "allocation")}
    allocation_write = walk_allocation.walk_call(client, method, path, ids, headers)
    if allocation_write is not None:
        return allocation_write
    json_write = walk_request(method, path, ids)
    if json_write is not None:
        return getattr(client, method)(json_write[0], json.dumps(json_write[1]), content_type="application/json",
                                       **headers)
    if method == "post":
        # A dry run: the walk must not change B's stock either.
        return client.post(url + "?dry_run=true", {"file": SimpleUploadedFile("walk.zip", _zip())}, **headers)
    return client.get(url, **headers)


def test_no_role_of_another_corporation_sees_anything_of_a(client, a_ids, corporation_b, token_for, settings,
                                                          tmp_path):
    settings.UPLOAD_DIR = tmp_path
    a = a_ids
    events_before = AuditEvent.objects.filter(corporation__code="corp-a").count()
    for role in ROLES:
        user = make_user(f"b-{role.lower()}", corporation_b, role)
        token = token_for(user, role, ALL_WRITE)
        for (method, path), _action in OPERATIONS.items():
            response = call(client, method, path, a, token, role)
            # 202: a label plan of B's own (nothing of A)
            assert response.status_code in (200, 202, 400, 403, 404), (role, path, response.status_code)
            if "{" in path:  # one of A's objects: never found for B
                assert response.status_code in (403, 404), (role, path, response.status_code)
            text = response.content.decode()
            leaked = [marker for marker in A_MARKERS if marker in text]
            assert not leaked, (role, method, path, leaked)
    assert AuditEvent.objects.filter(corporation__code="corp-a").count() == events_before


def test_every_role_of_a_gets_what_its_screens_give_and_nothing_more(client, a_ids, corporation_a, token_for, settings,
                                                                     tmp_path):
    settings.UPLOAD_DIR = tmp_path
    for role in ROLES:
        user = make_user(f"a-{role.lower()}", corporation_a, role)
        walk_link(user, role, a_ids)
        token = token_for(user, role, ALL_WRITE)
        allowed = ROLE_ACTIONS[role]
        for (method, path), action in OPERATIONS.items():
            response = call(client, method, path, a_ids, token, role)
            actions = action if isinstance(action, tuple) else (action,)  # any of them
            if allowed.intersection(actions):
                assert response.status_code in (200, 201, 202, 204), (role, path, response.status_code,
                                                                       response.content[:300])
            else:
                assert response.status_code == 403, (role, path, response.status_code)
                assert "A-H1" not in response.content.decode() and "A-C1" not in response.content.decode()
