"""Background jobs: enqueue a row, a worker claims it, a runner does the work and reports progress.

Runners subclass `JobRunner`, set `kind` and implement `run()`; apps register them in their own `jobs.py`,
which is imported at start-up (see CoreConfig.ready). Shape after NetBox `netbox/netbox/jobs.py`.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import traceback
from typing import ClassVar

from django.db import transaction
from django.utils import timezone

from buurtbalans.core.models import Job
from buurtbalans.core.permissions import Action

logger = logging.getLogger(__name__)

RUNNERS: dict[str, type[JobRunner]] = {}


class JobRunner:
    """One kind of long work. `run()` returns the result dict stored on the job."""

    kind: ClassVar[str]
    # What the job pages call this kind of job.
    label: ClassVar[str] = ""
    # The right needed to see these jobs and their results (beyond VIEW_JOBS for the job pages).
    view_action: ClassVar[Action] = Action.VIEW_JOBS
    # Progress is written at most this often, so a tight loop does not hammer the database.
    progress_interval_seconds: ClassVar[float] = 0.5

    def __init__(self, job: Job):
        self.job = job
        self._last_progress_write = 0.0

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
        Job.objects.filter(pk=self.job.pk).update(progress_done=done, progress_total=total)

    def log(self, message: str) -> None:
        self.job.log = f"{self.job.log}{message}\n"
        Job.objects.filter(pk=self.job.pk).update(log=self.job.log)


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
        claimed = Job.objects.filter(pk=pk, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, started=timezone.now(), worker=worker
        )
        if claimed == 1:
            return Job.objects.get(pk=pk)
        # Nothing got updated: another worker got there first.


def job_run(job: Job) -> Job:
    """Run a claimed job to the end and record success or failure."""
    runner_class = RUNNERS.get(job.kind)
    try:
        if runner_class is None:
            raise LookupError(f"No runner for job kind {job.kind!r}")
        runner = runner_class(job)
        result = runner.run() or {}
    except Exception as exc:  # noqa: BLE001 - a failing job must not stop the worker
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        job.refresh_from_db(fields=["log", "progress_done", "progress_total"])
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            finished=timezone.now(),
            result={"error": str(exc) or exc.__class__.__name__},
            log=f"{job.log}{traceback.format_exc(limit=5)}",
        )
    else:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.SUCCEEDED,
            finished=timezone.now(),
            result=result,
            progress_done=max(job.progress_done, job.progress_total),
        )
    job.refresh_from_db()
    return job


def run_pending_jobs(worker: str | None = None, limit: int | None = None) -> int:
    """Run queued jobs until none are left (or `limit`); returns how many ran. Used by `run_worker --once`."""
    worker = worker or worker_name()
    ran = 0
    while limit is None or ran < limit:
        job = job_claim_next(worker)
        if job is None:
            break
        job_run(job)
        ran += 1
    return ran


def on_commit_enqueue(**kwargs) -> None:
    """Enqueue after the surrounding transaction commits, so the job never sees half-written input."""
    transaction.on_commit(lambda: job_enqueue(**kwargs))
