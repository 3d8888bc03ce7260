"""Importing village statistics (VillageStat) from xlsx or CSV, from the CLI or as a web job.

The file format is the template `registry.sheets.STAT_COLUMNS` describes (Chinese headers,
money in 元 or 万元; the export is there too). An import validates every row first and
writes nothing if any row is wrong; then it upserts by (village code, year) in one
transaction through the bulk path, and logs each created or changed row in the change log.
Importing the same file again changes nothing and logs nothing.

Work is set-based: the villages and the existing statistics for the file's rows are loaded
in a few chunked queries, never one per row.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path
from typing import IO, Any, NamedTuple

import numpy as np
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from audit.models import ObjectChange
from audit.services import log_bulk
from core.actors import require_actor
from core.db import bulk_insert, bulk_update
from core.errors import Invalid
from core.imports import ImportResult, Progress, RowError, gc_paused, iter_upload, sort_errors
from core.scope import is_unscoped_admin, may_write
from lib import tabular
from lib.tabular import INVALID
from registry.models import ImportJob, Village, VillageStat
from registry.services import jobs
from registry.sheets import DATA_FIELDS, STAT_COLUMNS

__all__ = [
    "ImportResult",
    "RowError",
    "import_stats",
    "start_import_job",
]

logger = logging.getLogger(__name__)

Source = str | os.PathLike | IO[bytes] | bytes

# What a new row gets for a column the file does not have.
DEFAULTS = {name: None for name in DATA_FIELDS} | {"is_illustrative": False}

PROGRESS_EVERY = 5000

MSG_UNKNOWN_CODE = _("No village with this code in the registry.")
MSG_NAME_MISMATCH = _("The name does not match the registry: this code is {name}.")
MSG_NO_PERMISSION = _("No permission for this village.")
MSG_DUPLICATE = _("The same village and year are already in row {row}.")
MSG_CONFLICT = _(
    "Another import wrote statistics for the same villages at the same time; nothing was "
    "imported. Please try again."
)


def _no_progress(done: int, total: int, phase: str) -> None:
    pass


class _VillageRef(NamedTuple):
    """What the import needs of a village; `pk` is enough for may_write."""

    pk: str
    name: str
    short_name: str


_JSON_VALUES = "SELECT value FROM json_each(%s)"


def _in_list(column: str, values: list) -> tuple[str, Any]:
    """A condition `column in values` with the values as one bound parameter, whatever
    their number: SQLite caps bound parameters, and a long IN list is slow to build."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", values
    return f"{column} IN ({_JSON_VALUES})", json.dumps(values)


def _load_villages(codes: Iterable[str]) -> dict[str, _VillageRef]:
    condition, param = _in_list("code", sorted(codes))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT code, name, short_name "
            f"FROM {connection.ops.quote_name(Village._meta.db_table)} WHERE {condition}",
            [param],
        )
        return {row[0]: _VillageRef(*row) for row in cursor.fetchall()}


def _load_stats(
    codes: Iterable[str], years: Iterable[int], fields: Sequence[str]
) -> dict[tuple[str, int], tuple]:
    """(code, year) → (pk, *fields) of the existing statistics for these villages/years."""
    codes, years = sorted(codes), sorted(years)
    qn = connection.ops.quote_name
    table = qn(VillageStat._meta.db_table)
    with connection.cursor() as cursor:
        # Cheap first, by the (year, village) index: often (a first import of these years)
        # there is no row at all to load.
        condition, param = _in_list("year", years)
        cursor.execute(f"SELECT 1 FROM {table} WHERE {condition} LIMIT 1", [param])
        if cursor.fetchone() is None:
            return {}
    found: dict[tuple[str, int], tuple] = {}
    if connection.vendor == "postgresql":
        # One query whatever the number of codes: arrays instead of IN lists.
        columns = ", ".join(qn(VillageStat._meta.get_field(f).column) for f in fields)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT village_id, year, id{', ' if fields else ''}{columns} "
                f"FROM {table} WHERE village_id = ANY(%s) AND year = ANY(%s)",
                [codes, years],
            )
            for row in cursor.fetchall():
                found[row[0], row[1]] = row[2:]
        return found
    # SQLite: through the ORM, for its value converters (booleans are stored as 0/1).
    rows = VillageStat.objects.filter(
        village_id__in=RawSQL(_JSON_VALUES, [json.dumps(codes)]),
        year__in=RawSQL(_JSON_VALUES, [json.dumps(years)]),
    ).values_list("village_id", "year", "pk", *fields)
    for row in rows.order_by():
        found[row[0], row[1]] = row[2:]
    return found


