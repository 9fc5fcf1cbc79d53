"""Uploaded import files: stored privately, recorded, imported once, and removed when no longer needed.

The three upload screens (portfolio, social management records, bids) share this module:

    job = upload_check_enqueue(form_file, kind=Upload.Kind.PORTFOLIO, job_kind="portfolio_import",
                               corporation=c, user=request.user, suffix=".zip")   # stored, and its check queued
    ...
    with upload_in_use(job) as use:                  # in the job runner
        report = some_import(source=use.path, ...)
        use.done(dry_run=..., valid=report.is_valid, written=report.written)
    ...
    real, created = upload_import_enqueue(check_job=job, user=request.user)   # "Import now", one at a time

The file gets a random name under UPLOAD_DIR (the user's name never becomes a path), mode 0600 in a directory of
mode 0700, and an `Upload` row saying who uploaded it for which corporation, when, and what kind of import it is.
How long it stays:

* imported (written): removed at once;
* checked without errors but not confirmed: `UPLOAD_RETENTION_UNCONFIRMED_DAYS` (default 1) after the check;
* with errors, or the check or import stopped: at most `UPLOAD_RETENTION_FAILED_DAYS` (default 7) after the upload,
  so the administrator can still look into it;
* a synchronous import (bids) removes its file when the request ends (`upload_discard`).

`uploads_purge_expired()` removes what has expired (and files that earlier versions left behind without a row);
the nightly retention job calls it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from buurtbalans.core.audit import actor_label, audit_record
from buurtbalans.core.jobs import JobError, job_enqueue
from buurtbalans.core.models import AuditEvent, Job, Upload

logger = logging.getLogger(__name__)

DEFAULT_FAILED_DAYS = 7
DEFAULT_UNCONFIRMED_DAYS = 1

# What every screen says when an upload's file has been removed (expired, or imported already).
UPLOAD_GONE_MESSAGE = gettext_lazy("This file is no longer kept. Upload it again.")

# Files that this module and the versions before it wrote: <kind>-<32 hex digits><suffix>.
_STORED_NAME = re.compile(r"(?:portfolio|social|bids|interventions)-[0-9a-f]{32}\.[a-z]{2,5}")
_SUFFIX = re.compile(r"\.[a-z0-9]{1,5}")


class UploadGone(JobError):
    """The upload's file is no longer kept; the user has to upload it again (a job fails with this message)."""

    def __init__(self):
        super().__init__(UPLOAD_GONE_MESSAGE)


def failed_days() -> int:
    return int(getattr(settings, "UPLOAD_RETENTION_FAILED_DAYS", DEFAULT_FAILED_DAYS))


def unconfirmed_days() -> int:
    return int(getattr(settings, "UPLOAD_RETENTION_UNCONFIRMED_DAYS", DEFAULT_UNCONFIRMED_DAYS))


