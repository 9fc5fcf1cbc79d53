"""A job that fails in any way ends as failed with a plain message, and the worker goes on (issue 11).

Finding: "One UTF-16 CSV kills the background worker": a result with NUL characters cannot be stored on
PostgreSQL; the save was outside the job's try, so the exception left the worker, the job stayed "running" for
ever and every later job waited. Finding: "Failed jobs show raw internal errors" on the job page.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from buurtbalans.core.jobs import (
    RUNNERS,
    JobError,
    JobRunner,
    Worker,
    job_claim_next,
    job_enqueue,
    jobs_recover_dead,
    periodic_jobs_enqueue,
    run_pending_jobs,
)
from buurtbalans.core.models import Job


@pytest.fixture
def runner_kind():
    """Register runner classes for one test only, so no other test (or worker) knows their kinds."""
    kinds = []

    def register(run, **attributes):
        kind = f"test_resilience_{len(kinds)}"
        type(f"Runner{len(kinds)}", (JobRunner,), {"kind": kind, "run": run, **attributes})
        kinds.append(kind)
        return kind

    yield register
    for kind in kinds:
        RUNNERS.pop(kind, None)


def counting(runner):
    runner.progress(1, 1)
    return {"counted": 1}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_result_postgresql_cannot_store_fails_the_job_plainly_and_the_next_job_runs(corporation_a, runner_kind):
    """A UTF-16 file read as UTF-8 gives NUL in every other character; PostgreSQL refuses NUL in JSON text."""
    nul_kind = runner_kind(lambda runner: {"errors": [{"text": "d\x00w\x00e\x00l\x00l\x00i\x00n\x00g\x00"}]})
    ok_kind = runner_kind(counting)
    broken = job_enqueue(kind=nul_kind, corporation=corporation_a)
    following = job_enqueue(kind=ok_kind, corporation=corporation_a)

    assert run_pending_jobs() == 2

    broken.refresh_from_db()
    following.refresh_from_db()
    assert broken.status == Job.Status.FAILED and broken.finished is not None
    message = broken.result["error"]
    assert f"#{broken.pk}" in message
    assert "NUL" not in message and "\x00" not in message and "Error" not in message
    # The technical reason is kept for the administrator, without the NUL that PostgreSQL refuses.
    assert "NUL" in broken.log or "\\u0000" in broken.log
    assert following.status == Job.Status.SUCCEEDED and following.result == {"counted": 1}


@pytest.mark.django_db
def test_a_result_that_cannot_be_stored_fails_the_job_and_the_next_job_runs(corporation_a, runner_kind):
    """Not JSON at all (here: a set) fails the save on every database, outside the runner's own code."""
    bad_kind = runner_kind(lambda runner: {"complexes": {"A-C1", "A-C2"}})
    ok_kind = runner_kind(counting)
    broken = job_enqueue(kind=bad_kind, corporation=corporation_a)
    following = job_enqueue(kind=ok_kind, corporation=corporation_a)

    assert run_pending_jobs() == 2

    broken.refresh_from_db()
    following.refresh_from_db()
    assert broken.status == Job.Status.FAILED
    assert f"#{broken.pk}" in broken.result["error"]
    assert "TypeError" in broken.log and "set" in broken.log
    assert following.status == Job.Status.SUCCEEDED


@pytest.mark.django_db
def test_a_log_line_with_nul_is_kept_without_it(corporation_a, runner_kind):
    def logs_a_file_name(runner):
        runner.log("bestand\x00.csv gelezen")
        return {"ok": True}

    job = job_enqueue(kind=runner_kind(logs_a_file_name), corporation=corporation_a)
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert "bestand.csv gelezen" in job.log


def refuses_with_a_reason(runner):
    raise JobError("Kies een ander bestand.")


def raises_internal(runner):
    runner.log("reading the file")
    raise RuntimeError("PostgreSQL text fields cannot contain NUL (0x00) bytes")