def _fail(result: ImportResult, row, column, message, value="") -> ImportResult:
    result.errors.append(RowError(row, column, str(message), value))
    return result


def import_stats(
    source: Source | Sequence[str | os.PathLike],
    *,
    actor,
    dry_run: bool = False,
    progress: Progress | None = None,
    filename: str | None = None,
    limits: tabular.Limits = tabular.NO_LIMITS,
    chunk_rows: int = tabular.CHUNK_ROWS,
) -> ImportResult:
    """Validate every row of a statistics file, then (unless `dry_run`) upsert all of it.

    Args:
        source: a path, a binary file object or the bytes of an xlsx/xls/ods/csv file; or
            several paths, or a folder (its xlsx/xls/ods/csv files, by name), imported
            together: all of them or nothing.
        dry_run: validate and count what would change, write nothing.
        actor: who imports; only villages they may write are accepted (every village for
            an unscoped city admin, or SYSTEM: the CLI and the demo).
        progress: called as progress(done, total, phase) while reading and validating,
            every few thousand rows (phases: reading, validating, writing, done). For one
            file read whole (a spreadsheet, bytes or a file object: every web upload) never
            inside the write transaction, so it may itself write to the database; for a
            CSV path of more than `chunk_rows` rows, or several files (the command line),
            it is called inside it, and must not write.
        filename: the original name, when `source` is not a path (its extension helps to
            refuse a non-spreadsheet renamed .xlsx).
        limits: what the file may hold, checked before parsing (`core.imports.upload_limits`
            for a file from the web).
        chunk_rows: rows validated and written at a time of a CSV path, which is
            streamed (memory holds one chunk: a national file has 6.2 million rows). Chunks
            and several files are written in one transaction, chunk by chunk, and rolled
            back whole at the first invalid row anywhere.

    Returns:
        An ImportResult; if `errors` is not empty, nothing was written.
    """
    actor = require_actor(actor)
    with gc_paused():
        return _import_stats(source, dry_run, actor, progress, filename, limits, chunk_rows)


IMPORT_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt")
MAX_ERRORS = 10_000  # errors collected before a large import stops reading further chunks

MSG_EMPTY_FOLDER = _("The folder {path} holds no xlsx, xls, ods or csv file.")
MSG_DUPLICATE_IN_FILE = _("The same village and year are already in row {row} of {file}.")
MSG_TOO_MANY_ERRORS = _(
    "Stopped after {count} errors (the rows after row {row} of {file} were not checked): "
    "fix these and import again."
)


def _files(source) -> list[tuple[Source, str | None]]:
    """(source, name to show) of each file to import: several paths, a folder's files."""
    items = list(source) if isinstance(source, list | tuple) else [source]
    files: list[tuple[Source, str | None]] = []
    for item in items:
        if isinstance(item, str | os.PathLike) and Path(item).is_dir():
            found = sorted(
                p
                for p in Path(item).iterdir()
                if p.is_file() and p.suffix.lower() in IMPORT_SUFFIXES
            )
            if not found:
                raise Invalid(str(MSG_EMPTY_FOLDER).format(path=item))
            files.extend((p, p.name) for p in found)
        else:
            name = Path(item).name if isinstance(item, str | os.PathLike) else None
            files.append((item, name))
    return files


class _Rollback(Exception):
    """Raised inside the write transaction of a chunked import to undo every chunk."""


