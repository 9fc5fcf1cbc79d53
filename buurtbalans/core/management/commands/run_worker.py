"""Run background jobs: `buurtbalans run_worker [--once]` (docs/operations.md, "Background workers")."""

import signal

from django.core.management.base import BaseCommand

from buurtbalans.core.jobs import Worker, worker_name
from buurtbalans.core.models import Job


class Command(BaseCommand):
    help = "Claim and run queued jobs (imports, reports, rounds, simulations); also starts periodic jobs."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run what is queued now, then stop.")

    def handle(self, *args, once: bool = False, **options):
        # The worker waits out database errors (the database went away). A database that was never migrated does
        # not pass: this query raises, and the console script says to run `buurtbalans migrate` (issue 14).
        Job.objects.exists()
        worker = Worker(worker_name(), say=self.stdout.write)
        # SIGTERM (systemd, kill) and SIGINT (Ctrl-C): finish the job in hand, then leave; a half-run import would
        # be rolled back and the work lost. A second signal stops the job now (it is queued again or failed).
        previous = {signum: signal.signal(signum, worker.request_stop) for signum in (signal.SIGTERM, signal.SIGINT)}
        try:
            if once:
                ran = worker.run(once=True)
                self.stdout.write(f"worker {worker.name}: ran {ran} job(s)")
                return
            self.stdout.write(f"worker {worker.name}: waiting for jobs")
            worker.run()
            self.stdout.write(f"worker {worker.name}: stopped")
        finally:
            # Called in-process (tests, call_command), the caller gets its own handlers back.
            for signum, handler in previous.items():
                signal.signal(signum, handler)
