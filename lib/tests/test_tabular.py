"""lib.tabular: converters, reading xlsx/csv, header mapping, writing. No database."""

import io
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from lib import tabular
from lib.tabular import INVALID, CellError, Column, money_column

yuan = tabular.scaled_integer(2)
wan = tabular.scaled_integer(6)


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        (1234.56, 123456),
        (1234.5600000000002, 123456),
        (0.1 + 0.2, 30),
        (330482.0, 33048200),
        (7, 700),
        ("1,234.5", 123450),
        (" 12.30 ", 1230),
        ("12.300", 1230),
        ("0", 0),
        ("1E3", 100000),
        (Decimal("2.5"), 250),
    ],
    ids=[
        "float",
        "float_artefact",
        "sum_artefact",
        "whole_float",
        "int",
        "thousands",
        "spaces",
        "trailing_zeros",
        "zero",
        "exponent",
        "decimal",
    ],
)
def test_yuan_convert_exactly_to_fen(value, fen):
    assert yuan(value) == fen


@pytest.mark.parametrize(
    ("value", "fen"),
    [(12.345678, 12345678), ("12.345678", 12345678), (30, 30000000), (0.000001, 1)],
    ids=["float", "text", "int", "smallest"],
)
def test_wan_yuan_convert_exactly_to_fen(value, fen):
    assert wan(value) == fen


@pytest.mark.parametrize(
    ("places", "value", "message"),
    [
        (2, 1.234, "At most 2 decimal places are allowed."),
        (2, "1.001", "At most 2 decimal places are allowed."),
        (6, "1.2345678", "At most 6 decimal places are allowed."),
        (6, 1.2345678, "At most 6 decimal places are allowed."),
        (2, -5, "Must not be negative."),
        (2, "-0.01", "Must not be negative."),
        (2, "三十万", "Not a number."),
        (2, "12元", "Not a number."),
        (2, float("nan"), "Not a number."),
        (2, True, "Not a number."),
        (2, "1e20", "Must be at most 9999999999999.99."),
    ],
    ids=[
        "three_decimals",
        "three_decimals_text",
        "seven_decimals_text",
        "seven_decimals_float",
        "negative",
        "negative_text",
        "chinese",
        "unit_suffix",
        "nan",
        "bool",
        "too_large",
    ],
)
def test_bad_money_is_refused_with_a_message(places, value, message):
    convert = tabular.scaled_integer(places, maximum=tabular.MAX_FEN)

    with pytest.raises(CellError) as raised:
        convert(value)

    assert str(raised.value) == message


def test_blank_money_is_none_or_an_error_when_required():
    required = tabular.scaled_integer(2, required=True)

    assert [yuan(v) for v in (None, "", "  ")] == [None, None, None]
    with pytest.raises(CellError, match="A value is required."):
        required("")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (330482102219.0, "330482102219"),
        (330482102219, "330482102219"),
        (" 330482102219 ", "330482102219"),
    ],
    ids=["float", "int", "text"],
)
def test_a_code_may_arrive_as_a_number_or_text(value, code):
    assert tabular.digits(12)(value) == code


@pytest.mark.parametrize(
    "value",
    [
        "33048210221",
        "3304821022190",
        "33048210221x",
        3304821022.5,
        -330482102219,
        "３３０４８２１０２２１９",
    ],
    ids=["short", "long", "letter", "fraction", "negative", "full_width"],
)
def test_a_code_that_is_not_twelve_digits_is_refused(value):
    with pytest.raises(CellError, match="Must be exactly 12 digits."):
        tabular.digits(12)(value)


def test_integers_accept_whole_floats_and_text_and_check_bounds():
    year = tabular.integer(minimum=1949, maximum=2100)

    assert [year(v) for v in (2023.0, "2023", 2023, None)] == [2023, 2023, 2023, None]
    with pytest.raises(CellError, match="Not a whole number."):
        year(2023.5)
    with pytest.raises(CellError, match="Must be at least 1949."):
        year(1900)
    with pytest.raises(CellError, match="Must not be negative."):
        tabular.integer(minimum=0)(-1)


def test_yes_no_reads_chinese_and_booleans_with_blank_as_default():
    convert = tabular.yes_no(blank=False)

    assert [convert(v) for v in ("是", " 否 ", "", None, True)] == [True, False, False, False, True]
    with pytest.raises(CellError, match="Must be one of: 是, 否."):
        convert("Y")


def test_headers_are_compared_without_spaces_and_with_full_width_parentheses():
    assert tabular.normalize_header(" 集体经济\n总收入 (万元) ") == "集体经济总收入（万元）"