@pytest.mark.django_db
def test_an_unexpected_error_shows_a_plain_message_and_keeps_the_technical_one_for_the_administrator(
    client, corporation_a, alice, ada, runner_kind
):
    job = job_enqueue(kind=runner_kind(raises_internal), corporation=corporation_a, user=alice)
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "NUL" not in job.result["error"] and f"#{job.pk}" in job.result["error"]
    assert "RuntimeError: PostgreSQL text fields cannot contain NUL" in job.log
    assert "Traceback" in job.log and "reading the file" in job.log

    client.force_login(alice)
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "Er ging iets mis bij deze taak" in page and f"#{job.pk}" in page
    assert "NUL" not in page and "RuntimeError" not in page and "Traceback" not in page

    # The administrator sees what happened, folded away under the plain message.
    client.force_login(ada)
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "Er ging iets mis bij deze taak" in page
    assert "<details" in page and "RuntimeError: PostgreSQL text fields cannot contain NUL" in page


@pytest.mark.django_db
def test_a_job_error_shows_the_runner_s_own_message(client, corporation_a, alice, runner_kind):
    def refuses(runner):
        raise JobError("Het bestand is leeg. Kies een bestand met regels.")

    job = job_enqueue(kind=runner_kind(refuses), corporation=corporation_a, user=alice)
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.result["error"] == "Het bestand is leeg. Kies een bestand met regels."
    client.force_login(alice)
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "Het bestand is leeg. Kies een bestand met regels." in page
    assert "Er ging iets mis" not in page


# --- Runners known to worker processes started by these tests (they import this module) ---------------------------

TALLY: list[tuple[int, str]] = []
TALLY_LOCK = threading.Lock()


class TallyRunner(JobRunner):
    """Notes which worker ran which job: two workers side by side must run each job exactly once."""

    kind = "test_resilience_tally"

    def run(self):
        with TALLY_LOCK:
            TALLY.append((self.job.pk, self.job.worker))
        time.sleep(0.01)  # long enough for the other worker to reach for the same job
        return {"worker": self.job.worker}


def sleep_until_stopped(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.1)


class SleepyRunner(JobRunner):
    """Runs for a minute on its first start (long enough to be killed or stopped), then at once."""

    kind = "test_resilience_sleepy"

    def run(self):
        if self.job.attempts == 1:
            sleep_until_stopped(60)
        return {"attempt": self.job.attempts}


class SleepySafeRunner(SleepyRunner):
    kind = "test_resilience_sleepy_safe"
    retry_safe = True


# --- Dead workers: heartbeat, recovery, retries -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_running_job_without_sign_of_life_is_failed_with_a_plain_message(
    client, settings, corporation_a, alice, runner_kind
):
    kind = runner_kind(counting)
    dead = job_enqueue(kind=kind, corporation=corporation_a, user=alice)
    alive = job_enqueue(kind=kind, corporation=corporation_a, user=alice)
    assert job_claim_next("host:1").pk == dead.pk
    assert job_claim_next("host:2").pk == alive.pk
    later = timezone.now() + timedelta(seconds=settings.WORKER_HEARTBEAT_TIMEOUT_SECONDS + 1)
    Job.objects.filter(pk=alive.pk).update(heartbeat=later)  # worker host:2 is still beating

    assert [job.pk for job in jobs_recover_dead(now=later)] == [dead.pk]

    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == Job.Status.FAILED and dead.attempts == 1
    assert dead.result["error_code"] == "worker_lost" and "host:1 gave no sign of life" in dead.log
    assert alive.status == Job.Status.RUNNING
    client.force_login(alice)
    page = client.get(reverse("job_detail", args=[dead.pk])).content.decode()
    assert "De verwerking stopte onverwacht" in page
    # A second worker looking at the same moment finds nothing left to do.
    assert jobs_recover_dead(now=later) == []


