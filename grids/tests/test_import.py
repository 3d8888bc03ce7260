"""The household file: all or nothing, idempotent, duplicates by ID refused naming the other
household, errors by row and column that never repeat a clear ID number."""

import io

import openpyxl
import pytest

from core.actors import SYSTEM
from grids import services, sheets
from grids.models import Household, Person
from grids.tests.conftest import make_id

pytestmark = pytest.mark.django_db
HEADER = [c.header for c in sheets.COLUMNS]


def xlsx(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(number, name, relation, born="19700101", seq="011", sex="男", phone="", micro=""):
    return [
        number,
        "一组",
        name,
        sex,
        int(born[:4]),
        relation,
        make_id(born=born, seq=seq),
        phone,
        "否",
        "是",
        3,
        micro,
    ]


ROWS = [
    row("101", "周一", "户主", phone="13700000001", micro="第二微网格"),
    row("101", "周二", "配偶", born="19720303", seq="022", sex="女"),
    row("102", "吴三", "户主", born="19650505", seq="033"),
]


def test_a_file_imports_and_again_changes_nothing(shared, st_clerk, shantang):
    result = services.import_households(
        xlsx(ROWS), actor=st_clerk, village=shantang, filename="h.xlsx"
    )
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert Household.objects.get(village=shantang, number="101").micro_grid == shared["zj"]
    zhou = Person.objects.get(name="周一")
    assert zhou.phone_masked == "137****0001"
    assert zhou.shares == 3
    again = services.import_households(
        xlsx(ROWS), actor=st_clerk, village=shantang, filename="h.xlsx"
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Person.objects.filter(household__village=shantang).count() == 5


def test_the_masked_export_imports_back_unchanged(shared, st_clerk, shantang):
    services.import_households(xlsx(ROWS), actor=st_clerk, village=shantang, filename="h.xlsx")
    exported = sheets.export_households(Household.objects.filter(village=shantang))
    assert make_id(seq="011").encode() not in exported
    result = services.import_households(
        exported, actor=st_clerk, village=shantang, filename="e.xlsx"
    )
    assert result.ok, result.errors
    assert result.created == 0
    assert result.updated == 0


def test_one_bad_row_keeps_nothing_and_names_row_and_column(shared, st_clerk, shantang):
    bad = [*ROWS, ["103", "", "郑四", "男", 1970, "户主", "330482197001010999", "", "", "", "", ""]]
    before = Person.objects.count()
    result = services.import_households(
        xlsx(bad), actor=st_clerk, village=shantang, filename="h.xlsx"
    )
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(5, "身份证号")]
    assert "330482197001010999" not in " ".join(e.message for e in result.errors)
    assert Person.objects.count() == before
    assert not Household.objects.filter(number="101").exists()


def test_a_duplicate_id_in_another_village_names_its_household(shared, st_clerk, shantang):
    dup = [row("104", "张三", "户主")]  # the fixture's head: 001 of 山塘村, same ID
    dup[0][6] = make_id()
    result = services.import_households(
        xlsx(dup), actor=st_clerk, village=shantang, filename="h.xlsx"
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "身份证号")]
    assert "001" in result.errors[0].message


def test_a_household_without_a_head_and_a_duplicate_within_the_file(shared, st_clerk, shantang):
    rows = [
        row("105", "甲", "子女", seq="013"),
        row("106", "乙", "户主"),
        row("106", "丙", "户主", seq="012"),
    ]
    rows[2][6] = rows[1][6]
    result = services.import_households(
        xlsx(rows), actor=st_clerk, village=shantang, filename="h.xlsx"
    )
    assert sorted((e.row, e.column) for e in result.errors) == [
        (2, "与户主关系"),
        (4, "与户主关系"),
        (4, "身份证号"),
    ]


def test_another_villages_clerk_may_not_import(shared, other_clerk, shantang):
    from core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.import_households(
            xlsx(ROWS), actor=other_clerk, village=shantang, filename="h.xlsx"
        )


def test_the_template_has_a_named_sheet_and_an_example(db):
    book = openpyxl.load_workbook(io.BytesIO(sheets.template()))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet.cell(2, 3).value.endswith("（示例）")
    assert SYSTEM  # the template needs no actor


