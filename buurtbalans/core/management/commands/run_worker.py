"""Run background jobs: `buurtbalans run_worker [--once]`."""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from buurtbalans.core.jobs import job_claim_next, job_run, run_pending_jobs, worker_name


class Command(BaseCommand):
    help = "Claim and run queued jobs (imports, reports, rounds, simulations)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run what is queued now, then stop.")

    def handle(self, *args, once: bool = False, **options):
        name = worker_name()
        if once:
            ran = run_pending_jobs(name)
            self.stdout.write(f"worker {name}: ran {ran} job(s)")
            return
        self.stopping = False

        def stop(signum, frame):
            # Finish the job in hand, then leave: a half-run import would be rolled back and lost work.
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"worker {name}: waiting for jobs")
        while not self.stopping:
            job = job_claim_next(name)
            if job is None:
                close_old_connections()
                time.sleep(settings.WORKER_POLL_SECONDS)
                continue
            self.stdout.write(f"worker {name}: job {job.pk} ({job.kind})")
            job = job_run(job)
            self.stdout.write(f"worker {name}: job {job.pk} {job.status}")
            # A long-lived process must drop connections the database has closed or that grew old.
            close_old_connections()
        self.stdout.write(f"worker {name}: stopped")
