"""The nightly retention job: per corporation, remove the personal data whose term has passed.

The worker enqueues a periodic kind once per corporation when `every` has passed since its last run (core.jobs);
cron can run `buurtbalans purge_expired` instead, or as well: a second run the same night finds nothing more.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy

from buurtbalans.core.jobs import JobRunner
from buurtbalans.privacy.retention import expired_uploads_purge, retention_purge

RETENTION_PURGE_KIND = "retention_purge"


class RetentionPurgeJob(JobRunner):
    """Remove what expired (counts per kind in the result and the RETENTION_PURGED audit event, no personal data).

    Params: none. Result: {"counts": {kind: n}, "uploads": n or None}.
    """

    kind = RETENTION_PURGE_KIND
    label = gettext_lazy("Removing expired personal data")
    every = timedelta(days=1)
    # One transaction per corporation (rolled back if the worker dies), and what is gone stays gone: safe to rerun.
    retry_safe = True

    def run(self) -> dict:
        now = timezone.now()
        counts = retention_purge(corporation=self.job.corporation, now=now)
        uploads = expired_uploads_purge(now=now)
        self.log(", ".join(f"{kind} {n}" for kind, n in counts.items()))
        return {"counts": counts, "uploads": uploads}