@pytest.mark.django_db
def test_a_retry_safe_job_of_a_dead_worker_runs_again_up_to_the_maximum_of_starts(settings, corporation_a,
                                                                                 runner_kind):
    settings.WORKER_MAX_ATTEMPTS = 2
    kind = runner_kind(lambda runner: {"attempt": runner.job.attempts}, retry_safe=True)
    job = job_enqueue(kind=kind, corporation=corporation_a)
    later = timezone.now() + timedelta(seconds=settings.WORKER_HEARTBEAT_TIMEOUT_SECONDS + 1)

    job_claim_next("host:1")
    assert jobs_recover_dead(now=later)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.worker) == (Job.Status.QUEUED, 1, "")
    assert "queued again (start 1 of 2)" in job.log
    # The second start succeeds.
    assert run_pending_jobs() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == (Job.Status.SUCCEEDED, 2, {"attempt": 2})

    # A job that keeps losing its worker is given up after the maximum of starts.
    again = job_enqueue(kind=kind, corporation=corporation_a)
    for _ in range(2):
        job_claim_next("host:1")
        jobs_recover_dead(now=later)
    again.refresh_from_db()
    assert (again.status, again.attempts, again.result["error_code"]) == (Job.Status.FAILED, 2, "worker_lost")


@pytest.mark.django_db
@pytest.mark.parametrize("max_attempts", [3, 1])
def test_a_round_whose_worker_died_is_worked_out_again_or_handed_back_with_the_reason(
    settings, stock_a, alice, max_attempts
):
    """The round's solve writes in one transaction: safe to run again. Given up, the round may not stay
    "being worked out" for ever."""
    from buurtbalans.allocation.models import RoundStatus
    from buurtbalans.allocation.services import allocation_round_start
    from buurtbalans.allocation.tests.support import scene

    settings.WORKER_MAX_ATTEMPTS = max_attempts
    allocation_round = scene(stock_a, alice).round
    allocation_round_start(allocation_round=allocation_round, actor=alice)
    later = timezone.now() + timedelta(seconds=settings.WORKER_HEARTBEAT_TIMEOUT_SECONDS + 1)
    job_claim_next("host:1")
    jobs_recover_dead(now=later)
    run_pending_jobs()
    allocation_round.refresh_from_db()
    job = Job.objects.get(pk=allocation_round.job_id)
    if max_attempts > 1:
        assert (allocation_round.status, job.status, job.attempts) == (RoundStatus.REVIEW, Job.Status.SUCCEEDED, 2)
    else:
        assert (allocation_round.status, job.status) == (RoundStatus.DRAFT, Job.Status.FAILED)
        assert "De verwerking stopte onverwacht" in allocation_round.error


# --- Runners' own messages keep showing ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_round_that_cannot_be_worked_out_shows_why_on_the_job_page(client, stock_a, alice):
    from buurtbalans.allocation.services import allocation_round_start
    from buurtbalans.allocation.tests.support import scene
    from buurtbalans.rules.testing import caps_unknown

    caps_unknown(2025)
    allocation_round = scene(stock_a, alice).round
    allocation_round_start(allocation_round=allocation_round, actor=alice)
    run_pending_jobs()
    allocation_round.refresh_from_db()
    job = Job.objects.get(pk=allocation_round.job_id)
    assert job.status == Job.Status.FAILED and job.result["error_code"] == "user"
    assert job.result["error"] == allocation_round.error and allocation_round.error
    client.force_login(alice)
    assert allocation_round.error in client.get(reverse("job_detail", args=[job.pk])).content.decode()


@pytest.mark.django_db
def test_a_plan_that_cannot_be_made_shows_why_on_the_job_page(client, corporation_a, bob):
    from buurtbalans.steering.models import LabellingPlan
    from buurtbalans.steering.reasons import plan_problem
    from buurtbalans.steering.services import label_plan_request

    policy = {"min_vulnerable_placements": 0, "min_affordable_share": "0.5", "p_open": "0.3", "p_above": "0.05",
              "q_open": "0.8", "q_reserved": "0.9", "q_above": "0.1"}
    plan = label_plan_request(corporation=corporation_a, actor=bob, period_start=date(2025, 7, 1),
                              period_end=date(2025, 9, 30), composition_date=date(2025, 6, 1), policy=policy)
    run_pending_jobs()
    plan = LabellingPlan.objects.get(pk=plan.pk)
    job = Job.objects.get(pk=plan.job_id)
    assert plan.problem_code == "no_vacancies"
    assert job.status == Job.Status.FAILED and job.result["error"] == plan_problem(plan)
    client.force_login(bob)
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert job.result["error"] in page


