"""Reading and writing spreadsheets (xlsx/xls/ods and csv) with Chinese headers.

No Django here: an import service describes its columns once (`Column`: header, aliases,
converter, whether the column is required) and gets back typed values per column plus
row-level errors (`parse`). Reading (`read_table`) turns a file, whatever its format, into
a header and rows of raw cells; writing (`write_xlsx`, `iter_csv`, `write_csv`) goes the
other way, so an export can be read back by the same column list.

Speed matters (a province is 255,470 village-years): conversion runs column by column.
A converter may offer `batch(values)`, a whole-column version for the common clean case
(numpy for a column of plain floats, str methods for a column of text); otherwise `map`
calls the converter per cell. Only a column that holds a bad cell is walked again, cell by
cell, to name each error.

Error messages are English templates marked with `gettext_noop`, so Django's makemessages
finds them; the caller translates them (`TableError.render(gettext)`) when it shows them.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import math
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, NamedTuple

import numpy as np

from lib import money

__all__ = [
    "INVALID",
    "NO_LIMITS",
    "CellError",
    "Column",
    "Converter",
    "Limits",
    "Parsed",
    "Table",
    "TableError",
    "TableReadError",
    "cell_text",
    "check_zip",
    "digits",
    "integer",
    "iter_csv",
    "iter_tables",
    "money_column",
    "normalize_header",
    "parse",
    "read_table",
    "scaled_integer",
    "text",
    "write_csv",
    "write_xlsx",
    "yes_no",
]


def gettext_noop(message: str) -> str:
    """Marks a message for translation (makemessages extracts it) without translating it."""
    return message


Converter = Callable[[Any], Any]


class _Invalid:
    """The value of a cell that failed conversion (its error is in Parsed.errors)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


