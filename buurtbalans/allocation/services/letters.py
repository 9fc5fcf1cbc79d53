"""Letters of a round: asking the worker for every letter of a round as one PDF.

Owns when a round has letters to make; the letters themselves are made by `allocation.letters` and the job
`allocation.jobs.AllocationLettersJob`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from buurtbalans.allocation.models import (
    AllocationRound,
    AllocationRun,
)
from buurtbalans.allocation.services.base import AllocationError, _lock_round
from buurtbalans.core.jobs import job_enqueue
from buurtbalans.core.models import Job

LETTERS_JOB_KIND = "allocation_letters_pdf"


LETTERS_JOB_KIND = "allocation_letters_pdf"


def round_letters_check(allocation_round: AllocationRound) -> None:
    """Raise AllocationError when the round has no letters to make yet (it has not been worked out)."""
    if not AllocationRun.objects.filter(allocation_round_id=allocation_round.pk).exists():
        raise AllocationError(_("The round has not been worked out yet: there are no letters to make."))


@transaction.atomic
def round_letters_request(*, allocation_round: AllocationRound, actor) -> Job:
    """Have every letter of the round made as one PDF by the worker (`jobs.AllocationLettersJob`).

    Raises:
        AllocationError: the round has not been worked out yet (there is nothing to write).
    """
    allocation_round = _lock_round(allocation_round)
    round_letters_check(allocation_round)
    # No audit event here: the letters are read when the file is downloaded, and that is logged.
    return job_enqueue(kind=LETTERS_JOB_KIND, corporation=allocation_round.corporation,
                       user=actor if getattr(actor, "is_authenticated", False) else None,
                       params={"round": allocation_round.pk})
