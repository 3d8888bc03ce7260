"""The statistics file (village statistics as xlsx or CSV): its template `STAT_COLUMNS`
(Chinese headers, money in 元 or 万元), the export in that format and the empty template.

An export writes the format the import (registry.services.stats_io) reads, so export →
import is a no-op. These are reads: the caller passes the rows the user may see.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from decimal import Decimal

from core.imports import yuan
from lib import tabular
from lib.money import fen_to_yuan
from lib.tabular import Column, money_column
from registry.choices import YEAR_MAX, YEAR_MIN
from registry.models import VillageStat

__all__ = [
    "DATA_FIELDS",
    "STAT_COLUMNS",
    "export_rows",
    "export_stats",
    "iter_export_csv",
    "template_headers",
    "write_template",
]

MAX_COUNT = 2_147_483_647  # PositiveIntegerField

STAT_COLUMNS: list[Column] = [
    Column(
        "code", "统计用区划代码", tabular.digits(12, required=True), required=True, xlsx_format="@"
    ),
    Column("name", "村名", tabular.text(max_length=100), xlsx_format="@"),
    Column(
        "year",
        "年度",
        tabular.integer(required=True, minimum=YEAR_MIN, maximum=YEAR_MAX),
        required=True,
        xlsx_format="0",
    ),
    money_column("total_income", "集体经济总收入", required=True),
    money_column("operating_income", "经营性收入"),
    money_column("recurring_income", "经常性收入"),
    Column(
        "population",
        "户籍人口（人）",
        tabular.integer(minimum=0, maximum=MAX_COUNT),
        xlsx_format="0",
    ),
    Column(
        "households", "户数（户）", tabular.integer(minimum=0, maximum=MAX_COUNT), xlsx_format="0"
    ),
    money_column("per_capita_disposable_income", "农村居民人均可支配收入"),
    Column("is_illustrative", "示例", tabular.yes_no(blank=False)),
]
# VillageStat fields a file may set, in model order (besides village and year).
DATA_FIELDS: tuple[str, ...] = (
    "total_income",
    "operating_income",
    "recurring_income",
    "population",
    "households",
    "per_capita_disposable_income",
    "is_illustrative",
)


def export_rows(queryset=None, *, year: int | None = None, region: str | None = None):
    """Rows in STAT_COLUMNS order (money as Decimal 元, 示例 as 是/否), streamed from the
    database with values_list().iterator(): no model instances."""
    qs = VillageStat.objects.all() if queryset is None else queryset
    if year is not None:
        qs = qs.filter(year=year)
    if region:
        qs = qs.filter(village__code__startswith=region)
    rows = qs.order_by("village_id", "year").values_list(
        "village_id", "village__short_name", "year", *DATA_FIELDS
    )
    for (
        code,
        name,
        year_,
        total,
        operating,
        recurring,
        *counts,
        pcdi,
        illustrative,
    ) in rows.iterator(chunk_size=5000):
        money = (yuan(total), yuan(operating), yuan(recurring))
        yield (code, name, year_, *money, *counts, yuan(pcdi), "是" if illustrative else "否")


def export_stats(target, fmt: str, *, queryset=None, year=None, region=None) -> int:
    """Write statistics to `target` (a path or binary file) as "xlsx" or "csv"; returns
    the number of rows written."""
    rows = export_rows(queryset, year=year, region=region)
    if fmt == "xlsx":
        return tabular.write_xlsx(target, STAT_COLUMNS, rows)
    if fmt == "csv":
        counted = _Counter(rows)
        tabular.write_csv(target, STAT_COLUMNS, counted)
        return counted.count
    raise ValueError(f"unknown format {fmt!r}")


class _Counter:
    def __init__(self, rows: Iterable) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def iter_export_csv(queryset=None, *, year=None, region=None) -> Iterator[bytes]:
    """The CSV export as byte chunks, for a streaming HTTP response."""
    return tabular.iter_csv(STAT_COLUMNS, export_rows(queryset, year=year, region=region))


#: The templates' sheets: the one the import reads (the first), and the example beside it.
TEMPLATE_SHEET, EXAMPLE_SHEET = "村级统计", "填写示例"
#: The example row of the templates (徐家埭村 2022, figures as in the demo), in fen.
EXAMPLE = {
    "code": "330482107208",
    "name": "徐家埭村",
    "year": 2022,
    "total_income": 1_420_000_00,
    "operating_income": 960_000_00,
    "recurring_income": 1_050_000_00,
    "population": 2_310,
    "households": 702,
    "per_capita_disposable_income": 46_276_00,
    "is_illustrative": "是",
}
TEMPLATE_NOTES = (
    "在“村级统计”工作表填写，每村每年一行；本表只是示例，导入时不读。",
    "统计用区划代码为 12 位数字；带 * 的列必填。",
    "金额列标题以（元）结尾时按元填写（至多 2 位小数），以（万元）结尾时按万元填写（至多 6 位小数）。",
    "空白单元格清除该项数据；文件中没有的列保持原值不变。示例列填 是 或 否（空白为 否）。",
)


def _wan_header(column: Column) -> str | None:
    return next((alias for alias in column.aliases if alias.endswith("（万元）")), None)


def template_headers(unit: str = "yuan") -> list[str]:
    """The columns' headers, money "（元）" or, for unit="wan", the "（万元）" variant."""
    if unit not in ("yuan", "wan"):
        raise ValueError(f"unknown unit {unit!r}")
    return [(_wan_header(c) or c.header) if unit == "wan" else c.header for c in STAT_COLUMNS]


