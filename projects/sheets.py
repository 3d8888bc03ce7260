"""The xlsx formats of the projects app: the project list's progress sheet and the
cooperation lists — their columns, the converters and Chinese labels of their cells, and the
exports (reads: no actor; `export_progress` scopes by the user it is given).

An exported sheet imports as "unchanged" (`projects.services.import_progress` /
`import_cooperation` read these columns), so the two directions cannot drift apart.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Subquery

from lib import progress as progress_lib
from lib import tabular
from lib.money import fen_to_yuan
from lib.tabular import CellError, Column, money_column
from projects.choices import CooperationKind, ProjectCategory, ProjectStatus
from projects.models import AnnualPlan, CooperationProject, ProgressReport, Project
from registry.choices import YEAR_MAX, YEAR_MIN

__all__ = [
    "CATEGORY_LABELS",
    "COOPERATION_COLUMNS",
    "KIND_LABELS",
    "PROGRESS_COLUMNS",
    "STATUS_LABELS",
    "choice",
    "cooperation_template",
    "export_cooperation",
    "export_progress",
    "month",
]


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else fen_to_yuan(fen)


# --- Converters for the Chinese file formats ---------------------------------------------

MSG_PERIOD = tabular.gettext_noop("Write the month as YYYY-MM (e.g. 2022-06).")


def month() -> tabular.Converter:
    """A reporting month: "2022-06", "2022-6", "2022年6月" or a date cell → its last day."""

    def convert(value: Any) -> date:
        if isinstance(value, datetime):
            return progress_lib.month_end(value.date())
        if isinstance(value, date):
            return progress_lib.month_end(value)
        text = tabular.cell_text(value).strip().replace("年", "-").replace("月", "")
        text = text.replace("/", "-").replace(".", "-")
        parts = text.split("-")
        if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
            year, month_ = int(parts[0]), int(parts[1])
            if YEAR_MIN <= year <= YEAR_MAX and 1 <= month_ <= 12:
                return progress_lib.month_end(date(year, month_, 1))
        if not text:
            raise CellError(tabular.MSG_REQUIRED)
        raise CellError(MSG_PERIOD)

    return convert


def choice(labels: dict[str, str], *, required: bool = True) -> tabular.Converter:
    """A choice written as its Chinese label (or its code): returns the code."""
    lookup = {label: code for code, label in labels.items()} | {code: code for code in labels}

    def convert(value: Any) -> str | None:
        text = tabular.cell_text(value).strip()
        if not text:
            if required:
                raise CellError(tabular.MSG_REQUIRED)
            return None
        found = lookup.get(text)
        if found is None:
            raise CellError(tabular.MSG_CHOICE, choices="、".join(labels.values()))
        return found

    return convert


# The file formats are Chinese whatever the interface language (as the statistics files).
CATEGORY_LABELS = {
    ProjectCategory.INDUSTRY: "产业发展",
    ProjectCategory.RURAL_REVITALISATION: "乡村振兴",
    ProjectCategory.AGRICULTURE: "现代农业",
    ProjectCategory.TOURISM: "文化旅游",
    ProjectCategory.ECOLOGY: "生态环境",
    ProjectCategory.INFRASTRUCTURE: "基础设施",
    ProjectCategory.EDUCATION: "教育",
    ProjectCategory.HEALTH: "卫生健康",
    ProjectCategory.PARTY_BUILDING: "党建",
    ProjectCategory.SOCIAL: "社会治理",
    ProjectCategory.OTHER: "其他",
}
STATUS_LABELS = {
    ProjectStatus.PLANNED: "谋划",
    ProjectStatus.UNDER_CONSTRUCTION: "在建",
    ProjectStatus.OPERATING: "运营",
    ProjectStatus.COMPLETED: "完成",
    ProjectStatus.SUSPENDED: "暂停",
}
KIND_LABELS = {
    CooperationKind.NEIGHBOUR_PARTY_BUILDING: "毗邻党建",
    CooperationKind.MOUNTAIN_SEA: "山海协作",
}
CATEGORY_LABELS = {str(k): v for k, v in CATEGORY_LABELS.items()}
STATUS_LABELS = {str(k): v for k, v in STATUS_LABELS.items()}
KIND_LABELS = {str(k): v for k, v in KIND_LABELS.items()}


# --- Progress of the project list ------------------------------------------------------------

PROGRESS_COLUMNS: list[Column] = [
    Column(
        "code",
        "项目编号",
        tabular.text(required=True, max_length=40),
        required=True,
        xlsx_format="@",
    ),
    Column("name", "项目名称", tabular.text(max_length=200), xlsx_format="@"),
    Column("lead", "牵头单位", tabular.text(max_length=200), xlsx_format="@"),
    Column("period", "报告期", month(), required=True, xlsx_format="@"),
    money_column("planned", "年度计划投资"),
    money_column("completed_in_year", "本年累计完成投资", required=False),
    money_column("completed_total", "开工以来累计完成投资"),
    Column("note", "进展情况", tabular.text(max_length=2000)),
]


def export_progress(user, period: date, queryset=None) -> bytes:
    """The project list the user may update, as xlsx to fill in for `period`'s month.

    Rows are prefilled with the report in force for that month, if any, so an untouched
    file imports as "unchanged".
    """
    period = progress_lib.month_end(period)
    qs = queryset if queryset is not None else Project.objects.restrict(user, "change")
    latest = ProgressReport.objects.filter(project=OuterRef("pk"), period=period).order_by("-pk")
    plan = AnnualPlan.objects.filter(project=OuterRef("pk"), year=period.year)
    rows = (
        qs.order_by("code")
        .annotate(
            planned=Subquery(plan.values("planned_investment")[:1]),
            done=Subquery(latest.values("completed_in_year")[:1]),
            total=Subquery(latest.values("completed_total")[:1]),
            last_note=Subquery(latest.values("note")[:1]),
        )
        .values_list(
            "code",
            "name",
            "lead_village__short_name",
            "lead_organisation__name",
            "planned",
            "done",
            "total",
            "last_note",
        )
    )
    buffer = io.BytesIO()
    tabular.write_xlsx(
        buffer,
        PROGRESS_COLUMNS,
        (
            (
                code,
                name,
                village or org or "",
                f"{period:%Y-%m}",
                _yuan(planned),
                _yuan(done),
                _yuan(total),
                note or None,
            )
            for code, name, village, org, planned, done, total, note in rows
        ),
        sheet_name="项目进度",
    )
    return buffer.getvalue()


# --- Cooperation lists --------------------------------------------------------------------

COOPERATION_COLUMNS: list[Column] = [
    Column(
        "year",
        "年度",
        tabular.integer(required=True, minimum=YEAR_MIN, maximum=YEAR_MAX),
        required=True,
        xlsx_format="0",
    ),
    Column("kind", "类型", choice(KIND_LABELS), required=True),
    Column("side_a", "甲方", tabular.text(required=True, max_length=100), required=True),
    Column("side_b", "乙方", tabular.text(required=True, max_length=100), required=True),
    Column("number", "序号", tabular.integer(minimum=0, maximum=100_000), xlsx_format="0"),
    Column("name", "项目名称", tabular.text(required=True, max_length=200), required=True),
    Column("category", "类别", choice(CATEGORY_LABELS), required=True),
    Column("lead_unit_a", "甲方牵头单位", tabular.text(max_length=200)),
    Column("lead_unit_b", "乙方牵头单位", tabular.text(max_length=200)),
    Column("status", "状态", choice(STATUS_LABELS, required=False)),
    Column("note", "备注", tabular.text(max_length=300)),
    Column("is_illustrative", "示例", tabular.yes_no(blank=False)),
]


def export_cooperation(queryset=None) -> bytes:
    """Cooperation projects in the import format (export → import changes nothing)."""
    qs = CooperationProject.objects.all() if queryset is None else queryset
    rows = qs.order_by("list__year", "list__kind", "list_id", "number", "pk").values_list(
        "list__year",
        "list__kind",
        "list__side_a_name",
        "list__side_b_name",
        "number",
        "name",
        "category",
        "lead_unit_a",
        "lead_unit_b",
        "status",
        "note",
        "is_illustrative",
    )
    buffer = io.BytesIO()
    tabular.write_xlsx(
        buffer,
        COOPERATION_COLUMNS,
        (
            (
                year,
                KIND_LABELS[kind],
                a,
                b,
                number,
                name,
                CATEGORY_LABELS[category],
                unit_a or None,
                unit_b or None,
                STATUS_LABELS[status],
                note or None,
                "是" if illustrative else "否",
            )
            for year, kind, a, b, number, name, category, unit_a, unit_b, status, note, illustrative in rows
        ),
        sheet_name="合作项目",
    )
    return buffer.getvalue()


def cooperation_template() -> bytes:
    buffer = io.BytesIO()
    tabular.write_xlsx(buffer, COOPERATION_COLUMNS, [], sheet_name="合作项目")
    return buffer.getvalue()