def _directory() -> Path:
    """UPLOAD_DIR, created if needed, readable by this system user only."""
    directory = Path(settings.UPLOAD_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkdir's mode does not apply to a directory that existed before (earlier versions made it 0755).
    if directory.stat().st_mode & 0o077:
        directory.chmod(0o700)
    return directory


def upload_store(file, *, kind: str, corporation, user, suffix: str) -> Upload:
    """Write an uploaded file (a Django UploadedFile) to disk privately and record it.

    Args:
        file: the form's uploaded file; its `name` is kept for messages only.
        kind: an `Upload.Kind`.
        suffix: the file type the readers go by (".xlsx", ".zip", ".csv"), checked by the form.
    """
    suffix = suffix.lower()
    if not _SUFFIX.fullmatch(suffix):
        raise ValueError(f"not a file suffix: {suffix!r}")
    directory = _directory()
    stored_name = f"{kind}-{secrets.token_hex(16)}{suffix}"
    path = directory / stored_name
    # O_EXCL: never write through an existing file or link; 0600 whatever the umask.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    size = 0
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in file.chunks():
                handle.write(chunk)
                size += len(chunk)
        return Upload.objects.create(
            kind=kind,
            corporation=corporation,
            user=user if getattr(user, "is_authenticated", False) else None,
            uploaded_by_name=actor_label(user),
            file_name=Path(file.name or "").name[:200],
            stored_name=stored_name,
            size=size,
            expires=timezone.now() + timedelta(days=failed_days()),
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def upload_check_enqueue(file, *, kind: str, job_kind: str, corporation, user, suffix: str) -> Job:
    """Store an uploaded file (`upload_store`) and queue its check: a dry run of the import job `job_kind`.

    Nothing is written until the user has seen the check and confirms (`upload_import_enqueue`).
    """
    upload = upload_store(file, kind=kind, corporation=corporation, user=user, suffix=suffix)
    return job_enqueue(kind=job_kind, corporation=corporation, user=user,
                       params={**upload_job_params(upload), "dry_run": True})


def upload_job_params(upload: Upload) -> dict:
    """What an import job needs to find the upload again (the path for runners that read it directly)."""
    return {"upload": upload.pk, "path": str(upload.path), "file_name": upload.file_name}


def upload_for_job(job: Job) -> Upload | None:
    """The upload an import job works on, or None (a job from before uploads were recorded, or purged)."""
    pk = (job.params or {}).get("upload")
    if not isinstance(pk, int):
        return None
    return Upload.objects.filter(pk=pk, corporation_id=job.corporation_id).first()


def upload_available(job: Job) -> bool:
    """Whether the job's upload is still kept, so it can be imported."""
    upload = upload_for_job(job)
    return upload is not None and upload.status != Upload.Status.IMPORTED and upload.path.is_file()


def upload_discard(upload: Upload) -> None:
    """Remove the file and its row at once (an upload that was handled within the request)."""
    upload.path.unlink(missing_ok=True)
    Upload.objects.filter(pk=upload.pk).delete()


def _set(upload: Upload, status: str, expires: datetime) -> None:
    upload.status, upload.expires = status, expires
    Upload.objects.filter(pk=upload.pk).update(status=status, expires=expires)


def upload_checked(upload: Upload, *, valid: bool) -> None:
    """After the check (dry run): a file without errors waits a day for "Import now"; one with errors a week."""
    now = timezone.now()
    keep_failed = upload.created + timedelta(days=failed_days())
    if valid:
        _set(upload, Upload.Status.CHECKED, min(now + timedelta(days=unconfirmed_days()), keep_failed))
    else:
        _set(upload, Upload.Status.REJECTED, keep_failed)


def upload_imported(upload: Upload, *, written: bool) -> None:
    """After the real import: a written file is removed now; one the import refused is kept like a failed one."""
    if written:
        upload.path.unlink(missing_ok=True)
        # The row stays until the purge: a late second "Import now" still finds the import it started.
        _set(upload, Upload.Status.IMPORTED, timezone.now())
    else:
        _set(upload, Upload.Status.REJECTED, upload.created + timedelta(days=failed_days()))


def upload_failed(upload: Upload) -> None:
    """The check or import stopped with an error: keep the file for a week, to find out why."""
    _set(upload, Upload.Status.FAILED, upload.created + timedelta(days=failed_days()))


@dataclass
class UploadInUse:
    upload: Upload | None
    path: Path
    finished: bool = False

    def done(self, *, dry_run: bool, valid: bool, written: bool) -> None:
        """Record how the check or import ended (removes the file after a written import)."""
        self.finished = True
        if self.upload is None:
            return
        if dry_run:
            upload_checked(self.upload, valid=valid)
        else:
            upload_imported(self.upload, written=written)


@contextlib.contextmanager
def upload_in_use(job: Job) -> Iterator[UploadInUse]:
    """The file of an import job, for its runner.

    Raises:
        UploadGone: the file is no longer kept (the job fails with a plain message to upload it again).
    """
    upload = upload_for_job(job)
    if upload is not None:
        path = upload.path
        if not path.is_file() or upload.status == Upload.Status.IMPORTED:
            raise UploadGone
    elif (job.params or {}).get("upload") is None and job.params.get("path"):
        # A job with a path of its own (a folder or file on the server, or queued before uploads were recorded).
        path = Path(job.params["path"])
        if not path.exists():
            raise UploadGone
    else:
        raise UploadGone
    use = UploadInUse(upload, path)
    try:
        yield use
    except BaseException:
        if upload is not None:
            upload_failed(upload)
        raise
    if not use.finished and upload is not None:
        upload_failed(upload)


def upload_import_enqueue(*, check_job: Job, user, params: dict | None = None) -> tuple[Job, bool]:
    """Queue the real import of a checked upload, once, however many requests ask at the same moment.

    The upload's row is locked for the decision, so concurrent confirmations queue behind each other: the first
    queues the import, the others get that import back. A real import that stopped with an error may be started
    again; one that ran (written or refused) may not.

    The caller checks that `check_job` is a dry run without errors that `user` may confirm.

    Returns:
        (the real import job, whether this call queued it).

    Raises:
        UploadGone: the file is no longer kept (and no import of it was queued).
    """
    with transaction.atomic():
        upload = (
            Upload.objects.select_for_update()
            .filter(pk=(check_job.params or {}).get("upload"), corporation_id=check_job.corporation_id)
            .first()
        )
        if upload is None:
            earlier = (
                Job.objects.filter(corporation_id=check_job.corporation_id, kind=check_job.kind,
                                   params__dry_run_job=check_job.pk)
                .exclude(status=Job.Status.FAILED)
                .order_by("pk")
                .first()
            )
            if earlier is not None:
                return earlier, False
            raise UploadGone
        if upload.import_job_id is not None:
            earlier = Job.objects.filter(pk=upload.import_job_id).first()
            if earlier is not None and earlier.status != Job.Status.FAILED:
                return earlier, False
        if upload.status not in (Upload.Status.CHECKED, Upload.Status.FAILED) or not upload.path.is_file():
            raise UploadGone
        job = job_enqueue(
            kind=check_job.kind,
            corporation=check_job.corporation,
            user=user,
            params={**check_job.params, **(params or {}), "dry_run": False, "dry_run_job": check_job.pk},
        )
        upload.import_job = job
        upload.status = Upload.Status.IMPORTING
        upload.expires = upload.created + timedelta(days=failed_days())
        upload.save(update_fields=["import_job", "status", "expires"])
    return job, True


def import_previewed_record(*, job: Job | None = None, sheet: str, rows: int, subject_type: str, subject_ids=(),
                            counts_shown: bool, actor=None, corporation=None, source_name: str = "",
                            command: str = "") -> None:
    """Audit a check (dry run) that read special-category rows (markers, support needs) against the database.

    Even without saving, the check compares those rows with what is stored: the event says who checked whose data.
    A check in the background names its `job` (who, which corporation and file); a command's --dry-run passes
    `actor` (None: "cli:<login>", as `audit_record` writes it), `corporation`, `source_name` and `command`.
    """
    if job is not None:
        actor, corporation = job.user, job.corporation
        source_name = job.params.get("file_name") or "upload"
    data = {"job": job.pk} if job is not None else {"command": command}
    audit_record(
        actor=actor,
        event=AuditEvent.Type.IMPORT_PREVIEWED,
        corporation=corporation,
        subject_type=subject_type,
        subject_ids=sorted(set(subject_ids)),
        subject_label=f"{source_name}: {sheet}"[:300],
        purpose="import",
        data={**data, "sheet": sheet, "rows": rows, "counts_shown": counts_shown},
    )


def uploads_purge_expired(now: datetime | None = None) -> int:
    """Remove every upload whose time is up: its file and its row. Returns how many uploads were removed.

    Also removes files in UPLOAD_DIR that look like ours but have no row (left behind by versions before uploads
    were recorded) once they are older than UPLOAD_RETENTION_FAILED_DAYS.
    """
    now = now or timezone.now()
    removed = 0
    directory = Path(settings.UPLOAD_DIR)
    for pk, stored_name in Upload.objects.filter(expires__lte=now).order_by("pk").values_list("pk", "stored_name"):
        # Row first, and only if still expired: a confirmation holding the row's lock has just extended it.
        if Upload.objects.filter(pk=pk, expires__lte=now).delete()[0]:
            (directory / stored_name).unlink(missing_ok=True)
            removed += 1
    if directory.is_dir():
        known = set(Upload.objects.values_list("stored_name", flat=True))
        cutoff = (now - timedelta(days=failed_days())).timestamp()
        for path in directory.iterdir():
            if not _STORED_NAME.fullmatch(path.name) or path.name in known or not path.is_file():
                continue
            if path.stat().st_mtime <= cutoff:
                path.unlink(missing_ok=True)
                removed += 1
    if removed:
        logger.info("removed %d expired upload(s)", removed)
    return removed

