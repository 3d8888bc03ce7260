"""The monthly tourism file: its columns (Chinese headers), the template and the export.

One row per spot (or operator) and month: 村代码 and 名称 name it (对象 says whether the name
is a spot's, the default, or an operator's), 月份 the month (2024-03, 2024/3, 2024年3月 or a
date cell), then visitors, revenue in 元 (or 万元 under that header), the method and the two
flags. The export writes the same columns, so an exported file imports back unchanged.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.imports import money_column, yuan
from lib import tabular
from lib.tabular import CellError, Column
from tourism.choices import CountMethod

__all__ = [
    "COLUMNS",
    "METHOD_LABELS",
    "TARGET_LABELS",
    "export_figures",
    "parse_month",
    "template",
]

SPOT, OPERATOR = "spot", "operator"
TARGET_LABELS = {SPOT: "景点", OPERATOR: "经营户"}
METHOD_LABELS = {
    CountMethod.TICKETS: "门票",
    CountMethod.GATE: "闸机计数",
    CountMethod.ESTIMATE: "估算",
}
MSG_MONTH = gettext_noop("Not a month: write it as 2024-03 or 2024年3月.")
_MONTH = re.compile(r"(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:月)?(?:[-/.]\s*\d{1,2}\s*日?)?")


def parse_month(value: Any) -> dt.date:
    """The first day of the month a cell names; CellError when it names none."""
    if isinstance(value, dt.datetime):
        return dt.date(value.year, value.month, 1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = tabular.cell_text(value).strip()
    if not text:
        raise CellError(tabular.MSG_REQUIRED)
    match = _MONTH.fullmatch(text)
    if match is None:
        raise CellError(MSG_MONTH)
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 1900 <= year <= 9999):
        raise CellError(MSG_MONTH)
    return dt.date(year, month, 1)


def _month_batch(values) -> list[dt.date] | None:
    """A column of "YYYY-MM" text at once (the export's and the template's form)."""
    if not values or set(map(type, values)) != {str}:
        return None
    out = []
    cache: dict[str, dt.date] = {}
    for text in values:
        month = cache.get(text)
        if month is None:
            try:
                month = parse_month(text)
            except CellError:
                return None
            cache[text] = month
        out.append(month)
    return out


parse_month.batch = _month_batch  # type: ignore[attr-defined]


def choice(labels: dict[str, str], *, default: str | None = None) -> tabular.Converter:
    lookup = {label: code for code, label in labels.items()} | {str(c): str(c) for c in labels}

    def convert(value: Any) -> str:
        text = tabular.cell_text(value).strip()
        if not text:
            if default is not None:
                return default
            raise CellError(tabular.MSG_REQUIRED)
        if text not in lookup:
            raise CellError(tabular.MSG_CHOICE, choices="、".join(labels.values()))
        return str(lookup[text])

    def batch(values) -> list[str] | None:
        if not values or set(map(type, values)) != {str}:
            return None
        get = lookup.get
        out = [get(v.strip()) for v in values]
        return None if None in out else out

    convert.batch = batch  # type: ignore[attr-defined]
    return convert


# --- Whole-column fast paths for a csv's text cells -------------------------------------------
# lib.tabular converts a column of spreadsheet numbers at once (numpy); a csv hands over text,
# which these convert at once too when every cell is plainly valid (else None: the converter
# runs per cell and reports each bad cell). Exact: integers only, never a float.

_YUAN = re.compile(r"(?:\d{1,13}(?:\.\d{1,2})?\n)*\d{1,13}(?:\.\d{1,2})?")


def _with_batch(converter, text_batch):
    number_batch = getattr(converter, "batch", None)

    def batch(values):
        if values and set(map(type, values)) == {str}:
            return text_batch(values)
        return number_batch(values) if number_batch is not None else None

    converter.batch = batch  # type: ignore[attr-defined]
    return converter


def _count_text(maximum: int):
    def batch(values) -> list[int] | None:
        if not all(values):
            return None
        joined = "".join(values)
        if not (joined.isdigit() and joined.isascii()):
            return None
        out = list(map(int, values))
        return out if max(out) <= maximum else None

    return batch


def _yuan_text(values) -> list[int] | None:
    """"1234", "1234.5", "1234.56" → fen (at most 13 digits of yuan: below the money limit)."""
    if _YUAN.fullmatch("\n".join(values)) is None:
        return None
    out = []
    append = out.append
    for text in values:
        whole, _dot, fraction = text.partition(".")
        append(int(whole) * 100 + (int(fraction) * (10 if len(fraction) == 1 else 1) if fraction else 0))
    return out


def _flag(default: bool = False) -> tabular.Converter:
    convert = tabular.yes_no(blank=default)
    lookup = {"是": True, "否": False, "": default}

    def batch(values) -> list[bool] | None:
        if not values or set(map(type, values)) != {str}:
            return None
        get = lookup.get
        out = [get(v) for v in values]
        return None if None in out else out

    convert.batch = batch  # type: ignore[attr-defined]
    return convert


def _revenue_column() -> Column:
    column = money_column("revenue", "旅游收入", required=True)
    _with_batch(column.convert, _yuan_text)
    return column


COLUMNS = [
    Column("village", "村代码", tabular.digits(12, required=True), required=True, xlsx_format="@"),
    Column("name", "名称", tabular.text(required=True, max_length=100), required=True),
    Column("target", "对象", choice(TARGET_LABELS, default=SPOT)),
    Column("month", "月份", parse_month, required=True, xlsx_format="@"),
    Column(
        "visitors",
        "游客人次",
        _with_batch(
            tabular.integer(required=True, minimum=0, maximum=2_000_000_000),
            _count_text(2_000_000_000),
        ),
        required=True,
    ),
    _revenue_column(),
    Column("method", "统计方法", choice(METHOD_LABELS), required=True),
    Column("is_illustrative", "示例", _flag()),
    Column("is_collective_income", "计入村集体收入", _flag()),
]

EXAMPLE = ["330482106209", "明月山塘（示例）", "景点", "2024-05", 12000, 360000, "门票", "是", "否"]


def template() -> bytes:
    """The monthly figures template: the headers and one example row."""
    buffer = io.BytesIO()
    tabular.write_xlsx(buffer, COLUMNS, [EXAMPLE], sheet_name=_("Monthly figures"))
    return buffer.getvalue()


def export_figures(queryset) -> bytes:
    """The figures of `queryset` in the import's columns (one query)."""
    figures = queryset.select_related("spot", "operator").order_by(
        "village_id", "spot__name", "operator__name", "month"
    )

    def rows():
        for f in figures.iterator(chunk_size=2000):
            target = f.spot if f.spot_id else f.operator
            yield [
                f.village_id,
                target.name,
                TARGET_LABELS[SPOT if f.spot_id else OPERATOR],
                f"{f.month:%Y-%m}",
                f.visitors,
                yuan(f.revenue),
                METHOD_LABELS.get(f.method, f.method),
                "是" if f.is_illustrative else "否",
                "是" if f.is_collective_income else "否",
            ]

    buffer = io.BytesIO()
    tabular.write_xlsx(buffer, COLUMNS, rows(), sheet_name=_("Monthly figures"))
    return buffer.getvalue()
