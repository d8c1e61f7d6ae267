"""Fast inserts and updates of many rows on their natural key, for imports.

On PostgreSQL rows are streamed with COPY (psycopg 3): new rows straight into the table, other
rows into a temporary table merged with one `INSERT ... SELECT ... ON CONFLICT (...) DO UPDATE`
or `UPDATE ... FROM`. Elsewhere (SQLite) Django's `bulk_create(update_conflicts=True)` runs in
batches. Both paths skip `auto_now`, so `created_at` and `updated_at` are set here.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import connections, models, transaction
from django.utils import timezone

UPSERT = "upsert"  # insert, or update the row with the same natural key
INSERT = "insert"  # rows known to be new (checked against the database just before)
UPDATE = "update"  # rows known to exist; only the key and `update_fields` are needed

BATCH_SIZE = 2000


def bulk_upsert(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
    mode: str = UPSERT,
    using: str = "default",
) -> int:
    """Write `rows` (dicts of column attnames, e.g. "department_id") on their natural key
    `unique_fields`; returns the number of rows sent.

    UPSERT inserts new rows and sets `update_fields` of existing ones; INSERT and UPDATE are the
    faster paths when the caller knows which rows exist. Every row must have the same keys.
    Send only new or changed rows: an updated row gets `updated_at` = now. Ids are not
    returned; re-read them by natural key (`ids_by_key`). Runs in a transaction.
    """
    if not rows:
        return 0
    now = timezone.now()
    has_times = any(f.attname == "updated_at" for f in model._meta.concrete_fields)
    if mode == UPDATE:
        columns = [*unique_fields, *update_fields]
    else:
        columns = list(rows[0])
        if has_times:
            columns += [c for c in ("created_at", "updated_at") if c not in columns]
    if has_times:
        update_fields = [*update_fields, "updated_at"]
        if "updated_at" not in columns:
            columns.append("updated_at")
    connection = connections[using]
    with transaction.atomic(using=using):  # the staging table is dropped on commit
        if connection.vendor == "postgresql":
            _copy_write(model, rows, columns, unique_fields, update_fields, mode, now, using)
        elif mode == UPDATE:
            _executemany_update(model, rows, unique_fields, update_fields, now, using)
        else:
            _bulk_create(model, rows, has_times, unique_fields, update_fields, mode, now, using)
    return len(rows)


def _bulk_create(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    has_times: bool,
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
    mode: str,
    now: dt.datetime,
    using: str,
) -> None:
    objects = []
    for row in rows:
        obj = model(**row)
        if has_times:
            obj.created_at = obj.updated_at = now
        objects.append(obj)
    options: dict[str, Any] = {}
    if mode == UPSERT:
        options = {
            "update_conflicts": True,
            "unique_fields": [_field(model, f).name for f in unique_fields],
            "update_fields": [_field(model, f).name for f in update_fields],
        }
    model._default_manager.using(using).bulk_create(objects, batch_size=BATCH_SIZE, **options)


def _executemany_update(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
    now: dt.datetime,
    using: str,
) -> None:
    connection = connections[using]
    table = _q(model._meta.db_table)
    assignments = ", ".join(f"{_q(c)} = %s" for c in update_fields)
    condition = " AND ".join(f"{_q(c)} = %s" for c in unique_fields)
    fields = [_field(model, c) for c in (*update_fields, *unique_fields)]
    names = [c for c in (*update_fields, *unique_fields)]
    params = [
        [
            f.get_db_prep_value(now if c == "updated_at" else row[c], connection)
            for f, c in zip(fields, names, strict=True)
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {condition}", params)


def _copy_write(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    columns: list[str],
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
    mode: str,
    now: dt.datetime,
    using: str,
) -> None:
    table = model._meta.db_table
    json_columns = {c for c in columns if isinstance(_field(model, c), models.JSONField)}
    quoted = ", ".join(_q(c) for c in columns)
    target = table if mode == INSERT else f"_import_{table}"
    with connections[using].cursor() as cursor:
        if mode != INSERT:
            cursor.execute(f"DROP TABLE IF EXISTS {_q(target)}")
            cursor.execute(
                f"CREATE TEMP TABLE {_q(target)} ON COMMIT DROP AS "
                f"SELECT {quoted} FROM {_q(table)} WITH NO DATA"
            )
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(f"COPY {_q(target)} ({quoted}) FROM STDIN") as copy:
            for block in _copy_text(rows, columns, json_columns, now):
                copy.write(block)
        if mode == INSERT:
            return
        # the planner knows nothing of a fresh temporary table: without statistics it guesses
        # a few rows and may pick a nested loop over thousands
        cursor.execute(f"ANALYZE {_q(target)}")
        if mode == UPDATE:
            assignments = ", ".join(f"{_q(c)} = s.{_q(c)}" for c in update_fields)
            condition = " AND ".join(f"t.{_q(c)} = s.{_q(c)}" for c in unique_fields)
            cursor.execute(
                f"UPDATE {_q(table)} AS t SET {assignments} FROM {_q(target)} AS s "
                f"WHERE {condition}"
            )
        else:
            assignments = ", ".join(f"{_q(c)} = EXCLUDED.{_q(c)}" for c in update_fields)
            conflict = ", ".join(_q(c) for c in unique_fields)
            cursor.execute(
                f"INSERT INTO {_q(table)} ({quoted}) SELECT {quoted} FROM {_q(target)} "
                f"ON CONFLICT ({conflict}) DO UPDATE SET {assignments}"
            )
        cursor.execute(f"DROP TABLE {_q(target)}")


# COPY's text format: tab-separated, \N for NULL, backslash escapes
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_BLOCK_ROWS = 10_000


def _copy_value(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if type(value) is str:
        return value.translate(_COPY_ESCAPES)
    if type(value) is bool:
        return "t" if value else "f"
    if type(value) is int or type(value) is Decimal:
        return str(value)
    if type(value) is dt.date or type(value) is dt.datetime:
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _needs_escape(text: str) -> bool:
    return "\\" in text or "\t" in text or "\n" in text or "\r" in text


def _copy_json(value: Any) -> str:
    if value is None:
        return "\\N"
    if not value and isinstance(value, dict):
        return "{}"  # the usual custom attributes: none, no need to serialise
    return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES)


def _copy_text(
    rows: Sequence[dict[str, Any]], columns: list[str], json_columns: set[str], now: Any
) -> Iterator[str]:
    """`rows` as blocks of COPY text lines, formatted column by column: a column's repeated
    values (dates, departments, amounts) are formatted once; a column the rows lack
    (`created_at`, `updated_at`) is `now`."""
    formatted: list[list[str]] = []
    count = len(rows)
    for column in columns:
        if column not in rows[0]:
            formatted.append([_copy_value(now)] * count)
            continue
        values = [row[column] for row in rows]
        if column in json_columns:
            formatted.append([_copy_json(v) for v in values])
            continue
        try:
            distinct = set(values)
        except TypeError:  # an unhashable value
            formatted.append([_copy_value(v) for v in values])
            continue
        distinct.discard(None)
        if all(type(v) is str for v in distinct) and not _needs_escape("".join(distinct)):
            # text with nothing to escape (names, e-mails, codes): the values are the text
            formatted.append(["\\N" if v is None else v for v in values])
            continue
        memo = {v: _copy_value(v) for v in distinct}
        memo[None] = "\\N"
        formatted.append([memo[v] for v in values])
    lines = ["\t".join(fields) for fields in zip(*formatted, strict=True)]
    for start in range(0, count, _COPY_BLOCK_ROWS):
        yield "\n".join(lines[start : start + _COPY_BLOCK_ROWS]) + "\n"


class CopyStream:
    """New rows COPYed by a background thread while the caller goes on (PostgreSQL only).

    An import checks its rows in Python while the server inserts the rows already checked: the
    server is another process, so the two cores work at once. Each `insert` formats its rows
    here and queues one COPY statement; a thread sends them in order on the same connection and
    transaction (psycopg releases the GIL while it waits for the server). The caller must not
    use the connection until `close`, which waits for the last statement and raises its error.
    Rolling back the caller's transaction undoes everything sent.
    """

    def __init__(self, *, using: str = "default"):
        connection = connections[using]
        if not connection.in_atomic_block:
            raise RuntimeError("CopyStream needs a transaction to write in")
        connection.ensure_connection()
        self._raw = connection.connection  # the psycopg 3 connection under Django's wrapper
        self._now = timezone.now()
        self._queue: queue.Queue[tuple[str, str] | None] = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._send, name="copy-stream", daemon=True)
        self._thread.start()

    def execute(self, statement: str) -> None:
        """Queue a statement without parameters (e.g. SET CONSTRAINTS) after what is queued."""
        self._queue.put((statement, ""))

    def insert(self, model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
        """Queue a COPY of `rows` (dicts of the same attnames; rows known to be new) into
        `model`'s table; `created_at` and `updated_at` are set when the rows lack them."""
        if not rows or self._error is not None:
            return
        columns = list(rows[0])
        if any(f.attname == "updated_at" for f in model._meta.concrete_fields):
            columns += [c for c in ("created_at", "updated_at") if c not in columns]
        json_columns = {c for c in columns if isinstance(_field(model, c), models.JSONField)}
        quoted = ", ".join(_q(c) for c in columns)
        text = "".join(_copy_text(rows, columns, json_columns, self._now))
        self._queue.put((f"COPY {_q(model._meta.db_table)} ({quoted}) FROM STDIN", text))

    def _send(self) -> None:
        while (job := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain: the transaction is lost anyway
            statement, text = job
            try:
                with self._raw.cursor() as cursor:
                    if not text:
                        cursor.execute(statement)
                        continue
                    with cursor.copy(statement) as copy:
                        copy.write(text)
            except BaseException as exc:  # raised again by close()
                self._error = exc

    def close(self) -> None:
        """Wait until every queued statement has run; raise the first one's error."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error


def reserve_ids(
    model: type[models.Model], count: int, *, using: str = "default"
) -> list[int] | None:
    """`count` fresh primary keys from the table's sequence on PostgreSQL, so that new rows can
    refer to each other (a manager new in the same file) before they are written; None on
    databases without a sequence to draw from (then write, and re-read the ids)."""
    connection = connections[using]
    if count == 0:
        return []
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _field(model: type[models.Model], attname: str) -> models.Field:
    for model_field in model._meta.concrete_fields:
        if model_field.attname == attname:
            return model_field
    raise ValueError(f"{model.__name__} has no column {attname!r}")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ids_by_key(
    model: type[models.Model], key_fields: Sequence[str], *, using: str = "default"
) -> dict[Any, int]:
    """{natural key: id} for every row of `model`: one query, a tuple key when several fields."""
    query = model._default_manager.using(using).values_list(*key_fields, "pk")
    if len(key_fields) == 1:
        return dict(query.iterator(chunk_size=10000))
    return {tuple(row[:-1]): row[-1] for row in query.iterator(chunk_size=10000)}


def chunked(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    """`items` in slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Staging:
    """A temporary table of checked rows, filled chunk by chunk, then compared with and merged
    into `model`'s table on its natural key `key` in one statement each.

    For the imports that stream large files: the rows wait on the database server, not in
    Python. On PostgreSQL a chunk is sent with COPY; elsewhere (SQLite) with executemany. Each
    staged row keeps its file row number (`row_no`). Use inside a transaction; `drop` at the end.
    """

    def __init__(
        self,
        model: type[models.Model],
        *,
        key: Sequence[str],
        values: Sequence[str],
        using: str = "default",
    ):
        self.model = model
        self.key = list(key)
        self.values = list(values)
        self.using = using
        self.connection = connections[using]
        self.postgres = self.connection.vendor == "postgresql"
        self.table = f"_stage_{model._meta.db_table}"
        self.rows = 0
        columns = ", ".join(
            f"{_q(c)} {_field(model, c).db_type(self.connection)}" for c in self.columns
        )
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {_q(self.table)}")
            on_commit = " ON COMMIT DROP" if self.postgres else ""
            cursor.execute(
                f"CREATE TEMP TABLE {_q(self.table)} (row_no bigint, {columns}){on_commit}"
            )

    @property
    def columns(self) -> list[str]:
        return [*self.key, *self.values]

    def append(self, numbers: Sequence[int], columns: Sequence[Sequence[str]]) -> None:
        """Stage rows: their file row numbers and, per column of `key` + `values`, the values as
        text the database reads (ints, ISO dates, plain decimals; nothing to escape)."""
        if not numbers:
            return
        self.rows += len(numbers)
        names = ", ".join(_q(c) for c in ["row_no", *self.columns])
        with self.connection.cursor() as cursor:
            if self.postgres:
                text = "\n".join(map("\t".join, zip(map(str, numbers), *columns, strict=True)))
                with cursor.cursor.copy(f"COPY {_q(self.table)} ({names}) FROM STDIN") as copy:
                    copy.write(text + "\n")
            else:
                marks = ", ".join(["%s"] * (len(self.columns) + 1))
                cursor.executemany(
                    f"INSERT INTO {_q(self.table)} ({names}) VALUES ({marks})",
                    list(zip(numbers, *columns, strict=True)),
                )

    def remove(self, numbers: Iterable[int]) -> None:
        """Unstage the rows of these file row numbers (rows found wrong later)."""
        numbers = list(numbers)
        with self.connection.cursor() as cursor:
            for part in chunked(numbers, 1000):
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(f"DELETE FROM {_q(self.table)} WHERE row_no IN ({marks})", part)
        self.rows -= len(numbers)

    def _differs(self, left: str, right: str) -> str:
        operator = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        return " OR ".join(f"{left}.{_q(c)} {operator} {right}.{_q(c)}" for c in self.values)

    def compare(self) -> tuple[int, int, int]:
        """(created, updated, unchanged): staged rows whose key is not stored, stored with
        other values, stored with the same values."""
        if not self.rows:
            return 0, 0, 0
        table = _q(self.model._meta.db_table)
        join = " AND ".join(f"t.{_q(c)} = s.{_q(c)}" for c in self.key)
        pk = _q(self.model._meta.pk.column)
        with self.connection.cursor() as cursor:
            if self.postgres:
                # without statistics the planner guesses a few rows and may loop over millions
                cursor.execute(f"ANALYZE {_q(self.table)}")
            cursor.execute(
                f"SELECT COALESCE(SUM(CASE WHEN t.{pk} IS NULL THEN 1 ELSE 0 END), 0), "
                f"COALESCE(SUM(CASE WHEN t.{pk} IS NOT NULL AND ({self._differs('t', 's')}) "
                f"THEN 1 ELSE 0 END), 0), COUNT(*) "
                f"FROM {_q(self.table)} s LEFT JOIN {table} t ON {join}"
            )
            created, updated, total = cursor.fetchone()
        return int(created), int(updated), int(total) - int(created) - int(updated)

    def merge(self) -> None:
        """Insert the staged rows, or update the stored ones whose values differ (one
        `INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE ... WHERE`); unchanged rows are not
        touched. `created_at`/`updated_at` are set to now when the model has them."""
        table = self.model._meta.db_table
        has_times = any(f.attname == "updated_at" for f in self.model._meta.concrete_fields)
        columns = [_q(c) for c in self.columns]
        selected = list(columns)
        params: list[Any] = []
        if has_times:
            now = timezone.now()
            columns += [_q("created_at"), _q("updated_at")]
            selected += ["%s", "%s"]
            params += [now, now]
        assignments = [f"{_q(c)} = excluded.{_q(c)}" for c in self.values]
        if has_times:
            assignments.append(f"{_q('updated_at')} = excluded.{_q('updated_at')}")
        # "WHERE true" parts the SELECT from ON CONFLICT (SQLite's grammar needs it)
        statement = (
            f"INSERT INTO {_q(table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(selected)} FROM {_q(self.table)} WHERE true "
            f"ON CONFLICT ({', '.join(_q(c) for c in self.key)}) DO UPDATE SET "
            f"{', '.join(assignments)} WHERE {self._differs(_q(table), 'excluded')}"
        )
        with self.connection.cursor() as cursor:
            cursor.execute(statement, params)

    def drop(self) -> None:
        """Drop the staging table now (PostgreSQL drops it at the commit or the rollback; a
        failed transaction there accepts no statement)."""
        if self.postgres:
            return
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {_q(self.table)}")
