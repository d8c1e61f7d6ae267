"""Notes and attachments on records: which records take notes, and who may read them.

An app registers each model whose pages show notes (`register_noted_record`): who may read
and add notes on one record (`may_read`, the same people who read its history), who may
open an attachment that holds pay (`may_read_pay`), and the employee number a pay-holding
attachment is about (`pay_subject`, for the audit of that read). The core's services, selectors
and the download view ask here, so that every app's notes follow the one rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

# what an attachment may be: documents and images people attach to a record (no HTML, no
# scripts, nothing a browser would run); checked by extension, served as a download
ATTACHMENT_EXTENSIONS = (
    ".pdf",
    ".docx",
    ".xlsx",
    ".pptx",
    ".odt",
    ".ods",
    ".txt",
    ".csv",
    ".png",
    ".jpg",
    ".jpeg",
)


@dataclass(frozen=True)
class NotedRecord:
    model: type[models.Model]
    may_read: Callable[[Any, Any], bool]  # (user, record) -> may read and add notes
    may_read_pay: Callable[[Any, Any], bool]  # (user, record) -> may open a pay attachment
    pay_subject: Callable[[Any], str]  # record -> the employee number its pay is about


_NOTED: dict[str, NotedRecord] = {}


def register_noted_record(
    model: type[models.Model],
    *,
    may_read: Callable[[Any, Any], bool],
    may_read_pay: Callable[[Any, Any], bool],
    pay_subject: Callable[[Any], str],
) -> None:
    """Let `model`'s records take notes, read and added by who `may_read` says."""
    _NOTED[model._meta.label_lower] = NotedRecord(model, may_read, may_read_pay, pay_subject)


def noted_record(target_type: str) -> NotedRecord | None:
    """The registration of `target_type` ("org.employee"), or None when it takes no notes."""
    return _NOTED.get(target_type)
