"""What keeps an anonymous act anonymous around the row it writes: the access log, the sender's
own rows, and the order the rows are kept in.

- The access log. `gmassist serve` (gunicorn) writes one access-log line per request: the
  client's address, the time to the second and the path. For an anonymous submission, or a
  reply or a read with a reply code, that line alone would tie an address (and so a person) to
  the act and its minute. Views of those acts (anonymous feedback, survey answers and responses
  to decisions) call `mark_anonymous_act(request)`; the server's logger then skips the line.
  Django's own logging writes nothing about a successful request, and the reply code never
  appears in a URL (it travels in the body of a POST), so a 4xx log line cannot carry it either.
- The sender's own rows. A request marked so writes nothing to a row that belongs to the
  sender: the API token's `last_used_at` (to the microsecond) is not noted for it
  (`ApiTokenUseMiddleware`), and the pages of those acts add no message to the session.
- The order of rows. A table's physical order (SQLite's rowid, PostgreSQL's heap) and an
  integer key follow the order of arrival: an anonymous row stored right after its sender's
  named one (whose audit entry has the exact time) points at the sender. The tables of those
  acts have random (UUID) keys, and `rows_shuffle_physical_order` moves the rows of the same
  day to new places in a random order after each write, so that their order says nothing
  finer than the day.
"""

from __future__ import annotations

import secrets

from django.db import connections, models
from django.http import HttpRequest

from gmassist.core.management.commands.serve import SKIP_ACCESS_LOG


def mark_anonymous_act(request: HttpRequest) -> None:
    """Mark `request` as an anonymous act (or one that may be): the server writes no access-log
    line for it (request.META is the WSGI environ the server logs from) and its API token's
    last use is not noted."""
    request.META[SKIP_ACCESS_LOG] = True


def is_anonymous_act(request: HttpRequest) -> bool:
    """True when a view marked `request` with `mark_anonymous_act`."""
    return bool(request.META.get(SKIP_ACCESS_LOG))


def rows_shuffle_physical_order(queryset: models.QuerySet) -> int:
    """Give the rows of `queryset` new physical places in a random order, inside the caller's
    transaction, leaving their values and keys as they are; returns how many rows moved.

    Each row is updated on its own, in a shuffled order: PostgreSQL writes every updated row as
    a new version at a new place (and with this transaction's id), so the heap order and the
    rows' transaction ids follow the shuffle, not the arrival; SQLite updates in place, so each
    row gets a new rowid (after the table's largest) in the shuffled order. A concurrent update
    of one of the rows waits for this transaction and then applies to the moved row, as to any
    updated row. Meant for the rows of one day: the cost is one UPDATE per row.
    """
    model = queryset.model
    pks = list(queryset.order_by().values_list("pk", flat=True))
    if len(pks) < 2:
        return len(pks)
    secrets.SystemRandom().shuffle(pks)
    connection = connections[queryset.db]
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.pk.column)
    prepared = [model._meta.pk.get_db_prep_value(pk, connection) for pk in pks]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {table}")
            top = cursor.fetchone()[0]
            move = f"UPDATE {table} SET rowid = %s WHERE {column} = %s"
            for offset, pk in enumerate(prepared, start=1):
                cursor.execute(move, [top + offset, pk])
        else:
            for pk in prepared:
                cursor.execute(f"UPDATE {table} SET {column} = {column} WHERE {column} = %s", [pk])
    return len(pks)
