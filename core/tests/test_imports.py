"""The shared import machinery: reading an upload into typed rows, row errors in the order
a reader fixes them, and money cells in 元/万元 that survive an export → import round trip."""

import io
from decimal import Decimal

import pytest
from django.utils import translation

from core.imports import ImportResult, RowError, money_column, read_upload, sort_errors, yuan
from lib import tabular
from lib.tabular import Column

COLUMNS = [
    Column("code", "编号", tabular.digits(4, required=True), required=True),
    Column("name", "名称", tabular.text(max_length=10)),
    money_column("income", "收入", required=True),
]


def csv(text: str) -> bytes:
    return text.encode("utf-8")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_good_file_becomes_typed_columns_in_fen():
    result = ImportResult()

    parsed = read_upload(
        csv("编号,名称,收入（元）\n0001,甲,1234.56\n0002,乙,7\n"),
        COLUMNS,
        result,
        max_bytes=1024,
        filename="a.csv",
    )

    assert result.ok
    assert result.rows == 2
    assert parsed.values["code"] == ["0001", "0002"]
    assert parsed.values["income"] == [123456, 700]


def test_a_money_column_headed_wan_yuan_is_read_in_wan_yuan():
    result = ImportResult()

    parsed = read_upload(
        csv("编号,收入（万元）,备注\n0001,12.345678,x\n"),
        COLUMNS,
        result,
        max_bytes=1024,
        filename="a.csv",
    )

    assert parsed.values["income"] == [12345678]
    assert result.ignored_columns == ["备注"]


def test_cell_errors_name_the_row_and_the_column_as_written():
    result = ImportResult()

    parsed = read_upload(
        csv("编号,收入（元）\n12,1.234\n0002,5\n"),
        COLUMNS,
        result,
        max_bytes=1024,
        filename="a.csv",
    )

    assert parsed is not None
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (2, "编号", "12"),
        (2, "收入（元）", "1.234"),
    ]
    assert not result.ok


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        pytest.param(b"", "a.csv", id="empty_case"),
        pytest.param(b"x" * 2048, "a.csv", id="too_large_case"),
        pytest.param(b"%PDF-1.4 not a sheet", "a.xlsx", id="not_a_spreadsheet_case"),
    ],
)
def test_an_unreadable_file_is_one_error_for_the_whole_file(content, filename):
    result = ImportResult()

    assert read_upload(content, COLUMNS, result, max_bytes=1024, filename=filename) is None

    assert len(result.errors) == 1
    assert result.errors[0].row is None
    assert result.errors[0].column == ""
    assert result.errors[0].message


def test_a_missing_required_column_or_no_rows_leaves_nothing_to_check():
    missing, empty = ImportResult(), ImportResult()

    assert (
        read_upload(csv("名称\n甲\n"), COLUMNS, missing, max_bytes=1024, filename="a.csv") is None
    )
    assert (
        read_upload(csv("编号,收入（元）\n"), COLUMNS, empty, max_bytes=1024, filename="a.csv")
        is None
    )

    assert {e.column for e in missing.errors} >= {"编号", "收入（元）"}
    assert empty.rows == 0


def test_progress_is_reported_while_reading():
    calls = []

    read_upload(
        csv("编号,收入（元）\n0001,1\n0002,2\n"),
        COLUMNS,
        ImportResult(),
        max_bytes=1024,
        filename="a.csv",
        progress=lambda *args: calls.append(args),
    )

    assert calls == [(0, 0, "reading"), (0, 2, "validating")]


def test_errors_are_sorted_by_row_then_by_the_formats_column_order():
    headers = {"code": "编号", "name": "名称", "income": "收入（万元）"}
    errors = [
        RowError(3, "收入（万元）", "c"),
        RowError(3, "编号", "b"),
        RowError(None, "", "file"),
        RowError(2, "名称", "a"),
    ]

    assert [e.message for e in sort_errors(errors, COLUMNS, headers)] == ["file", "a", "b", "c"]


def test_the_summary_of_a_result():
    result = ImportResult(rows=4, created=1, updated=1, unchanged=1, skipped=1, dry_run=True)
    result.errors.append(RowError(2, "编号", "bad", "x"))

    assert not result.ok
    assert result.summary() == {
        "rows": 4,
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "skipped": 1,
        "dry_run": True,
        "error_count": 1,
        "ignored_columns": [],
    }


@pytest.mark.parametrize("fen", [0, 1, 99, 123456, 10**15 - 1])
def test_an_exported_money_cell_reads_back_as_the_same_fen(fen):
    cell = yuan(fen)
    buffer = io.BytesIO()
    tabular.write_xlsx(buffer, COLUMNS, [("0001", None, cell)])
    result = ImportResult()

    parsed = read_upload(buffer.getvalue(), COLUMNS, result, max_bytes=10**6, filename="a.xlsx")

    assert cell == Decimal(fen).scaleb(-2)
    assert cell.as_tuple().exponent == -2
    assert parsed.values["income"] == [fen]


def test_a_blank_money_cell_exports_blank():
    assert yuan(None) is None
