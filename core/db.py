"""The bulk write path: COPY on PostgreSQL, executemany in the open transaction on SQLite.

Django's bulk_create builds and sends SQL per batch at about 25,000 rows/s here; these paths
write about 500,000 rows/s. They bypass signals and model validation on purpose: callers
(import services) validate first and log the change themselves (audit.services.log_bulk).
Values must already be in the database's form: use `adapt` for datetimes, UUIDs and JSON.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection, models

__all__ = ["adapt", "bulk_insert", "bulk_update", "is_postgres"]


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def adapt(value):
    """A Python value in the form the current database's bulk path expects."""
    if isinstance(value, datetime):
        return value if is_postgres() else connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, uuid.UUID):
        return str(value) if is_postgres() else value.hex
    return value


def _columns(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    # get_field accepts attnames too ("village_id"), so callers name columns as attributes.
    return [model._meta.get_field(name).column for name in fields]


def bulk_insert(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows (tuples in `fields` order) into the model's table; returns the count."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _columns(model, fields))
    count = 0
    with connection.cursor() as cursor:
        if is_postgres():
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            marks = ", ".join(["%s"] * len(fields))
            batch: list[Sequence] = []
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
            for row in rows:
                batch.append(row)
                if len(batch) == 10_000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


def bulk_update(
    model: type[models.Model], key: str, fields: Sequence[str], rows: Iterable[Sequence]
) -> int:
    """Update rows matched on `key`; each row is (key value, *values in `fields` order).

    PostgreSQL: COPY into a temporary table, then one UPDATE … FROM. SQLite: executemany.
    """
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    key_column = _columns(model, [key])[0]
    columns = _columns(model, fields)
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                f"CREATE TEMPORARY TABLE _bulk_update ON COMMIT DROP AS "
                f"SELECT {qn(key_column)}, {', '.join(qn(c) for c in columns)} "
                f"FROM {table} WITH NO DATA"
            )
            count = 0
            with cursor.cursor.copy(
                f"COPY _bulk_update ({qn(key_column)}, {', '.join(qn(c) for c in columns)}) "
                "FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            assignments = ", ".join(f"{qn(c)} = u.{qn(c)}" for c in columns)
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM _bulk_update AS u "
                f"WHERE t.{qn(key_column)} = u.{qn(key_column)}"
            )
            cursor.execute("DROP TABLE _bulk_update")
            return count
        assignments = ", ".join(f"{qn(c)} = %s" for c in columns)
        sql = f"UPDATE {table} SET {assignments} WHERE {qn(key_column)} = %s"
        params = [(*row[1:], row[0]) for row in rows]
        cursor.executemany(sql, params)
        return len(params)
