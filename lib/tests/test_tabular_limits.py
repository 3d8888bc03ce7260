"""Memory bombs are refused before parsing (issue 10, item 5): the unpacked size of every
xlsx part, a sheet's rows and used area, a CSV's records, a cell's text; in seconds, with
memory bounded by a chunk, however much the file unpacks to."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from lib import tabular
from lib.tabular import Limits, TableReadError
from tests.spreadsheets import huge_string, many_rows, text_row, xlsx

ROOT = Path(__file__).resolve().parents[2]
WEB = Limits(max_rows=1_048_575, max_cells=4_000_000, max_part_bytes=200 * 1024 * 1024)
HEADER = text_row(1, "编号", "名称")


def refused(data: bytes, limits: Limits = WEB, filename: str = "a.xlsx") -> str:
    with pytest.raises(TableReadError) as caught:
        tabular.read_table(data, filename=filename, limits=limits)
    return str(caught.value)


@pytest.fixture(scope="module")
def gigabyte_string(tmp_path_factory) -> Path:
    """The attack of issue 10: a 1 MB xlsx whose one shared string is 1 GiB."""
    path = tmp_path_factory.mktemp("bombs") / "string.xlsx"
    path.write_bytes(
        xlsx([b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'], [huge_string(1 << 30)])
    )
    return path


def test_a_gigabyte_shared_string_is_refused_from_the_zip_directory(gigabyte_string):
    data = gigabyte_string.read_bytes()
    assert len(data) < 2 * 1024 * 1024

    started = time.monotonic()
    message = refused(data)

    assert time.monotonic() - started < 2
    assert "more than 200 MB in one part (xl/sharedStrings.xml)" in message


@pytest.fixture(scope="module")
def three_million_rows(tmp_path_factory) -> Path:
    """The other attack of issue 10: a few MB of xlsx holding 3 million rows."""
    path = tmp_path_factory.mktemp("bombs") / "rows.xlsx"
    path.write_bytes(xlsx([HEADER, *many_rows(3_000_000)]))
    return path


@pytest.mark.parametrize("bomb", ["gigabyte_string", "three_million_rows"])
def test_refusing_a_bomb_stays_far_below_500_mb(bomb, request):
    path = request.getfixturevalue(bomb)
    # In a process of its own, to measure its peak (the reader allocates outside Python).
    script = (
        "import json, sys, time\n"
        "from lib import tabular\n"
        "limits = tabular.Limits(max_rows=1048575, max_cells=4 * 10**6, max_part_bytes=200<<20)\n"
        "started = time.monotonic()\n"
        "try:\n"
        "    tabular.read_table(sys.argv[1], limits=limits)\n"
        "    outcome = 'read'\n"
        "except tabular.TableReadError as exc:\n"
        "    outcome = str(exc)\n"
        # The peak of this process's own memory (VmHWM starts afresh at exec; ru_maxrss
        # would carry the parent's, a large test process, over the fork).
        "status = open('/proc/self/status').read()\n"
        "peak = int(status.split('VmHWM:')[1].split()[0]) * 1024\n"
        "print(json.dumps({'outcome': outcome, 'peak': peak,"
        " 'seconds': time.monotonic() - started}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(done.stdout)
    assert report["outcome"] != "read"
    assert ("unsafe to open" in report["outcome"]) == (bomb == "gigabyte_string")
    assert report["peak"] < 500 * 1024 * 1024, report
    assert report["seconds"] < 15, report


def _understate(data: bytes, part: str, size: int) -> bytes:
    """The zip with `part`'s uncompressed size in the central directory set to `size`."""
    name = part.encode()
    at = 0
    while True:
        at = data.index(b"PK\x01\x02", at)
        length = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + length] == name:
            return data[: at + 24] + size.to_bytes(4, "little") + data[at + 28 :]
        at += 4


def test_a_part_that_unpacks_past_its_declared_size_is_refused_as_damaged():
    # The directory cannot be trusted alone: each part is unpacked (a chunk at a time) up to
    # its declared size and its checksum verified, so a lie is caught before parsing.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", "<sst>" + "a" * 100_000 + "</sst>")
    data = _understate(buffer.getvalue(), "xl/sharedStrings.xml", 100)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/sharedStrings.xml").file_size == 100

    message = refused(data, Limits(max_part_bytes=10_000))

    assert message == "The spreadsheet cannot be read: it is damaged or not a spreadsheet."


def test_a_cell_longer_than_a_spreadsheet_allows_is_refused():
    # 32,767 characters is the most a cell holds; 300,000 bytes of text is no cell.
    data = xlsx([HEADER, text_row(2, "甲" * 100_000, "乙")])
    assert "more text than a spreadsheet allows" in refused(data)