class CellError(ValueError):
    """A converter's complaint about one cell: an English template and its parameters."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params


class TableReadError(CellError):
    """The file as a whole cannot be read (empty, too large, not a spreadsheet)."""


class TableError(NamedTuple):
    """One problem: the row as the spreadsheet shows it (header = 1; None for the whole
    file), the column's header as written in the file, the offending value, and the message
    template with its parameters."""

    row: int | None
    column: str
    value: Any
    message: str
    params: Mapping[str, Any]

    def render(self, translate: Callable[[str], str] = str) -> str:
        return translate(self.message).format(**self.params)


def cell_text(value: Any) -> str:
    """A raw cell as the spreadsheet shows it (for error reports): 2023.0 → "2023"."""
    if value is None:
        return ""
    if value.__class__ is float:
        return _float_text(value) if math.isfinite(value) else str(value)
    return str(value)


# --- Converters -----------------------------------------------------------------------------
# Each converter takes a raw cell (str, int, float, bool, datetime or None; "" and
# whitespace-only text are blank) and returns the typed value or raises CellError. Blank
# cells become None, or an error when the converter is built with required=True.

MSG_REQUIRED = gettext_noop("A value is required.")
MSG_NOT_NUMBER = gettext_noop("Not a number.")
MSG_NOT_INTEGER = gettext_noop("Not a whole number.")
MSG_TOO_MANY_DECIMALS = gettext_noop("At most {places} decimal places are allowed.")
MSG_NEGATIVE = gettext_noop("Must not be negative.")
MSG_BELOW = gettext_noop("Must be at least {minimum}.")
MSG_ABOVE = gettext_noop("Must be at most {maximum}.")
MSG_DIGITS = gettext_noop("Must be exactly {length} digits.")
MSG_TOO_LONG = gettext_noop("At most {max_length} characters are allowed.")
MSG_CHOICE = gettext_noop("Must be one of: {choices}.")

_DECIMAL_TEXT = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?")
_BLANKS = frozenset({None, ""})
_EXACT_LIMIT = 10**15


def _is_blank(value: Any) -> bool:
    return value in _BLANKS or (value.__class__ is str and not value.strip())


def _blank(required: bool) -> None:
    if required:
        raise CellError(MSG_REQUIRED)
    return None


def _float_text(value: float) -> str:
    # A spreadsheet keeps 15 significant digits, so a binary float read back from one is the
    # decimal it shows, up to artefacts beyond the 15th digit: 1234.5600000000002 is 1234.56.
    # Decimal(value) would keep the artefact; format(value, ".15g") removes it.
    if not math.isfinite(value):
        raise CellError(MSG_NOT_NUMBER)
    return format(value, ".15g")


def _split_decimal(text: str) -> tuple[bool, str, str]:
    """(negative, integer digits, fraction digits without trailing zeros) of a number."""
    match = _DECIMAL_TEXT.fullmatch(text)
    if match is None or not (match.group(2) or match.group(3)):
        # Exponent notation ("1.5e+16" from a float, "1E3" typed): rarer, so slower.
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(MSG_NOT_NUMBER) from None
        if not number.is_finite():
            raise CellError(MSG_NOT_NUMBER)
        text = format(number, "f")
        match = _DECIMAL_TEXT.fullmatch(text)
        assert match is not None
    sign, whole, fraction = match.groups()
    return sign == "-", whole or "0", (fraction or "").rstrip("0")


def _number_text(value: Any) -> str:
    if value.__class__ is str:
        # Thousands separators as Excel shows them when a number is stored as text.
        return value.strip().replace(",", "").replace("，", "")
    if value.__class__ is float:
        return _float_text(value)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise CellError(MSG_NOT_NUMBER)
    return str(value)


def scaled_integer(
    places: int,
    *,
    required: bool = False,
    negative: bool = False,
    maximum: int | None = None,
) -> Converter:
    """A decimal number with at most `places` decimals, as an integer count of 10^-places.

    scaled_integer(2) turns yuan into fen ("1234.56" → 123456); scaled_integer(6) turns
    万元 into fen (12.345678 → 12345678). Exact: no float arithmetic on the value.
    `maximum` bounds the scaled integer.
    """
    factor = 10**places

    def exact(value: Any) -> int:
        is_negative, whole, fraction = _split_decimal(_number_text(value))
        if len(fraction) > places:
            raise CellError(MSG_TOO_MANY_DECIMALS, places=places)
        result = int(whole) * factor + (int(fraction.ljust(places, "0")) if fraction else 0)
        return -result if is_negative else result

    def convert(value: Any) -> int | None:
        cls = value.__class__
        if cls is float and -1e15 < value < 1e15:
            # Fast path for spreadsheet numbers. If the float is the double nearest to
            # result / 10^places, and result has at most 15 significant digits, then
            # format(value, ".15g") is that decimal (15 digits survive a round trip through
            # a double), so result is exact. Otherwise (an artefact such as
            # 1234.5600000000002, or too many decimals) take the exact path.
            result = round(value * factor)
            if result / factor != value or not -_EXACT_LIMIT < result < _EXACT_LIMIT:
                result = exact(value)
        elif cls is int:
            result = value * factor
        elif _is_blank(value):
            return _blank(required)
        else:
            result = exact(value)
        if result < 0 and not negative:
            raise CellError(MSG_NEGATIVE)
        if maximum is not None and result > maximum:
            raise CellError(MSG_ABOVE, maximum=format(Decimal(maximum).scaleb(-places), "f"))
        return result

    def batch(values: Sequence[Any]) -> list[int] | None:
        # The fast path above for a whole column of floats at once, in numpy; None (use
        # `convert` per cell) unless every cell takes the fast path and is valid.
        floats = _float_array(values)
        if floats is None:
            scaled_text = _plain_decimals(values, places, required)
            if scaled_text is None:
                return None
            found, blank = scaled_text
            if maximum is not None and (found > maximum).any():
                return None
            result = found.tolist()
            if blank is not None:
                for index in np.flatnonzero(blank).tolist():
                    result[index] = None
            return result
        scaled = np.rint(floats * factor)
        if not (np.abs(scaled) < _EXACT_LIMIT).all() or not (scaled / factor == floats).all():
            return None
        if (not negative and (scaled < 0).any()) or (
            maximum is not None and (scaled > maximum).any()
        ):
            return None
        return scaled.astype(np.int64).tolist()

    convert.batch = batch  # type: ignore[attr-defined]
    return convert


_PLAIN_DECIMALS: dict[tuple[int, bool], re.Pattern] = {}


def _plain_decimals(
    values: Sequence[Any], places: int, required: bool
) -> tuple[np.ndarray, np.ndarray | None] | None:
    """A column of text cells (a CSV's) that are all plain non-negative decimals — digits
    (at most 15), then optionally "." and at most `places` digits; blank cells too when not
    `required` — as exact int64 counts of 10^-places, and the mask of blank cells (None
    without any); None when any cell is anything else (signs, separators, spaces, exponents,
    too many decimals: `convert` names those, cell by cell). One regex over the joined
    column checks every cell in C; numpy splits and scales them, no per-cell Python."""
    if not values or set(map(type, values)) != {str}:
        return None
    key = (places, required)
    pattern = _PLAIN_DECIMALS.get(key)
    if pattern is None:
        number = r"[0-9]{1,15}" + (rf"(?:\.[0-9]{{0,{places}}})?" if places else "")
        cell = number if required else f"(?:{number})?"
        pattern = _PLAIN_DECIMALS[key] = re.compile(rf"(?:{cell}\n)*")
    if pattern.fullmatch("\n".join(values) + "\n") is None:
        return None
    cells = np.array(values)
    blank = cells == "" if not required else None
    if blank is not None and not blank.any():
        blank = None
    if blank is not None:
        cells = np.where(blank, "0", cells)
    if places:
        parts = np.char.partition(cells, ".")
        whole = parts[:, 0].astype(np.int64)
        fraction = np.char.ljust(parts[:, 2], places, "0").astype(np.int64)
        return whole * 10**places + fraction, blank
    return cells.astype(np.int64), blank


def _float_array(values: Sequence[Any]) -> np.ndarray | None:
    """The values as a float64 array if every one is a finite float below 1e15 in size."""
    if not values or set(map(type, values)) != {float}:
        return None
    floats = np.fromiter(values, dtype=np.float64, count=len(values))
    if not (np.abs(floats) < 1e15).all():  # also false for NaN
        return None
    return floats


def integer(
    *, required: bool = False, minimum: int | None = None, maximum: int | None = None
) -> Converter:
    """A whole number (2023, 2023.0 and "2023" alike)."""

    def convert(value: Any) -> int | None:
        cls = value.__class__
        if cls is float and value.is_integer() and -1e15 < value < 1e15:
            result = int(value)
        elif cls is int:
            result = value
        elif _is_blank(value):
            return _blank(required)
        else:
            is_negative, whole, fraction = _split_decimal(_number_text(value))
            if fraction:
                raise CellError(MSG_NOT_INTEGER)
            result = -int(whole) if is_negative else int(whole)
        if minimum is not None and result < minimum:
            if minimum == 0:
                raise CellError(MSG_NEGATIVE)
            raise CellError(MSG_BELOW, minimum=minimum)
        if maximum is not None and result > maximum:
            raise CellError(MSG_ABOVE, maximum=maximum)
        return result

    def batch(values: Sequence[Any]) -> list[int] | None:
        floats = _float_array(values)
        if floats is None:
            plain = _plain_decimals(values, 0, required)
            if plain is None:
                return None
            found, blank = plain
            if blank is not None and (minimum is not None or maximum is not None):
                found = found[~blank]
            if (minimum is not None and (found < minimum).any()) or (
                maximum is not None and (found > maximum).any()
            ):
                return None
            result = plain[0].tolist()
            if blank is not None:
                for index in np.flatnonzero(blank).tolist():
                    result[index] = None
            return result
        if not (np.floor(floats) == floats).all():
            return None
        if (minimum is not None and (floats < minimum).any()) or (
            maximum is not None and (floats > maximum).any()
        ):
            return None
        return floats.astype(np.int64).tolist()

    convert.batch = batch  # type: ignore[attr-defined]
    return convert


def digits(length: int, *, required: bool = False) -> Converter:
    """A code of exactly `length` digits, as text; Excel may hand it over as a number
    (330482102219.0), which is why leading zeros cannot be recovered and are refused."""

    def convert(value: Any) -> str | None:
        cls = value.__class__
        if cls is str:
            result = value.strip()
            if not result:
                return _blank(required)
        elif cls is float and value.is_integer() and 0 <= value < 1e15:
            result = str(int(value))
        elif cls is int and value >= 0:
            result = str(value)
        elif value is None:
            return _blank(required)
        else:
            raise CellError(MSG_DIGITS, length=length)
        if len(result) != length or not result.isdigit() or not result.isascii():
            raise CellError(MSG_DIGITS, length=length)
        return result

    def batch(values: Sequence[Any]) -> list[str] | None:
        # A column of text codes at once; None (per cell) unless every cell is valid text.
        # All cells have `length` characters, so their concatenation is all ASCII digits
        # exactly when each of them is.
        if not values or length < 1 or set(map(type, values)) != {str}:
            return None
        stripped = list(map(str.strip, values))
        if set(map(len, stripped)) != {length}:
            return None
        joined = "".join(stripped)
        if not joined.isdigit() or not joined.isascii():
            return None
        return stripped

    convert.batch = batch  # type: ignore[attr-defined]
    return convert


def text(*, required: bool = False, max_length: int | None = None) -> Converter:
    """Text, stripped; numbers are turned into their shortest text (12.0 → "12")."""

    def convert(value: Any) -> str | None:
        if value.__class__ is not str:
            if value is None:
                return _blank(required)
            if value.__class__ is float:
                value = _float_text(value)
            value = str(value)
        result = value.strip()
        if not result:
            return _blank(required)
        if max_length is not None and len(result) > max_length:
            raise CellError(MSG_TOO_LONG, max_length=max_length)
        return result

    def batch(values: Sequence[Any]) -> list[str] | None:
        # A column of non-blank text at once; None (per cell) for anything else.
        if not values or set(map(type, values)) != {str}:
            return None
        stripped = list(map(str.strip, values))
        lengths = set(map(len, stripped))
        if 0 in lengths or (max_length is not None and max(lengths) > max_length):
            return None
        return stripped

    convert.batch = batch  # type: ignore[attr-defined]
    return convert


def yes_no(*, blank: bool = False) -> Converter:
    """是/否 (also true/false cells), blank meaning `blank`."""
    values = {"是": True, "否": False}

    def convert(value: Any) -> bool:
        if value.__class__ is bool:
            return value
        if _is_blank(value):
            return blank
        if value.__class__ is str:
            result = values.get(value.strip())
            if result is not None:
                return result
        raise CellError(MSG_CHOICE, choices="是, 否")

    return convert


# --- Columns --------------------------------------------------------------------------------


def normalize_header(value: Any) -> str:
    """A header as compared: no whitespace at all, parentheses full-width."""
    if value is None:
        return ""
    if value.__class__ is float:
        value = _float_text(value)
    return "".join(str(value).split()).replace("(", "（").replace(")", "）")


@dataclass(frozen=True)
class Column:
    """One column of a tabular format.

    `header` is written by templates and exports; `aliases` maps other accepted headers to
    their own converter (a money column headed 万元 instead of 元). A `required` column
    must be present in the file; whether its cells may be blank is the converter's call.
    `xlsx_format` is the number format written to xlsx ("@" keeps codes as text).
    """

    key: str
    header: str
    convert: Converter
    required: bool = False
    aliases: Mapping[str, Converter] = field(default_factory=dict)
    xlsx_format: str | None = None

    def converters(self) -> dict[str, Converter]:
        headers = {normalize_header(self.header): self.convert}
        headers.update((normalize_header(h), c) for h, c in self.aliases.items())
        return headers


# The largest amount accepted: the one money limit (15 significant digits are all a
# spreadsheet keeps), defined in lib.money.
MAX_FEN = money.MAX_FEN


def money_column(key: str, stem: str, *, required: bool = False) -> Column:
    """A money column in fen, headed "<stem>（元）" (≤ 2 decimals) or "<stem>（万元）" (≤ 6)."""
    return Column(
        key=key,
        header=f"{stem}（元）",
        convert=scaled_integer(2, required=required, maximum=MAX_FEN),
        required=required,
        aliases={f"{stem}（万元）": scaled_integer(6, required=required, maximum=MAX_FEN)},
        xlsx_format="0.00",
    )


# --- Reading --------------------------------------------------------------------------------

MSG_EMPTY = gettext_noop("The file is empty.")
MSG_TOO_LARGE = gettext_noop("The file is larger than {limit} MB.")
MSG_NOT_SPREADSHEET = gettext_noop("The file is not a spreadsheet (xlsx, xls, ods) or CSV file.")
MSG_BAD_SPREADSHEET = gettext_noop(
    "The spreadsheet cannot be read: it is damaged or not a spreadsheet."
)
MSG_NO_ROWS = gettext_noop("The file has a header but no data rows.")
MSG_UNKNOWN_ENCODING = gettext_noop(
    "The CSV file is in an encoding that cannot be read (neither UTF-8 nor GBK): save it "
    "again from Excel as “CSV UTF-8”."
)
MSG_TOO_MANY_ROWS = gettext_noop(
    "The file has more than {limit} rows (an xlsx sheet holds at most 1,048,576): split it "
    "into several files, or import a CSV file from the command line."
)
MSG_TOO_MANY_CELLS = gettext_noop(
    "The sheet's used area is {rows} rows by {columns} columns, more than {limit} cells: "
    "delete the unused rows and columns, or split the file."
)
MSG_PART_TOO_LARGE = gettext_noop(
    "The spreadsheet unpacks to more than {limit} MB in one part ({part}): it is refused "
    "as unsafe to open. Save it again from the spreadsheet program, or split it."
)
MSG_CELL_TOO_LONG = gettext_noop(
    "A cell holds more text than a spreadsheet allows (32,767 characters): the file is "
    "refused as unsafe to open."
)
MSG_SHEET_FULL = gettext_noop(
    "The sheet is full: it reaches row 1,048,576, the most an xlsx sheet holds, so rows "
    "past it were probably cut off. Split the data into several files of at most 1,048,575 "
    "rows each, or save it as CSV, and import them together from the command line "
    "(baotuan import_stats FILE FILE … or a folder)."
)
MSG_BAD_CSV = gettext_noop("The CSV file cannot be read past a damaged line ({error}).")
MSG_MISSING_COLUMN = gettext_noop("This required column is missing.")
MSG_DUPLICATE_COLUMN = gettext_noop("This column appears more than once (also as {other}).")

#: The most rows an xlsx (or ods) sheet holds, the header included.
XLSX_MAX_ROWS = 1_048_576
_FULL_SHEET_WIDTH = 200  # columns of a declared area taken for a table, not a whole sheet
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
_DELIMITERS = (",", "\t", ";", "|")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Table:
    """A sheet's header row and its non-blank data rows, with their row numbers (1-based,
    as the spreadsheet shows them). Every data row is as wide as the widest row."""

    header: list[Any]
    header_row: int
    rows: list[list[Any]]
    row_numbers: list[int]
    # Columns already taken out of the rows, by index (see `column`).
    columns: dict[int, list[Any]] = field(default_factory=dict, repr=False, compare=False)

    def column(self, index: int) -> list[Any]:
        """The cells of one column, in row order."""
        cells = self.columns.get(index)
        if cells is None:
            cells = self.columns[index] = list(map(itemgetter(index), self.rows))
        return cells


@dataclass(frozen=True)
class Limits:
    """What an untrusted file may hold, checked before it is parsed (None: no limit).

    A small file can unpack to gigabytes: a 1 MB xlsx holding one 1 GiB shared string, or
    a 2 MB file of 3 million rows. `read_table` refuses such a file from its zip directory
    and one streaming pass over its parts (memory bounded by a chunk), in seconds, before
    the spreadsheet reader allocates anything.

    max_rows        rows of the sheet (or CSV records), the header included
    max_cells       rows × columns of a sheet's used area (the reader allocates all of it)
    max_part_bytes  uncompressed size of every part of an xlsx/ods (a zip of XML parts)
    """

    max_rows: int | None = None
    max_cells: int | None = None
    max_part_bytes: int | None = None


NO_LIMITS = Limits()

# The longest text a spreadsheet cell holds is 32,767 characters (≤ 4 bytes each in UTF-8):
# XML text running longer than this without a tag is no cell a spreadsheet wrote.
_MAX_TEXT_RUN = 32_767 * 4 + 1024
_SCAN_CHUNK = 1 << 16  # shorter than _MAX_TEXT_RUN (see _scan_part)
_ROOT_PREFIX = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet\b")
_ROW_NUMBER = rb'row r="(\d{1,12})"'
_WIDE_CELL = re.compile(rb'r="([A-Z]{2,4})[0-9]')
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref=\"([^\"]{1,40})\"")
_CELL_REF = re.compile(r"([A-Z]{1,4})(\d{1,12})")
_ODS_ROW_TAG = b"<table:table-row"


def _column_number(letters: str | bytes) -> int:
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _check_area(rows: int, columns: int, limits: Limits) -> None:
    """`rows` counts the header row."""
    if limits.max_rows is not None and rows - 1 > limits.max_rows:
        raise TableReadError(MSG_TOO_MANY_ROWS, limit=format(limits.max_rows, ","))
    if limits.max_cells is not None and rows * columns > limits.max_cells:
        raise TableReadError(
            MSG_TOO_MANY_CELLS,
            rows=format(rows, ","),
            columns=format(columns, ","),
            limit=format(limits.max_cells, ","),
        )


def _scan_part(stream: IO[bytes], *, sheet: bool, ods: bool, limits: Limits) -> None:
    """One streaming pass over a part, a chunk at a time: its real size (the zip directory
    may lie; zipfile stops at the declared size and checks the CRC), no text run longer than
    a cell holds, and for a sheet its extent (rows, widest column), stopping at the first
    limit passed. Each check is a C-level count or a regex that rarely matches: ~0.5 s for
    a province's 118 MB sheet."""
    size = rows = last_row = width = 0
    run = 0  # bytes since the last "<"; a chunk is shorter than _MAX_TEXT_RUN, so a run
    # longer than that crosses a chunk boundary, and find/rfind per chunk see all of it
    tail = b""
    row_tag, row_number, beyond = _ODS_ROW_TAG, None, None
    while chunk := stream.read(_SCAN_CHUNK):
        size += len(chunk)
        if limits.max_part_bytes is not None and size > limits.max_part_bytes:
            raise TableReadError(
                MSG_PART_TOO_LARGE, limit=_megabytes(limits.max_part_bytes), part=""
            )
        first = chunk.find(b"<")
        if first < 0:
            run += len(chunk)
        else:
            run += first
            if run > _MAX_TEXT_RUN:
                break
            run = len(chunk) - 1 - chunk.rfind(b"<")
        if run > _MAX_TEXT_RUN:
            break
        if not sheet:
            continue
        if row_number is None and not ods:
            match = _ROOT_PREFIX.search(chunk)
            prefix = match.group(1) or b"" if match else b""
            row_tag = b"<" + prefix + b"row"
            row_number = re.compile(b"<" + re.escape(prefix) + _ROW_NUMBER)
        # A tag cut at a chunk's end is completed by the next: scan it with that one.
        text = tail + chunk if tail else chunk
        cut = text.rfind(b"<")
        if cut > 0 and len(text) - cut < 512:
            text, tail = text[:cut], text[cut:]
        else:
            tail = b""
        rows += text.count(row_tag)
        if not ods:
            if numbers := row_number.findall(text):
                last_row = max(last_row, *map(int, numbers))
            if width < 26 and (beyond is None or beyond.search(text)):
                letters = set(re.findall(rb'r="([A-Z])[0-9]', text))
                width = max(width, *map(_column_number, letters)) if letters else width
                if width < 26:
                    beyond = re.compile(b'r="[' + bytes([64 + width + 1]) + b"-Z][0-9]")
            if wide := _WIDE_CELL.findall(text):
                width = max(width, *map(_column_number, set(wide)))
        if limits.max_rows is not None and max(rows, last_row) - 1 > limits.max_rows:
            _check_area(max(rows, last_row), 1, limits)
    if run > _MAX_TEXT_RUN:
        raise TableReadError(MSG_CELL_TOO_LONG)
    if sheet:
        if tail:
            rows += tail.count(row_tag)
        _check_area(max(rows, last_row), max(width, 1), limits)


