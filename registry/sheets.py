"""The statistics file (village statistics as xlsx or CSV): its template `STAT_COLUMNS`
(Chinese headers, money in 元 or 万元), the export in that format and the empty template.

An export writes the format the import (registry.services.stats_io) reads, so export →
import is a no-op. These are reads: the caller passes the rows the user may see.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from core.imports import yuan
from lib import tabular
from lib.tabular import Column, money_column
from registry.choices import YEAR_MAX, YEAR_MIN
from registry.models import VillageStat

__all__ = [
    "DATA_FIELDS",
    "STAT_COLUMNS",
    "export_rows",
    "export_stats",
    "iter_export_csv",
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


def write_template(target, fmt: str) -> None:
    """An empty file with the headers, to fill in."""
    if fmt == "xlsx":
        tabular.write_xlsx(target, STAT_COLUMNS, [])
    elif fmt == "csv":
        tabular.write_csv(target, STAT_COLUMNS, [])
    else:
        raise ValueError(f"unknown format {fmt!r}")