def test_three_million_rows_of_xlsx_are_refused_at_the_row_limit(three_million_rows):
    data = three_million_rows.read_bytes()
    assert len(data) < 20 * 1024 * 1024

    started = time.monotonic()
    message = refused(data)

    assert time.monotonic() - started < 15
    assert message.startswith("The file has more than 1,048,575 rows")


def test_three_million_rows_of_csv_are_refused():
    data = b"\xef\xbb\xbf\xe7\xbc\x96\xe5\x8f\xb7\n" + b"1\n" * 3_000_000

    started = time.monotonic()
    message = refused(data, filename="a.csv")

    assert time.monotonic() - started < 10
    assert message.startswith("The file has more than 1,048,575 rows")


def test_a_csv_whose_line_breaks_are_inside_quotes_is_counted_by_records():
    # 3 records, 9 lines: within a limit of 2 data rows.
    data = b'a,b\n"1\n2\n3",x\n"4\n5\n6",y\n'
    assert len(tabular.read_table(data, filename="a.csv", limits=Limits(max_rows=2)).rows) == 2
    with pytest.raises(TableReadError):
        tabular.read_table(data, filename="a.csv", limits=Limits(max_rows=1))


def test_two_cells_far_apart_are_refused_for_the_area_between_them():
    # The reader allocates the whole used area: A1 and Z1000000 are 26 million cells.
    data = xlsx([HEADER, b'<row r="1000000"><c r="Z1000000"><v>1</v></c></row>'])
    assert len(data) < 4096
    assert refused(data) == (
        "The sheet's used area is 1,000,000 rows by 26 columns, more than 4,000,000 cells: "
        "delete the unused rows and columns, or split the file."
    )


def test_a_cell_in_a_far_column_counts_the_width():
    data = xlsx([HEADER, b'<row r="300"><c r="XFD300"><v>1</v></c></row>'])
    assert "300 rows by 16,384 columns" in refused(data)


def test_a_declared_used_area_counts_even_without_its_cells():
    data = xlsx([HEADER], head=b'<dimension ref="A1:XFD1048576"/>')
    assert "1,048,576 rows by 16,384 columns" in refused(data)


def test_a_file_within_the_limits_reads_as_before():
    data = xlsx([HEADER, *(text_row(n, str(n), "甲") for n in range(2, 1002))])
    limits = Limits(max_rows=1000, max_cells=2002, max_part_bytes=1 << 20)

    table = tabular.read_table(data, filename="a.xlsx", limits=limits)

    assert len(table.rows) == 1000
    assert table.rows[-1] == ["1001", "甲"]
    # One row more, or one cell more, is over.
    assert "more than 999 rows" in refused(data, Limits(max_rows=999))
    assert "more than 2,001 cells" in refused(data, Limits(max_cells=2001))


def test_without_limits_nothing_is_checked():
    # Commands run by an operator read without them (the national CSV has 6 million rows).
    data = b"a\n" + b"1\n" * 20
    assert len(tabular.read_table(data, filename="a.csv").rows) == 20
    assert "more than 19 rows" in refused(data, Limits(max_rows=19), filename="a.csv")


def test_a_wide_csv_is_refused_for_its_cells():
    header = ",".join(f"c{n}" for n in range(100)) + "\n"
    data = header.encode() + (",".join(["1"] * 100) + "\n").encode() * 50
    assert len(tabular.read_table(data, filename="a.csv", limits=Limits(max_cells=5100)).rows) == 50
    assert refused(data, Limits(max_cells=5000), filename="a.csv") == (
        "The sheet's used area is 51 rows by 100 columns, more than 5,000 cells: "
        "delete the unused rows and columns, or split the file."
    )


MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
    ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    '<manifest:file-entry manifest:full-path="/"'
    ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def _ods(rows: bytes) -> bytes:
    content = (
        b'<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        b' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        b' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        b' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        b'<office:body><office:spreadsheet><table:table table:name="S">'
        b'<table:table-row><table:table-cell office:value-type="string"><text:p>h</text:p>'
        b"</table:table-cell></table:table-row>" + rows + b"</table:table></office:spreadsheet>"
        b"</office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", MANIFEST, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_an_ods_row_repeated_a_hundred_thousand_times_is_counted_as_it_is_read():
    # One row of 50 numbers "repeated" 100,000 times: 5 million cells from a 1 kB file.
    cell = (
        b'<table:table-cell office:value-type="float" office:value="1"'
        b' table:number-columns-repeated="50"><text:p>1</text:p></table:table-cell>'
    )
    data = _ods(
        b'<table:table-row table:number-rows-repeated="100000">' + cell + b"</table:table-row>"
    )
    assert len(data) < 2048
    assert "100,001 rows by 50 columns" in refused(data, filename="a.ods")
    # The empty rows a spreadsheet writes to fill its sheet are not read, so they pass.
    empty = _ods(
        b'<table:table-row table:number-rows-repeated="1048575">'
        b'<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    assert tabular.read_table(empty, filename="a.ods", limits=WEB).header == ["h"]