COLUMNS = [
    Column("code", "代码", tabular.digits(4, required=True), required=True),
    money_column("amount", "金额", required=True),
    Column("note", "备注", tabular.text()),
]


def test_parse_maps_headers_and_converts_columns_with_errors_per_cell():
    # Given a table whose amount column is headed in 万元, with one bad code and one bad amount
    table = tabular.Table(
        header=["金额(万元)", "代码", "其他"],
        header_row=1,
        rows=[[1.5, "0001", "x"], ["abc", "12", "y"], [2, "0003", "z"]],
        row_numbers=[2, 4, 5],
    )

    parsed = tabular.parse(table, COLUMNS)

    assert parsed.values == {
        "code": ["0001", INVALID, "0003"],
        "amount": [1500000, INVALID, 2000000],
    }
    assert parsed.headers == {"code": "代码", "amount": "金额(万元)"}
    assert parsed.ignored == ["其他"]
    assert parsed.bad_rows == {1}
    assert [(e.row, e.column, e.value, e.render()) for e in parsed.errors] == [
        (4, "代码", "12", "Must be exactly 4 digits."),
        (4, "金额(万元)", "abc", "Not a number."),
    ]
    assert list(parsed.rows()) == [
        (2, {"code": "0001", "amount": 1500000}),
        (5, {"code": "0003", "amount": 2000000}),
    ]


def test_parse_reports_missing_and_doubled_columns_on_the_header_row():
    table = tabular.Table(
        header=["金额（元）", "金额（万元）"], header_row=3, rows=[[1, 2]], row_numbers=[4]
    )

    parsed = tabular.parse(table, COLUMNS)

    assert [(e.row, e.column, e.render()) for e in parsed.errors] == [
        (3, "金额（万元）", "This column appears more than once (also as 金额（元）)."),
        (3, "代码", "This required column is missing."),
    ]
    assert parsed.values == {}


def test_messages_are_rendered_through_the_given_translation():
    error = tabular.TableError(2, "金额", "x", tabular.MSG_ABOVE, {"maximum": 5})

    assert error.render({tabular.MSG_ABOVE: "不能大于 {maximum}。"}.get) == "不能大于 5。"


@pytest.mark.parametrize(
    ("data", "amount"),
    [
        ('\ufeff代码,金额（元）\r\n0001,"1,234.50"\r\n'.encode(), "1,234.50"),
        ("代码\t金额（元）\n0001\t1234.5\n".encode("gbk"), "1234.5"),
        ("代码;金额（元）\n0001;1234.5\n".encode(), "1234.5"),
    ],
    ids=["utf8_bom_comma", "gbk_tab", "utf8_semicolon"],
)
def test_csv_is_read_in_utf8_or_gbk_with_the_delimiter_sniffed(data, amount):
    table = tabular.read_table(data, filename="x.csv")

    assert (table.header, table.rows) == (["代码", "金额（元）"], [["0001", amount]])


def test_blank_rows_are_skipped_but_keep_their_row_numbers():
    data = "\r\n代码,金额（元）\r\n0001,1\r\n,\r\n\r\n0002,2,extra\r\n0003\r\n".encode()

    table = tabular.read_table(data, filename="x.csv")

    assert table.header_row == 2
    assert table.row_numbers == [3, 6, 7]
    assert table.rows == [["0001", "1", ""], ["0002", "2", "extra"], ["0003", "", ""]]


def test_xlsx_is_read_with_row_numbers_as_excel_shows_them():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["B2"], sheet["C2"] = "代码", "金额（元）"
    sheet["B4"], sheet["C4"] = "0001", 1234.5600000000002
    buffer = io.BytesIO()
    workbook.save(buffer)

    table = tabular.read_table(buffer.getvalue(), filename="x.xlsx")

    assert (table.header_row, table.row_numbers) == (2, [4])
    assert tabular.parse(table, COLUMNS).values["amount"] == [123456]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "x.csv", "The file is empty."),
        (b" \r\n", "x.csv", "The file is empty."),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00",
            "x.xlsx",
            "The file is not a spreadsheet (xlsx, xls, ods) or CSV file.",
        ),
        (b"plain text", "x.xlsx", "The file is not a spreadsheet (xlsx, xls, ods) or CSV file."),
        (
            b"\x00\x01\x02\x03abc",
            "x.csv",
            "The file is not a spreadsheet (xlsx, xls, ods) or CSV file.",
        ),
        (
            b"PK\x03\x04garbage",
            "x.xlsx",
            "The spreadsheet cannot be read: it is damaged or not a spreadsheet.",
        ),
    ],
    ids=["empty", "whitespace", "png", "text_named_xlsx", "binary_csv", "broken_zip"],
)
def test_unreadable_files_raise_a_read_error(data, filename, message):
    with pytest.raises(tabular.TableReadError) as raised:
        tabular.read_table(data, filename=filename)
    assert str(raised.value) == message