def check_zip(data: bytes, limits: Limits) -> None:
    """Refuse an xlsx/ods whose parts unpack past `limits`, before any parsing: first from
    the zip directory (instant), then by one streaming pass over each part."""
    if limits == NO_LIMITS:
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TableReadError(MSG_BAD_SPREADSHEET) from None
    if limits.max_part_bytes is not None:
        for info in infos:
            if info.file_size > limits.max_part_bytes:
                raise TableReadError(
                    MSG_PART_TOO_LARGE,
                    limit=_megabytes(limits.max_part_bytes),
                    part=info.filename[:80],
                )
    names = {info.filename for info in infos}
    ods = "content.xml" in names and "mimetype" in names
    for info in infos:
        if info.is_dir():
            continue
        sheet = (ods and info.filename == "content.xml") or (
            info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        )
        if sheet and not ods and limits.max_cells is not None:
            _check_dimension(archive, info, limits)
        try:
            with archive.open(info) as stream:
                _scan_part(stream, sheet=sheet and not ods, ods=False, limits=limits)
            if sheet and ods:
                _check_ods_area(archive.read(info), limits)
        except TableReadError as exc:
            if exc.message is MSG_PART_TOO_LARGE:
                exc.params["part"] = info.filename[:80]
                exc.args = (exc.message.format(**exc.params),)
            raise
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            NotImplementedError,
            OSError,
            EOFError,
            ValueError,
        ):
            raise TableReadError(MSG_BAD_SPREADSHEET) from None


