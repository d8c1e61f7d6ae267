"""Uploaded files: bounded in size, and kept only while their import needs them (they hold pay).

- `UploadLimitMiddleware` answers an upload larger than `settings.UPLOAD_MAX_BYTES` with a 413
  and a message before Django reads a byte of it (the request's declared length is all Django
  will read, so nothing larger can follow);
- `upload_save` keeps an upload under MEDIA_ROOT/imports/<random>/<its name>, the one place
  uploads are kept;
- `upload_delete` removes one when its import ends (the import job calls it), and
  `uploads_sweep` removes those left behind, e.g. a dry run nobody confirmed, after
  `settings.UPLOAD_KEEP_HOURS`.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import get_valid_filename
from django.utils.translation import gettext

logger = logging.getLogger(__name__)

UPLOAD_FOLDER = "imports"


def upload_limit_mb() -> int:
    return settings.UPLOAD_MAX_BYTES // (1024 * 1024)


def upload_too_large_message() -> str:
    """What a person reads when a file is over the upload limit."""
    return gettext(
        "The file is larger than %(limit)s MB, the most an upload may be. Split it into "
        "smaller files, or ask your administrator to raise the limit (GMASSIST_UPLOAD_MAX_MB)."
    ) % {"limit": upload_limit_mb()}


class UploadLimitMiddleware:
    """A 413 with a message for a multipart request larger than an upload may be (plus the
    form fields that come with it), before anything reads its body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.content_type == "multipart/form-data":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.UPLOAD_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                return upload_too_large(request)
        return self.get_response(request)


def upload_too_large(request: HttpRequest) -> HttpResponse:
    """The 413 answer: a problem (RFC 9457) under /api/, else a page that says why."""
    message = upload_too_large_message()
    if request.path.startswith("/api/"):
        from gmassist.api import problem_response

        return problem_response(request, 413, message)
    return render(request, "413.html", {"message": message}, status=413)


def uploads_root() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_FOLDER


def upload_save(*, upload: Any) -> Path:
    """Keep `upload` (a Django UploadedFile) in a folder of its own with a random name under
    MEDIA_ROOT/imports; the file keeps a safe form of its own name, which the import report
    shows. Uploads left over from earlier imports are swept first."""
    uploads_sweep()
    folder = uploads_root() / secrets.token_hex(16)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        name = get_valid_filename(Path(upload.name or "").name)[:100]
    except SuspiciousFileOperation:
        name = ""
    path = folder / (name or "upload.csv")
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    path.chmod(0o600)
    return path


def is_upload(path: Path) -> bool:
    """True for a file `upload_save` kept (and only those are ever deleted here)."""
    try:
        return uploads_root().resolve() in Path(path).resolve().parents
    except OSError:
        return False


def upload_delete(path: Path | str) -> None:
    """Delete an upload and its folder; a path that is not an upload is left alone (a file
    imported from the command line is the user's own)."""
    path = Path(path)
    if not is_upload(path):
        return
    folder = path.resolve().parent
    if folder == uploads_root().resolve():  # an upload of an older version, kept loose
        path.unlink(missing_ok=True)
        return
    shutil.rmtree(folder, ignore_errors=True)


def uploads_sweep(*, now: float | None = None) -> int:
    """Delete the uploads older than `settings.UPLOAD_KEEP_HOURS`; returns how many."""
    root = uploads_root()
    if not root.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - settings.UPLOAD_KEEP_HOURS * 3600
    removed = 0
    for entry in root.iterdir():
        try:
            if entry.stat().st_mtime >= cutoff:
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed += 1
        except OSError as exc:  # another process swept it first
            logger.info("upload %s not swept: %s", entry, exc)
    return removed
