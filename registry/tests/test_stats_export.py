"""Statistics export (`export_stats` command and service): the import template's format."""

import csv
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from python_calamine import CalamineWorkbook

from audit.models import ObjectChange
from core.actors import SYSTEM
from registry.models import VillageStat
from registry.services.stats_io import import_stats
from registry.sheets import export_stats

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
    "示例",
]


@pytest.fixture
def some_stats(tree):
    VillageStat.objects.create(
        village_id=XU,
        year=2022,
        total_income=1234567891,
        operating_income=10,
        recurring_income=None,
        population=3210,
        households=980,
        per_capita_disposable_income=4627600,
    )
    VillageStat.objects.create(village_id=XU, year=2021, total_income=0, is_illustrative=True)
    VillageStat.objects.create(village_id=FENG, year=2022, total_income=30000000)


def export(tmp_path, name, *args):
    path = tmp_path / name
    out = StringIO()
    with translation.override("en"):
        call_command("export_stats", "-o", str(path), *args, stdout=out)
    return path, out.getvalue().strip()


@pytest.mark.django_db
def test_csv_export_writes_the_template_with_money_in_yuan_with_two_decimals(some_stats, tmp_path):
    path, out = export(tmp_path, "stats.csv")

    assert out == f"Exported 3 rows to {path}."
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows == [
        HEADER,
        [XU, "徐家埭村", "2021", "0.00", "", "", "", "", "", "是"],
        [XU, "徐家埭村", "2022", "12345678.91", "0.10", "", "3210", "980", "46276.00", "否"],
        [FENG, "峰山村", "2022", "300000.00", "", "", "", "", "", "否"],
    ]


@pytest.mark.django_db
def test_xlsx_export_writes_codes_as_text_and_money_as_numbers_formatted_0_00(some_stats, tmp_path):
    path, _ = export(tmp_path, "stats.xlsx", "--year", "2022")

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows == [
        HEADER,
        [XU, "徐家埭村", 2022.0, 12345678.91, 0.1, "", 3210.0, 980.0, 46276.0, "否"],
        [FENG, "峰山村", 2022.0, 300000.0, "", "", "", "", "", "否"],
    ]
    with zipfile.ZipFile(path) as archive:
        assert 'formatCode="0.00"' in archive.read("xl/styles.xml").decode()


@pytest.mark.django_db
def test_export_can_be_limited_to_a_region_and_a_year(some_stats, tmp_path):
    path, out = export(tmp_path, "stats.csv", "--region", "330482", "--year", "2021")

    assert out == f"Exported 1 rows to {path}."
    rows = list(csv.reader(StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [r[:3] for r in rows[1:]] == [[XU, "徐家埭村", "2021"]]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_imports_back_unchanged(some_stats, tmp_path, fmt):
    # Given an export of every statistic
    path = tmp_path / f"stats.{fmt}"
    before = list(VillageStat.objects.order_by("pk").values())
    logged = ObjectChange.objects.count()
    assert export_stats(path, fmt) == 3

    # When it is imported again
    result = import_stats(path, actor=SYSTEM)

    # Then every row is unchanged and nothing was written or logged
    assert (result.errors, result.created, result.updated, result.unchanged) == ([], 0, 0, 3)
    assert list(VillageStat.objects.order_by("pk").values()) == before
    assert ObjectChange.objects.count() == logged


@pytest.mark.django_db
def test_export_refuses_an_unknown_file_type(tmp_path):
    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("export_stats", "-o", str(tmp_path / "stats.pdf"))

    assert str(raised.value) == "The output file must end in .xlsx or .csv."
    assert not (tmp_path / "stats.pdf").exists()