# --- Periodic jobs ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_periodic_kind_is_queued_once_per_corporation_when_it_is_due(corporation_a, corporation_b, runner_kind):
    kind = runner_kind(counting, every=timedelta(days=1))
    now = timezone.now()

    first = [job for job in periodic_jobs_enqueue(now=now) if job.kind == kind]
    assert sorted(job.corporation_id for job in first) == sorted([corporation_a.pk, corporation_b.pk])
    assert all(job.user is None and job.status == Job.Status.QUEUED for job in first)
    # Queued already: not again.
    assert [job for job in periodic_jobs_enqueue(now=now) if job.kind == kind] == []

    run_pending_jobs()
    finished = max(Job.objects.filter(kind=kind).values_list("finished", flat=True))
    assert [job for job in periodic_jobs_enqueue(now=finished + timedelta(hours=23)) if job.kind == kind] == []
    again = [job for job in periodic_jobs_enqueue(now=finished + timedelta(days=1)) if job.kind == kind]
    assert len(again) == 2


@pytest.mark.django_db
def test_the_worker_queues_and_runs_the_periodic_jobs_that_are_due(corporation_a, runner_kind):
    kind = runner_kind(counting, every=timedelta(hours=1))
    Worker("host:1", poll_seconds=0).run(once=True)
    job = Job.objects.get(kind=kind, corporation=corporation_a)
    assert job.status == Job.Status.SUCCEEDED and job.worker == "host:1"


@pytest.mark.django_db
def test_the_worker_loop_goes_on_after_jobs_that_fail_in_every_way(corporation_a, runner_kind):
    kinds = [runner_kind(raises_internal), runner_kind(lambda runner: {"bad": {1, 2}}),
             runner_kind(refuses_with_a_reason),
             runner_kind(counting)]
    jobs = [job_enqueue(kind=kind, corporation=corporation_a) for kind in kinds]
    # (Periodic kinds of other apps may run as well.)
    assert Worker("host:1", poll_seconds=0).run(once=True) >= 4
    statuses = [Job.objects.get(pk=job.pk).status for job in jobs]
    assert statuses == [Job.Status.FAILED, Job.Status.FAILED, Job.Status.FAILED, Job.Status.SUCCEEDED]


# --- Real worker processes and threads (PostgreSQL: a second connection sees committed rows) ---------------------


