"""The xlsx round trips: all or nothing, errors by row and column, re-import changes nothing."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from audit.models import ObjectChange
from lib import tabular
from projects import services, sheets
from projects.models import CooperationList, CooperationProject, ProgressReport

D = date.fromisoformat


def xlsx(columns, rows) -> bytes:
    buffer = io.BytesIO()
    tabular.write_xlsx(buffer, columns, rows)
    return buffer.getvalue()


def fill(data: bytes, values: dict[str, dict[str, object]]) -> bytes:
    """Set cells of an exported sheet: {project code: {header: value}}."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        code = row[0].value
        for header, value in values.get(code, {}).items():
            row[headers.index(header)].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_progress_round_trip_files_reports_and_a_reimport_changes_nothing(
    project, other_project, admin
):
    sheet = sheets.export_progress(admin, D("2022-06-30"))
    filled = fill(
        sheet,
        {
            "XJD-01": {"本年累计完成投资（元）": 600000, "进展情况": "主体完工"},
            "FS-01": {"本年累计完成投资（元）": "150000.5", "开工以来累计完成投资（元）": 200000},
        },
    )
    result = services.import_progress(filled, actor=admin, filename="p.xlsx")
    assert result.ok, result.errors
    assert (result.created, result.unchanged) == (2, 0)
    report = ProgressReport.objects.get(project=project)
    assert report.period == D("2022-06-30")
    assert report.completed_in_year == 60_000_000
    assert report.plan_percent == Decimal("60.0")
    assert report.schedule_gap == Decimal("10.0")
    assert ProgressReport.objects.get(project=other_project).completed_in_year == 15_000_050
    logged = ObjectChange.objects.filter(action="create", content_type__model="progressreport")
    assert logged.count() == 2

    changes = ObjectChange.objects.count()
    again = services.import_progress(filled, actor=admin, filename="p.xlsx")
    assert again.ok
    assert (again.created, again.unchanged) == (0, 2)
    assert ProgressReport.objects.count() == 2
    assert ObjectChange.objects.count() == changes

    # The export for the month now carries the reports: importing it untouched is a no-op.
    untouched = services.import_progress(
        sheets.export_progress(admin, D("2022-06-30")), actor=admin
    )
    assert (untouched.created, untouched.unchanged) == (0, 2)


@pytest.mark.django_db
def test_progress_blank_rows_are_skipped(project, admin):
    result = services.import_progress(sheets.export_progress(admin, D("2022-06-30")), actor=admin)
    assert result.ok
    assert result.skipped == 1
    assert not ProgressReport.objects.exists()


@pytest.mark.django_db
def test_progress_import_is_all_or_nothing_with_row_and_column(project, other_project, clerk):
    rows = [
        ("XJD-01", "徐家埭村农房盘活", None, "2022-06", None, Decimal("100"), None, None),
        ("FS-01", None, None, "2022-06", None, Decimal("100"), None, None),  # not theirs
        ("NOPE", None, None, "2022-06", None, Decimal("1"), None, None),
        ("XJD-01", "错名", None, "2022-07", None, Decimal("1"), None, None),
        ("XJD-01", None, None, "2022-13", None, Decimal("1"), None, None),
        ("XJD-01", None, None, "2022-08", None, "abc", None, None),
        ("XJD-01", None, None, "2022-09", None, Decimal("10"), Decimal("5"), None),
        ("XJD-01", None, None, "2022-06", None, Decimal("100"), None, None),  # duplicate
    ]
    result = services.import_progress(xlsx(services.PROGRESS_COLUMNS, rows), actor=clerk)
    found = [(e.row, e.column) for e in result.errors]
    assert found == [
        (3, "项目编号"),
        (4, "项目编号"),
        (5, "项目名称"),
        (6, "报告期"),
        (7, "本年累计完成投资（元）"),
        (8, "开工以来累计完成投资（元）"),
        (9, "项目编号"),
    ]
    assert "row 2" in result.errors[-1].message or "第 2 行" in result.errors[-1].message
    assert not ProgressReport.objects.exists()


@pytest.mark.django_db
def test_progress_import_refuses_a_non_spreadsheet(admin):
    result = services.import_progress(b"\x89PNG....", actor=admin, filename="x.xlsx")
    assert not result.ok
    assert result.errors[0].row is None


