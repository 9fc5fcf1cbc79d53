"""Several "Import now" clicks on one checked file at the same moment queue one real import (issue 11, finding 12).

Each click is a request in its own thread with its own database connection. The test's connection first holds the
upload's row lock, so every request is under way and waiting at the same point; then it lets go. SQLite runs one
write transaction at a time, so there is nothing to race there.
"""

from __future__ import annotations

import io
import threading
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import Job, Upload
from buurtbalans.portfolio.models import Complex

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CLICKS = 4


@pytest.fixture(autouse=True)
def postgresql_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL: SQLite runs one write transaction at a time")


def confirm_at_once(user, url: str, upload_pk: int, clicks: int = CLICKS) -> list[str]:
    """POST `url` from `clicks` threads at the same moment; returns where each response sent the user."""
    clients = []
    for _ in range(clicks):
        client = Client()
        client.force_login(user)
        clients.append(client)
    outcomes: list[str | None] = [None] * clicks
    started = threading.Barrier(clicks + 1)

    def click(i: int) -> None:
        try:
            started.wait()
            response = clients[i].post(url)
            outcomes[i] = response.url if response.status_code == 302 else f"status {response.status_code}"
        except Exception as exc:  # noqa: BLE001 - reported by the assertion of the test
            outcomes[i] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(i,)) for i in range(clicks)]
    with transaction.atomic():
        Upload.objects.select_for_update().get(pk=upload_pk)
        for thread in threads:
            thread.start()
        started.wait()
        time.sleep(0.3)  # every request is now inside its transaction, waiting for the upload's row
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_four_clicks_on_import_now_queue_one_import(ada, settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    client = Client()
    client.force_login(ada)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("complexes.csv", "external_id;name\nC-1;Rivierenflats\n")
    client.post(reverse("portfolio_import"), {"file": SimpleUploadedFile("portfolio.zip", buffer.getvalue())})
    run_pending_jobs()
    check = Job.objects.get()
    assert check.result["is_valid"] is True

    outcomes = confirm_at_once(ada, reverse("portfolio_import_confirm", args=[check.pk]), Upload.objects.get().pk)

    real = Job.objects.filter(kind="portfolio_import", params__dry_run=False)
    assert real.count() == 1, outcomes
    assert outcomes == [reverse("job_detail", args=[real.get().pk])] * CLICKS
    run_pending_jobs()
    assert Complex.objects.filter(external_id="C-1").count() == 1