def database_url() -> str:
    settings_dict = connection.settings_dict
    return (
        f"postgres://{settings_dict['USER'] or 'postgres'}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )


def start_worker(**env) -> subprocess.Popen:
    """`buurtbalans run_worker` as its own process, knowing this module's runners."""
    environment = {**os.environ, "DATABASE_URL": database_url(), "WORKER_POLL_SECONDS": "1",
                   "WORKER_HEARTBEAT_SECONDS": "1", "PYTHONPATH": os.pathsep.join(sys.path), **env}
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'buurtbalans.settings'); django.setup();"
        "import buurtbalans.core.tests.test_jobs_resilience;"
        "from django.core.management import call_command; call_command('run_worker')"
    )
    return subprocess.Popen([sys.executable, "-c", code], env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


def wait_for(condition, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"waited in vain for {what}")


def stop(worker: subprocess.Popen) -> str:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
    try:
        output, _ = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
    return output.decode()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("kind", ["test_resilience_sleepy_safe", "test_resilience_sleepy"])
def test_the_job_of_a_killed_worker_is_run_again_or_failed_by_the_next_worker(settings, corporation_a, kind):
    job = job_enqueue(kind=kind, corporation=corporation_a)
    worker = start_worker()
    try:
        # The worker's heartbeat thread writes while the job sleeps (no progress reported at all).
        wait_for(lambda: (j := Job.objects.get(pk=job.pk)).heartbeat and j.started and j.heartbeat > j.started,
                 "a heartbeat after the start")
        worker.kill()  # SIGKILL: no chance to tidy up, as in a crash or a power cut
        worker.wait(timeout=30)
    finally:
        stop(worker)
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING

    settings.WORKER_HEARTBEAT_TIMEOUT_SECONDS = 2
    next_worker = Worker("host:next", poll_seconds=0)

    def next_worker_ends_it():
        next_worker.run(once=True)
        return Job.objects.get(pk=job.pk).is_finished

    wait_for(next_worker_ends_it, "the job to end")

    job.refresh_from_db()
    if kind == "test_resilience_sleepy_safe":
        assert (job.status, job.attempts, job.result) == (Job.Status.SUCCEEDED, 2, {"attempt": 2})
        assert "queued again" in job.log
    else:
        assert (job.status, job.attempts, job.result["error_code"]) == (Job.Status.FAILED, 1, "worker_lost")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_second_stop_signal_abandons_the_job_cleanly_and_the_worker_exits_without_traceback(corporation_a):
    job = job_enqueue(kind="test_resilience_sleepy", corporation=corporation_a)
    worker = start_worker()
    try:
        wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.RUNNING, "the job to start")
        worker.send_signal(signal.SIGTERM)  # finish the job first...
        time.sleep(0.5)
        worker.send_signal(signal.SIGINT)  # ...no: Ctrl-C, stop now
        output = stop(worker)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "Traceback" not in output and "stopping after this job" in output and "stopped" in output
    job.refresh_from_db()
    assert (job.status, job.result["error_code"]) == (Job.Status.FAILED, "worker_stopped"), output


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_that_loses_its_database_connection_logs_it_and_goes_on(corporation_a):
    # Periodic jobs of other apps run now, so the worker finds none due and stays idle until we cut its connection.
    periodic_jobs_enqueue()
    run_pending_jobs()
    worker = start_worker()
    try:
        own = connection.cursor().connection.info.backend_pid

        def worker_backends():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> %s"
                               " AND backend_type = 'client backend'",
                               [own])
                return [row[0] for row in cursor.fetchall()]

        def idle_worker_backends():
            # Idle: the periodic jobs it queued at start are done (a job's heartbeat thread has its own connection).
            busy = Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).exists()
            return not busy and worker_backends()

        for pid in wait_for(idle_worker_backends, "the worker to connect and be idle"):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        job = job_enqueue(kind="test_resilience_tally", corporation=corporation_a)
        wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.SUCCEEDED, "the job to run")
    finally:
        output = stop(worker)
    assert worker.returncode == 0, output
    assert "database error; trying again" in output


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_side_by_side_run_every_job_exactly_once(corporation_a):
    jobs = [job_enqueue(kind="test_resilience_tally", corporation=corporation_a) for _ in range(40)]
    TALLY.clear()
    start = threading.Barrier(2)
    errors = []

    def work(name):
        try:
            start.wait()
            Worker(name, poll_seconds=0).run(once=True)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=work, args=(f"host:{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(pk for pk, _worker in TALLY) == sorted(job.pk for job in jobs)
    rows = Job.objects.filter(pk__in=[job.pk for job in jobs])
    assert {(row.status, row.attempts) for row in rows} == {(Job.Status.SUCCEEDED, 1)}
    assert {row.worker for row in rows} <= {"host:1", "host:2"}


@pytest.mark.django_db
def test_a_job_that_failed_before_messages_had_codes_does_not_show_its_raw_error(client, corporation_a, alice, ada):
    raw = "duplicate key value violates unique constraint"
    job = Job.objects.create(kind="test_resilience_tally", corporation=corporation_a, user=alice,
                             status=Job.Status.FAILED, result={"error": raw},
                             log="Traceback (most recent call last): ...\nIntegrityError: duplicate key value\n")
    client.force_login(alice)
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "duplicate key" not in page and f"#{job.pk}" in page
    client.force_login(ada)
    assert "IntegrityError: duplicate key value" in client.get(reverse("job_detail", args=[job.pk])).content.decode()


@pytest.mark.django_db
def test_run_worker_once_runs_what_is_queued_and_gives_back_the_signal_handlers(corporation_a, runner_kind):
    from io import StringIO

    from django.core.management import call_command

    before = signal.getsignal(signal.SIGINT)
    job = job_enqueue(kind=runner_kind(counting), corporation=corporation_a)
    out = StringIO()
    call_command("run_worker", "--once", stdout=out)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert "ran" in out.getvalue() and f"job {job.pk} succeeded" in out.getvalue()
    assert signal.getsignal(signal.SIGINT) is before
