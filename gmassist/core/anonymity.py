"""What keeps an anonymous act anonymous outside the database: the access log.

`gmassist serve` (gunicorn) writes one access-log line per request: the client's address, the
time to the second and the path. For an anonymous submission, or a reply or a read with a reply
code, that line alone would tie an address (and so a person) to the act and its minute. Views
of those acts (anonymous feedback, survey answers and responses to decisions) call
`keep_out_of_access_log(request)`; the server's logger then skips the line.
Django's own logging writes nothing about a successful request, and the reply code never
appears in a URL (it travels in the body of a POST), so a 4xx log line cannot carry it either.
"""

from __future__ import annotations

from django.http import HttpRequest

from gmassist.core.management.commands.serve import SKIP_ACCESS_LOG


def keep_out_of_access_log(request: HttpRequest) -> None:
    """Ask the server not to write this request's access-log line (request.META is the WSGI
    environ the server logs from)."""
    request.META[SKIP_ACCESS_LOG] = True
