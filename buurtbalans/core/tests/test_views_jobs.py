"""The generic job pages: progress for the job's own corporation, kinds guarded by the right they need."""

from __future__ import annotations

import pytest
from django.urls import reverse

from buurtbalans.core.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas are created per test; the production hasher's rounds would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def jobs(alice, corporation_a):
    running = Job.objects.create(kind="report", corporation=corporation_a, user=alice, status=Job.Status.RUNNING,
                                 progress_done=25, progress_total=100)
    failed = Job.objects.create(kind="report", corporation=corporation_a, user=alice, status=Job.Status.FAILED,
                                result={"error": "the file disappeared", "error_code": "user"})
    imported = Job.objects.create(kind="portfolio_import", corporation=corporation_a, user=alice,
                                  params={"path": "/x.xlsx", "dry_run": True})
    return running, failed, imported


def test_a_running_job_shows_its_progress_and_refreshes_without_script(client, alice, jobs):
    running, _failed, _imported = jobs
    client.force_login(alice)
    html = client.get(reverse("job_detail", args=[running.pk])).content.decode()
    assert '<progress class="bb-progress" id="job-progress-bar" max="100" value="25">' in html
    assert '<noscript><meta http-equiv="refresh"' in html
    assert "job-progress.js" in html
    status = client.get(reverse("job_status", args=[running.pk])).json()
    assert status == {**status, "progress_percent": 25, "is_finished": False, "status": "running"}
    assert "result" not in status


def test_a_failed_job_says_so_and_stops_refreshing(client, alice, jobs):
    _running, failed, _imported = jobs
    client.force_login(alice)
    html = client.get(reverse("job_detail", args=[failed.pk])).content.decode()
    assert "the file disappeared" in html
    assert "http-equiv" not in html and "job-progress.js" not in html


def test_import_jobs_are_hidden_from_roles_that_may_not_import(client, alice, bob, ada, jobs):
    running, _failed, imported = jobs
    for user in (alice, bob):
        client.force_login(user)
        assert client.get(reverse("job_detail", args=[running.pk])).status_code == 200
        assert client.get(reverse("job_detail", args=[imported.pk])).status_code == 404
        assert imported.pk not in [j.pk for j in client.get(reverse("job_list")).context["page"].object_list]
    client.force_login(ada)
    assert client.get(reverse("job_status", args=[imported.pk])).status_code == 200


def test_charlie_gets_no_job_of_corporation_a(client, charlie, jobs):
    client.force_login(charlie)
    for job in jobs:
        assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404
        assert client.get(reverse("job_status", args=[job.pk])).status_code == 404
    assert list(client.get(reverse("job_list")).context["page"].object_list) == []
