"""Writes of the projects app: progress reports, attachments, and the two xlsx imports.

Every function takes the acting user as a required keyword `actor` (`core.actors.SYSTEM` for
the demo and commands; a missing actor is refused before anything is read), checks scope
with `core.scope` (`may_change_project`, `may_write`) and runs in one transaction. The
sheets' columns and the exports are in `projects.sheets`; the scope checks that pages use
too are in `projects.selectors`. The two
imports (progress of the project list; cooperation lists) follow registry's statistics
import: every row is validated first, errors name the spreadsheet row and the column as
written in the file, and nothing is written if any row is wrong. Re-importing the same file
changes nothing (rows equal to what is stored are counted as unchanged). Bulk writes go
through `core.db` and are logged with `audit.services.log_bulk` in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.services import log_bulk
from core.actors import as_user, require_actor
from core.db import adapt, bulk_insert, bulk_update
from core.imports import ImportResult, RowError, read_upload
from core.imports import sort_errors as _sorted
from core.imports import yuan as _yuan
from core.scope import may_write
from lib import progress as progress_lib
from lib import tabular
from lib.tabular import INVALID
from projects.choices import AttachmentKind
from projects.exceptions import NotAllowed, ProjectError
from projects.models import (
    IMAGE_SUFFIXES,
    AnnualPlan,
    CooperationList,
    CooperationProject,
    ProgressReport,
    Project,
    ProjectAttachment,
)
from projects.selectors import may_change_project
from projects.sheets import COOPERATION_COLUMNS, KIND_LABELS, PROGRESS_COLUMNS

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
    "file_progress",
    "import_cooperation",
    "import_progress",
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


# --- Single writes ------------------------------------------------------------------------


def file_progress(
    project: Project,
    *,
    actor,
    period: date,
    completed_in_year: int,
    completed_total: int | None = None,
    note: str = "",
    is_illustrative: bool = False,
) -> ProgressReport:
    """File a progress report for the month of `period` (a new row: reports are never edited).

    The plan percentage and the lead over the time schedule are computed from the year's
    annual plan as it stands now. `actor` is who files it (SYSTEM for the demo, the CLI).
    """
    actor = require_actor(actor)
    if not may_change_project(actor, project):
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
            author=as_user(actor),
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
    project: Project, file, *, actor, title: str = "", kind: str = AttachmentKind.PHOTO
) -> ProjectAttachment:
    """Attach a photo or document to `project` (a new row; the file is kept as uploaded).

    Accepted: pictures (jpg, png, gif, webp), pdf and office documents up to
    ATTACHMENT_MAX_BYTES; the file's first bytes must match its type. A photo must be a
    picture. An empty title is the file name. `actor` is who attaches it (SYSTEM for the
    demo, the CLI).

    Raises:
        NotAllowed: no actor, or one who may not change this project.
        ProjectError: no file, an empty or too large file, a type not accepted, or a
            "photo" that is not a picture.
    """
    actor = require_actor(actor)
    if not may_change_project(actor, project):
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


def _read(source, filename, columns, result: ImportResult, limits) -> tabular.Parsed | None:
    return read_upload(
        source, columns, result, max_bytes=MAX_IMPORT_BYTES, filename=filename, limits=limits
    )


# --- Progress of the project list ------------------------------------------------------------

MSG_UNKNOWN_PROJECT = _("No project with this code.")
MSG_NAME_MISMATCH = _("The name does not match: this code is “{name}”.")
MSG_NO_PERMISSION = _("No permission for this project.")
MSG_DUPLICATE_ROW = _("The same project and period are already in row {row}.")
MSG_TOTAL_BELOW_YEAR = _("Less than the investment completed this year.")


def import_progress(
    source, *, actor, filename: str | None = None, limits: tabular.Limits = tabular.NO_LIMITS
) -> ImportResult:
    """File the progress reports of a filled-in project list: all rows or none.

    A row whose 本年累计完成投资 is blank is skipped (not reported this month). A row equal to
    the report in force for its project and month is unchanged; any other row files a new
    report (the older one stays: history is the data). A project the actor may not change is
    a row error. `limits`: what the file may hold, checked before parsing (a web upload's:
    `core.imports.upload_limits`). From the web page it runs as a job (projects.tasks).
    """
    actor = require_actor(actor)
    result = ImportResult()
    parsed = _read(source, filename, PROGRESS_COLUMNS, result, limits)
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
        if not may_change_project(actor, project):
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
                 measured.gap, wanted[2], getattr(as_user(actor), "pk", None), now)
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

COOP_FIELDS = ("number", "category", "lead_unit_a", "lead_unit_b", "status", "note",
               "is_illustrative")
MSG_DUPLICATE_PROJECT = _("The same list and project name are already in row {row}.")


def import_cooperation(
    source, *, actor, filename: str | None = None, limits: tabular.Limits = tabular.NO_LIMITS
) -> ImportResult:
    """Upsert cooperation projects by (list, name); lists are created as needed (`limits`
    as for `import_progress`; from the web page it runs as a job, projects.tasks)."""
    actor = require_actor(actor)
    result = ImportResult()
    if not may_write(actor, CooperationProject):
        result.errors.append(RowError(None, "", str(MSG_NO_PERMISSION_LISTS)))
        return result
    parsed = _read(source, filename, COOPERATION_COLUMNS, result, limits)
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
