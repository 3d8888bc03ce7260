"""The bulk sheet of a village meeting: one row per entry (Chinese headers), and its template."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils.translation import gettext as _

from lib import tabular
from lib.tabular import CellError, Column

__all__ = ["COLUMNS", "template"]

MSG_DATE = tabular.gettext_noop("Write the date as YYYY-MM-DD (e.g. 2025-03-05).")


def date() -> tabular.Converter:
    """A day: a date cell, "2025-03-05", "2025/3/5" or "2025年3月5日"."""

    def convert(value: Any) -> dt.date:
        if value.__class__ is str and len(value) == 10:
            try:  # the common case: ISO text
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = tabular.cell_text(value).strip()
        if not text:
            raise CellError(tabular.MSG_REQUIRED)
        text = text.replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-")
        parts = text.split("-")
        if len(parts) == 3 and all(p.strip().isdigit() for p in parts):
            try:
                return dt.date(*(int(p) for p in parts))
            except ValueError:
                pass
        raise CellError(MSG_DATE)

    return convert


COLUMNS = [
    Column(
        "household",
        "户号",
        tabular.text(required=True, max_length=20),
        required=True,
        xlsx_format="@",
    ),
    Column("item", "项目编号", tabular.text(required=True, max_length=20), required=True),
    Column("date", "日期", date(), required=True),
    Column("note", "备注", tabular.text(max_length=300)),
    Column("evidence", "佐证", tabular.text(max_length=300)),
]

EXAMPLE = ["001", "A01", "2025-03-05", "村民大会（示例）", ""]


def template() -> bytes:
    buffer = io.BytesIO()
    tabular.write_xlsx(buffer, COLUMNS, [EXAMPLE], sheet_name=_("Points"))
    return buffer.getvalue()