def test_a_file_over_the_limit_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\r\n" * 300_000)

    with pytest.raises(tabular.TableReadError, match=r"The file is larger than 1 MB."):
        tabular.read_table(path, max_bytes=1024 * 1024)
    with pytest.raises(tabular.TableReadError, match=r"The file is larger than 1 MB."):
        tabular.read_table(io.BytesIO(path.read_bytes()), max_bytes=1024 * 1024)


def test_written_csv_and_xlsx_read_back_to_the_same_values(tmp_path):
    columns = [
        Column("code", "代码", tabular.digits(4), xlsx_format="@"),
        money_column("amount", "金额"),
    ]
    rows = [("0001", Decimal("1234.56")), ("0002", None), ("0003", Decimal("0.10"))]

    for name, write in (("x.csv", tabular.write_csv), ("x.xlsx", tabular.write_xlsx)):
        write(tmp_path / name, columns, rows)
        parsed = tabular.parse(tabular.read_table(tmp_path / name), columns)
        assert parsed.errors == []
        assert parsed.values == {"code": ["0001", "0002", "0003"], "amount": [123456, None, 10]}


# Amounts of at most 15 significant digits: all a spreadsheet keeps.
amounts = st.integers(min_value=0, max_value=tabular.MAX_FEN).map(
    lambda fen: Decimal(fen).scaleb(-2)
)


@settings(max_examples=60, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=40))
def test_any_two_decimal_amount_survives_a_float_round_trip_through_xlsx(values):
    # Given amounts in 元 written as floats to xlsx, by xlsxwriter and by openpyxl
    columns = [money_column("amount", "金额")]
    ours = io.BytesIO()
    tabular.write_xlsx(ours, columns, [(v,) for v in values])
    workbook = openpyxl.Workbook()
    workbook.active.append(["金额（元）"])
    for value in values:
        workbook.active.append([float(value)])
    theirs = io.BytesIO()
    workbook.save(theirs)

    # When they are read back, then each converts to exactly the same fen
    expected = [int(v.scaleb(2)) for v in values]
    for data in (ours.getvalue(), theirs.getvalue()):
        parsed = tabular.parse(tabular.read_table(data, filename="x.xlsx"), columns)
        assert parsed.values["amount"] == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(min_value=-(10**12), max_value=10**12).map(lambda n: n / 100),
            st.integers(min_value=-(10**10), max_value=10**10).map(lambda n: n / 10**6),
            st.integers(min_value=1900, max_value=2200).map(float),
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(
        [
            tabular.scaled_integer(2, maximum=tabular.MAX_FEN),
            tabular.scaled_integer(6, maximum=tabular.MAX_FEN),
            tabular.scaled_integer(2, negative=True),
            tabular.integer(minimum=1949, maximum=2100),
            tabular.integer(minimum=0),
        ]
    ),
)
def test_the_numpy_batch_path_agrees_with_the_per_cell_converter(values, converter):
    # When a column of floats takes the batch path, it gives what each cell would
    batch = converter.batch(values)

    event("batch" if batch is not None else "per cell")
    if batch is not None:
        assert batch == [converter(v) for v in values]
        assert all(type(v) is int for v in batch)


def test_the_batch_path_is_taken_for_clean_float_columns_and_left_otherwise():
    assert yuan.batch([1234.56, 0.1, 7.0]) == [123456, 10, 700]
    assert yuan.batch([1234.5600000000002]) is None  # artefact: exact path per cell
    assert yuan.batch([1.0, ""]) is None  # a blank cell
    assert yuan.batch([-1.0]) is None  # an error to name


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.from_regex(r"\s?[0-9]{4}\s?", fullmatch=True),
            st.text(alphabet="0123456789 ０١²x", max_size=6),
            st.text(max_size=8),
            st.sampled_from(["", "   ", None, 1234.0, 1234]),
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from([tabular.digits(4, required=True), tabular.text(max_length=5), tabular.text()]),
)
def test_the_text_batch_path_agrees_with_the_per_cell_converter(values, converter):
    # When a column of text takes the batch path, it gives what each cell would
    batch = converter.batch(values)

    event("batch" if batch is not None else "per cell")
    if batch is not None:
        assert batch == [converter(v) for v in values]