_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*?)(?:/>|>(.*?)</table:table-row>)", re.DOTALL)
_ODS_CELL = re.compile(
    rb"<table:(?:covered-)?table-cell\b([^>]*?)(/>|>(.*?)</table:(?:covered-)?table-cell>)",
    re.DOTALL,
)
_ODS_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="(\d{1,9})"')
_ODS_COLUMNS_REPEATED = re.compile(rb'table:number-columns-repeated="(\d{1,9})"')


def _check_ods_area(content: bytes, limits: Limits) -> None:
    """The used area of an ods sheet with its repeats counted: a row or cell "repeated"
    a million times is a million the reader builds, when it holds a value (the empty rows
    a spreadsheet writes to fill the sheet are not read, so they do not count)."""
    row = rows = width = 0
    for match in _ODS_ROW.finditer(content):
        attributes, body = match.group(1), match.group(2) or b""
        repeated = _ODS_ROWS_REPEATED.search(attributes)
        count = int(repeated.group(1)) if repeated else 1
        column = last = 0
        for cell in _ODS_CELL.finditer(body):
            across = _ODS_COLUMNS_REPEATED.search(cell.group(1))
            span = int(across.group(1)) if across else 1
            if b"office:value-type" in cell.group(1) or cell.group(3):
                last = column + span
            column += span
        if last:
            rows, width = row + count, max(width, last)
        row += count
        if rows:
            _check_area(rows, width, limits)


