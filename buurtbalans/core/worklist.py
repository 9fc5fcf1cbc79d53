"""The home page's work list (issue 14 item 1): what is waiting for the signed-in user, app by app.

Every app that has work for someone offers it the same way, as `<app>.worklist.work_items(user, *, today)`: a list
of `WorkItem`, only for the rights the user has (an empty list otherwise). The home page (buurtbalans.screens.home)
shows them in a fixed order, the things that wait first, so nobody has to look deep inside a screen to find that
three offers wait for an answer or a complex has a new warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtbalans.core.permissions import Action, can
from buurtbalans.core.selectors import job_list


@dataclass(frozen=True)
class WorkItem:
    """One kind of work: how many wait (None: a place to go, nothing counted), where to do it, and what to do.

    `key` names the item for tests and the page's anchors; `urgent` marks work past a term (an overdue objection).
    """

    key: str
    title: str
    url: str
    count: int | None = None
    explanation: str = ""
    urgent: bool = False

    @property
    def is_waiting(self) -> bool:
        return bool(self.count)


# Failed work of the last week stays on the list; older failures are history (the job list still has them).
FAILED_JOBS_DAYS = 7


def work_items(user, *, today: date) -> list[WorkItem]:
    """Core's own item: work that stopped with an error in the last week, of the kinds the user may see."""
    if not can(user, Action.VIEW_JOBS):
        return []
    since = timezone.make_aware(datetime.combine(today - timedelta(days=FAILED_JOBS_DAYS), time.min))
    failed = job_list(user).filter(status="failed", created__gte=since).count()
    return [WorkItem("failed_jobs", _("Work that stopped with an error"), reverse("job_list"), failed,
                     _("Open it to see what went wrong, then start it again."))]
