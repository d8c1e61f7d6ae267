"""What the anonymity tests look at below the pages: the rows in the order the database keeps
them, and the tables a request wrote to."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def physical_order(model: type[Model], field: str = "pk") -> list:
    """`field` of every row of `model`, in the order the database keeps the rows (SQLite's
    rowid, PostgreSQL's heap position): the order a plain `SELECT *` reads them in."""
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field(field).column)
    order = "rowid" if connection.vendor == "sqlite" else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY {order}")
        values = [row[0] for row in cursor.fetchall()]
    django_field = model._meta.get_field(field)
    return [django_field.to_python(value) for value in values]


class TablesWritten(CaptureQueriesContext):
    """The tables the statements inside the block inserted into, updated or deleted from."""

    @property
    def tables(self) -> set[str]:
        found = set()
        for query in self.captured_queries:
            match = WRITE.match(query["sql"])
            if match:
                found.add(match.group(1))
        return found


def tables_written() -> TablesWritten:
    return TablesWritten(connection)
