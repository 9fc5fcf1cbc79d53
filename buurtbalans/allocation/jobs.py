"""Background jobs of the allocation app: working a round out (building its input, solving, storing outcomes), and
every letter of a round as one PDF."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from buurtbalans.allocation.models import AllocationRound
from buurtbalans.allocation.services import (
    LETTERS_JOB_KIND,
    SOLVE_JOB_KIND,
    AllocationError,
    allocation_round_solve,
)
from buurtbalans.allocation.services.solving import _solve_failed
from buurtbalans.core.jobs import JobError, JobRunner
from buurtbalans.core.models import Job
from buurtbalans.core.permissions import Action


class AllocationRoundSolveJob(JobRunner):
    """Work out the round in params["round"] (see `services.allocation_round_solve`).

    The engine's part takes a fraction of a second even for a weekly regional round; building the input from the
    rows and storing an explained outcome for every bid is what takes time, and is what the progress counts
    (one step per bid). Result: {"round", "run", "allocations", "bids", "url"}; {"skipped": true} when the round
    was given to a newer job meanwhile.
    """

    kind = SOLVE_JOB_KIND
    label = _("Allocation round")
    # The job's log and result name the round only, but its page belongs with the round's personal data.
    view_action = Action.MANAGE_ALLOCATION
    # Working out is one transaction with the round locked: a worker that died wrote nothing of it.
    retry_safe = True

    def run(self) -> dict:
        allocation_round = AllocationRound.objects.get(pk=self.job.params["round"], corporation=self.job.corporation)
        url = reverse("allocation_round_detail", args=[allocation_round.pk])
        try:
            run = allocation_round_solve(
                allocation_round=allocation_round, actor=self.job.user, job=self.job, on_progress=self.progress
            )
        except AllocationError as exc:
            # Why the round cannot be worked out (conflicting bids, a legal parameter unknown): for the officer.
            raise JobError("; ".join(exc.messages)) from exc
        if run is None:
            self.log(f"round {allocation_round.pk}: nothing to do (worked out by a newer task)")
            return {"round": allocation_round.pk, "skipped": True, "url": url}
        summary = run.summary
        self.log(
            f"round {allocation_round.pk} run {run.number}: {summary.get('listings')} listings, "
            f"{summary.get('bids')} bids, {summary.get('allocations')} allocated "
            f"(parameters {run.parameter_version})"
        )
        return {
            "round": allocation_round.pk,
            "run": run.number,
            "allocations": summary.get("allocations"),
            "bids": summary.get("bids"),
            "url": url,
        }

    @classmethod
    def on_abandoned(cls, job, message: str) -> None:
        # Given up without this runner (its worker died): the round may not stay "being worked out" for ever.
        allocation_round = AllocationRound.objects.filter(pk=job.params.get("round"),
                                                          corporation_id=job.corporation_id).first()
        if allocation_round is not None:
            _solve_failed(allocation_round, job, message)


# The letters are written in Dutch (B1) whatever the officer's screen language.
LETTER_LANGUAGE = "nl"


def letters_file_path(job) -> Path:
    """Where the job keeps the round's letters: under VAR_DIR, named by the job (never by user input)."""
    return Path(settings.VAR_DIR) / "letters" / f"letters-job-{job.pk}.pdf"


def letters_file_name(allocation_round: AllocationRound) -> str:
    return f"brieven-{slugify(allocation_round.name) or allocation_round.pk}.pdf"


class AllocationLettersJob(JobRunner):
    """Every letter of the round in params["round"] as one PDF, for the post room (progress per letter).

    Result: {"round", "letters", "missing_addresses", "file": {"name", "url"}}. The file stays under
    VAR_DIR/letters until the next such job of the round replaces it; downloading it is logged.
    """

    kind = LETTERS_JOB_KIND
    label = _("Letters of a round (PDF)")
    # The file holds every applicant's name, address and outcomes.
    view_action = Action.MANAGE_ALLOCATION
    # The PDF is written aside and then moved into place; a second start writes the same file again.
    retry_safe = True

    def run(self) -> dict:
        from buurtbalans.allocation.letterpdf import letters_pdf
        from buurtbalans.allocation.letters import letter_facts, letters_build

        allocation_round = AllocationRound.objects.get(pk=self.job.params["round"], corporation=self.job.corporation)
        path = letters_file_path(self.job)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        with translation.override(LETTER_LANGUAGE):
            facts = letter_facts(allocation_round)
            total = len(facts.entries)
            self.progress(0, total)
            missing = []

            def counted():
                for letter in letters_build(allocation_round, facts=facts):
                    if not letter.has_postal_address:
                        missing.append(letter.applicant_code)
                    yield letter

            count = letters_pdf(counted(), partial, title=_("Letters of %(round)s") % {"round": allocation_round.name},
                                author=allocation_round.corporation.name,
                                on_letter=lambda done: self.progress(done, total))
        # A download never sees a half-written file.
        partial.replace(path)
        # Earlier files of this round are superseded by this one.
        for old in Job.objects.filter(kind=LETTERS_JOB_KIND, corporation=self.job.corporation,
                                      params__round=allocation_round.pk).exclude(pk=self.job.pk):
            letters_file_path(old).unlink(missing_ok=True)
        self.log(f"round {allocation_round.pk}: {count} letters, {len(missing)} without a postal address")
        return {
            "round": allocation_round.pk,
            "letters": count,
            "missing_addresses": len(missing),
            "file": {"name": letters_file_name(allocation_round),
                     "url": reverse("allocation_letters_file", args=[self.job.pk])},
        }