COOP_ROWS = [
    (
        2018,
        "毗邻党建",
        "金山",
        "平湖",
        1,
        "浙沪新材料产业园公共管廊",
        "产业发展",
        "上海石化",
        "嘉兴独山港区公共管廊有限公司",
        "完成",
        None,
        "否",
    ),
    (
        2018,
        "毗邻党建",
        "金山",
        "平湖",
        2,
        "南北山塘联合党支部",
        "党建",
        "廊下镇",
        "广陈镇",
        "运营",
        None,
        "否",
    ),
    (2019, "毗邻党建", "金山", "平湖", 1, "示例项目", "教育", None, None, "在建", None, "是"),
]


@pytest.mark.django_db
def test_cooperation_import_creates_lists_and_reimport_changes_nothing(tree, admin):
    data = xlsx(services.COOPERATION_COLUMNS, COOP_ROWS)
    result = services.import_cooperation(data, actor=admin)
    assert result.ok, result.errors
    assert result.created == 3
    assert CooperationList.objects.count() == 2
    pipe = CooperationProject.objects.get(name="浙沪新材料产业园公共管廊")
    assert (pipe.category, pipe.status, pipe.lead_unit_a) == ("industry", "completed", "上海石化")
    assert CooperationProject.objects.get(name="示例项目").is_illustrative

    changes = ObjectChange.objects.count()
    again = services.import_cooperation(data, actor=admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert ObjectChange.objects.count() == changes

    # export → import is a no-op too
    back = services.import_cooperation(sheets.export_cooperation(), actor=admin)
    assert (back.created, back.updated, back.unchanged) == (0, 0, 3)

    changed = list(COOP_ROWS)
    changed[1] = (*COOP_ROWS[1][:9], "完成", "2021 年底完成", "否")
    result = services.import_cooperation(xlsx(services.COOPERATION_COLUMNS, changed), actor=admin)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    branch = CooperationProject.objects.get(name="南北山塘联合党支部")
    assert (branch.status, branch.note) == ("completed", "2021 年底完成")
    assert ObjectChange.objects.filter(action="update", object_pk=str(branch.pk)).exists()


@pytest.mark.django_db
def test_cooperation_import_errors_name_row_and_column_and_write_nothing(tree, admin):
    rows = [
        COOP_ROWS[0],
        (2018, "结对", "金山", "平湖", 2, "x", "产业发展", None, None, "在建", None, "否"),
        (2018, "毗邻党建", "金山", "平湖", 3, "y", "航天", None, None, "在建", None, "否"),
        COOP_ROWS[0],
    ]
    result = services.import_cooperation(xlsx(services.COOPERATION_COLUMNS, rows), actor=admin)
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "类型"),
        (4, "类别"),
        (5, "项目名称"),
    ]
    assert not CooperationProject.objects.exists()
    assert not CooperationList.objects.exists()


@pytest.mark.django_db
def test_only_admins_import_cooperation_lists(tree, clerk):
    result = services.import_cooperation(xlsx(services.COOPERATION_COLUMNS, COOP_ROWS), actor=clerk)
    assert not result.ok
    assert not CooperationProject.objects.exists()


# --- cooperation import: blank optional cells ----------------------------------------------


def test_a_blank_status_or_number_keeps_the_existing_value(tree, admin):
    def upload(rows):
        buffer = io.BytesIO()
        tabular.write_xlsx(buffer, services.COOPERATION_COLUMNS, rows)
        return services.import_cooperation(buffer.getvalue(), actor=admin)

    row = (
        2018,
        "毗邻党建",
        "金山",
        "平湖",
        7,
        "联合党支部",
        "党建",
        None,
        None,
        "完成",
        None,
        "否",
    )
    assert upload([row]).ok
    blank = (*row[:4], None, *row[5:9], None, *row[10:])
    result = upload([blank])
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    project = CooperationProject.objects.get()
    assert (project.number, project.status) == (7, "completed")
    # A new project with blank cells still gets the defaults.
    result = upload([(*blank[:5], "新项目", *blank[6:])])
    assert result.created == 1
    assert CooperationProject.objects.get(name="新项目").status == "planned"