def _import_stats(
    source,
    dry_run: bool,
    actor,
    progress: Progress | None,
    filename: str | None,
    limits: tabular.Limits = tabular.NO_LIMITS,
    chunk_rows: int = tabular.CHUNK_ROWS,
) -> ImportResult:
    report = progress or _no_progress
    result = ImportResult(dry_run=dry_run)
    try:
        files = _files(source)
    except Invalid as exc:
        return _fail(result, None, "", str(exc))
    several = len(files) > 1
    report(0, 0, "reading")

    def parts() -> Iterator[tuple[str | None, tabular.Parsed]]:
        for file, name in files:
            before = len(result.errors)
            for parsed in iter_upload(
                file,
                STAT_COLUMNS,
                result,
                max_bytes=(
                    _path_max_bytes(file)
                    if isinstance(file, str | os.PathLike)
                    else settings.STATS_IMPORT_MAX_BYTES
                ),
                filename=filename if not several else name,
                limits=limits,
                chunk_rows=chunk_rows,
            ):
                _name_file(result, before, name if several else None)
                yield (name if several else None), parsed
                before = len(result.errors)
            _name_file(result, before, name if several else None)

    chunks = parts()
    first = next(chunks, None)
    second = next(chunks, None) if first is not None else None
    if second is None and not several:
        if first is None:  # unreadable, a wrong header or no rows: nothing to check
            return result
        return _import_one(first[1], dry_run, actor, result, report)
    try:
        with transaction.atomic():
            _import_chunks(
                chain(filter(None, (first, second)), chunks), dry_run, actor, result, report
            )
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except IntegrityError:
        result.created = result.updated = result.unchanged = 0
        return _fail(result, None, "", MSG_CONFLICT)
    if result.errors:
        result.created = result.updated = result.unchanged = 0
        return result
    report(result.rows, result.rows, "done")
    return result


def _path_max_bytes(path) -> int | None:
    """A CSV path is streamed, within STATS_CSV_MAX_BYTES (the command line reads a
    national file); a spreadsheet is unpacked whole, within STATS_IMPORT_MAX_BYTES."""
    if Path(path).suffix.lower() in (".csv", ".txt"):
        return settings.STATS_CSV_MAX_BYTES
    return settings.STATS_IMPORT_MAX_BYTES


def _name_file(result: ImportResult, start: int, name: str | None) -> None:
    """Prefix the errors from `start` on with the file's name (when importing several)."""
    if name is None:
        return
    for i in range(start, len(result.errors)):
        error = result.errors[i]
        if not error.message.startswith(f"{name}: "):
            result.errors[i] = error._replace(message=f"{name}: {error.message}")


def _import_one(
    parsed: tabular.Parsed, dry_run: bool, actor, result: ImportResult, report: Progress
) -> ImportResult:
    """One file of one chunk (every web upload): validate it all, then write it in its own
    transaction, progress reported outside it."""
    total = result.rows
    report(0, total, "validating")
    plan = _validate(parsed, actor, result, report)
    if result.errors:
        return result
    if dry_run:
        _diff(parsed, plan, result)
    else:
        report(total, total, "writing")
        try:
            with transaction.atomic():
                _write(parsed, plan, result)
        except IntegrityError:
            # The rows were new when checked; a concurrent import inserted them since.
            result.created = result.updated = result.unchanged = 0
            return _fail(result, None, "", MSG_CONFLICT)
    report(total, total, "done")
    return result


