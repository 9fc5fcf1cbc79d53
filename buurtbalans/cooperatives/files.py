"""Uploaded files of cooperatives (documents, activity photos, yearly accounts), kept under settings.VAR_DIR.

A file is stored under `VAR_DIR/cooperatives/<corporation>/<random>.<suffix>`: the uploader's file name never becomes
a path, and the directory is not served by the web server. Views hand files out only after the selector has
checked that the user may see the row that names the file.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_FILE_BYTES = 10 * 1024 * 1024
# Suffix -> (content type, how the file must begin). Checking the first bytes keeps a renamed executable or
# HTML page out, so a download is always what its name says.
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".txt": ("text/plain; charset=utf-8", ()),
}


@dataclass(frozen=True)
class StoredFile:
    path: str  # relative to VAR_DIR
    name: str
    size: int
    sha256: str


def _suffix(name: str) -> str:
    return Path(name).suffix.lower()


def upload_check(upload) -> None:
    """Refuse a file that is too large, of a kind we do not keep, or whose content does not match its name.

    Raises:
        ValidationError: with a message for the form.
    """
    suffix = _suffix(upload.name)
    if suffix not in ALLOWED:
        raise ValidationError(
            _("Upload a PDF, a photo (JPG or PNG), a Word, Excel or OpenDocument file, or a text file."),
            code="file_kind",
        )
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="file_size")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    prefixes = ALLOWED[suffix][1]
    if prefixes and not any(head.startswith(p) for p in prefixes):
        raise ValidationError(_("The content of the file does not match its name."), code="file_content")
    if suffix == ".txt" and b"\x00" in head:
        raise ValidationError(_("The content of the file does not match its name."), code="file_content")


def root() -> Path:
    # Read at call time: tests point VAR_DIR at a temporary directory.
    return Path(settings.VAR_DIR) / "cooperatives"


def store(upload, *, corporation_id: int) -> StoredFile:
    """Write a checked upload under the corporation's directory with a random name."""
    suffix = _suffix(upload.name)
    directory = root() / str(int(corporation_id))
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{secrets.token_hex(16)}{suffix}"
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    with target.open("xb") as handle:
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
            handle.write(chunk)
    target.chmod(0o640)
    return StoredFile(
        path=str(target.relative_to(Path(settings.VAR_DIR))),
        name=Path(upload.name).name[:200],
        size=size,
        sha256=digest.hexdigest(),
    )


def absolute(relative: str) -> Path:
    """The stored file's path; refuses anything outside the cooperatives directory."""
    path = (Path(settings.VAR_DIR) / relative).resolve()
    if not path.is_relative_to(root().resolve()):
        raise FileNotFoundError(relative)
    return path


def remove(relative: str) -> None:
    """Delete a stored file (after its row was deleted); a file already gone is fine."""
    if not relative:
        return
    try:
        absolute(relative).unlink(missing_ok=True)
    except FileNotFoundError:
        pass


def content_type(name: str) -> str:
    return ALLOWED.get(_suffix(name), ("application/octet-stream", ()))[0]
