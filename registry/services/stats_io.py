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

import contextlib
import gc
import json
import logging
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from typing import IO, Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from audit.models import ObjectChange
from audit.services import log_bulk
from core.actors import require_actor
from core.db import bulk_insert, bulk_update
from core.imports import ImportResult, Progress, RowError, read_upload, sort_errors
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
    source: str | os.PathLike | IO[bytes] | bytes,
    *,
    actor,
    dry_run: bool = False,
    progress: Progress | None = None,
    filename: str | None = None,
    limits: tabular.Limits = tabular.NO_LIMITS,
) -> ImportResult:
    """Validate every row of a statistics file, then (unless `dry_run`) upsert all of it.

    Args:
        source: a path, a binary file object or the bytes of an xlsx/xls/ods/csv file.
        dry_run: validate and count what would change, write nothing.
        actor: who imports; only villages they may write are accepted (every village for
            an unscoped city admin, or SYSTEM: the CLI and the demo).
        progress: called as progress(done, total, phase) while reading and validating,
            every few thousand rows; never inside the write transaction, so it may itself
            write to the database (phases: reading, validating, writing, done).
        filename: the original name, when `source` is not a path (its extension helps to
            refuse a non-spreadsheet renamed .xlsx).
        limits: what the file may hold, checked before parsing (`core.imports.upload_limits`
            for a file from the web).

    Returns:
        An ImportResult; if `errors` is not empty, nothing was written.
    """
    actor = require_actor(actor)
    with _gc_paused():
        return _import_stats(source, dry_run, actor, progress, filename, limits)


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while an import runs (nested or concurrent imports
    count; the state before the first is restored after the last).

    An import allocates millions of small acyclic objects (cells, rows, log entries): each
    of them is freed by reference counting, but their sheer number makes the collector run
    full passes over them again and again (~10% of a province import). Nothing an import
    allocates needs the collector. The switch is process-wide: other threads go without the
    collector for the import's few seconds, and their cyclic garbage is collected after.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def _import_stats(
    source: str | os.PathLike | IO[bytes] | bytes,
    dry_run: bool,
    actor,
    progress: Progress | None,
    filename: str | None,
    limits: tabular.Limits = tabular.NO_LIMITS,
) -> ImportResult:
    report = progress or _no_progress
    result = ImportResult(dry_run=dry_run)
    parsed = read_upload(
        source,
        STAT_COLUMNS,
        result,
        max_bytes=settings.STATS_IMPORT_MAX_BYTES,
        filename=filename,
        progress=report,
        limits=limits,
    )
    if parsed is None:  # unreadable, a wrong header or no rows: nothing to check
        return result
    total = result.rows

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


def _write(parsed: tabular.Parsed, plan: _Plan, result: ImportResult) -> None:
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
    pks = _reserve_ids(count) if count else []
    if pks is None:  # PostgreSQL: the sequence assigns the ids, read them back
        bulk_insert(VillageStat, insert_fields[1:], zip(*creates, *defaults, strict=True))
        stored = _load_stats(set(codes), set(years), ())
        pks = [pk for (pk,) in map(stored.__getitem__, zip(codes, years, strict=True))]
        rows: Iterable[tuple] = zip(
            pks, *creates, *(repeat(DEFAULTS[f], count) for f in absent), strict=True
        )
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
    if count or updates:
        log_bulk(VillageStat, chain(created, updated))


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