def _example_row(unit: str) -> list:
    row = []
    for column in STAT_COLUMNS:
        value = EXAMPLE[column.key]
        if _wan_header(column) is not None:  # a money column: fen → 元 or 万元, exactly
            value = Decimal(value) / 1_000_000 if unit == "wan" else fen_to_yuan(value)
        row.append(value)
    return row


def write_template(target, fmt: str, unit: str = "yuan") -> None:
    """The file to fill in: the headers (money in 元, or in 万元 for unit="wan"); an xlsx
    also holds, on a second sheet the import does not read, an example row and notes."""
    headers = template_headers(unit)
    if fmt == "csv":
        columns = [replace(c, header=h) for c, h in zip(STAT_COLUMNS, headers, strict=True)]
        tabular.write_csv(target, columns, [])
        return
    if fmt != "xlsx":
        raise ValueError(f"unknown format {fmt!r}")
    import xlsxwriter

    options = {"in_memory": True} if not isinstance(target, str | os.PathLike) else {}
    book = xlsxwriter.Workbook(target, options)
    head = book.add_format({"bold": True, "bg_color": "#f3f4f6", "border": 1})
    formats = [book.add_format({"num_format": c.xlsx_format or "General"}) for c in STAT_COLUMNS]
    money_format = book.add_format({"num_format": "0.000000" if unit == "wan" else "0.00"})
    for name in (TEMPLATE_SHEET, EXAMPLE_SHEET):
        sheet = book.add_worksheet(name)
        for index, (column, header) in enumerate(zip(STAT_COLUMNS, headers, strict=True)):
            money = _wan_header(column) is not None
            sheet.write_string(0, index, header, head)
            sheet.set_column(
                index,
                index,
                max(10, 2 * len(header) + 2),
                money_format if money else formats[index],
            )
        sheet.freeze_panes(1, 0)
        if name == EXAMPLE_SHEET:
            for index, value in enumerate(_example_row(unit)):
                if isinstance(value, str):
                    sheet.write_string(1, index, value)
                else:
                    sheet.write_number(1, index, float(value))
            for offset, note in enumerate(TEMPLATE_NOTES, start=3):
                sheet.write_string(offset, 0, note)
    book.close()
