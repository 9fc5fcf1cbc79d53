"""Background jobs: enqueue a row, a worker claims it, a runner does the work and reports progress.

Runners subclass `JobRunner`, set `kind` and implement `run()`; apps register them in their own `jobs.py`,
which is imported at start-up (see CoreConfig.ready). Shape after NetBox `netbox/netbox/jobs.py`.

Whatever happens in a job, it ends as SUCCEEDED or FAILED and the worker goes on (docs/operations.md,
"Background workers"):

- A runner raises `JobError(message)` for a failure the user can act on; the message (translated, plain words)
  is what the job page shows. Any other exception is a fault: the user sees a general message with the job's
  number, the traceback goes to the server log and the job's `log`, which only an administrator sees.
- A result, log or progress the database refuses (PostgreSQL refuses NUL in text and JSON) fails the job the
  same way; what we write ourselves about a failure has NUL removed, so that write cannot fail for that reason.
- While a job runs, a thread of the worker writes `heartbeat`; a RUNNING job whose heartbeat stopped belongs
  to a worker that died: `jobs_recover_dead` fails it, or queues it again when its runner is `retry_safe`.
- Runners with `every` run per corporation on a schedule (`periodic_jobs_enqueue`).
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import time
import traceback
from typing import ClassVar

from django.conf import settings
from django.db import close_old_connections, connection, connections, transaction
from django.db.models import F, Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from buurtbalans.core.models import HousingCorporation, Job
from buurtbalans.core.permissions import Action

logger = logging.getLogger(__name__)

RUNNERS: dict[str, type[JobRunner]] = {}

# What `result["error_code"]` says about `result["error"]`: "user" is the runner's own message (JobError); the
# others are ours, so the job page can show them in the reader's language (`job_error_message`).
ERROR_USER = "user"
ERROR_INTERNAL = "internal"
ERROR_WORKER_LOST = "worker_lost"
ERROR_WORKER_STOPPED = "worker_stopped"

INTERNAL_MESSAGE = gettext_lazy(
    "Something went wrong with this task. The administrator can see in the log what happened. "
    "Reference: task #%(job)s."
)
WORKER_LOST_MESSAGE = gettext_lazy(
    "The processing stopped unexpectedly, for example because the server restarted. Start the task again."
)
WORKER_STOPPED_MESSAGE = gettext_lazy(
    "The processing was stopped because the server was shut down. Start the task again."
)


class JobError(Exception):
    """A failure the user can act on (an empty file, a missing parameter): `message` is shown as it is.

    Raise it with translated, plain words; anything else a runner raises counts as a fault of the system.
    """

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


class WorkerStopped(BaseException):  # noqa: N818 - not an error: the operator asked the worker to stop now
    """Raised in the running job when the worker is told a second time to stop.

    A BaseException, so a runner's `except Exception` cannot swallow it; atomic blocks roll back on it.
    """


class JobRunner:
    """One kind of long work. `run()` returns the result dict stored on the job."""

    kind: ClassVar[str]
    # What the job pages call this kind of job.
    label: ClassVar[str] = ""
    # The right needed to see these jobs and their results (beyond VIEW_JOBS for the job pages).
    view_action: ClassVar[Action] = Action.VIEW_JOBS
    # Progress is written at most this often, so a tight loop does not hammer the database.
    progress_interval_seconds: ClassVar[float] = 0.5
    # True when running the job again after its worker died does no harm: its writes are one transaction (which
    # the database rolled back when the worker died), or they replace what an earlier attempt wrote. Such a
    # job is queued again (up to WORKER_MAX_ATTEMPTS starts) instead of failed.
    retry_safe: ClassVar[bool] = False
    # Run for every corporation this often (the worker enqueues it when due; `periodic_jobs_enqueue`).
    every: ClassVar[datetime.timedelta | None] = None

    def __init__(self, job: Job):
        self.job = job
        self._last_progress_write = 0.0
        # Set by `job_run` when a heartbeat thread runs: progress then goes through it (see `_Heartbeat`).
        self._heartbeat: _Heartbeat | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "kind", None):
            RUNNERS[cls.kind] = cls

    def run(self) -> dict:
        raise NotImplementedError

    def progress(self, done: int, total: int) -> None:
        """The `on_progress(done, total)` callback handed to engines and services."""
        now = time.monotonic()
        if done < total and now - self._last_progress_write < self.progress_interval_seconds:
            return
        self._last_progress_write = now
        self.job.progress_done, self.job.progress_total = done, total
        if self._heartbeat is not None:
            self._heartbeat.report(done, total)
            return
        with transaction.atomic():  # a savepoint: a refused write must not spoil the runner's transaction
            Job.objects.filter(pk=self.job.pk).update(progress_done=done, progress_total=total)

    def log(self, message: str) -> None:
        self.job.log = f"{self.job.log}{strip_nul(message)}\n"
        with transaction.atomic():
            Job.objects.filter(pk=self.job.pk).update(log=self.job.log)

    # The template the job page includes below the progress when the job is finished ("" for none); it gets the
    # context of `result_context`. The job page lives in core and knows no app: each runner brings its own part.
    result_template: ClassVar[str] = ""

    @classmethod
    def result_context(cls, request, job: Job) -> dict:
        """What `result_template` needs (the app's own rights checks go here)."""
        return {}

    @classmethod
    def result_download(cls, request, job: Job):
        """The job's result as a download for `?format=csv|xlsx`, or None when the kind has none (the page 404s)."""
        return None

    @classmethod
    def on_abandoned(cls, job: Job, message: str) -> None:
        """Called when the job is failed without its runner (its worker died or was stopped).

        A runner that keeps state outside the job row (a round "being worked out") puts it right here.
        """


def strip_nul(value):
    """`value` with every NUL character removed from its strings (also inside dicts and lists)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {strip_nul(key): strip_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [strip_nul(item) for item in value]
    return value


def job_error_message(job: Job) -> str:
    """What a failed job's page says went wrong, in the reader's language where the message is ours."""
    result = job.result if isinstance(job.result, dict) else {}
    code = result.get("error_code")
    if code == ERROR_INTERNAL:
        return INTERNAL_MESSAGE % {"job": job.pk}
    if code == ERROR_WORKER_LOST:
        return str(WORKER_LOST_MESSAGE)
    if code == ERROR_WORKER_STOPPED:
        return str(WORKER_STOPPED_MESSAGE)
    if code == ERROR_USER:
        return str(result.get("error") or "")
    # A job that failed before failures had codes stored the exception's text, meant for nobody: not shown.
    return INTERNAL_MESSAGE % {"job": job.pk}


def job_enqueue(*, kind: str, corporation, user=None, params: dict | None = None, seed: int | None = None) -> Job:
    if kind not in RUNNERS:
        raise ValueError(f"Unknown job kind {kind!r}")
    return Job.objects.create(kind=kind, corporation=corporation, user=user, params=params or {}, seed=seed)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def job_claim_next(worker: str) -> Job | None:
    """Claim the oldest queued job, or None.

    The conditional UPDATE touches exactly one row only for the worker that wins; another worker that
    read the same candidate gets 0 rows and tries the next one.
    """
    while True:
        candidate = Job.objects.filter(status=Job.Status.QUEUED).order_by("created", "id").values_list("pk", flat=True)
        pk = candidate.first()
        if pk is None:
            return None
        now = timezone.now()
        claimed = Job.objects.filter(pk=pk, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, started=now, heartbeat=now, worker=worker, attempts=F("attempts") + 1
        )
        if claimed == 1:
            return Job.objects.get(pk=pk)
        # Nothing got updated: another worker got there first.


class _Heartbeat(threading.Thread):
    """Writes the job's heartbeat every WORKER_HEARTBEAT_SECONDS, and its progress when the runner reports it.

    A thread rather than writes from `progress()` alone: a runner can spend minutes in one step without
    reporting progress (the label plan's solver, a PDF, one big COPY), and such a job is alive. The thread has
    its own database connection (Django's connections are per thread), so its writes commit at once even while
    the runner sits in a long transaction, and the runner's connection never holds the job row's lock for the
    length of that transaction (which would block the heartbeat and make a live job look dead). It beats as long
    as the worker process lives; a job that hangs is not what it detects.
    """

    def __init__(self, job: Job):
        super().__init__(name=f"job-{job.pk}-heartbeat", daemon=True)
        self.job_pk, self.worker = job.pk, job.worker
        self.interval = max(0.1, float(settings.WORKER_HEARTBEAT_SECONDS))
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._progress: tuple[int, int] | None = None
        self._warned = False

    def report(self, done: int, total: int) -> None:
        with self._lock:
            self._progress = (done, total)
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self.join(timeout=30)

    def run(self) -> None:
        try:
            while True:
                self._wake.wait(self.interval)
                self._wake.clear()
                if self._stopping.is_set():
                    return  # the job's end is written by `job_run`
                self._beat()
        finally:
            connections.close_all()  # this thread's connections only

    def _beat(self) -> None:
        with self._lock:
            progress, self._progress = self._progress, None
        fields = {"heartbeat": timezone.now()}
        if progress is not None:
            fields["progress_done"], fields["progress_total"] = progress
        try:
            Job.objects.filter(pk=self.job_pk, status=Job.Status.RUNNING, worker=self.worker).update(**fields)
        except Exception:  # noqa: BLE001 - a missed beat is no reason to stop the job; the next one may work
            if not self._warned:
                logger.warning("job %s: heartbeat not written", self.job_pk, exc_info=True)
                self._warned = True
            close_old_connections()


def _this_run(job: Job):
    """The job's row while this run still owns it (a worker that was taken for dead must not overwrite it)."""
    return Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, worker=job.worker)


def job_run(job: Job) -> Job:
    """Run a claimed job to the end and record success or failure.

    Only WorkerStopped leaves it, or a database that cannot take the failure either (then the job's heartbeat
    has stopped and the next look for dead workers ends it).
    """
    runner_class = RUNNERS.get(job.kind)
    # A job run inside a transaction (tests, the demo's seeding) is invisible to other connections: nobody
    # could see a heartbeat, and a second connection would only wait for the first one's locks.
    heartbeat = None if connection.in_atomic_block or settings.WORKER_HEARTBEAT_SECONDS <= 0 else _Heartbeat(job)
    if heartbeat is not None:
        heartbeat.start()
    try:
        try:
            if runner_class is None:
                raise LookupError(f"No runner for job kind {job.kind!r}")
            runner = runner_class(job)
            runner._heartbeat = heartbeat
            result = runner.run() or {}
        finally:
            # Stopped before the outcome is written, so no beat can come after it.
            if heartbeat is not None:
                heartbeat.stop()
    except JobError as exc:
        logger.info("job %s (%s) stopped: %s", job.pk, job.kind, exc.message)
        _job_fail(job, ERROR_USER, exc.message, f"JobError: {exc.message}\n")
    except Exception:  # noqa: BLE001 - a failing job must not stop the worker
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _job_fail(job, ERROR_INTERNAL, INTERNAL_MESSAGE % {"job": job.pk}, traceback.format_exc())
    else:
        _job_succeed(job, result)
    try:
        job.refresh_from_db()
    except Exception:  # noqa: BLE001 - the outcome is stored; a lost connection only costs the fresh copy
        logger.warning("job %s: could not read it back", job.pk, exc_info=True)
    return job


def _job_succeed(job: Job, result: dict) -> None:
    try:
        with transaction.atomic():
            updated = _this_run(job).update(
                status=Job.Status.SUCCEEDED,
                finished=timezone.now(),
                result=result,
                progress_done=max(job.progress_done, job.progress_total),
                progress_total=job.progress_total,
            )
    except Exception:  # noqa: BLE001 - e.g. NUL in the result on PostgreSQL, or a value that is not JSON
        logger.exception("job %s (%s): its result could not be stored", job.pk, job.kind)
        _job_fail(job, ERROR_INTERNAL, INTERNAL_MESSAGE % {"job": job.pk},
                  "The result could not be stored:\n" + traceback.format_exc())
        return
    if not updated:
        logger.warning("job %s was given up while this worker ran it (no heartbeat?); its result is dropped", job.pk)


def _job_fail(job: Job, code: str, message, technical: str) -> None:
    """Record the failure; tries twice, the second time on a new connection (the first may have broken)."""
    result = {"error": strip_nul(str(message)), "error_code": code}
    log = strip_nul(f"{job.log}{technical}")
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                _this_run(job).update(status=Job.Status.FAILED, finished=timezone.now(), result=result, log=log)
            job.log = log
            return
        except Exception:
            if attempt == 2 or connection.in_atomic_block:
                # The worker loop logs this and goes on; the job's heartbeat has stopped, so the next look for
                # dead workers ends it.
                raise
            logger.warning("job %s: recording its failure failed; trying on a new connection", job.pk, exc_info=True)
            connection.close()


def _give_up(job: Job, *, code: str, message, reason: str, now: datetime.datetime) -> bool:
    """Queue a job nobody runs any more again (retry-safe kinds, below the maximum of starts) or fail it.

    Conditional on the row being as we read it, so two workers recovering at once do it once. Returns whether
    this call changed the row.
    """
    runner_class = RUNNERS.get(job.kind)
    retry = runner_class is not None and runner_class.retry_safe and job.attempts < settings.WORKER_MAX_ATTEMPTS
    same = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, worker=job.worker, heartbeat=job.heartbeat)
    if retry:
        line = f"{now.isoformat()} {reason}; queued again (start {job.attempts} of {settings.WORKER_MAX_ATTEMPTS})\n"
        return bool(same.update(status=Job.Status.QUEUED, worker="", heartbeat=None, log=strip_nul(job.log + line)))
    line = f"{now.isoformat()} {reason}; failed\n"
    text = str(message)
    changed = same.update(status=Job.Status.FAILED, finished=now, log=strip_nul(job.log + line),
                          result={"error": text, "error_code": code})
    if changed and runner_class is not None:
        try:
            runner_class.on_abandoned(job, text)
        except Exception:  # noqa: BLE001 - the job is failed; tidying its state is best effort, and logged
            logger.exception("job %s (%s): on_abandoned failed", job.pk, job.kind)
    return bool(changed)


def jobs_recover_dead(now: datetime.datetime | None = None) -> list[Job]:
    """Fail (or queue again) RUNNING jobs without a sign of life for WORKER_HEARTBEAT_TIMEOUT_SECONDS.

    The sign of life is the heartbeat, or the start when there is none yet (or the creation, for a row marked
    running by hand). Returns the jobs this call changed.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.WORKER_HEARTBEAT_TIMEOUT_SECONDS)
    stale = (
        Job.objects.filter(status=Job.Status.RUNNING)
        .annotate(last_sign=Coalesce("heartbeat", "started", "created"))
        .filter(last_sign__lt=cutoff)
        .order_by("pk")
    )
    changed = []
    for job in stale:
        reason = f"worker {job.worker or '?'} gave no sign of life since {job.last_sign.isoformat()}"
        if _give_up(job, code=ERROR_WORKER_LOST, message=WORKER_LOST_MESSAGE, reason=reason, now=now):
            logger.warning("job %s (%s): %s", job.pk, job.kind, reason)
            changed.append(job)
    return changed


def jobs_abandon(worker: str) -> list[Job]:
    """The worker `worker` stops in the middle: queue again or fail the jobs it was running."""
    changed = []
    for job in Job.objects.filter(status=Job.Status.RUNNING, worker=worker).order_by("pk"):
        if _give_up(job, code=ERROR_WORKER_STOPPED, message=WORKER_STOPPED_MESSAGE,
                    reason=f"worker {worker} was stopped", now=timezone.now()):
            changed.append(job)
    return changed


def periodic_jobs_enqueue(now: datetime.datetime | None = None) -> list[Job]:
    """Enqueue, for every corporation, each periodic kind (`JobRunner.every`) that is due; returns the new jobs.

    Due: no job of that kind is queued or running for the corporation, and the last one finished `every` or
    longer ago (or there never was one). A failed run counts as a run: the next try comes a period later.
    """
    now = now or timezone.now()
    periodic = sorted((r for r in RUNNERS.values() if r.every), key=lambda r: r.kind)
    if not periodic:
        return []
    created = []
    for corporation_pk in HousingCorporation.objects.order_by("pk").values_list("pk", flat=True):
        for runner_class in periodic:
            job = _periodic_enqueue_if_due(corporation_pk, runner_class, now)
            if job is not None:
                created.append(job)
    return created


@transaction.atomic
def _periodic_enqueue_if_due(corporation_pk: int, runner_class: type[JobRunner], now) -> Job | None:
    # The corporation's row lock makes two workers that look at the same moment decide one after the other.
    corporation = HousingCorporation.objects.select_for_update().filter(pk=corporation_pk).first()
    if corporation is None:
        return None
    jobs = Job.objects.filter(corporation=corporation, kind=runner_class.kind)
    if jobs.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).exists():
        return None
    last = jobs.aggregate(last=Max("finished"))["last"]
    if last is not None and now - last < runner_class.every:
        return None
    logger.info("periodic job %s for %s", runner_class.kind, corporation.code)
    return job_enqueue(kind=runner_class.kind, corporation=corporation)


def run_pending_jobs(worker: str | None = None, limit: int | None = None) -> int:
    """Run queued jobs until none are left (or `limit`); returns how many ran. For tests and the demo.

    No looking for dead workers or periodic jobs here: that is the worker's (`Worker`) business.
    """
    worker = worker or worker_name()
    ran = 0
    while limit is None or ran < limit:
        job = job_claim_next(worker)
        if job is None:
            break
        job_run(job)
        ran += 1
    return ran


class Worker:
    """The loop of `buurtbalans run_worker`: claim, run, look after dead workers and periodic jobs.

    It survives anything a job or the database does: an error is logged, the worker waits a poll interval
    (on a new connection) and goes on. `request_stop()` (the command's SIGTERM/SIGINT handler) lets the
    current job finish; a second request while a job runs raises WorkerStopped in it, and the job is queued
    again (retry-safe kinds) or failed with a plain message.
    """

    def __init__(self, name: str | None = None, *, poll_seconds: float | None = None, say=None):
        self.name = name or worker_name()
        self.poll_seconds = settings.WORKER_POLL_SECONDS if poll_seconds is None else poll_seconds
        self.say = say or (lambda text: logger.info("%s", text))
        self.stop_requested = False
        self.in_job = False
        self._periodic_checked: float | None = None

    def request_stop(self, signum=None, frame=None) -> None:
        """Stop after the current job; asked again during a job, stop now. Also the command's signal handler."""
        if self.stop_requested and self.in_job:
            raise WorkerStopped
        self.stop_requested = True
        if self.in_job:
            # Straight to the file descriptor: a buffered write from a signal handler can collide with the
            # main thread's own write ("reentrant call").
            note = f"worker {self.name}: stopping after this job (signal again to stop now)\n"
            try:
                os.write(2, note.encode())
            except OSError:
                pass

    def run(self, *, once: bool = False) -> int:
        """Run jobs until asked to stop (or, with `once`, until the queue is empty); returns how many ran."""
        ran = 0
        try:
            while not self.stop_requested:
                try:
                    self.housekeeping()
                    job = job_claim_next(self.name)
                except Exception:  # noqa: BLE001 - the database went away: wait and try again
                    logger.exception("worker %s: database error; trying again in %s s", self.name,
                                     self.poll_seconds)
                    self._fresh_connection(force=True)
                    self._sleep()
                    continue
                if job is None:
                    if once:
                        break
                    self._fresh_connection()
                    self._sleep()
                    continue
                self.say(f"worker {self.name}: job {job.pk} ({job.kind})")
                self.in_job = True
                try:
                    job = job_run(job)
                except Exception:  # noqa: BLE001 - recording the outcome failed; the dead-worker check ends it
                    logger.exception("worker %s: job %s could not be recorded", self.name, job.pk)
                    self._fresh_connection(force=True)
                    self._sleep()
                    continue
                finally:
                    self.in_job = False
                ran += 1
                self.say(f"worker {self.name}: job {job.pk} {job.status}")
                # A long-lived process must drop connections the database has closed or that grew old.
                self._fresh_connection()
        except WorkerStopped:
            self.in_job = False
            self._fresh_connection(force=True)
            for job in jobs_abandon(self.name):
                self.say(f"worker {self.name}: job {job.pk} abandoned")
        return ran

    def housekeeping(self) -> None:
        """Every poll (the first one at start): end dead workers' jobs. At most every WORKER_PERIODIC_CHECK_SECONDS:
        enqueue the periodic jobs that are due."""
        for job in jobs_recover_dead():
            self.say(f"worker {self.name}: job {job.pk} ({job.kind}) of a dead worker queued again or failed")
        now = time.monotonic()
        if self._periodic_checked is None or now - self._periodic_checked >= settings.WORKER_PERIODIC_CHECK_SECONDS:
            self._periodic_checked = now
            for job in periodic_jobs_enqueue():
                self.say(f"worker {self.name}: periodic job {job.pk} ({job.kind}) queued")

    def _sleep(self) -> None:
        # Short naps, so a stop request while idle is honoured within a fraction of a second.
        deadline = time.monotonic() + self.poll_seconds
        while not self.stop_requested and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(0.2, left))

    @staticmethod
    def _fresh_connection(force: bool = False) -> None:
        if connection.in_atomic_block:
            return  # run inside a test's transaction: the connection is not ours to close
        if force:
            connection.close()
        else:
            close_old_connections()


__all__ = [
    "RUNNERS", "JobError", "JobRunner", "Worker", "WorkerStopped", "job_claim_next", "job_enqueue",
    "job_error_message", "job_run", "jobs_abandon", "jobs_recover_dead",
    "periodic_jobs_enqueue", "run_pending_jobs", "strip_nul", "worker_name",
]