def _check_not_full(data: bytes) -> None:
    """Refuse a sheet that reaches the last row an xlsx holds (its declared used area, read
    from the first few KB of the sheet): Excel drops the rows past it, so the file is most
    likely a cut-off copy of a longer table. Checked before any limit, so that the message
    says what is wrong with the file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        sheets = [
            info
            for info in archive.infolist()
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        ]
        if not sheets:
            return
        with archive.open(min(sheets, key=lambda info: info.filename)) as stream:
            head = stream.read(4096)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError):
        return  # the reader names a damaged file
    match = _DIMENSION.search(head)
    if match is None:
        return
    refs = _CELL_REF.findall(match.group(1).decode("ascii", "replace").upper())
    rows = [int(r) for _c, r in refs]
    columns = [_column_number(c) for c, _r in refs]
    # A table's width, not a whole-sheet area (A1:XFD1048576, formatting rather than data:
    # the limits name that one).
    if rows and max(rows) >= XLSX_MAX_ROWS and max(columns) - min(columns) < _FULL_SHEET_WIDTH:
        raise TableReadError(MSG_SHEET_FULL)


def _check_dimension(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> None:
    """The used area a sheet declares (`<dimension ref="A1:XFD1048576"/>`, near its start):
    a reader may allocate it whole, so it counts even when the cells are not there."""
    try:
        with archive.open(info) as stream:
            head = stream.read(4096)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError):
        raise TableReadError(MSG_BAD_SPREADSHEET) from None
    match = _DIMENSION.search(head)
    if match is None:
        return
    refs = _CELL_REF.findall(match.group(1).decode("ascii", "replace").upper())
    if len(refs) == 2:
        (c1, r1), (c2, r2) = refs
        rows = abs(int(r2) - int(r1)) + 1
        columns = abs(_column_number(c2) - _column_number(c1)) + 1
        _check_area(rows, columns, limits)


def _read_bytes(source: str | os.PathLike | IO[bytes] | bytes, max_bytes: int | None) -> bytes:
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise TableReadError(MSG_TOO_LARGE, limit=_megabytes(max_bytes))
        data = path.read_bytes()
    else:
        data = source.read(max_bytes + 1 if max_bytes is not None else -1)
    if max_bytes is not None and len(data) > max_bytes:
        raise TableReadError(MSG_TOO_LARGE, limit=_megabytes(max_bytes))
    return data


def _megabytes(size: int) -> str:
    return format(Decimal(size) / Decimal(1024 * 1024), ".15g")


def _read_spreadsheet(data: bytes) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise TableReadError(MSG_EMPTY)
        # skip_empty_area=False: the list starts at A1, so indexes are the sheet's rows.
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except TableReadError:
        raise
    except Exception:  # calamine raises several types (zip, xml, encoding) for bad files
        raise TableReadError(MSG_BAD_SPREADSHEET) from None


def _decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), GBK (Excel's "CSV" on a Chinese Windows), or UTF-16 with
    its BOM (Excel's "Unicode text"); text in none of them is named as such."""
    encodings: tuple[str, ...] = ("utf-8-sig", "gbk")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    for encoding in encodings:
        try:
            decoded = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Binary files sometimes decode; text never holds NUL or most control characters.
        if _CONTROL.search(decoded, 0, 65536):
            raise TableReadError(MSG_NOT_SPREADSHEET)
        return decoded
    if b"\0" in data[:65536]:  # binary, not text in another encoding
        raise TableReadError(MSG_NOT_SPREADSHEET)
    raise TableReadError(MSG_UNKNOWN_ENCODING)