def _keys(parsed: tabular.Parsed) -> tuple[np.ndarray, np.ndarray]:
    """(village code × 10⁴ + year as int64, row index) of the chunk's rows with a valid code
    and year, the first row of each key only (a repeat within the chunk is `_validate`'s)."""
    codes, years = parsed.values["code"], parsed.values["year"]
    valid = (
        [
            i
            for i, (c, y) in enumerate(zip(codes, years, strict=True))
            if c is not INVALID and y is not INVALID
        ]
        if parsed.bad_rows
        else range(len(codes))
    )
    if isinstance(valid, range):
        code_numbers = np.array(codes, dtype="U12").astype(np.int64)
        year_numbers = np.array(years, dtype=np.int64)
    else:
        code_numbers = np.array([codes[i] for i in valid], dtype="U12").astype(np.int64)
        year_numbers = np.array([years[i] for i in valid], dtype=np.int64)
    keys = code_numbers * 10_000 + year_numbers
    unique, first = np.unique(keys, return_index=True)
    index = np.asarray(valid, dtype=np.int64)[first]
    return unique, index


def _import_chunks(chunks, dry_run: bool, actor, result: ImportResult, report: Progress) -> None:
    """Validate and write chunk after chunk inside the caller's transaction; rows repeated
    across chunks (or files) are found at the end, from one sorted array of keys. On
    PostgreSQL a chunk's insert runs on the server while the next chunk is read."""
    background = _Background() if connection.vendor == "postgresql" and not dry_run else None
    try:
        _import_chunks_with(chunks, dry_run, actor, result, report, background)
    finally:
        if background is not None:
            background.close()


def _import_chunks_with(chunks, dry_run, actor, result, report, background) -> None:
    keys: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    origins: list[tuple[str | None, int]] = []  # (file name, chunk's index in keys)
    code_header = ""
    done = 0
    for name, parsed in chunks:
        report(done, result.rows, "validating")
        chunk = ImportResult()
        plan = _validate(parsed, actor, chunk, _no_progress)
        _name_file(chunk, 0, name)
        result.errors.extend(chunk.errors)
        code_header = parsed.headers["code"]
        chunk_keys, index = _keys(parsed)
        keys.append(chunk_keys)
        rows.append(np.asarray(parsed.row_numbers, dtype=np.int64)[index])
        origins.append((name, len(origins)))
        done += len(parsed)
        if len(result.errors) >= MAX_ERRORS:
            last = parsed.row_numbers[-1]
            message = str(MSG_TOO_MANY_ERRORS).format(
                count=len(result.errors), row=last, file=name or ""
            )
            result.errors.append(RowError(None, "", message))
            return
        if result.errors:
            continue  # nothing more is written; the rest is only checked
        if dry_run:
            counts = ImportResult()
            _diff(parsed, plan, counts)
        else:
            report(done, result.rows, "writing")
            counts = ImportResult()
            _write(parsed, plan, counts, background)
        result.created += counts.created
        result.updated += counts.updated
        result.unchanged += counts.unchanged
    _cross_duplicates(keys, rows, origins, code_header, result)