@pytest.mark.django_db
def test_the_import_page_refuses_a_file_that_unpacks_past_the_limit(
    client_for, st_clerk, shantang, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.spreadsheets import huge_string, text_row
    from tests.spreadsheets import xlsx as crafted

    settings.IMPORT_MAX_PART_BYTES = 1024 * 1024
    data = crafted([text_row(1, "户号")], [huge_string(2 * 1024 * 1024)])

    response = client_for(st_clerk).post(
        reverse("grids:household_import", args=[shantang.pk]),
        {"file": SimpleUploadedFile("h.xlsx", data)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    from registry.models import ImportJob

    job = ImportJob.objects.get()  # the file became a job; the worker refused it
    assert response.status_code == 302
    assert job.status == "failed"
    assert "The spreadsheet unpacks to more than 1 MB in one part" in str(job.errors)
    assert not Household.objects.filter(village=shantang).exclude(number="001").exists()


def with_village(rows, code):
    return [[*r, code] for r in rows]


def test_a_file_of_many_villages_in_one_go_and_again_changes_nothing(
    shared, shantang, jinshan_shantang
):
    rows = with_village(ROWS, shantang.pk) + with_village(
        [
            row("101", "沈五", "户主", born="19600606", seq="044", micro="金山第一微网格"),
            row("101", "沈六", "子女", born="19900909", seq="055"),
        ],
        jinshan_shantang.pk,
    )
    result = services.import_households(xlsx(rows), actor=SYSTEM, filename="h.xlsx")
    assert result.ok, result.errors
    assert result.created == 5
    # The same 户号 in two villages: two households, each with its own people.
    js = Household.objects.get(village=jinshan_shantang, number="101")
    assert js.micro_grid == shared["sh"]
    assert sorted(js.members.values_list("name", flat=True)) == ["沈五", "沈六"]
    assert Household.objects.get(village=shantang, number="101").members.count() == 2
    again = services.import_households(xlsx(rows), actor=SYSTEM, filename="h.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


def test_a_file_of_many_villages_refuses_the_rows_of_a_village_out_of_reach(
    shared, st_clerk, shantang, jinshan_shantang
):
    rows = with_village(ROWS, shantang.pk) + with_village(
        [row("201", "沈五", "户主", born="19600606", seq="044")], jinshan_shantang.pk
    )
    rows.append(row("202", "无村", "户主", born="19610606", seq="066"))  # no 村代码
    rows.append([*row("203", "错村", "户主", born="19620606", seq="077"), "330482999999"])
    before = Person.objects.count()
    result = services.import_households(xlsx(rows), actor=st_clerk, filename="h.xlsx")
    assert [(e.row, e.column) for e in result.errors] == [
        (5, "村代码"),
        (6, "村代码"),
        (7, "村代码"),
    ]
    assert jinshan_shantang.name in result.errors[0].message
    assert Person.objects.count() == before
    assert not Household.objects.filter(number="101").exists()


def test_a_villages_file_refuses_a_row_of_another_village(shared, st_clerk, shantang):
    rows = [*ROWS[:1], [*ROWS[2], "310116107211"]]
    result = services.import_households(
        xlsx(rows), actor=st_clerk, village=shantang, filename="h.xlsx"
    )
    assert [(e.row, e.column) for e in result.errors] == [(3, "村代码")]
    assert not Household.objects.filter(number="101").exists()


def test_a_duplicate_across_the_villages_of_one_file(shared, shantang, jinshan_shantang):
    rows = with_village(ROWS[:1], shantang.pk) + with_village(ROWS[:1], jinshan_shantang.pk)
    result = services.import_households(xlsx(rows), actor=SYSTEM, filename="h.xlsx")
    assert [(e.row, e.column) for e in result.errors] == [(3, "身份证号")]
    assert "2" in result.errors[0].message


def test_a_job_without_a_village_runs_a_file_whose_rows_name_theirs(shared, st_clerk, shantang):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from grids.tasks import HOUSEHOLD_TASK
    from registry.models import ImportJob
    from registry.services import jobs

    upload = SimpleUploadedFile("h.xlsx", xlsx(with_village(ROWS, shantang.pk)))
    jobs.start_import_job(upload, actor=st_clerk, task=HOUSEHOLD_TASK, params={})
    job = ImportJob.objects.get()
    assert job.status == "succeeded", job.errors
    assert job.summary["created"] == 3
    assert Household.objects.filter(village=shantang, number="101").exists()