def _first_line(decoded: str) -> str:
    end = decoded.find("\n")
    return decoded if end < 0 else decoded[:end]


def _check_csv_rows(decoded: str, delimiter: str, limits: Limits) -> None:
    """Refuse a CSV of more than max_rows records, or of more cells (records × the header's
    width) than max_cells, before building its rows: lines are counted in C; only when they
    are too many (a quoted cell may hold line breaks) are the records counted, stopping at
    the first past a limit."""
    lines = decoded.count("\n") + 1
    width = _first_line(decoded).count(delimiter) + 1
    if (limits.max_rows is None or lines - 1 <= limits.max_rows) and (
        limits.max_cells is None or lines * width <= limits.max_cells
    ):
        return
    records = csv.reader(io.StringIO(decoded, newline=""), delimiter=delimiter)
    count = 0
    for count, _record in enumerate(records, start=1):
        if limits.max_rows is not None and count - 1 > limits.max_rows:
            raise TableReadError(MSG_TOO_MANY_ROWS, limit=format(limits.max_rows, ","))
        if limits.max_cells is not None and count * width > limits.max_cells:
            break
    _check_area(count, width, limits)


def _read_csv(data: bytes, limits: Limits = NO_LIMITS) -> list[list[Any]]:
    decoded = _decode_text(data)
    first_line = _first_line(decoded)
    delimiter = max(_DELIMITERS, key=first_line.count)
    if not first_line.count(delimiter):
        delimiter = ","
    _check_csv_rows(decoded, delimiter, limits)
    rows = csv.reader(io.StringIO(decoded, newline=""), delimiter=delimiter)
    if "'" not in decoded:  # no cell is guarded (the usual file): nothing to undo
        return list(rows)
    return [[unguard_cell(cell) for cell in row] for row in rows]


def read_table(
    source: str | os.PathLike | IO[bytes] | bytes,
    *,
    filename: str | None = None,
    max_bytes: int | None = None,
    limits: Limits = NO_LIMITS,
) -> Table:
    """Read the first sheet of a spreadsheet, or a CSV file (UTF-8 with or without BOM, or
    GBK; comma, tab, semicolon or bar as delimiter sniffed from the header line).

    The format comes from the content, not the name: a PNG renamed .xlsx is refused. The
    header is the first non-blank row; blank rows after it are skipped (their numbers are
    kept, so errors name the row the user sees). `limits` are checked before the file is
    parsed (see `Limits`). Raises TableReadError.
    """
    data = _read_bytes(source, max_bytes)
    if not data or data.isspace():
        raise TableReadError(MSG_EMPTY)
    if filename is None and isinstance(source, str | os.PathLike):
        filename = os.fspath(source)
    suffix = Path(filename).suffix.lower() if filename else ""
    if data.startswith(_ZIP_MAGIC):
        _check_not_full(data)
        check_zip(data, limits)
        cells = _read_spreadsheet(data)
        if len(cells) >= XLSX_MAX_ROWS:
            raise TableReadError(MSG_SHEET_FULL)
    elif data.startswith(_OLE_MAGIC):  # xls: at most 65,536 rows, within max_bytes
        cells = _read_spreadsheet(data)
    elif suffix in _SPREADSHEET_SUFFIXES:
        raise TableReadError(MSG_NOT_SPREADSHEET)
    else:
        cells = _read_csv(data, limits)
    return _to_table(cells)


#: Data rows per table `iter_tables` yields: a chunk's cells and converted values stay a few
#: hundred MB at most, whatever the size of the file.
CHUNK_ROWS = 200_000
_TEXT_BLOCK = 1 << 22


