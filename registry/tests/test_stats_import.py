"""Statistics import (service and `import_stats` command): all or nothing, idempotent."""

from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from audit.models import ObjectChange
from core.actors import SYSTEM
from registry.models import VillageStat
from registry.services import stats_io
from registry.services.stats_io import import_stats

XU, SHAN, FENG = "330482107208", "330482106209", "331121201201"
HEADER = [
    "统计用区划代码",
    "村名",
    "年度",
    "集体经济总收入（元）",
    "经营性收入（元）",
    "经常性收入（元）",
    "户籍人口（人）",
    "户数（户）",
    "农村居民人均可支配收入（元）",
]


def xlsx(path, rows, name="stats.xlsx"):
    """Write rows (first is the header) with openpyxl, which stores floats at full
    precision, as Excel does (so 1234.5600000000002 stays an artefact in the file)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    target = path / name
    workbook.save(target)
    return target


def csv_file(path, text, encoding="utf-8-sig", name="stats.csv"):
    target = path / name
    target.write_bytes(text.encode(encoding))
    return target


def run(path, *args):
    """Run the command; returns (stdout, stderr), or raises CommandError."""
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command("import_stats", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path, *args):
    """Run the command expecting failure; returns (exit code, stderr lines + final message)."""
    out, err = StringIO(), StringIO()
    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("import_stats", str(path), *args, stdout=out, stderr=err)
    assert out.getvalue() == ""
    return raised.value.returncode, [*err.getvalue().splitlines(), str(raised.value)]


def stat_changes():
    """Change-log rows about statistics (the fixtures log their regions and villages)."""
    return ObjectChange.objects.filter(content_type=VillageStat.content_type())


def stats():
    return {
        (s.village_id, s.year): (
            s.total_income,
            s.operating_income,
            s.recurring_income,
            s.population,
            s.households,
            s.per_capita_disposable_income,
            s.is_illustrative,
        )
        for s in VillageStat.objects.all()
    }


GOOD = [
    HEADER,
    [XU, "徐家埭村", 2022, 12345678.9, 5000000, 6000000.5, 3210, 980, 46276],
    [FENG, "峰山村", 2022, 300000, None, None, None, None, None],
]


@pytest.mark.django_db
def test_it_creates_rows_and_logs_each_creation(tree, tmp_path):
    # Given a file with two village-years
    path = xlsx(tmp_path, GOOD)

    # When it is imported from the command line
    out, _ = run(path)

    # Then both rows exist, in fen, and the change log has a creation for each
    assert out.strip() == "Created 2, updated 0, unchanged 0."
    assert stats() == {
        (XU, 2022): (1234567890, 500000000, 600000050, 3210, 980, 4627600, False),
        (FENG, 2022): (30000000, None, None, None, None, None, False),
    }
    changes = stat_changes().filter(action="create").order_by("object_repr")
    xu = VillageStat.objects.get(village_id=XU)
    assert [(c.object_pk, c.object_repr, c.source) for c in changes] == [
        (str(xu.pk), f"{XU} 2022", "cli"),
        (str(VillageStat.objects.get(village_id=FENG).pk), f"{FENG} 2022", "cli"),
    ]
    assert changes[0].postchange_data == {
        "id": xu.pk,
        "village_id": XU,
        "year": 2022,
        "total_income": 1234567890,
        "operating_income": 500000000,
        "recurring_income": 600000050,
        "population": 3210,
        "households": 980,
        "per_capita_disposable_income": 4627600,
        "is_illustrative": False,
    }


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_and_logs_nothing_the_second_time(tree, tmp_path):
    path = xlsx(tmp_path, GOOD)
    run(path)
    before, logged = stats(), stat_changes().count()

    out, _ = run(path)

    assert out.strip() == "Created 0, updated 0, unchanged 2."
    assert stats() == before
    assert stat_changes().count() == logged


@pytest.mark.django_db
def test_a_changed_row_is_updated_and_logged_with_only_the_changed_fields(tree, tmp_path):
    # Given the two rows imported
    run(xlsx(tmp_path, GOOD))
    stat = VillageStat.objects.get(village_id=XU)

    # When a file changes one figure of one row
    changed = [GOOD[0], [XU, "徐家埭村", 2022, 12345678.9, 5000001, 6000000.5, 3210, 980, 46276]]
    changed.append(GOOD[2])
    out, _ = run(xlsx(tmp_path, changed, name="changed.xlsx"))

    # Then that row is updated and its change log holds only that field
    assert out.strip() == "Created 0, updated 1, unchanged 1."
    assert VillageStat.objects.get(pk=stat.pk).operating_income == 500000100
    change = stat_changes().get(action="update")
    assert change.object_pk == str(stat.pk)
    assert change.prechange_data == {"operating_income": 500000000}
    assert change.postchange_data == {"operating_income": 500000100}


@pytest.mark.django_db
def test_an_absent_column_is_left_untouched_and_a_blank_cell_becomes_null(tree, tmp_path):
    run(xlsx(tmp_path, GOOD))

    # The file lacks every optional column but 经营性收入, which is blank for 徐家埭村
    partial = [
        ["统计用区划代码", "年度", "集体经济总收入（元）", "经营性收入（元）"],
        [XU, 2022, 12345678.9, None],
    ]
    out, _ = run(xlsx(tmp_path, partial, name="partial.xlsx"))

    assert out.strip() == "Created 0, updated 1, unchanged 0."
    assert stats()[XU, 2022] == (1234567890, None, 600000050, 3210, 980, 4627600, False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "value", "fen"),
    [
        ("集体经济总收入（万元）", 12.345678, 12345678),
        ("集体经济总收入(万元)", "12.345678", 12345678),
        ("集体经济总收入（元）", 1234.5600000000002, 123456),
        ("集体经济总收入(元)", 0.1 + 0.2, 30),
        ("集体经济总收入（元）", "1,234.5", 123450),
        ("集体经济总收入（万元）", 30, 30000000),
    ],
    ids=["wan_float", "wan_text_half_width", "float_artefact", "sum_artefact", "text", "wan_int"],
)
def test_money_is_converted_exactly_to_fen(tree, tmp_path, header, value, fen):
    path = xlsx(tmp_path, [["统计用区划代码", "年度", header], [XU, 2023, value]])

    run(path)

    assert VillageStat.objects.get(village_id=XU, year=2023).total_income == fen


@pytest.mark.django_db
def test_a_code_stored_as_a_number_is_accepted(tree, tmp_path):
    path = xlsx(
        tmp_path, [["统计用区划代码", "年度", "集体经济总收入（元）"], [330482107208.0, 2023, 1]]
    )

    run(path)

    assert VillageStat.objects.get().village_id == XU


@pytest.mark.django_db
def test_the_registered_name_and_the_short_name_are_both_accepted(tree, tmp_path):
    rows = [
        ["统计用区划代码", "村名", "年度", "集体经济总收入（元）"],
        [XU, "徐家埭村村民委员会", 2023, 1],
        [FENG, " 峰山村 ", 2023, 1],
    ]

    run(xlsx(tmp_path, rows))

    assert VillageStat.objects.count() == 2


@pytest.mark.django_db
def test_the_illustrative_column_is_read_blank_meaning_no(tree, tmp_path):
    rows = [
        ["统计用区划代码", "年度", "集体经济总收入（元）", "示例"],
        [XU, 2023, 1, "是"],
        [SHAN, 2023, 1, None],
        [FENG, 2023, 1, "否"],
    ]

    run(xlsx(tmp_path, rows))

    assert dict(VillageStat.objects.values_list("village_id", "is_illustrative")) == {
        XU: True,
        SHAN: False,
        FENG: False,
    }


@pytest.mark.django_db
def test_a_gbk_csv_with_semicolons_is_read(tree, tmp_path):
    text = "统计用区划代码;年度;集体经济总收入（万元）\r\n330482107208;2023;30.5\r\n"
    path = csv_file(tmp_path, text, encoding="gbk")

    out, _ = run(path)

    assert out.strip() == "Created 1, updated 0, unchanged 0."
    assert VillageStat.objects.get().total_income == 30500000


@pytest.mark.django_db
def test_a_dry_run_counts_but_writes_nothing(tree, tmp_path):
    out, _ = run(xlsx(tmp_path, GOOD), "--dry-run")

    assert out.strip() == "Dry run, nothing written. Would have: Created 2, updated 0, unchanged 0."
    assert VillageStat.objects.count() == 0
    assert stat_changes().count() == 0


BAD_CASES = {
    # case: (rows after the header, expected (row, column, message) lines)
    "unknown_code": (
        [[XU, "徐家埭村", 2023, 1], ["330482999999", "", 2023, 1]],
        [
            "Row 3, column 统计用区划代码: No village with this code in the registry. "
            "(value: 330482999999)"
        ],
    ),
    "duplicate": (
        [[XU, "徐家埭村", 2023, 1], [FENG, "", 2023, 1], [XU, "", 2023.0, 2]],
        [
            "Row 4, column 统计用区划代码: The same village and year are already in row 2. "
            f"(value: {XU})"
        ],
    ),
    "negative_money": (
        [[XU, "徐家埭村", 2023, -5], [FENG, "", 2023, 1]],
        ["Row 2, column 集体经济总收入（元）: Must not be negative. (value: -5)"],
    ),
    "text_in_number": (
        [[XU, "徐家埭村", 2023, 1], [FENG, "", 2023, "三十万"]],
        ["Row 3, column 集体经济总收入（元）: Not a number. (value: 三十万)"],
    ),
    "too_many_decimals": (
        [[XU, "徐家埭村", 2023, 1.234], [FENG, "", 2023, 1]],
        [
            "Row 2, column 集体经济总收入（元）: At most 2 decimal places are allowed. (value: 1.234)"
        ],
    ),
    "blank_total": (
        [[XU, "徐家埭村", 2023, 1], [FENG, "", 2023, None]],
        ["Row 3, column 集体经济总收入（元）: A value is required."],
    ),
    "year_out_of_range": (
        [[XU, "徐家埭村", 1900, 1], [FENG, "", 2101, 1]],
        [
            "Row 2, column 年度: Must be at least 1949. (value: 1900)",
            "Row 3, column 年度: Must be at most 2100. (value: 2101)",
        ],
    ),
    "short_code": (
        [[XU, "徐家埭村", 2023, 1], ["3304821072", "", 2023, 1]],
        ["Row 3, column 统计用区划代码: Must be exactly 12 digits. (value: 3304821072)"],
    ),
    "name_mismatch": (
        [[XU, "山塘村", 2023, 1], [FENG, "", 2023, 1]],
        [
            "Row 2, column 村名: The name does not match the registry: this code is 徐家埭村. "
            "(value: 山塘村)"
        ],
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD_CASES))
def test_a_file_with_a_bad_row_is_refused_whole_with_each_error_named(tree, tmp_path, case):
    # Given a file where at least one row is wrong and the others are fine
    rows, expected = BAD_CASES[case]
    path = xlsx(tmp_path, [["统计用区划代码", "村名", "年度", "集体经济总收入（元）"], *rows])

    # When it is imported
    code, err = run_failing(path)

    # Then the command exits 1 naming each error by row and column, and writes nothing
    assert code == 1
    assert err == [*expected, f"{len(expected)} errors: nothing was imported."]
    assert VillageStat.objects.count() == 0
    assert stat_changes().count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cell", "message"),
    [(-1, "Must not be negative."), (3.5, "Not a whole number."), ("many", "Not a number.")],
    ids=["negative", "fraction", "text"],
)
def test_population_must_be_a_non_negative_whole_number(tree, tmp_path, cell, message):
    path = xlsx(
        tmp_path,
        [["统计用区划代码", "年度", "集体经济总收入（元）", "户籍人口（人）"], [XU, 2023, 1, cell]],
    )

    code, err = run_failing(path)

    assert code == 1
    assert err[0] == f"Row 2, column 户籍人口（人）: {message} (value: {cell})"
    assert VillageStat.objects.count() == 0


@pytest.mark.django_db
def test_seven_decimals_of_wan_yuan_is_a_row_error(tree, tmp_path):
    path = xlsx(
        tmp_path, [["统计用区划代码", "年度", "集体经济总收入（万元）"], [XU, 2023, "1.2345678"]]
    )

    code, err = run_failing(path)

    assert code == 1
    assert err[0] == (
        "Row 2, column 集体经济总收入（万元）: At most 6 decimal places are allowed. "
        "(value: 1.2345678)"
    )


@pytest.mark.django_db
def test_a_missing_required_column_is_an_error_on_the_header_row(tree, tmp_path):
    path = xlsx(tmp_path, [["统计用区划代码", "村名", "经营性收入（元）"], [XU, "徐家埭村", 1]])

    code, err = run_failing(path)

    assert code == 1
    assert err == [
        "Row 1, column 年度: This required column is missing.",
        "Row 1, column 集体经济总收入（元）: This required column is missing.",
        "2 errors: nothing was imported.",
    ]
    assert VillageStat.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.xlsx", b"", "File: The file is empty."),
        ("empty.csv", b"\r\n\r\n", "File: The file is empty."),
        (
            "header_only.csv",
            "统计用区划代码,年度,集体经济总收入（元）\r\n".encode(),
            "File: The file has a header but no data rows.",
        ),
        (
            "png.xlsx",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
            "File: The file is not a spreadsheet (xlsx, xls, ods) or CSV file.",
        ),
        (
            "random.xlsx",
            bytes(range(256)) * 4,
            "File: The file is not a spreadsheet (xlsx, xls, ods) or CSV file.",
        ),
        (
            "random.csv",
            bytes(range(256)) * 4,
            "File: The file is not a spreadsheet (xlsx, xls, ods) or CSV file.",
        ),
        (
            "broken.xlsx",
            b"PK\x03\x04" + b"\x00" * 100,
            "File: The spreadsheet cannot be read: it is damaged or not a spreadsheet.",
        ),
    ],
    ids=["empty", "blank_lines", "header_only", "png", "random_xlsx", "random_csv", "broken_zip"],
)
def test_a_file_that_is_not_a_usable_spreadsheet_is_refused(tree, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    code, err = run_failing(path)

    assert code == 1
    assert err[0] == message
    assert VillageStat.objects.count() == 0
    assert stat_changes().count() == 0


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(tree, tmp_path, settings):
    # A CSV path is streamed by the command line, within its own (larger) limit.
    settings.STATS_CSV_MAX_BYTES = 1024 * 1024
    rows = [["统计用区划代码", "年度", "集体经济总收入（元）"]] + [[XU, 2023, 1]] * 70_000
    path = csv_file(tmp_path, "\r\n".join(",".join(map(str, r)) for r in rows))
    assert path.stat().st_size > 1024 * 1024

    code, err = run_failing(path)

    assert code == 1
    assert err[0] == "File: The file is larger than 1 MB."
    assert VillageStat.objects.count() == 0


@pytest.mark.django_db
def test_a_user_may_import_only_villages_in_their_scope(clerk, tmp_path):
    # Given the clerk of 徐家埭村 and a file with their village and 峰山村
    path = xlsx(tmp_path, GOOD)

    # When the clerk imports it
    with translation.override("en"):
        result = import_stats(path, actor=clerk)

    # Then the 峰山村 row is an error and nothing is written
    assert [tuple(e) for e in result.errors] == [
        (3, "统计用区划代码", "No permission for this village.", FENG)
    ]
    assert VillageStat.objects.count() == 0
    assert stat_changes().count() == 0


@pytest.mark.django_db
def test_progress_is_reported_through_every_phase(tree, tmp_path):
    calls = []

    result = import_stats(
        xlsx(tmp_path, GOOD), progress=lambda *args: calls.append(args), actor=SYSTEM
    )

    assert result.created == 2
    assert calls == [
        (0, 0, "reading"),
        (0, 2, "validating"),
        (2, 2, "writing"),
        (2, 2, "done"),
    ]


def _queries(path):
    with CaptureQueriesContext(connection) as captured:
        result = import_stats(path, actor=SYSTEM)
    assert result.errors == []
    return len(captured)


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_rows(tree, tmp_path):
    header = ["统计用区划代码", "年度", "集体经济总收入（元）", "经营性收入（元）"]
    one = xlsx(tmp_path, [header, [XU, 2020, 1, 1]], name="one.xlsx")
    many = xlsx(
        tmp_path,
        [header] + [[code, year, 1, 1] for code in (SHAN, FENG) for year in range(2000, 2020)],
        name="many.xlsx",
    )
    one_changed = xlsx(tmp_path, [header, [XU, 2020, 1, 2]], name="one_changed.xlsx")
    many_changed = xlsx(
        tmp_path,
        [header] + [[code, year, 1, 2] for code in (SHAN, FENG) for year in range(2000, 2020)],
        name="many_changed.xlsx",
    )

    assert _queries(many) == _queries(one)  # inserts
    assert _queries(many_changed) == _queries(one_changed)  # updates


@pytest.mark.django_db
def test_duplicates_are_found_across_progress_chunks(tree, tmp_path, monkeypatch):
    # Given validation in chunks of two rows, and a duplicate two chunks after its first row
    monkeypatch.setattr(stats_io, "PROGRESS_EVERY", 2)
    header = ["统计用区划代码", "年度", "集体经济总收入（元）"]
    rows = [[XU, 2020, 1], [XU, 2021, 1], [FENG, 2020, 1], [SHAN, 2020, 1], [XU, 2020, 2]]
    calls = []

    with translation.override("en"):
        result = import_stats(
            xlsx(tmp_path, [header, *rows]), progress=lambda *a: calls.append(a), actor=SYSTEM
        )

    assert [tuple(e) for e in result.errors] == [
        (6, "统计用区划代码", "The same village and year are already in row 2.", XU)
    ]
    assert calls == [
        (0, 0, "reading"),
        (0, 5, "validating"),
        (2, 5, "validating"),
        (4, 5, "validating"),
    ]
    assert VillageStat.objects.count() == 0


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_off_during_an_import_and_restored_after(
    tree, tmp_path, monkeypatch, enabled
):
    import gc

    seen = []
    monkeypatch.setattr(stats_io, "_no_progress", lambda *args: seen.append(gc.isenabled()))
    (gc.enable if enabled else gc.disable)()
    try:
        result = import_stats(xlsx(tmp_path, GOOD), actor=SYSTEM)
        after = gc.isenabled()
    finally:
        gc.enable()

    assert result.ok
    assert result.created == 2
    assert seen
    assert not any(seen)
    assert after is enabled
