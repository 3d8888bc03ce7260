"""The nation's statistics: files over an xlsx sheet's 1,048,576 rows, several files or a
folder imported all or nothing, a CSV streamed a chunk at a time (issue 11, item 5)."""

import io
import re
import zipfile

import pytest
from django.utils import translation

from core.actors import SYSTEM
from lib import tabular
from registry.models import VillageStat
from registry.services.stats_io import import_stats
from registry.tests.test_stats_import import (
    FENG,
    SHAN,
    XU,
    csv_file,
    run,
    run_failing,
    stat_changes,
    xlsx,
)

HEAD = "统计用区划代码,年度,集体经济总收入（元）"


def lines(*rows):
    return "\r\n".join([HEAD, *(",".join(map(str, r)) for r in rows)]) + "\r\n"


def full_sheet(path):
    """A small xlsx whose sheet declares the used area A1:C1048576, as a sheet filled to
    Excel's last row does (Excel dropped whatever came after)."""
    source = xlsx(path, [["统计用区划代码", "年度", "集体经济总收入（元）"], [XU, 2023, 1]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(buffer, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C1048576"', data)
            new.writestr(info, data)
    source.write_bytes(buffer.getvalue())
    return source


@pytest.mark.django_db
def test_a_sheet_filled_to_the_last_xlsx_row_is_refused_and_says_why(tree, tmp_path):
    code, err = run_failing(full_sheet(tmp_path))

    assert code == 1
    assert err[0].startswith("File: The sheet is full: it reaches row 1,048,576")
    assert "several files" in err[0]
    assert "CSV" in err[0]
    assert VillageStat.objects.count() == 0


def test_the_full_sheet_check_runs_before_the_web_limits(tmp_path):
    data = full_sheet_bytes(tmp_path)
    limits = tabular.Limits(max_rows=1_048_575, max_cells=4_000_000)
    with pytest.raises(tabular.TableReadError) as raised:
        tabular.read_table(data, limits=limits)
    assert raised.value.message is tabular.MSG_SHEET_FULL


def full_sheet_bytes(tmp_path):
    return full_sheet(tmp_path).read_bytes()


@pytest.mark.django_db
def test_several_files_are_imported_together(tree, tmp_path):
    one = csv_file(tmp_path, lines([XU, 2022, 100], [SHAN, 2022, 200]), name="a.csv")
    two = xlsx(tmp_path, [HEAD.split(","), [FENG, 2022, 300], [XU, 2023, 400]], name="b.xlsx")

    out, _err = run(one, two)

    assert "Created 4" in out
    assert {(s.village_id, s.year): s.total_income for s in VillageStat.objects.all()} == {
        (XU, 2022): 10000,
        (SHAN, 2022): 20000,
        (FENG, 2022): 30000,
        (XU, 2023): 40000,
    }
    assert stat_changes().count() == 4


@pytest.mark.django_db
def test_a_bad_row_in_the_second_file_keeps_the_first_file_out_too(tree, tmp_path):
    one = csv_file(tmp_path, lines([XU, 2022, 100], [SHAN, 2022, 200]), name="a.csv")
    two = csv_file(tmp_path, lines([FENG, 2022, 300], ["330482999999", 2022, 1]), name="b.csv")

    code, err = run_failing(one, two)

    assert code == 1
    assert err[0] == (
        "Row 3, column 统计用区划代码: b.csv: No village with this code in the registry. "
        "(value: 330482999999)"
    )
    assert err[-1] == "1 errors: nothing was imported."
    assert VillageStat.objects.count() == 0
    assert stat_changes().count() == 0


@pytest.mark.django_db
def test_the_same_village_and_year_in_two_files_is_refused_naming_both(tree, tmp_path):
    one = csv_file(tmp_path, lines([XU, 2022, 100], [SHAN, 2022, 200]), name="a.csv")
    two = csv_file(tmp_path, lines([FENG, 2022, 300], [SHAN, 2022, 200]), name="b.csv")

    code, err = run_failing(one, two)

    assert code == 1
    assert err[0] == (
        "Row 3, column 统计用区划代码: b.csv: The same village and year are already in row 3 "
        "of a.csv. (value: 330482106209)"
    )
    assert VillageStat.objects.count() == 0


@pytest.mark.django_db
def test_a_folder_is_imported_as_its_files(tree, tmp_path):
    folder = tmp_path / "nation"
    folder.mkdir()
    csv_file(folder, lines([XU, 2022, 100]), name="33-1.csv")
    csv_file(folder, lines([SHAN, 2022, 200]), name="33-2.csv")
    (folder / "README").write_text("not a statistics file")

    out, _err = run(folder)

    assert "Created 2" in out
    assert VillageStat.objects.count() == 2
    # Again: nothing changes.
    out, _err = run(folder)
    assert "Created 0, updated 0, unchanged 2" in out


@pytest.mark.django_db
def test_an_empty_folder_is_refused(tree, tmp_path):
    code, err = run_failing(tmp_path)
    assert code == 1
    assert "holds no xlsx, xls, ods or csv file" in err[0]


@pytest.mark.django_db
def test_a_csv_is_imported_a_chunk_at_a_time(tree, tmp_path):
    rows = [[code, year, 100 + year] for year in range(2015, 2023) for code in (XU, SHAN, FENG)]
    path = csv_file(tmp_path, lines(*rows))
    chunks = list(tabular.iter_tables(path, chunk_rows=5))
    assert [len(t.rows) for t in chunks] == [5, 5, 5, 5, 4]
    assert chunks[1].row_numbers[0] == 7  # the header is row 1

    with translation.override("en"):
        result = import_stats(path, actor=SYSTEM, chunk_rows=5)

    assert result.ok, result.errors
    assert (result.rows, result.created) == (24, 24)
    assert VillageStat.objects.count() == 24
    assert stat_changes().count() == 24
    assert VillageStat.objects.get(village_id=FENG, year=2022).total_income == 212200
    again = import_stats(path, actor=SYSTEM, chunk_rows=5)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 24)


@pytest.mark.django_db
def test_a_bad_row_in_the_last_chunk_undoes_the_chunks_written_before(tree, tmp_path):
    rows = [[code, year, 1] for year in range(2015, 2020) for code in (XU, SHAN)]
    rows.append([FENG, 2019, "abc"])
    path = csv_file(tmp_path, lines(*rows))

    with translation.override("en"):
        result = import_stats(path, actor=SYSTEM, chunk_rows=3)

    assert [(e.row, e.value) for e in result.errors] == [(12, "abc")]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert VillageStat.objects.count() == 0
    assert stat_changes().count() == 0


@pytest.mark.django_db
def test_a_repeat_in_another_chunk_is_found(tree, tmp_path):
    path = csv_file(tmp_path, lines([XU, 2022, 1], [SHAN, 2022, 2], [FENG, 2022, 3], [XU, 2022, 4]))

    with translation.override("en"):
        result = import_stats(path, actor=SYSTEM, chunk_rows=2)

    assert [(e.row, e.message) for e in result.errors] == [
        (5, "The same village and year are already in row 2.")
    ]
    assert VillageStat.objects.count() == 0


@pytest.mark.django_db
def test_a_streamed_gbk_csv_is_read_and_an_unknown_encoding_is_named(tree, tmp_path):
    gbk = csv_file(tmp_path, lines([XU, 2022, 1], [SHAN, 2022, 2]), encoding="gbk", name="g.csv")
    result = import_stats(gbk, actor=SYSTEM, chunk_rows=1)
    assert result.ok
    assert result.created == 2

    bad = tmp_path / "bad.csv"
    bad.write_bytes(HEAD.encode() + b"\r\n" + XU.encode() + b",2023,\x80\xff\r\n")
    with translation.override("en"):
        code, err = run_failing(bad)
    assert code == 1
    assert err[0] == (
        "File: The CSV file is in an encoding that cannot be read (neither UTF-8 nor GBK): "
        "save it again from Excel as “CSV UTF-8”."
    )


def test_a_streamed_csv_skips_blank_lines_and_keeps_row_numbers(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("\n" + HEAD + "\n330482107208,2022,1\n,,\n\n330482106209,2022,'=2\n")
    (table,) = list(tabular.iter_tables(path, chunk_rows=10))
    assert table.header_row == 2
    assert table.row_numbers == [3, 6]
    assert table.rows[1] == ["330482106209", "2022", "=2"]  # the guard quote is taken off
