"""Excel downloads of list pages (the village list, the duty board, the change log): one
helper, so every list exports the same way.

`xlsx_response(name, headers, rows)` writes the rows (an iterable, streamed in xlsxwriter's
constant-memory mode to a temporary file that is unlinked at once) under a bold, frozen
heading row, prints on A4 one page wide with the headings repeated, and answers it as an
attachment. Text is written as text (write_string), never as a formula, so a cell such as
"=HYPERLINK(...)" stays inert; numbers as numbers; None as a blank cell. At most
`EXPORT_ROW_LIMIT` rows: the list's filters narrow a larger one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from django.http import FileResponse
from django.utils import timezone

__all__ = [
    "EXPORT_ROW_LIMIT",
    "XLSX_CONTENT_TYPE",
    "wants_xlsx",
    "xlsx_response",
    "xlsx_url",
]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Rows one download may hold (a province's villages fit: Zhejiang has 25,547).
EXPORT_ROW_LIMIT = 100_000


def xlsx_url(request) -> str:
    """This list's Excel download: the same filters (no page), ?format=xlsx."""
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "xlsx"
    return f"{request.path}?{query.urlencode()}"


def wants_xlsx(request) -> bool:
    """A list page asked for its Excel download (?format=xlsx)."""
    return request.GET.get("format") == "xlsx"


def xlsx_response(
    name: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str = ""
) -> FileResponse:
    """The rows as an xlsx attachment named `name`.xlsx (see the module docstring)."""
    import xlsxwriter

    handle, path = tempfile.mkstemp(prefix="baotuan-export-", suffix=".xlsx")
    os.close(handle)
    try:
        book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
        worksheet = book.add_worksheet((sheet or name)[:31])
        head = book.add_format({"bold": True, "bg_color": "#f3f4f6", "border": 1})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for col, header in enumerate(headers):
            worksheet.write_string(0, col, str(header), head)
            worksheet.set_column(col, col, max(10, 2 * len(str(header)) + 2))
        worksheet.freeze_panes(1, 0)
        worksheet.set_paper(9)  # A4
        worksheet.fit_to_pages(1, 0)
        worksheet.repeat_rows(0)
        worksheet.set_footer("&C&P / &N")
        for index, row in enumerate(islice(rows, EXPORT_ROW_LIMIT), start=1):
            for col, value in enumerate(row):
                _write(worksheet, index, col, value, day, moment)
        book.close()
        stream = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    finally:
        os.unlink(path)
    return FileResponse(
        stream, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX_CONTENT_TYPE
    )


def _write(worksheet, row: int, col: int, value, day, moment) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        worksheet.write_boolean(row, col, value)
    elif isinstance(value, int | float | Decimal):
        worksheet.write_number(row, col, float(value))
    elif isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        worksheet.write_datetime(row, col, local.replace(tzinfo=None), moment)
    elif isinstance(value, date):
        worksheet.write_datetime(row, col, datetime.combine(value, datetime.min.time()), day)
    else:
        worksheet.write_string(row, col, str(value))