def iter_tables(
    source: str | os.PathLike | IO[bytes] | bytes,
    *,
    filename: str | None = None,
    max_bytes: int | None = None,
    limits: Limits = NO_LIMITS,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[Table]:
    """The file as tables of data rows, in order, all with the file's header (and row
    numbers as the file has them); at least one table.

    A CSV file given by its path is streamed: one pass finds its encoding and counts its
    lines (C-level, a block at a time), then its records are read a chunk at a time, so
    memory holds one chunk, never the whole file (a national CSV has 6.2 million rows).
    Any other source is read whole (`read_table`: a spreadsheet is unpacked whole by its
    reader, and holds at most 1,048,576 rows; an upload is in memory already) and is one
    table. Raises TableReadError, for a streamed CSV before the first table.
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        suffix = Path(filename or path).suffix.lower()
        with path.open("rb") as f:
            head = f.read(len(_OLE_MAGIC))
        if not head.startswith((_ZIP_MAGIC, _OLE_MAGIC)) and suffix not in _SPREADSHEET_SUFFIXES:
            if max_bytes is not None and path.stat().st_size > max_bytes:
                raise TableReadError(MSG_TOO_LARGE, limit=_megabytes(max_bytes))
            yield from _stream_csv(path, limits, chunk_rows)
            return
    yield read_table(source, filename=filename, max_bytes=max_bytes, limits=limits)


def _csv_encoding(path: Path, limits: Limits) -> tuple[str, str]:
    """(encoding, delimiter) of a CSV file, by one pass decoding it a block at a time:
    UTF-8 (with or without BOM), else GBK, or UTF-16 with its BOM; the checks and messages
    of `_decode_text`. Counts the lines too, for `limits`."""
    with path.open("rb") as f:
        start = f.read(_TEXT_BLOCK)
    if not start or start.isspace():
        raise TableReadError(MSG_EMPTY)
    encodings: tuple[str, ...] = ("utf-8-sig", "gbk")
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    for encoding in encodings:
        decoder = codecs.getincrementaldecoder(encoding)()
        lines = 0
        first = ""
        try:
            with path.open("rb") as f:
                while block := f.read(_TEXT_BLOCK):
                    text = decoder.decode(block)
                    if not first:
                        first = text[:65536]
                    lines += text.count("\n")
                text = decoder.decode(b"", final=True)
                lines += text.count("\n")
                first = first or text[:65536]
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(first):
            raise TableReadError(MSG_NOT_SPREADSHEET)
        first_line = _first_line(first.lstrip("\r\n"))
        delimiter = max(_DELIMITERS, key=first_line.count)
        if not first_line.count(delimiter):
            delimiter = ","
        if limits.max_rows is not None and lines > limits.max_rows + 1:
            # Lines over the limit: count the records (a quoted cell may hold line breaks).
            with path.open(encoding=encoding, newline="") as f:
                for count, _record in enumerate(csv.reader(f, delimiter=delimiter), start=1):
                    if count - 1 > limits.max_rows:
                        raise TableReadError(MSG_TOO_MANY_ROWS, limit=format(limits.max_rows, ","))
        return encoding, delimiter
    if b"\0" in start[:65536]:
        raise TableReadError(MSG_NOT_SPREADSHEET)
    raise TableReadError(MSG_UNKNOWN_ENCODING)


def _stream_csv(path: Path, limits: Limits, chunk_rows: int) -> Iterator[Table]:
    encoding, delimiter = _csv_encoding(path, limits)
    with path.open(encoding=encoding, newline="") as f:
        records = csv.reader(f, delimiter=delimiter)
        header: list[Any] | None = None
        number = 0
        for record in records:
            number += 1
            if record.count("") != len(record):
                header = [unguard_cell(cell) for cell in record]
                break
        if header is None:
            raise TableReadError(MSG_EMPTY)
        header_row = number
        width = len(header)
        yielded = False
        while True:
            rows: list[list[Any]] = []
            numbers: list[int] = []
            consumed = 0
            for record in itertools.islice(records, chunk_rows):
                consumed += 1
                number += 1
                if len(record) != width:
                    record = record[:width] + [""] * (width - len(record))
                if record.count("") == width:
                    continue
                if "'" in "".join(record):  # one C-level test per row; guarded cells are rare
                    record = [unguard_cell(cell) for cell in record]
                rows.append(record)
                numbers.append(number)
            if rows or not yielded:
                yield Table(header, header_row, rows, numbers)
                yielded = True
            if consumed < chunk_rows:
                return


def _to_table(cells: list[list[Any]]) -> Table:
    def blank(row: list[Any]) -> bool:
        return row.count("") + row.count(None) == len(row)

    start = 0
    while start < len(cells) and blank(cells[start]):
        start += 1
    if start == len(cells):
        raise TableReadError(MSG_EMPTY)
    width = max(map(len, cells))
    header = cells[start] + [""] * (width - len(cells[start]))
    data = cells[start + 1 :]
    if data and set(map(len, data)) == {width}:
        # The common case (a spreadsheet's rows are all as wide): if one column has no blank
        # cell, no row is blank and every row is kept as it is. Columns are taken out of
        # the rows in C (itemgetter), and kept for `parse`.
        table = Table(header, start + 1, data, list(range(start + 2, start + 2 + len(data))))
        for index in range(width):
            column = table.column(index)
            if column.count("") + column.count(None) == 0:
                return table
    rows: list[list[Any]] = []
    numbers: list[int] = []
    for number, row in enumerate(data, start=start + 2):
        if len(row) != width:
            row = row[:width] if len(row) > width else row + [""] * (width - len(row))
        if not blank(row):
            rows.append(row)
            numbers.append(number)
    return Table(header=header, header_row=start + 1, rows=rows, row_numbers=numbers)


# --- Parsing --------------------------------------------------------------------------------


@dataclass
class Parsed:
    """Typed values per column key (absent optional columns are not in `values`), the row
    numbers, the indexes of rows with an error, and every error found, in row order."""

    values: dict[str, list[Any]]
    row_numbers: list[int]
    errors: list[TableError]
    headers: dict[str, str]  # key → header as written in the file
    ignored: list[str]  # headers that match no column
    bad_rows: set[int] = field(default_factory=set)  # indexes into row_numbers

    def __len__(self) -> int:
        return len(self.row_numbers)

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row number, {key: value}) for each row without errors (convenient, slower)."""
        keys = list(self.values)
        for index, number in enumerate(self.row_numbers):
            if index not in self.bad_rows:
                yield number, {k: self.values[k][index] for k in keys}


def parse(table: Table, columns: Sequence[Column], *, require_rows: bool = True) -> Parsed:
    """Map the table's headers to `columns` and convert every cell.

    Header problems (missing required column, a column given twice) are errors on the
    header row; when there are any, no cell is converted.
    """
    by_header: dict[str, tuple[Column, Converter]] = {}
    for column in columns:
        for header, converter in column.converters().items():
            by_header[header] = (column, converter)

    found: dict[str, tuple[int, str, Converter]] = {}
    errors: list[TableError] = []
    ignored: list[str] = []
    for index, raw in enumerate(table.header):
        header = normalize_header(raw)
        if not header:
            continue
        match = by_header.get(header)
        if match is None:
            ignored.append(str(raw).strip())
            continue
        column, converter = match
        if column.key in found:
            errors.append(
                TableError(
                    table.header_row,
                    str(raw).strip(),
                    raw,
                    MSG_DUPLICATE_COLUMN,
                    {"other": found[column.key][1]},
                )
            )
            continue
        found[column.key] = (index, str(raw).strip(), converter)
    for column in columns:
        if column.required and column.key not in found:
            errors.append(TableError(table.header_row, column.header, "", MSG_MISSING_COLUMN, {}))
    headers = {key: header for key, (_, header, _) in found.items()}
    if errors:
        return Parsed({}, [], errors, headers, ignored)
    if require_rows and not table.rows:
        return Parsed({}, [], [TableError(None, "", "", MSG_NO_ROWS, {})], headers, ignored)

    values: dict[str, list[Any]] = {}
    bad_rows: set[int] = set()
    numbers = table.row_numbers
    for column in columns:  # in the columns' order, so errors come out in a stable order
        if column.key not in found:
            continue
        index, header, converter = found[column.key]
        raw_values = table.column(index) if table.rows else []
        batch = getattr(converter, "batch", None)
        converted = batch(raw_values) if batch is not None else None
        if converted is not None:
            values[column.key] = converted
            continue
        try:
            values[column.key] = list(map(converter, raw_values))
        except CellError:
            converted = []
            for position, value in enumerate(raw_values):
                try:
                    converted.append(converter(value))
                except CellError as exc:
                    converted.append(INVALID)
                    bad_rows.add(position)
                    errors.append(
                        TableError(numbers[position], header, value, exc.message, exc.params)
                    )
            values[column.key] = converted
    order = {column.key: i for i, column in enumerate(columns)}
    rank = {header: order[key] for key, header in headers.items()}
    errors.sort(key=lambda e: (e.row or 0, rank.get(e.column, 0)))
    return Parsed(values, numbers, errors, headers, ignored, bad_rows)


# --- Writing --------------------------------------------------------------------------------
# Cells are str (written as text, so codes keep their digits), int, float or Decimal (written
# as numbers in xlsx; Decimal is written exactly as text in CSV), bool or None (blank).


def write_xlsx(
    target: str | os.PathLike | IO[bytes],
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_name: str = "Sheet1",
) -> int:
    """Write a header row and `rows` to an xlsx file; returns the number of data rows.

    constant_memory mode: rows are flushed as they are written, so memory stays flat for a
    province. (A file object target forces xlsxwriter to keep the sheet in memory.)
    """
    import xlsxwriter

    options: dict[str, Any] = {"constant_memory": True}
    if not isinstance(target, str | os.PathLike):
        options = {"in_memory": True}
    workbook = xlsxwriter.Workbook(target, options)
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    formats = [
        workbook.add_format({"num_format": c.xlsx_format}) if c.xlsx_format else None
        for c in columns
    ]
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.header, bold)
        sheet.set_column(index, index, max(10, 2 * len(column.header) + 2), formats[index])
    count = 0
    write_string, write_number, write_boolean = (
        sheet.write_string,
        sheet.write_number,
        sheet.write_boolean,
    )
    for count, row in enumerate(rows, start=1):
        for index, value in enumerate(row):
            if value is None:
                continue
            cls = value.__class__
            if cls is str:
                write_string(count, index, value, formats[index])
            elif cls is bool:
                write_boolean(count, index, value, formats[index])
            else:
                # float(Decimal) is correctly rounded: the nearest double to the amount.
                write_number(count, index, float(value), formats[index])
    workbook.close()
    return count


