"""Writes of the projects app: progress reports, and the xlsx round trips.

Every write checks scope with `restrict` / `may_write` and runs in one transaction. The two
imports (progress of the project list; cooperation lists) follow registry's statistics
import: every row is validated first, errors name the spreadsheet row and the column as
written in the file, and nothing is written if any row is wrong. Re-importing the same file
changes nothing (rows equal to what is stored are counted as unchanged). Bulk writes go
through `core.db` and are logged with `audit.services.log_bulk` in the same transaction.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.services import log_bulk
from core.db import adapt, bulk_insert, bulk_update
from core.imports import ImportResult, RowError, read_upload
from core.imports import sort_errors as _sorted
from core.imports import yuan as _yuan
from core.scope import may_write, may_write_any
from lib import progress as progress_lib
from lib import tabular
from lib.tabular import INVALID, CellError, Column, money_column
from projects.choices import AttachmentKind, CooperationKind, ProjectCategory, ProjectStatus
from projects.models import (
    IMAGE_SUFFIXES,
    AnnualPlan,
    CooperationList,
    CooperationProject,
    ProgressReport,
    Project,
    ProjectAttachment,
)
from registry.choices import YEAR_MAX, YEAR_MIN

__all__ = [
    "ATTACHMENT_MAX_BYTES",
    "ATTACHMENT_SUFFIXES",
    "COOPERATION_COLUMNS",
    "PROGRESS_COLUMNS",
    "ImportResult",
    "NotAllowed",
    "ProjectError",
    "RowError",
    "add_attachment",
    "export_cooperation",
    "export_progress",
    "file_progress",
    "import_cooperation",
    "import_progress",
    "may_change_project",
    "may_write_any_project",
]

MAX_IMPORT_BYTES = 20 * 1024 * 1024
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# What a file of each accepted type starts with: the suffix alone is only a name, and a
# picture is served inline, so its bytes must be a picture. Office files are OLE (97-2003)
# or zip (2007+) containers.
_OLE, _ZIP = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",), (b"PK\x03\x04",)
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
    ".pdf": (b"%PDF-",),
    ".doc": _OLE,
    ".xls": _OLE,
    ".ppt": _OLE,
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".pptx": _ZIP,
}
ATTACHMENT_SUFFIXES = frozenset(_SIGNATURES)
assert IMAGE_SUFFIXES <= ATTACHMENT_SUFFIXES


class ProjectError(ValueError):
    """Bad input or a refused operation; nothing was written."""


class NotAllowed(ProjectError):
    """The user may not write this project."""


def may_write_any_project(user) -> bool:
    """Whether `user` may write some project (shows the import entry point)."""
    return may_write_any(user, Project)


def may_change_project(user, project: Project) -> bool:
    """Whether `user` may write `project` and its progress (no query: cached grants)."""
    return may_write(
        user, Project, village=project.lead_village, organisation=project.lead_organisation
    )


# --- Single writes ------------------------------------------------------------------------


def file_progress(
    project: Project,
    *,
    period: date,
    completed_in_year: int,
    completed_total: int | None = None,
    note: str = "",
    user=None,
    is_illustrative: bool = False,
) -> ProgressReport:
    """File a progress report for the month of `period` (a new row: reports are never edited).

    The plan percentage and the lead over the time schedule are computed from the year's
    annual plan as it stands now. `user` None is the system (demo, CLI).
    """
    if user is not None and not may_change_project(user, project):
        raise NotAllowed(_("You may not report progress for this project."))
    _check_amounts(completed_in_year, completed_total)
    period = progress_lib.month_end(period)
    with transaction.atomic():
        planned = (
            AnnualPlan.objects.filter(project=project, year=period.year)
            .values_list("planned_investment", flat=True)
            .first()
        )
        measured = progress_lib.progress(completed_in_year, planned, period)
        return ProgressReport.objects.create(
            project=project,
            period=period,
            completed_in_year=completed_in_year,
            completed_total=completed_total,
            planned_investment=planned,
            plan_percent=measured.percent,
            schedule_gap=measured.gap,
            note=note,
            author=user,
            is_illustrative=is_illustrative,
        )


def _check_amounts(completed_in_year, completed_total) -> None:
    if completed_in_year is None or completed_in_year < 0:
        raise ProjectError(_("The investment completed this year must be 0 or more."))
    if completed_total is not None and completed_total < completed_in_year:
        raise ProjectError(
            _("The investment completed since start cannot be less than this year's.")
        )


def add_attachment(
    project: Project, file, *, title: str = "", kind: str = AttachmentKind.PHOTO, user=None
) -> ProjectAttachment:
    """Attach a photo or document to `project` (a new row; the file is kept as uploaded).

    Accepted: pictures (jpg, png, gif, webp), pdf and office documents up to
    ATTACHMENT_MAX_BYTES; the file's first bytes must match its type. A photo must be a
    picture. An empty title is the file name. `user` None is the system (demo, CLI).

    Raises:
        NotAllowed: the user may not change this project.
        ProjectError: no file, an empty or too large file, a type not accepted, or a
            "photo" that is not a picture.
    """
    if user is not None and not may_change_project(user, project):
        raise NotAllowed(_("You may not add attachments to this project."))
    if file is None:
        raise ProjectError(_("Choose a file."))
    if kind not in AttachmentKind.values:
        raise ProjectError(_("Unknown attachment kind “%(kind)s”.") % {"kind": kind})
    name = PurePath(file.name or "")
    suffix = name.suffix.lower()
    if suffix not in ATTACHMENT_SUFFIXES:
        raise ProjectError(
            _("Files of type “%(suffix)s” are not accepted; use one of: %(types)s.")
            % {"suffix": suffix or "?", "types": ", ".join(sorted(ATTACHMENT_SUFFIXES))}
        )
    if file.size > ATTACHMENT_MAX_BYTES:
        raise ProjectError(
            _("The file is larger than %(mb)s MB.")
            % {"mb": ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        )
    if not file.size:
        raise ProjectError(_("The file is empty."))
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if not head.startswith(_SIGNATURES[suffix]) or (suffix == ".webp" and head[8:12] != b"WEBP"):
        raise ProjectError(
            _("The file “%(name)s” is not a valid %(suffix)s file.")
            % {"name": name.name, "suffix": suffix}
        )
    if kind == AttachmentKind.PHOTO and suffix not in IMAGE_SUFFIXES:
        raise ProjectError(
            _("A photo must be a picture (%(types)s); attach other files as documents.")
            % {"types": ", ".join(sorted(IMAGE_SUFFIXES))}
        )
    title = (title or "").strip() or name.stem
    with transaction.atomic():
        return ProjectAttachment.objects.create(
            project=project, kind=kind, title=title[:200], file=file
        )


# --- Import results -----------------------------------------------------------------------


# The import machinery (RowError, ImportResult, reading, error order, 元 cells) is shared
# with registry's statistics import: core.imports.


def _read(source, filename, columns, result: ImportResult) -> tabular.Parsed | None:
    return read_upload(source, columns, result, max_bytes=MAX_IMPORT_BYTES, filename=filename)


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
    Column("code", "项目编号", tabular.text(required=True, max_length=40), required=True,
           xlsx_format="@"),
    Column("name", "项目名称", tabular.text(max_length=200), xlsx_format="@"),
    Column("lead", "牵头单位", tabular.text(max_length=200), xlsx_format="@"),
    Column("period", "报告期", month(), required=True, xlsx_format="@"),
    money_column("planned", "年度计划投资"),
    money_column("completed_in_year", "本年累计完成投资", required=False),
    money_column("completed_total", "开工以来累计完成投资"),
    Column("note", "进展情况", tabular.text(max_length=2000)),
]

MSG_UNKNOWN_PROJECT = _("No project with this code.")
MSG_NAME_MISMATCH = _("The name does not match: this code is “{name}”.")
MSG_NO_PERMISSION = _("No permission for this project.")
MSG_DUPLICATE_ROW = _("The same project and period are already in row {row}.")
MSG_TOTAL_BELOW_YEAR = _("Less than the investment completed this year.")


def export_progress(user, period: date, queryset=None) -> bytes:
    """The project list the user may update, as xlsx to fill in for `period`'s month.

    Rows are prefilled with the report in force for that month, if any, so an untouched
    file imports as "unchanged".
    """
    period = progress_lib.month_end(period)
    qs = queryset if queryset is not None else Project.objects.restrict(user, "change")
    latest = ProgressReport.objects.filter(project=OuterRef("pk"), period=period).order_by("-pk")
    plan = AnnualPlan.objects.filter(project=OuterRef("pk"), year=period.year)
    rows = qs.order_by("code").annotate(
        planned=Subquery(plan.values("planned_investment")[:1]),
        done=Subquery(latest.values("completed_in_year")[:1]),
        total=Subquery(latest.values("completed_total")[:1]),
        last_note=Subquery(latest.values("note")[:1]),
    ).values_list(
        "code", "name", "lead_village__short_name", "lead_organisation__name",
        "planned", "done", "total", "last_note",
    )
    buffer = io.BytesIO()
    tabular.write_xlsx(
        buffer,
        PROGRESS_COLUMNS,
        (
            (code, name, village or org or "", f"{period:%Y-%m}", _yuan(planned), _yuan(done),
             _yuan(total), note or None)
            for code, name, village, org, planned, done, total, note in rows
        ),
        sheet_name="项目进度",
    )
    return buffer.getvalue()


def import_progress(source, *, user=None, filename: str | None = None) -> ImportResult:
    """File the progress reports of a filled-in project list: all rows or none.

    A row whose 本年累计完成投资 is blank is skipped (not reported this month). A row equal to
    the report in force for its project and month is unchanged; any other row files a new
    report (the older one stays: history is the data).
    """
    result = ImportResult()
    parsed = _read(source, filename, PROGRESS_COLUMNS, result)
    if parsed is None:
        return result
    values, numbers, headers = parsed.values, parsed.row_numbers, parsed.headers
    if "completed_in_year" not in values:
        result.errors.append(
            RowError(1, PROGRESS_COLUMNS[5].header, gettext(tabular.MSG_MISSING_COLUMN))
        )
        return result
    codes = values["code"]
    projects = {
        p.code: p
        for p in Project.objects.filter(code__in={c for c in codes if c is not INVALID})
        .select_related("lead_village", "lead_organisation")
    }
    errors: list[RowError] = []
    todo: list[tuple[int, Project, dict]] = []
    seen: dict[tuple[str, date], int] = {}
    for index, number in enumerate(numbers):
        row = {key: column[index] for key, column in values.items()}
        if index in parsed.bad_rows:
            continue
        code = row["code"]
        project = projects.get(code)
        if project is None:
            errors.append(RowError(number, headers["code"], str(MSG_UNKNOWN_PROJECT), code))
            continue
        if user is not None and not may_change_project(user, project):
            errors.append(RowError(number, headers["code"], str(MSG_NO_PERMISSION), code))
            continue
        name = row.get("name")
        if name and name != project.name:
            errors.append(
                RowError(number, headers["name"], MSG_NAME_MISMATCH.format(name=project.name),
                         name)
            )
            continue
        if row["completed_in_year"] is None:
            result.skipped += 1
            continue
        total = row.get("completed_total")
        if total is not None and total < row["completed_in_year"]:
            errors.append(
                RowError(number, headers["completed_total"], str(MSG_TOTAL_BELOW_YEAR),
                         tabular.cell_text(_yuan(total)))
            )
            continue
        first = seen.setdefault((code, row["period"]), number)
        if first != number:
            errors.append(
                RowError(number, headers["code"], MSG_DUPLICATE_ROW.format(row=first), code)
            )
            continue
        todo.append((number, project, row))
    if errors:
        result.errors = _sorted(result.errors + errors, PROGRESS_COLUMNS, headers)
    if result.errors:
        return result

    with transaction.atomic():
        # The report in force per (project, period) and the plans, two queries in all.
        keys = {(p.pk, row["period"]) for _n, p, row in todo}
        current: dict[tuple[int, date], tuple] = {}
        for pk, period, done, total, note in (
            ProgressReport.objects.filter(
                project_id__in={k[0] for k in keys}, period__in={k[1] for k in keys}
            )
            .order_by("pk")
            .values_list("project_id", "period", "completed_in_year", "completed_total", "note")
        ):
            current[pk, period] = (done, total, note)
        plans = {
            (pk, year): planned
            for pk, year, planned in AnnualPlan.objects.filter(
                project_id__in={k[0] for k in keys}
            ).values_list("project_id", "year", "planned_investment")
        }
        now = timezone.now()
        new_rows = []
        for _number, project, row in todo:
            period = row["period"]
            wanted = (row["completed_in_year"], row.get("completed_total"), row.get("note") or "")
            if current.get((project.pk, period)) == wanted:
                result.unchanged += 1
                continue
            planned = plans.get((project.pk, period.year))
            measured = progress_lib.progress(wanted[0], planned, period)
            new_rows.append(
                (project.pk, period, wanted[0], wanted[1], planned, measured.percent,
                 measured.gap, wanted[2], getattr(user, "pk", None), now)
            )
        if new_rows:
            fields = [
                "project_id", "period", "completed_in_year", "completed_total",
                "planned_investment", "plan_percent", "schedule_gap", "note", "author_id",
                "created_at",
            ]
            bulk_insert(
                ProgressReport,
                [*fields, "is_illustrative"],
                ((*_db_row(r), False) for r in new_rows),
            )
            created = ProgressReport.objects.filter(
                created_at=now, project_id__in={r[0] for r in new_rows}
            ).select_related("project")
            log_bulk(
                ProgressReport,
                (("create", r.pk, str(r), None, r.to_change_dict()) for r in created),
            )
            result.created = len(new_rows)
    return result


def _db_row(row: tuple) -> tuple:
    # The bulk path wants database values: Decimals as text on SQLite, datetimes adapted.
    return tuple(
        adapt(v) if isinstance(v, datetime)
        else (str(v) if isinstance(v, Decimal) else v)
        for v in row
    )


# --- Cooperation lists --------------------------------------------------------------------

COOPERATION_COLUMNS: list[Column] = [
    Column("year", "年度", tabular.integer(required=True, minimum=YEAR_MIN, maximum=YEAR_MAX),
           required=True, xlsx_format="0"),
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
COOP_FIELDS = ("number", "category", "lead_unit_a", "lead_unit_b", "status", "note",
               "is_illustrative")
MSG_DUPLICATE_PROJECT = _("The same list and project name are already in row {row}.")


def export_cooperation(queryset=None) -> bytes:
    """Cooperation projects in the import format (export → import changes nothing)."""
    qs = CooperationProject.objects.all() if queryset is None else queryset
    rows = qs.order_by("list__year", "list__kind", "list_id", "number", "pk").values_list(
        "list__year", "list__kind", "list__side_a_name", "list__side_b_name", "number",
        "name", "category", "lead_unit_a", "lead_unit_b", "status", "note", "is_illustrative",
    )
    buffer = io.BytesIO()
    tabular.write_xlsx(
        buffer,
        COOPERATION_COLUMNS,
        (
            (year, KIND_LABELS[kind], a, b, number, name, CATEGORY_LABELS[category],
             unit_a or None, unit_b or None, STATUS_LABELS[status], note or None,
             "是" if illustrative else "否")
            for year, kind, a, b, number, name, category, unit_a, unit_b, status, note,
            illustrative in rows
        ),
        sheet_name="合作项目",
    )
    return buffer.getvalue()


def cooperation_template() -> bytes:
    buffer = io.BytesIO()
    tabular.write_xlsx(buffer, COOPERATION_COLUMNS, [], sheet_name="合作项目")
    return buffer.getvalue()


def import_cooperation(source, *, user=None, filename: str | None = None) -> ImportResult:
    """Upsert cooperation projects by (list, name); lists are created as needed."""
    result = ImportResult()
    if user is not None and not may_write(user, CooperationProject):
        result.errors.append(RowError(None, "", str(MSG_NO_PERMISSION_LISTS)))
        return result
    parsed = _read(source, filename, COOPERATION_COLUMNS, result)
    if parsed is None:
        return result
    values, numbers, headers = parsed.values, parsed.row_numbers, parsed.headers
    seen: dict[tuple, int] = {}
    rows: list[tuple[tuple, dict]] = []
    errors: list[RowError] = []
    for index, number in enumerate(numbers):
        if index in parsed.bad_rows:
            continue
        row = {key: column[index] for key, column in values.items()}
        list_key = (row["kind"], row["year"], row["side_a"], row["side_b"])
        first = seen.setdefault((*list_key, row["name"]), number)
        if first != number:
            errors.append(
                RowError(number, headers["name"], MSG_DUPLICATE_PROJECT.format(row=first),
                         row["name"])
            )
            continue
        rows.append((list_key, row))
    if errors:
        result.errors = _sorted(result.errors + errors, COOPERATION_COLUMNS, headers)
    if result.errors:
        return result

    present = [f for f in COOP_FIELDS if f in values]
    with transaction.atomic():
        lists: dict[tuple, CooperationList] = {
            (cl.kind, cl.year, cl.side_a_name, cl.side_b_name): cl
            for cl in CooperationList.objects.filter(year__in={k[1] for k, _r in rows})
        }
        for key, _row in rows:
            if key not in lists:
                lists[key] = CooperationList.objects.create(
                    kind=key[0], year=key[1], side_a_name=key[2], side_b_name=key[3],
                    title=f"{key[1]}年{key[2]}—{key[3]}{KIND_LABELS[key[0]]}合作项目",
                )
        list_ids = {cl.pk for cl in lists.values()}
        existing = {
            (p.list_id, p.name): p
            for p in CooperationProject.objects.filter(list_id__in=list_ids)
        }
        creates, updates = [], []
        for key, row in rows:
            list_id = lists[key].pk
            new = {f: _coop_value(row, f) for f in present}
            old = existing.get((list_id, row["name"]))
            if old is None:
                creates.append((list_id, row["name"], new))
                continue
            # A blank optional number or status keeps the project's value: it is not an
            # instruction to reset it to the default (the export always fills both).
            for f in KEEP_WHEN_BLANK:
                if f in new and row.get(f) is None:
                    new[f] = getattr(old, f)
            if all(getattr(old, f) == new[f] for f in present):
                result.unchanged += 1
                continue
            updates.append((old, new))
        if creates:
            bulk_insert(
                CooperationProject,
                ["list_id", "name", *COOP_FIELDS],
                (
                    (list_id, name, *(new.get(f, _COOP_DEFAULTS[f]) for f in COOP_FIELDS))
                    for list_id, name, new in creates
                ),
            )
            names = {(list_id, name) for list_id, name, _n in creates}
            made = [
                p for p in CooperationProject.objects.filter(list_id__in=list_ids)
                if (p.list_id, p.name) in names
            ]
            log_bulk(CooperationProject,
                     (("create", p.pk, p.name, None, p.to_change_dict()) for p in made))
        if updates:
            changes = []
            for old, new in updates:
                before = old.to_change_dict()
                for f, v in new.items():
                    setattr(old, f, v)
                changes.append(("update", old.pk, old.name, before, old.to_change_dict()))
            bulk_update(
                CooperationProject, "id", present,
                ((old.pk, *(getattr(old, f) for f in present)) for old, _new in updates),
            )
            log_bulk(CooperationProject, changes)
        result.created, result.updated = len(creates), len(updates)
    return result


MSG_NO_PERMISSION_LISTS = _("No permission to import cooperation lists.")
KEEP_WHEN_BLANK = ("number", "status")
_COOP_DEFAULTS = {
    "number": 0, "category": "other", "lead_unit_a": "", "lead_unit_b": "",
    "status": "planned", "note": "", "is_illustrative": False,
}


def _coop_value(row: dict, name: str):
    value = row.get(name)
    if value is None:
        return _COOP_DEFAULTS[name]
    return value
