"""Several "Import now" clicks on one checked records file at the same moment queue one real import (issue 11).

As for the portfolio import (see portfolio/tests/test_import_confirm_concurrency.py): one thread and connection per
click, all waiting on the upload's row while the test holds it. PostgreSQL only.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import Job, Upload
from buurtbalans.liveability.models import Signal
from buurtbalans.portfolio.tests.test_import_confirm_concurrency import CLICKS, confirm_at_once

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def postgresql_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL: SQLite runs one write transaction at a time")


def test_four_clicks_on_import_now_queue_one_records_import(nina, stock_a, settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    client = Client()
    client.force_login(nina)
    upload = SimpleUploadedFile("signals.csv", b"code;complex;kind;reported_on\nS-1;A-C1;nuisance;2025-02-03\n")
    client.post(reverse("monitor_records_import"), {"file": upload})
    run_pending_jobs()
    check = Job.objects.get(kind="social_records_import")
    assert check.result["is_valid"] is True

    outcomes = confirm_at_once(nina, reverse("monitor_records_import_confirm", args=[check.pk]),
                               Upload.objects.get().pk)

    real = Job.objects.filter(kind="social_records_import", params__dry_run=False)
    assert real.count() == 1, outcomes
    assert outcomes == [reverse("monitor_records_import_result", args=[real.get().pk])] * CLICKS
    run_pending_jobs()
    assert Signal.objects.filter(external_id="S-1").count() == 1
