"""Fast inserts and updates of many rows on their natural key, for imports.

On PostgreSQL the rows are streamed with COPY (psycopg 3) into a temporary table and merged with
one `INSERT ... SELECT ... ON CONFLICT (...) DO UPDATE`; elsewhere (SQLite) Django's
`bulk_create(update_conflicts=True)` runs in batches. Both paths skip `auto_now`, so
`created_at` and `updated_at` are set here. Call inside a transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, models, transaction
from django.utils import timezone

SQLITE_BATCH_SIZE = 2000


def bulk_upsert(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
    using: str = "default",
) -> int:
    """Insert `rows` (dicts of column attnames, e.g. "department_id") or, when a row with the
    same `unique_fields` exists, update its `update_fields`; returns the number of rows sent.

    Every row must have the same keys. Rows should be only those that are new or changed:
    an updated row gets `updated_at` = now. Ids are not returned; re-read them by natural key.
    """
    if not rows:
        return 0
    now = timezone.now()
    columns = list(rows[0])
    has_times = any(f.attname == "updated_at" for f in model._meta.concrete_fields)
    if has_times:
        columns += [c for c in ("created_at", "updated_at") if c not in columns]
        update_fields = [*update_fields, "updated_at"]
    connection = connections[using]
    if connection.vendor == "postgresql":
        # the staging table is dropped on commit, so it needs a transaction around it
        with transaction.atomic(using=using):
            _copy_upsert(model, rows, columns, unique_fields, update_fields, now, using)
    else:
        objects = []
        for row in rows:
            obj = model(**row)
            if has_times:
                obj.created_at = obj.updated_at = now
            objects.append(obj)
        model._default_manager.using(using).bulk_create(
            objects,
            batch_size=SQLITE_BATCH_SIZE,
            update_conflicts=True,
            unique_fields=[_field_name(model, f) for f in unique_fields],
            update_fields=[_field_name(model, f) for f in update_fields],
        )
    return len(rows)


def _field_name(model: type[models.Model], attname: str) -> str:
    for model_field in model._meta.concrete_fields:
        if model_field.attname == attname:
            return model_field.name
    raise ValueError(f"{model.__name__} has no column {attname!r}")


def _copy_upsert(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    columns: list[str],
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
    now: Any,
    using: str,
) -> None:
    table = model._meta.db_table
    staging = f"_import_{table}"
    fields = {f.attname: f for f in model._meta.concrete_fields}
    json_columns = {c for c in columns if isinstance(fields[c], models.JSONField)}
    quoted = ", ".join(_q(c) for c in columns)
    assignments = ", ".join(f"{_q(c)} = EXCLUDED.{_q(c)}" for c in update_fields)
    conflict = ", ".join(_q(c) for c in unique_fields)
    with connections[using].cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_q(staging)}")
        cursor.execute(
            f"CREATE TEMP TABLE {_q(staging)} ON COMMIT DROP AS "
            f"SELECT {quoted} FROM {_q(table)} WITH NO DATA"
        )
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(f"COPY {_q(staging)} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                values = [row.get(c, now) for c in columns]
                for index, column in enumerate(columns):
                    if column in json_columns:
                        values[index] = json.dumps(values[index], ensure_ascii=False)
                copy.write_row(values)
        action = f"DO UPDATE SET {assignments}" if update_fields else "DO NOTHING"
        cursor.execute(
            f"INSERT INTO {_q(table)} ({quoted}) SELECT {quoted} FROM {_q(staging)} "
            f"ON CONFLICT ({conflict}) {action}"
        )
        cursor.execute(f"DROP TABLE {_q(staging)}")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ids_by_key(
    model: type[models.Model], key_fields: Sequence[str], *, using: str = "default"
) -> dict[Any, int]:
    """{natural key: id} for every row of `model`: one query, a tuple key when several fields."""
    query = model._default_manager.using(using).values_list(*key_fields, "pk")
    if len(key_fields) == 1:
        return {key: pk for key, pk in query}
    return {tuple(row[:-1]): row[-1] for row in query}


def chunked(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    """`items` in slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