# A spreadsheet opening a CSV runs a cell that starts with one of these as a formula
# (=HYPERLINK(...), +cmd|..., @SUM(...)); OWASP's advice is to write such text with a leading
# apostrophe, which Excel and LibreOffice show as text. The CSV reader removes it again, so an
# export imports back unchanged. (xlsx cells are written typed, with write_string: no formula.)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(text: str) -> str:
    """`text` as a spreadsheet shows it as text: a formula trigger gets a leading apostrophe.

    Text that already looks guarded (apostrophes, then a trigger: "'=…") gets one more, so
    reading removes exactly one and every text round-trips.
    """
    return "'" + text if text.lstrip("'").startswith(FORMULA_TRIGGERS) else text


def unguard_cell(text: str) -> str:
    """The inverse of `guard_cell` for a cell read from CSV."""
    guarded = text.startswith("'") and text.lstrip("'").startswith(FORMULA_TRIGGERS)
    return text[1:] if guarded else text


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if value.__class__ is str:
        return guard_cell(value)
    if value.__class__ is float:
        return _float_text(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def iter_csv(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """A CSV file as UTF-8 chunks with a BOM (so Excel reads the Chinese headers)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    yield b"\xef\xbb\xbf" + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(v) for v in row])
        if count % 2000 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def write_csv(
    target: str | os.PathLike | IO[bytes],
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Write `iter_csv` to a path or a binary file object."""
    if isinstance(target, str | os.PathLike):
        with open(target, "wb") as f:
            f.writelines(iter_csv(columns, rows))
    else:
        target.writelines(iter_csv(columns, rows))
