"""The monthly figures file: all or nothing, errors by row and column, idempotent (a second
import replaces the same keys, never duplicates), the template and the export round trip,
and the web upload as a job on the queue."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import ObjectChange
from core.actors import SYSTEM
from core.errors import NotAllowed
from tourism import services, sheets
from tourism.choices import OperatorKind, Premises
from tourism.models import MonthlyFigure

pytestmark = pytest.mark.django_db
HEADER = [c.header for c in sheets.COLUMNS]
ST = "330482106209"
XJD = "330482107208"


def xlsx(rows, header=HEADER):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv(rows, header=HEADER):
    lines = [",".join(header)] + [",".join(str(c) for c in r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


@pytest.fixture
def operator(shantang):
    return services.register_operator(
        actor=SYSTEM,
        village=shantang,
        name="山塘人家",
        kind=OperatorKind.FARM_RESTAURANT,
        premises=Premises.OWNED,
        seats=40,
    )


@pytest.fixture
def rows(mingyue, yujiabang, operator):
    return [
        [ST, "明月山塘", "景点", "2023-01", 12000, "360000.50", "门票", "是", "否"],
        [ST, "明月山塘", "", "2023年2月", 15000, "450000", "门票", "是", "否"],
        [XJD, "俞家浜景区", "景点", "2023/1", 8000, "80000", "闸机计数", "否", "是"],
        [ST, "山塘人家", "经营户", "2023-01", 900, "54000", "估算", "是", "否"],
    ]


def test_a_file_imports_and_again_changes_nothing(rows):
    data = xlsx(rows)
    result = services.import_figures(data, actor=SYSTEM, filename="f.xlsx")
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    first = MonthlyFigure.objects.get(spot__name="明月山塘", month=dt.date(2023, 1, 1))
    assert (first.visitors, first.revenue, first.method) == (12000, 36_000_050, "tickets")
    assert first.is_illustrative
    assert not first.is_collective_income
    assert MonthlyFigure.objects.get(operator__name="山塘人家").visitors == 900
    assert (
        ObjectChange.objects.filter(content_type__model="monthlyfigure", action="create").count()
        == 4
    )
    again = services.import_figures(data, actor=SYSTEM, filename="f.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert MonthlyFigure.objects.count() == 4


def test_a_corrected_file_replaces_the_same_keys(rows):
    services.import_figures(csv(rows), actor=SYSTEM, filename="f.csv")
    rows[0][4] = 13000
    result = services.import_figures(csv(rows), actor=SYSTEM, filename="f.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    assert MonthlyFigure.objects.count() == 4
    assert MonthlyFigure.objects.get(spot__name="明月山塘", month="2023-01-01").visitors == 13000
    change = ObjectChange.objects.filter(action="update", content_type__model="monthlyfigure").get()
    assert change.postchange_data == {"visitors": 13000}


def test_one_bad_row_keeps_nothing_and_names_row_and_column(rows):
    future = (timezone.localdate().replace(day=1) + dt.timedelta(days=40)).strftime("%Y-%m")
    bad = rows + [
        [ST, "明月山塘", "景点", future, 10, "0", "门票", "否", "否"],  # row 6: the future
        [ST, "明月山塘", "景点", "2022-12", -5, "0", "门票", "否", "否"],  # row 7: negative
        [ST, "没有的景点", "景点", "2022-12", 5, "0", "门票", "否", "否"],  # row 8: no such spot
        [ST, "明月山塘", "景点", "2023-01", 5, "0", "门票", "否", "否"],  # row 9: twice
        ["330482999999", "明月山塘", "景点", "2023-01", 5, "0", "门票", "否", "否"],  # row 10
        [ST, "明月山塘", "景点", "2023-13", 5, "0", "门票", "否", "否"],  # row 11: no month
        [ST, "明月山塘", "景点", "2022-11", 5, "-1", "门票", "否", "否"],  # row 12: revenue
        [ST, "明月山塘", "景点", "2022-10", 5, "0", "猜的", "否", "否"],  # row 13: method
    ]
    result = services.import_figures(xlsx(bad), actor=SYSTEM, filename="f.xlsx")
    assert not result.ok
    found = {(e.row, e.column) for e in result.errors}
    assert found == {
        (6, "月份"),
        (7, "游客人次"),
        (8, "名称"),
        (9, "名称"),
        (10, "村代码"),
        (11, "月份"),
        (12, "旅游收入（元）"),
        (13, "统计方法"),
    }, result.errors
    messages = {e.row: e.message for e in result.errors}
    assert "未来" in messages[6] or "future" in messages[6]
    assert "2" in messages[9]  # names the first row with that key
    assert not MonthlyFigure.objects.exists()


def test_a_clerk_imports_only_their_villages_figures(rows, st_clerk):
    result = services.import_figures(xlsx(rows), actor=st_clerk, filename="f.xlsx")
    assert [(e.row, e.column) for e in result.errors] == [(4, "村代码")]
    assert not MonthlyFigure.objects.exists()
    mine = [r for r in rows if r[0] == ST]
    assert services.import_figures(xlsx(mine), actor=st_clerk, filename="f.xlsx").ok


def test_an_auditor_may_not_import(rows, auditor):
    with pytest.raises(NotAllowed):
        services.import_figures(xlsx(rows), actor=auditor, filename="f.xlsx")


def test_the_export_imports_back_unchanged(rows):
    services.import_figures(xlsx(rows), actor=SYSTEM, filename="f.xlsx")
    exported = sheets.export_figures(MonthlyFigure.objects.all())
    result = services.import_figures(exported, actor=SYSTEM, filename="e.xlsx")
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)


def test_the_template_has_the_chinese_headers_and_an_example(db):
    book = openpyxl.load_workbook(io.BytesIO(sheets.template()))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert HEADER[:4] == ["村代码", "名称", "对象", "月份"]
    assert "示例" in sheet.cell(2, 2).value


def test_the_upload_page_runs_a_job_on_the_queue(client_for, st_clerk, rows):
    mine = [r for r in rows if r[0] == ST]
    response = client_for(st_clerk).post(
        reverse("tourism:figures_import"),
        {"file": SimpleUploadedFile("f.xlsx", xlsx(mine))},
    )
    from registry.models import ImportJob

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.status == "succeeded", job.errors
    assert job.task == "tourism.import_figures"
    assert MonthlyFigure.objects.count() == 3


def test_the_upload_page_is_not_for_readers(client_for, auditor, partner):
    for user in (auditor, partner):
        assert client_for(user).get(reverse("tourism:figures_import")).status_code == 404
