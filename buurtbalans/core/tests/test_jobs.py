"""The worker claims each job once, records progress, success and failure, and stops cleanly."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from buurtbalans.core.jobs import JobRunner, job_claim_next, job_enqueue, job_run, run_pending_jobs
from buurtbalans.core.models import Job


class CountingRunner(JobRunner):
    kind = "test_counting"

    def run(self):
        total = self.job.params.get("total", 3)
        for done in range(1, total + 1):
            self.progress(done, total)
        self.log("counted")
        return {"counted": total}


class FailingRunner(JobRunner):
    kind = "test_failing"

    def run(self):
        raise RuntimeError("the input file is gone")


class SlowRunner(JobRunner):
    kind = "test_slow"

    def run(self):
        time.sleep(self.job.params.get("seconds", 1.5))
        return {"slept": True}


@pytest.mark.smoke
def test_a_queued_job_runs_to_success_with_its_result_and_progress(corporation_a, alice):
    job = job_enqueue(kind="test_counting", corporation=corporation_a, user=alice, params={"total": 4})
    assert job.status == Job.Status.QUEUED and job.progress_percent == 0
    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"counted": 4}
    assert (job.progress_done, job.progress_total, job.progress_percent) == (4, 4, 100)
    assert "counted" in job.log and job.started and job.finished


def test_a_failing_job_is_recorded_as_failed_and_the_worker_goes_on(corporation_a):
    failing = job_enqueue(kind="test_failing", corporation=corporation_a)
    ok = job_enqueue(kind="test_counting", corporation=corporation_a)
    assert run_pending_jobs() == 2
    failing.refresh_from_db()
    ok.refresh_from_db()
    assert failing.status == Job.Status.FAILED
    # An unexpected error is not for the user's eyes: a plain message with the job's number; the log has it.
    assert failing.result["error_code"] == "internal" and f"#{failing.pk}" in failing.result["error"]
    assert "RuntimeError: the input file is gone" in failing.log
    assert ok.status == Job.Status.SUCCEEDED


def test_a_job_is_claimed_by_one_worker_only(corporation_a):
    job = job_enqueue(kind="test_counting", corporation=corporation_a)
    first = job_claim_next("worker-1")
    second = job_claim_next("worker-2")
    assert first.pk == job.pk and first.worker == "worker-1"
    assert second is None
    job_run(first)
    assert Job.objects.get(pk=job.pk).status == Job.Status.SUCCEEDED


def test_jobs_run_oldest_first(corporation_a):
    older = job_enqueue(kind="test_counting", corporation=corporation_a)
    job_enqueue(kind="test_counting", corporation=corporation_a)
    assert job_claim_next("w").pk == older.pk


def test_an_unknown_kind_cannot_be_enqueued(corporation_a):
    with pytest.raises(ValueError):
        job_enqueue(kind="no_such_kind", corporation=corporation_a)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_real_worker_process_runs_a_job_and_finishes_it_on_sigterm(corporation_a):
    """`buurtbalans run_worker` as a separate process: it picks up the job and, told to stop, finishes it first."""
    if connection.vendor != "postgresql":
        pytest.skip("a second process cannot see SQLite's in-memory test database")
    settings_dict = connection.settings_dict
    database_url = (
        f"postgres://{settings_dict['USER'] or 'postgres'}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )
    job = job_enqueue(kind="test_slow", corporation=corporation_a, params={"seconds": 2})
    env = {**os.environ, "DATABASE_URL": database_url, "WORKER_POLL_SECONDS": "1",
           "PYTHONPATH": os.pathsep.join(sys.path)}
    # The runner classes above live in this test module; the worker imports it to know them.
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'buurtbalans.settings'); django.setup();"
        "import buurtbalans.core.tests.test_jobs;"
        "from django.core.management import call_command; call_command('run_worker')"
    )
    worker = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while Job.objects.get(pk=job.pk).status == Job.Status.QUEUED and time.monotonic() < deadline:
            time.sleep(0.1)
        assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, output.decode()
    assert b"stopped" in output
