"""`baotuan optimise`: CSV or a region's weak villages in, the plan and its baselines out; bad
input is a Chinese message and exit code 2, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from analytics.management.commands import optimise as command
from analytics.selectors import optimiser_candidates
from lib import optimise as opt
from registry.models import WeakVillageThreshold

KEYS = {"lifted", "capital_fen", "status", "gap", "plan", "greedy", "equal"}
ROW_KEYS = {"village", "park", "units", "stake_fen", "return_fen"}
VILLAGES = [
    # code, county, income, line (fen)
    ("V1", "C1", 900, 1000),
    ("V2", "C1", 500, 1000),
    ("V3", "C2", 990, 1000),
    ("V4", "C2", 2000, 1000),  # at its line already: left out
    ("V5", "C2", 100, 1000),
]
PARKS = [("P1", 1000, 5000, 100), ("P2", 500, 10000, 50)]


def write(path: Path, header: str, rows) -> str:
    path.write_text(
        header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows), encoding="utf-8"
    )
    return str(path)


@pytest.fixture
def files(tmp_path):
    return (
        write(tmp_path / "villages.csv", "code,county,income_fen,line_fen", VILLAGES),
        write(tmp_path / "parks.csv", "park,rate_bp,capacity_fen,unit_fen", PARKS),
    )


def run(*args) -> str:
    out = StringIO()
    with translation.override("zh-hans"):
        call_command("optimise", *args, stdout=out)
    return out.getvalue()


def refused(*args) -> str:
    with translation.override("zh-hans"), pytest.raises(CommandError) as caught:
        call_command("optimise", *args, stdout=StringIO())
    assert caught.value.returncode == 2
    return str(caught.value)


def test_csv_gives_the_keys_a_feasible_plan_and_no_less_than_greedy(files):
    villages, parks = files
    data = json.loads(
        run("--budget", "30", "--villages", villages, "--parks", parks, "--format", "json")
    )
    assert set(data) >= KEYS
    assert set(data["greedy"]) == set(data["equal"]) == {"lifted", "capital_fen"}
    assert all(set(row) == ROW_KEYS for row in data["plan"])
    assert data["status"] == "optimal"
    assert data["gap"] == 0
    assert data["budget_fen"] == 3000
    assert sum(row["stake_fen"] for row in data["plan"]) == data["capital_fen"] <= 3000
    assert data["lifted"] == len(data["plan"]) >= data["greedy"]["lifted"]
    assert data["lifted"] >= data["equal"]["lifted"]
    # Every row really lifts its village by the floor rule, within its park's capacity.
    by_code = {v[0]: v for v in VILLAGES}
    by_park = {p[0]: p for p in PARKS}
    for row in data["plan"]:
        _code, _county, income, line = by_code[row["village"]]
        _park, rate, _capacity, unit = by_park[row["park"]]
        assert row["stake_fen"] == row["units"] * unit
        assert row["return_fen"] == row["stake_fen"] * rate // 10000
        assert income + row["return_fen"] >= line
    for park, _rate, capacity, _unit in PARKS:
        assert sum(r["stake_fen"] for r in data["plan"] if r["park"] == park) <= capacity
    # The same figures as the library on the same input.
    result = opt.optimise([opt.Village(*v) for v in VILLAGES], [opt.Park(*p) for p in PARKS], 3000)
    assert (data["lifted"], data["capital_fen"]) == (result.lifted, result.capital_fen)
    assert data["greedy"]["lifted"] == result.greedy.lifted
    assert data["excluded"] == 1


def test_county_cap_and_time_limit(files):
    villages, parks = files
    data = json.loads(
        run(
            "--budget", "30", "--villages", villages, "--parks", parks,
            "--county-cap", "0.2", "--time-limit", "10", "--format", "json",
        )
    )  # fmt: skip
    assert data["county_cap_fen"] == 600
    for county in ("C1", "C2"):
        codes = {v[0] for v in VILLAGES if v[1] == county}
        assert sum(r["stake_fen"] for r in data["plan"] if r["village"] in codes) <= 600


def test_table_is_chinese(files):
    villages, parks = files
    out = run("--budget", "30", "--villages", villages, "--parks", parks)
    assert "状态：已证明最优" in out
    assert "贪心基线" in out
    assert "平均分配" in out
    assert "达标村数" in out
    assert "30.00" in out  # the budget, in yuan


def test_region_and_year_take_the_weak_villages_with_their_line(stats, tmp_path):
    # 2021: 107208 (900,000 yuan) and 107201 (700,000) are below the province's 1,000,000.
    assert optimiser_candidates("330482", 2021) == [
        opt.Village("330482107201", "330482", 70_000_000, 100_000_000),
        opt.Village("330482107208", "330482", 90_000_000, 100_000_000),
    ]
    assert optimiser_candidates("330482106", 2021) == []
    parks = write(
        tmp_path / "parks.csv",
        "park,rate_bp,capacity_fen,unit_fen",
        [("嘉善园", 1000, 10**9, 10**6)],
    )
    data = json.loads(
        run("--budget", "1000000", "--region", "330482", "--year", "2021", "--parks", parks,
            "--format", "json")
    )  # fmt: skip
    # 107208 needs 100,000 yuan of return: a 1,000,000-yuan stake at 10 %; 107201 needs 3×.
    assert data["lifted"] == 1
    assert data["plan"] == [
        {
            "village": "330482107208",
            "park": "嘉善园",
            "units": 100,
            "stake_fen": 100_000_000,
            "return_fen": 10_000_000,
        }
    ]
    assert data["candidates"] == 2


def test_a_county_line_on_operating_income_overrides_the_province(stats):
    WeakVillageThreshold.objects.create(
        name="平湖市经营性收入标准",
        region_id="330482",
        valid_from=2021,
        valid_to=2021,
        operating_income_below=500_000 * 100,
    )
    # Operating income is half the total: 450,000 and 350,000 yuan are below 500,000.
    assert optimiser_candidates("330482", 2021) == [
        opt.Village("330482107201", "330482", 35_000_000, 50_000_000),
        opt.Village("330482107208", "330482", 45_000_000, 50_000_000),
    ]
    # 2022 is out of the county line's years: the province's total-income line again.
    assert optimiser_candidates("330482", 2022) == [
        opt.Village("330482107208", "330482", 80_000_000, 100_000_000)
    ]


def test_region_errors(stats, files):
    _villages, parks = files
    assert refused("--budget", "1", "--region", "330482", "--parks", parks) == (
        "--region 需要同时给出 --year。"
    )
    assert refused("--budget", "1", "--region", "999999", "--year", "2021", "--parks", parks) == (
        "未知区划“999999”。"
    )
    assert refused("--budget", "1", "--region", "330482", "--year", "2030", "--parks", parks) == (
        "330482 下 2030 年没有薄弱村。"
    )


@pytest.mark.parametrize(
    ("villages", "parks", "budget", "extra", "expected"),
    [
        # missing a column
        ("code,county,income_fen\nV1,C1,5\n", None, "10", (), "缺少列 line_fen"),
        (None, "park,rate_bp,unit_fen\nP,1,1\n", "10", (), "缺少列 capacity_fen"),
        # not an integer, negative
        (
            "code,county,income_fen,line_fen\nV1,C1,5.5,10\n",
            None,
            "10",
            (),
            "第 2 行：income_fen 必须是整数，而不是 '5.5'",
        ),  # noqa: E501
        (None, "park,rate_bp,capacity_fen,unit_fen\nP,abc,10,1\n", "10", (), "rate_bp 必须是整数"),
        (
            "code,county,income_fen,line_fen\nV1,C1,-5,10\n",
            None,
            "10",
            (),
            "income_fen 为负数（-5）",
        ),
        # the budget
        (None, None, "0", (), "预算为零，无法投放。"),
        (None, None, "-3", (), "预算为负数（-3 元）。"),
        (None, None, "1.005", (), "预算必须是最多两位小数的元金额"),
        (None, None, "abc", (), "预算必须是最多两位小数的元金额"),
        # the library's checks
        (None, "park,rate_bp,capacity_fen,unit_fen\nP,0,10,1\n", "10", (), "园区 P 的收益率为零"),
        (
            None,
            "park,rate_bp,capacity_fen,unit_fen\nP,1,10,0\n",
            "10",
            (),
            "园区 P 的入股单位为零。",
        ),
        (None, "park,rate_bp,capacity_fen,unit_fen\nP,1,10,20\n", "10", (), "一份也放不下"),
        (
            None,
            "park,rate_bp,capacity_fen,unit_fen\nP,1,10,1\nP,1,10,1\n",
            "10",
            (),
            "园区 P 出现了不止一次。",
        ),  # noqa: E501
        (
            None,
            "park,rate_bp,capacity_fen,unit_fen\nP,100001,10,1\n",
            "10",
            (),
            "园区 P：收益率为 100001，超过可接受的上限",
        ),  # noqa: E501
        ("code,county,income_fen,line_fen\n", None, "10", (), "未提供候选村。"),
        (None, "park,rate_bp,capacity_fen,unit_fen\n", "10", (), "未提供飞地园区。"),
        ("code,county,income_fen,line_fen\nV1,C1,50,10\n", None, "10", (), "1 个村都已达到标准线"),
        (None, None, "0.01", (), "最便宜的一个也需要"),
        (
            None,
            None,
            "10",
            ("--county-cap", "2"),
            "每县上限必须是大于 0、不超过 1 的预算份额，而不是 '2'",
        ),  # noqa: E501
        (None, None, "10", ("--time-limit", "soon"), "时间上限必须是正的秒数，而不是 'soon'"),
        (None, None, "10", ("--time-limit", "0"), "时间上限必须是正的秒数"),
    ],
)
def test_bad_input_is_a_chinese_message_and_exit_2(
    tmp_path, files, villages, parks, budget, extra, expected
):
    default_villages, default_parks = files
    if villages is not None:
        (tmp_path / "v.csv").write_text(villages, encoding="utf-8")
        default_villages = str(tmp_path / "v.csv")
    if parks is not None:
        (tmp_path / "p.csv").write_text(parks, encoding="utf-8")
        default_parks = str(tmp_path / "p.csv")
    text = refused(
        "--budget", budget, "--villages", default_villages, "--parks", default_parks, *extra
    )
    assert expected in text


def test_a_missing_file(files):
    villages, _parks = files
    assert "无法将 nowhere.csv 读取为 UTF-8 编码的 CSV 文件" in refused(
        "--budget", "1", "--villages", villages, "--parks", "nowhere.csv"
    )


def test_the_messages_are_the_library_s():
    with translation.override("en"):
        assert command._messages() == opt.MESSAGES


def test_the_console_script_exits_2_with_the_message_and_no_traceback(files):
    villages, _parks = files
    bad = Path(villages).with_name("bad.csv")
    bad.write_text("park,rate_bp,capacity_fen,unit_fen\nP,0,10,1\n", encoding="utf-8")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "baotuan.settings_test", "DATABASE_URL": ""}
    env["PYTHONPATH"] = str(settings.BASE_DIR)
    done = subprocess.run(
        [sys.executable, "-c", "from baotuan.cli import main; main()", "optimise",
         "--budget", "10", "--villages", villages, "--parks", str(bad)],
        capture_output=True, text=True, env=env, cwd=settings.BASE_DIR, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "园区 P 的收益率为零：投在那里不能让任何村达标。" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
