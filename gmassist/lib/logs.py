"""Logging filters: a refused request is one line in the log, not a traceback."""

from __future__ import annotations

import logging

# Statuses that are the client's doing: the line names the path; the trace says nothing more.
NO_TRACE_STATUSES = frozenset({403})


class NoTraceForRefusals(logging.Filter):
    """Drop the traceback from django.request's record of a 403 (PermissionDenied in a view):
    "Forbidden (Permission denied): /audit/" stays, as one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in NO_TRACE_STATUSES:
            record.exc_info = None
            record.exc_text = None
        return True
