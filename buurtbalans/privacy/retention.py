"""Retention: each kind of personal data is kept for a set term (settings `RETENTION_*`) and then removed.

API for the nightly job and the `purge_expired` command:

    retention_terms() -> dict[str, int]                              the terms in force, in days, per kind
    retention_purge(*, corporation, now, dry_run=False) -> dict      remove (or count) what expired; audited
    expired_uploads_purge(*, now, dry_run=False) -> int | None       uploaded files (core.uploads), all corporations

What each kind is, from when its term runs and why (the legal ground of each default) is in docs/privacy.md; the
kinds issue 13 added (intake and follow-up text, motivation texts, objections) in docs/privacy/dpia-selection.md.
The audit log is never purged by the product: past its term its events are only counted (see docs/privacy.md,
"The audit log").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtbalans.accountability.models import FollowUp, Objection
from buurtbalans.allocation.models import MotivationText, RoundStatus
from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import AuditEvent, HousingCorporation, Job
from buurtbalans.core.uploads import uploads_purge_expired
from buurtbalans.households.models import Applicant, Tenancy, VulnerabilityMarker
from buurtbalans.liveability.models import Activity, Signal, SupportNeed, Visit
from buurtbalans.placements.models import IntakeRecord, Placement
from buurtbalans.privacy.erasure import INTAKE_FREE_TEXT

# The actor name on the audit event of a purge nobody started by hand (the nightly job, cron).
SYSTEM_ACTOR = "system:retention"


@dataclass(frozen=True)
class RetentionKind:
    """One kind of data with its own term: the setting that holds the term (days) and what the screens call it."""

    key: str
    setting: str
    label: object
    starts: object  # from when the term runs, in words


RETENTION_KINDS: tuple[RetentionKind, ...] = (
    RetentionKind("markers", "RETENTION_MARKERS_DAYS", _("Vulnerability markers"),
                  _("after the last tenancy ended, or after the marker's end date")),
    RetentionKind("support_needs", "RETENTION_SUPPORT_NEEDS_DAYS", _("Support needs"),
                  _("after the support need was resolved")),
    RetentionKind("support_needs_open", "RETENTION_SUPPORT_NEEDS_OPEN_DAYS", _("Support needs never resolved"),
                  _("after the support need was reported")),
    RetentionKind("social_notes", "RETENTION_SOCIAL_NOTES_DAYS", _("Notes of signals, visits and activities"),
                  _("after the date of the record (the record itself stays, without its note)")),
    RetentionKind("intake_notes", "RETENTION_INTAKE_NOTES_DAYS", _("Free text of intake conversations"),
                  _("after the placement that followed, or after the conversation when none followed (the choices "
                    "stay)")),
    RetentionKind("follow_up_notes", "RETENTION_FOLLOW_UP_NOTES_DAYS",
                  _("Free text of follow-up conversations with tenants chosen on motivation"),
                  _("after the tenancy started (the follow-up itself stays, without its text)")),
    RetentionKind("motivation_texts", "RETENTION_MOTIVATION_TEXTS_DAYS", _("Motivation texts"),
                  _("after the allocation round closed (the assessors' scores stay with the decision)")),
    RetentionKind("objections", "RETENTION_OBJECTIONS_DAYS", _("Objections and complaints, with their decisions"),
                  _("after the decision, or after receipt when never decided (as the allocation decisions)")),
    RetentionKind("job_results", "RETENTION_JOB_RESULTS_DAYS", _("Results and logs of finished tasks"),
                  _("after the task finished")),
    RetentionKind("audit_log", "RETENTION_AUDIT_LOG_DAYS", _("Audit log"),
                  _("after the event; removed only by the operator procedure, never by Buurtbalans")),
)
RETENTION_KEYS = tuple(kind.key for kind in RETENTION_KINDS)
# Keys of a finished job's result that hold no personal data: where its report file is (a PDF kept as its own row).
KEPT_RESULT_KEYS = ("file", "url", "year", "municipality", "reference_date")


def retention_terms() -> dict[str, int]:
    """The term of each kind in days, from the settings (a term below one day is a configuration error)."""
    terms = {kind.key: int(getattr(settings, kind.setting)) for kind in RETENTION_KINDS}
    for kind in RETENTION_KINDS:
        if terms[kind.key] < 1:
            raise ValueError(f"{kind.setting} must be at least 1 day, not {terms[kind.key]}")
    return terms


def retention_purge(*, corporation: HousingCorporation, now: datetime, dry_run: bool = False,
                    actor=None, actor_name: str | None = None) -> dict[str, int]:
    """Remove the corporation's personal data whose term has passed, in one transaction, and audit the counts.

    Args:
        corporation: whose data; nothing of another corporation is touched.
        now: the moment the terms are measured from (the job passes the time it runs).
        dry_run: count only; nothing is removed and no audit event is written.
        actor, actor_name: who started it by hand (the command's user), or None for the nightly job.

    Returns:
        Per kind, how many records were removed (or emptied), or would be in a dry run; "audit_log" counts the
        events past their term, which the product keeps (see module docstring).
    """
    terms = retention_terms()
    today = timezone.localdate(now)
    with transaction.atomic():
        counts = {
            "markers": _markers(corporation, today - timedelta(days=terms["markers"]), dry_run),
            "support_needs": _support_needs(corporation, today - timedelta(days=terms["support_needs"]),
                                            today - timedelta(days=terms["support_needs_open"]), dry_run),
            "social_notes": _social_notes(corporation, today - timedelta(days=terms["social_notes"]), dry_run),
            "intake_notes": _intake_notes(corporation, today - timedelta(days=terms["intake_notes"]), dry_run),
            "follow_up_notes": _follow_up_notes(corporation, today - timedelta(days=terms["follow_up_notes"]),
                                                dry_run),
            "motivation_texts": _motivation_texts(corporation, now - timedelta(days=terms["motivation_texts"]),
                                                  dry_run),
            "objections": _objections(corporation, today - timedelta(days=terms["objections"]), dry_run),
            "job_results": _job_results(corporation, now - timedelta(days=terms["job_results"]), dry_run),
            "audit_log": AuditEvent.objects.filter(
                corporation=corporation, created__lt=now - timedelta(days=terms["audit_log"])
            ).count(),
        }
        if not dry_run:
            # Counts and terms only: which households lost data is exactly what must not be kept any longer.
            audit_record(
                actor=actor, actor_name=actor_name or (None if actor is not None else SYSTEM_ACTOR),
                event=AuditEvent.Type.RETENTION_PURGED, corporation=corporation, subject_type="retention",
                subject_label=f"expired data of {corporation.code}", purpose="retention",
                data={"counts": counts, "terms_days": terms, "audit_log": "counted, not removed"},
            )
    return counts


def _markers(corporation, cutoff, dry_run: bool) -> int:
    """Markers that ended before the cut-off, and those of former tenants whose last tenancy ended before it.

    A household still registered as a home-seeker (an applicant not housed) keeps its markers: its registration
    may still need them for allocation, and ends by its own rules.
    """
    runs_after_cutoff = Tenancy.objects.filter(household_id=OuterRef("household_id")).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=cutoff)
    )
    had_tenancy = Tenancy.objects.filter(household_id=OuterRef("household_id"))
    waiting = Applicant.objects.filter(household_id=OuterRef("household_id")).exclude(
        allocation_profile__status="housed"
    )
    former_tenant = Exists(had_tenancy) & ~Exists(runs_after_cutoff) & ~Exists(waiting)
    expired = VulnerabilityMarker.objects.filter(corporation=corporation).filter(
        Q(valid_until__lt=cutoff) | former_tenant
    )
    return _remove(expired, dry_run)


def _support_needs(corporation, resolved_cutoff, open_cutoff, dry_run: bool) -> int:
    expired = SupportNeed.objects.filter(corporation=corporation).filter(
        Q(resolved_on__lt=resolved_cutoff) | Q(resolved_on__isnull=True, reported_on__lt=open_cutoff)
    )
    return _remove(expired, dry_run)


def _social_notes(corporation, cutoff, dry_run: bool) -> int:
    """Empty the notes of signals, visits and activities older than the cut-off; the records keep their counts."""
    emptied = 0
    for model, date_field in ((Signal, "reported_on"), (Visit, "visited_on"), (Activity, "held_on")):
        rows = model.objects.filter(corporation=corporation, **{f"{date_field}__lt": cutoff}).exclude(note="")
        emptied += rows.count() if dry_run else rows.update(note="")
    return emptied


def _intake_notes(corporation, cutoff, dry_run: bool) -> int:
    """Empty the free text of intakes whose placement (the first after the conversation) was before the cut-off,
    or, without a placement, whose conversation was; the record with its choices stays (the placement's basis)."""
    placed_after = Placement.objects.filter(household_id=OuterRef("household_id"), placed_on__gte=OuterRef("held_on"))
    expired = IntakeRecord.objects.filter(corporation=corporation).filter(
        Exists(placed_after.filter(placed_on__lt=cutoff)) | (~Exists(placed_after) & Q(held_on__lt=cutoff))
    )
    has_text = Q()
    for name in INTAKE_FREE_TEXT:
        has_text |= ~Q(**{name: ""})
    rows = expired.filter(has_text)
    return rows.count() if dry_run else rows.update(**dict.fromkeys(INTAKE_FREE_TEXT, ""))


def _follow_up_notes(corporation, cutoff, dry_run: bool) -> int:
    """Empty what a follow-up says (its contribution and note) once the tenancy started before the cut-off."""
    rows = FollowUp.objects.filter(corporation=corporation, tenancy__start_date__lt=cutoff).exclude(
        contribution="", note="")
    return rows.count() if dry_run else rows.update(contribution="", note="")


def _motivation_texts(corporation, cutoff: datetime, dry_run: bool) -> int:
    """Motivation texts of listings whose allocation round closed before the cut-off."""
    expired = MotivationText.objects.filter(
        corporation=corporation, listing__allocation_round__status=RoundStatus.CLOSED,
        listing__allocation_round__closed_at__lt=cutoff,
    )
    return _remove(expired, dry_run)


def _objections(corporation, cutoff, dry_run: bool) -> int:
    """Objections decided before the cut-off, and those never decided that were received before it."""
    expired = Objection.objects.filter(corporation=corporation).filter(
        Q(decided_on__lt=cutoff) | Q(decided_on__isnull=True, received_on__lt=cutoff)
    )
    return _remove(expired, dry_run)


def _job_results(corporation, cutoff: datetime, dry_run: bool) -> int:
    """Empty the log and result of tasks that finished before the cut-off, and delete the files they made.

    The job row stays (what ran, when, for whom, how it ended); a report kept as its own row (a PDF of aggregates)
    keeps its download link. A letters PDF holds every applicant's name and address: the file is deleted.
    """
    from buurtbalans.allocation.jobs import LETTERS_JOB_KIND, letters_file_path

    jobs = (
        Job.objects.filter(corporation=corporation, status__in=(Job.Status.SUCCEEDED, Job.Status.FAILED),
                           finished__lt=cutoff)
        .exclude(result__has_key="expired")
    )
    if dry_run:
        return jobs.count()
    emptied = 0
    for job in jobs.only("pk", "kind", "result").iterator(chunk_size=500):
        result = job.result if isinstance(job.result, dict) else {}
        kept = {} if job.kind == LETTERS_JOB_KIND else {k: result[k] for k in KEPT_RESULT_KEYS if k in result}
        if job.kind == LETTERS_JOB_KIND:
            letters_file_path(job).unlink(missing_ok=True)
        Job.objects.filter(pk=job.pk).update(result={**kept, "expired": True}, log="")
        emptied += 1
    return emptied


def _remove(queryset, dry_run: bool) -> int:
    if dry_run:
        return queryset.count()
    _total, per_model = queryset.delete()
    return per_model.get(queryset.model._meta.label, 0)


def expired_uploads_purge(*, now: datetime, dry_run: bool = False) -> int | None:
    """Remove uploaded files past their term, for every corporation (files are not kept per corporation).

    Returns:
        How many files were removed, or None for a dry run (core.uploads removes; it has no counting mode).
    """
    if dry_run:
        return None
    count = uploads_purge_expired(now)
    if not count:
        return 0
    audit_record(
        actor=None, actor_name=SYSTEM_ACTOR, event=AuditEvent.Type.RETENTION_PURGED, corporation=None,
        subject_type="retention", subject_label="expired uploaded files", purpose="retention",
        data={"counts": {"uploads": count}},
    )
    return count