def _cross_duplicates(keys, rows, origins, code_header: str, result: ImportResult) -> None:
    if len(keys) < 2:
        return
    sizes = [k.size for k in keys]
    all_keys = np.concatenate(keys)
    order = np.argsort(all_keys, kind="stable")  # reading order within equal keys
    ordered = all_keys[order]
    repeated = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
    if not repeated.size:
        return
    chunk_of = np.repeat(np.arange(len(keys)), sizes)
    all_rows = np.concatenate(rows)
    # The first of each run of equal keys is where the key was first seen.
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    first_of = starts[np.searchsorted(starts, repeated, side="right") - 1]
    errors = []
    for position, first in zip(repeated.tolist(), first_of.tolist(), strict=True):
        at, seen = order[position], order[first]
        name, _ = origins[chunk_of[at]]
        first_name, _ = origins[chunk_of[seen]]
        code = str(int(all_keys[at]) // 10_000).zfill(12)
        if first_name == name:
            message = MSG_DUPLICATE.format(row=int(all_rows[seen]))
        else:
            message = MSG_DUPLICATE_IN_FILE.format(row=int(all_rows[seen]), file=first_name)
        error = RowError(int(all_rows[at]), code_header, str(message), code)
        if name is not None:
            error = error._replace(message=f"{name}: {error.message}")
        errors.append(error)
    result.errors.extend(errors)


@dataclass
class _Plan:
    """What a valid file writes: every row, and these DATA_FIELDS (the file's columns)."""

    fields: list[str]


def _validate(parsed: tabular.Parsed, actor, result: ImportResult, report: Progress) -> _Plan:
    """Checks against the registry: code known, name matching, permission, no duplicates.

    Set-based, a chunk of rows at a time (progress is reported per chunk): the common case
    of a clean chunk costs a few set operations and one comprehension, no per-row branches.
    """
    values = parsed.values
    codes, years = values["code"], values["year"]
    names = values.get("name")
    numbers = parsed.row_numbers
    headers = parsed.headers
    bad = parsed.bad_rows
    villages = _load_villages({c for c in codes if c is not INVALID})
    known = villages.keys()
    # (code, name) pairs where the name is neither the registered nor the short name;
    # checked once per distinct pair, then looked up per row only if there are any.
    wrong_names: set[tuple[str, str]] = set()
    if names is not None:
        wrong_names = {
            (code, name)
            for code, name in set(zip(codes, names, strict=True))
            if name is not None
            and name is not INVALID
            and code in villages
            and name not in (villages[code].short_name, villages[code].name)
        }
    denied: set[str] = set()
    if not is_unscoped_admin(actor):  # an unscoped admin (or SYSTEM) writes every village
        denied = {c for c, v in villages.items() if not may_write(actor, VillageStat, village=v)}
    problem_codes = denied | ({c for c in codes if c is not INVALID} - known)
    seen: dict[tuple[str, int], int] = {}
    errors: list[RowError] = []
    total = len(codes)
    code_header = headers["code"]
    for start in range(0, total, PROGRESS_EVERY):
        if start:
            report(start, total, "validating")
        stop = min(start + PROGRESS_EVERY, total)
        chunk_codes = codes[start:stop]
        skip: set[int] = {i for i in range(start, stop) if i in bad} if bad else set()
        if problem_codes:
            for index in range(start, stop):
                code = codes[index]
                if code in problem_codes:
                    message = MSG_NO_PERMISSION if code in denied else MSG_UNKNOWN_CODE
                    errors.append(RowError(numbers[index], code_header, str(message), code))
                    skip.add(index)
        if wrong_names:
            for offset, pair in enumerate(zip(chunk_codes, names[start:stop], strict=True)):
                if pair in wrong_names and start + offset not in skip:
                    message = MSG_NAME_MISMATCH.format(name=villages[pair[0]].short_name)
                    errors.append(
                        RowError(numbers[start + offset], headers["name"], message, pair[1])
                    )
        keys = list(zip(chunk_codes, years[start:stop], strict=True))
        distinct = set(keys)
        if len(distinct) == len(keys) and seen.keys().isdisjoint(distinct) and not skip:
            seen.update(zip(keys, numbers[start:stop], strict=True))
            continue
        # A duplicate (or a row to leave out) in this chunk: row by row, keeping the first
        # row of each (code, year).
        for offset, key in enumerate(keys):
            index = start + offset
            if index in skip or key[0] is INVALID or key[1] is INVALID:
                continue
            first = seen.setdefault(key, numbers[index])
            if first != numbers[index]:
                message = MSG_DUPLICATE.format(row=first)
                errors.append(RowError(numbers[index], code_header, message, key[0]))
    if errors:
        result.errors = sort_errors(result.errors + errors, STAT_COLUMNS, headers)
    return _Plan(fields=[f for f in DATA_FIELDS if f in values])


def _changes(parsed: tabular.Parsed, plan: _Plan, existing: dict[tuple[str, int], tuple]):
    """Split the rows into new ones and changed ones: (creates, updates, unchanged count).

    creates: columns of the new rows: codes, years, then values in plan.fields order
    updates: (pk, code, year, old values tuple, new values tuple)
    """
    values = parsed.values
    columns = [values["code"], values["year"], *(values[f] for f in plan.fields)]
    if not existing:  # a first import: everything is new, as parsed
        return columns, [], 0
    creates, updates = [], []
    unchanged = 0
    get = existing.get
    for row in zip(*columns, strict=True):
        old = get(row[:2])
        if old is None:
            creates.append(row)
        elif old[1:] == row[2:]:
            unchanged += 1
        else:
            updates.append((old[0], row[0], row[1], old[1:], row[2:]))
    return list(zip(*creates, strict=True)) or [() for _ in columns], updates, unchanged


def _existing(parsed: tabular.Parsed, plan: _Plan) -> dict[tuple[str, int], tuple]:
    codes, years = parsed.values["code"], parsed.values["year"]
    return _load_stats(set(codes), set(years), plan.fields)


def _diff(parsed: tabular.Parsed, plan: _Plan, result: ImportResult) -> None:
    creates, updates, unchanged = _changes(parsed, plan, _existing(parsed, plan))
    result.created, result.updated, result.unchanged = len(creates[0]), len(updates), unchanged


def _reserve_ids(count: int) -> Sequence[int] | None:
    """Primary keys for `count` new VillageStat rows on SQLite, so that the change log can
    name them without reading the rows back; None on PostgreSQL, where the sequence assigns
    them (taking 255,470 values one nextval() at a time is slower than reading them back).
    Must run inside the write transaction."""
    if connection.vendor == "postgresql":
        return None
    table = VillageStat._meta.db_table
    with connection.cursor() as cursor:
        # The transaction holds SQLite's write lock (transaction_mode IMMEDIATE), so no one
        # else can take these ids; AUTOINCREMENT never reuses the ids of deleted rows, and
        # an explicit id moves its counter on.
        cursor.execute(
            f"SELECT max(coalesce((SELECT max(id) FROM {connection.ops.quote_name(table)}), 0),"
            " coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        start = cursor.fetchone()[0] + 1
    return range(start, start + count)


def _write(parsed: tabular.Parsed, plan: _Plan, result: ImportResult, background=None) -> None:
    """Insert new rows, update changed ones, log both. Runs inside the caller's atomic."""
    creates, updates, unchanged = _changes(parsed, plan, _existing(parsed, plan))
    codes, years = creates[0], creates[1]
    count = len(codes)
    result.created, result.updated, result.unchanged = count, len(updates), unchanged
    fields = plan.fields
    # New rows get every field: the file's, or the default for a column it lacks. Rows are
    # built by C-level zip over the columns: no per-row Python.
    absent = [f for f in DATA_FIELDS if f not in fields]
    insert_fields = ("id", "village_id", "year", *fields, *absent)
    defaults = [repeat(DEFAULTS[f], count) for f in absent]
    if count and connection.vendor == "postgresql":
        # Inserted and logged by the server in one statement: nothing more to log here.
        _insert_logged_pg(insert_fields[1:], zip(*creates, *defaults, strict=True), background)
        pks: Sequence[int] | None = []
        rows: Iterable[tuple] = ()
        codes = years = ()
    else:
        pks = _reserve_ids(count) if count else []
        if pks is None:  # PostgreSQL: the sequence assigns the ids, read them back
            bulk_insert(VillageStat, insert_fields[1:], zip(*creates, *defaults, strict=True))
            stored = _load_stats(set(codes), set(years), ())
            pks = [pk for (pk,) in map(stored.__getitem__, zip(codes, years, strict=True))]
            rows = zip(pks, *creates, *(repeat(DEFAULTS[f], count) for f in absent), strict=True)
        else:
            rows = list(zip(pks, *creates, *defaults, strict=True))
            bulk_insert(VillageStat, insert_fields, rows)
    if updates:
        bulk_update(VillageStat, "id", fields, ((pk, *new) for pk, _c, _y, _o, new in updates))

    # The log of creations is built lazily by C-level map/zip: one dict per row, no loop.
    created = zip(
        repeat(ObjectChange.Action.CREATE),
        pks,
        map("{} {}".format, codes, years),
        repeat(None),
        map(dict, map(zip, repeat(insert_fields), rows)),
    )
    update = ObjectChange.Action.UPDATE
    updated = []
    for pk, code, year, old, new in updates:
        before, after = {}, {}
        for name, old_value, new_value in zip(fields, old, new, strict=True):
            if old_value != new_value:
                before[name] = old_value
                after[name] = new_value
        updated.append((update, pk, f"{code} {year}", before, after))
    if pks or updates:
        log_bulk(VillageStat, chain(created, updated))


def _insert_logged_pg(
    fields: Sequence[str], rows: Iterable[Sequence], background: _Background | None = None
) -> None:
    """PostgreSQL: COPY the new rows into a temporary table, then one statement inserts
    them and writes their creations to the change log from what it inserted (RETURNING),
    the same entries `log_bulk` writes (after: every field with the new id), built by the
    server: no row comes back to Python. Inside the caller's transaction."""
    from django.contrib.contenttypes.models import ContentType

    from audit.services import current_changeset

    qn = connection.ops.quote_name
    columns = [VillageStat._meta.get_field(f).column for f in fields]
    listed = ", ".join(qn(c) for c in columns)
    table = qn(VillageStat._meta.db_table)
    log = ObjectChange._meta
    log_columns = ", ".join(
        qn(log.get_field(f).column)
        for f in (
            "changeset",
            "action",
            "content_type",
            "object_pk",
            "object_repr",
            "prechange_data",
            "postchange_data",
        )
    )
    after = ", ".join(
        f"'{name}', {qn(column)}"
        for name, column in zip(("id", *fields), ("id", *columns), strict=True)
    )
    global _staged
    _staged += 1
    staged = f"_stats_new_{_staged}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staged} ON COMMIT DROP AS SELECT {listed} FROM {table} "
            "WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {staged} ({listed}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    insert = (
        f"WITH created AS (INSERT INTO {table} ({listed}) SELECT {listed} FROM {staged} "
        f"RETURNING id, {listed}) "
        f"INSERT INTO {qn(log.db_table)} ({log_columns}) "
        "SELECT %s, %s, %s, id::text, village_id || ' ' || year, NULL, "
        f"jsonb_build_object({after}) FROM created"
    )
    params = [
        current_changeset().pk,
        ObjectChange.Action.CREATE.value,
        ContentType.objects.get_for_model(VillageStat).pk,
    ]
    if background is None:
        with connection.cursor() as cursor:
            cursor.execute(insert, params)
            cursor.execute(f"DROP TABLE {staged}")
        return
    # The server inserts while this thread reads the next chunk: the statement goes on the
    # same connection (same transaction), whose lock makes any later query of this thread
    # wait for it; `_Background.wait` re-raises its error before the transaction commits.
    raw = connection.connection

    def run() -> None:
        raw.execute(insert, params)
        raw.execute(f"DROP TABLE {staged}")

    background.submit(run)


_staged = 0


class _Background:
    """One statement at a time run on the import's connection by a helper thread."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1)
        self._futures: list = []

    def submit(self, function) -> None:
        self.wait()
        self._futures.append(self._executor.submit(function))

    def wait(self) -> None:
        import psycopg

        futures, self._futures = self._futures, []
        for future in futures:
            try:
                future.result()
            except psycopg.IntegrityError as exc:  # as the statement run here would raise
                raise IntegrityError(str(exc)) from exc

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._executor.shutdown(wait=True)


# --- Web import jobs ------------------------------------------------------------------------
# The job plumbing (the kept file, the queue, the claim, progress, retry) is
# registry.services.jobs; the worker's task is registry.tasks.import_stats.

TASK = "registry.import_stats"


def start_import_job(upload, *, actor, dry_run: bool = False) -> ImportJob:
    """Keep an uploaded statistics file and queue its import as `actor` (a worker runs it;
    the job page polls its progress). See `registry.services.jobs.start_import_job`."""
    actor = require_actor(actor)
    return jobs.start_import_job(
        upload, actor=actor, task=TASK, dry_run=dry_run, page="registry:stats_import"
    )