def test_the_text_batch_path_is_taken_for_clean_text_columns_and_left_otherwise():
    code = tabular.digits(4)
    assert code.batch(["0001", " 0002 "]) == ["0001", "0002"]
    assert code.batch(["0001", "12"]) is None  # an error to name
    assert code.batch(["0001", "00a1"]) is None
    assert code.batch(["0001", "０００１"]) is None  # digits, but not ASCII
    assert code.batch(["0001", 2.0]) is None  # a number: per cell
    name = tabular.text(max_length=3)
    assert name.batch([" 甲村 ", "乙"]) == ["甲村", "乙"]
    assert name.batch(["甲村", ""]) is None  # a blank cell
    assert name.batch(["甲村", "长长长长"]) is None  # too long


def test_a_sheet_with_blank_cells_but_no_blank_row_keeps_every_row():
    table = tabular._to_table([["代码", "备注"], ["0001", ""], ["0002", None], ["0003", "x"]])

    assert table.rows == [["0001", ""], ["0002", None], ["0003", "x"]]
    assert table.row_numbers == [2, 3, 4]
    assert table.column(1) == ["", None, "x"]


FORMULAS = [
    '=HYPERLINK("http://evil.example","点击")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\tTAB",
    "\rCR",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_reaches_a_csv_as_text_and_reads_back_unchanged(tmp_path, text):
    columns = [Column("name", "名称", tabular.text(max_length=200))]
    path = tmp_path / "x.csv"

    tabular.write_csv(path, columns, [(text,), ("徐家埭村",)])

    cell = path.read_bytes().decode("utf-8-sig").split("\r\n")[1]
    assert cell.strip('"').startswith("'"), cell  # a spreadsheet shows it as text
    parsed = tabular.parse(tabular.read_table(path), columns)
    assert parsed.values == {"name": [text.strip(), "徐家埭村"]}


@given(st.text(max_size=20) | st.sampled_from(["'=1", "''=1", "'@", "'x"]))
def test_guarding_a_cell_is_undone_exactly(text):
    guarded = tabular.guard_cell(text)
    assert not guarded.startswith(tabular.FORMULA_TRIGGERS)
    assert tabular.unguard_cell(guarded) == text


def test_a_formula_in_xlsx_is_a_text_cell(tmp_path):
    columns = [Column("name", "名称", tabular.text(max_length=200))]
    path = tmp_path / "x.xlsx"
    tabular.write_xlsx(path, columns, [(FORMULAS[0],)])

    cell = openpyxl.load_workbook(path).active["A2"]
    assert cell.data_type == "s"
    assert cell.value == FORMULAS[0]


def test_a_csv_with_guarded_cells_reads_them_unguarded_and_one_without_reads_as_is():
    """The apostrophe of a guarded cell is taken off; a file with no apostrophe at all is
    read without looking at each cell."""
    guarded = "村代码,备注\n330482106209,'=1+1\n330482106210,''=x\n".encode()
    plain = "村代码,备注\n330482106209,=1+1 is text here\n".encode()
    assert tabular._read_csv(guarded) == [
        ["村代码", "备注"],
        ["330482106209", "=1+1"],
        ["330482106210", "'=x"],
    ]
    assert tabular._read_csv(plain) == [["村代码", "备注"], ["330482106209", "=1+1 is text here"]]


# --- A CSV's text cells converted a whole column at a time -------------------------------

_plain = st.one_of(
    st.just(""),
    st.from_regex(r"[0-9]{1,15}(\.[0-9]{0,2})?", fullmatch=True),
    st.sampled_from(["-1", "1,234.5", " 12", "1.234", "１２", "1e3", "abc", "0012.30"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_plain, min_size=1, max_size=40), st.booleans())
def test_a_text_column_in_one_batch_is_what_each_cell_converts_to(cells, required):
    from lib.tabular import CellError, integer, scaled_integer

    for convert in (
        scaled_integer(2, required=required, maximum=10**16),
        integer(required=required, minimum=0, maximum=10**14),
    ):
        batch = convert.batch(cells)
        if batch is None:
            continue  # the cell-by-cell path names the problems
        expected = []
        for cell in cells:
            try:
                expected.append(convert(cell))
            except CellError:
                raise AssertionError(f"batch accepted {cell!r}, convert refuses it") from None
        assert batch == expected
