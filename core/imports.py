"""The shared machinery of spreadsheet imports (statistics, project progress, cooperation
lists, and the apps to come): what a row error and a result are, reading an upload into
typed rows with `lib.tabular`, the order errors are shown in, and money cells in 元/万元.

An import built on it validates every row first and writes nothing if any row is wrong;
errors name the spreadsheet row (header = 1) and the column as written in the file.
"""

from __future__ import annotations

import csv
import gc
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, NamedTuple

from django.conf import settings
from django.utils.translation import gettext

from lib import tabular
from lib.money import fen_to_yuan
from lib.tabular import Column, money_column

__all__ = [
    "ImportResult",
    "Progress",
    "RowError",
    "gc_paused",
    "iter_upload",
    "money_column",
    "read_upload",
    "sort_errors",
    "upload_limits",
    "yuan",
]

Progress = Callable[[int, int, str], None]
"""progress(done, total, phase), phase one of reading, validating, writing, done."""

Source = str | os.PathLike | IO[bytes] | bytes


class RowError(NamedTuple):
    """One problem: spreadsheet row (header = 1; None for the whole file), column header
    as written in the file, the message (translated), and the offending value."""

    row: int | None
    column: str
    message: str
    value: Any = ""


@dataclass
class ImportResult:
    """What an import did (or, with errors, why it did nothing).

    rows: data rows in the file; created / updated / unchanged: rows by outcome; skipped:
    rows left alone on purpose (e.g. a progress row without this month's figure);
    dry_run: validated and counted only; ignored_columns: headers no column knows.
    """

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict[str, Any]:
        """The counts as stored with a web import job (JSON)."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "dry_run": self.dry_run,
            "error_count": len(self.errors),
            "ignored_columns": self.ignored_columns,
        }


def read_upload(
    source: Source,
    columns: list[Column],
    result: ImportResult,
    *,
    max_bytes: int,
    filename: str | None = None,
    progress: Progress | None = None,
    limits: tabular.Limits = tabular.NO_LIMITS,
) -> tabular.Parsed | None:
    """Read an xlsx/xls/ods/csv file (a path, a binary file or bytes) and convert its cells
    by `columns`; the file's problems go to `result.errors`, its row count to `result.rows`.

    None when there is nothing to check further: the file cannot be read, or its header is
    wrong, or it has no rows (the errors say which). `filename` is the original name when
    `source` is not a path (its extension helps to refuse a renamed non-spreadsheet).
    `limits` (rows, cells, unpacked size: `upload_limits()` for a file from the web) are
    checked before the file is parsed.
    """
    if progress is not None:
        progress(0, 0, "reading")
    try:
        table = tabular.read_table(source, filename=filename, max_bytes=max_bytes, limits=limits)
    except tabular.TableReadError as exc:
        result.errors.append(RowError(None, "", gettext(exc.message).format(**exc.params)))
        return None
    result.rows = len(table.rows)
    if progress is not None:
        progress(0, result.rows, "validating")
    parsed = tabular.parse(table, columns)
    result.ignored_columns = parsed.ignored
    result.errors = [
        RowError(e.row, e.column, e.render(gettext), tabular.cell_text(e.value))
        for e in parsed.errors
    ]
    return parsed if parsed.values else None


def iter_upload(
    source: Source,
    columns: list[Column],
    result: ImportResult,
    *,
    max_bytes: int | None,
    filename: str | None = None,
    limits: tabular.Limits = tabular.NO_LIMITS,
    chunk_rows: int = tabular.CHUNK_ROWS,
) -> Iterator[tabular.Parsed]:
    """`read_upload` a chunk of rows at a time (`lib.tabular.iter_tables`: a CSV path is
    streamed, so memory holds one chunk): yields each chunk's typed rows; the file's
    problems are added to `result.errors` and its rows to `result.rows` as chunks are read.
    Stops at a problem with the whole file (unreadable, wrong header, no rows)."""
    try:
        for table in tabular.iter_tables(
            source, filename=filename, max_bytes=max_bytes, limits=limits, chunk_rows=chunk_rows
        ):
            result.rows += len(table.rows)
            parsed = tabular.parse(table, columns)
            result.ignored_columns = parsed.ignored
            result.errors.extend(
                RowError(e.row, e.column, e.render(gettext), tabular.cell_text(e.value))
                for e in parsed.errors
            )
            if not parsed.values:
                return
            yield parsed
    except tabular.TableReadError as exc:
        result.errors.append(RowError(None, "", gettext(exc.message).format(**exc.params)))
    except csv.Error as exc:  # a CSV record the reader refuses half-way (e.g. a NUL byte)
        message = gettext(tabular.MSG_BAD_CSV).format(error=exc)
        result.errors.append(RowError(None, "", message))


def upload_limits() -> tabular.Limits:
    """What a file uploaded through the web may hold before it is parsed (settings
    IMPORT_MAX_ROWS, IMPORT_MAX_CELLS, IMPORT_MAX_PART_BYTES); commands run by an operator
    read without them (the national file is a 6-million-row CSV)."""
    return tabular.Limits(
        max_rows=settings.IMPORT_MAX_ROWS,
        max_cells=settings.IMPORT_MAX_CELLS,
        max_part_bytes=settings.IMPORT_MAX_PART_BYTES,
    )


def sort_errors(
    errors: Iterable[RowError], columns: list[Column], headers: dict[str, str]
) -> list[RowError]:
    """Errors in the order a reader fixes them: by row (file-wide first), then by column in
    the format's order. `headers` maps column keys to the headers as written in the file."""
    order = {c.key: i for i, c in enumerate(columns)}
    rank = {header: order[key] for key, header in headers.items()}
    return sorted(errors, key=lambda e: (e.row or 0, rank.get(e.column, 0)))


def yuan(fen: int | None) -> Decimal | None:
    """A money cell for an export: integer fen as exact 元 with two decimals (None: blank).

    The import reads it back exactly: `money_column` is the money column of every import,
    a cell in 元 (≤ 2 decimals) or, under the header's 万元 variant, in 万元 (≤ 6), converted
    without float arithmetic by `lib.tabular` (a form's Decimal uses `lib.money.fen_from_yuan`).
    """
    return None if fen is None else fen_to_yuan(fen)


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
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
