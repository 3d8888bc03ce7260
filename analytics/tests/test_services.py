from datetime import date

import numpy as np
import pytest

from analytics.selectors import indicators
from analytics.tests.conftest import CODES_2022, INCOMES, YUAN
from lib import inequality
from ventures import services as ventures
from ventures.models import DistributionLine

TOTAL_2022 = np.array([INCOMES[c][1] * YUAN for c in CODES_2022], dtype=float)
TOWNSHIPS = np.array([c[:9] for c in CODES_2022])


def test_counts_and_weak_villages(stats):
    data = indicators("330482", 2022)
    assert data["region"] == {"code": "330482", "name": "平湖市", "level": data["region"]["level"]}
    assert data["villages"] == 4  # 峰山村 (青田) is not counted
    assert data["weak"] == {"count": 1, "share": 0.25, "previous_year": 2, "lifted": 1}


def test_distribution_in_fen(stats):
    data = indicators("330482", 2022)
    assert data["total_income"] == {
        "min": 80_000_000,
        "p10": 80_000_000,
        "median": 160_000_000,
        "p90": 400_000_000,
        "max": 400_000_000,
        "mean": 200_000_000,
        "sum": 800_000_000,
        "reported": 4,
        "expected": 4,
    }
    assert data["operating_income"]["median"] == 80_000_000
    assert data["operating_income"]["max"] == 200_000_000


def test_gini_theil_and_ratios_equal_lib_inequality(stats):
    data = indicators("330482", 2022)
    assert data["gini"] == pytest.approx(inequality.gini(TOTAL_2022), abs=1e-6)
    assert data["theil_t"] == pytest.approx(inequality.theil_t(TOTAL_2022), abs=1e-6)
    r = inequality.ratios(TOTAL_2022)
    assert data["ratios"]["max_min"] == pytest.approx(5.0)
    assert data["ratios"]["palma"] == pytest.approx(r.palma, abs=1e-6)
    assert data["ratios"]["s80_s20"] == pytest.approx(r.s80_s20, abs=1e-6)


def test_decomposition_by_township_and_county(stats):
    data = indicators("330482", 2022)
    d = inequality.theil_decomposition(TOTAL_2022, TOWNSHIPS, kind="T")
    town = data["by_township"]
    assert town["between"] == pytest.approx(d.between, abs=1e-6)
    assert town["within"] == pytest.approx(d.within, abs=1e-6)
    assert town["group_count"] == 2
    by_code = {g["code"]: g for g in town["top_groups"]}
    assert by_code["330482106"]["name"] == "广陈镇"
    assert by_code["330482106"]["villages"] == 2
    assert by_code["330482106"]["income_share"] == pytest.approx(0.75)
    assert town["top_groups"][0]["contribution"] >= town["top_groups"][1]["contribution"]
    county = data["by_county"]
    assert county["between"] == pytest.approx(0.0)
    assert county["within"] == pytest.approx(data["theil_t"], abs=1e-6)


def test_growth_of_median_and_mean(stats):
    growth = indicators("330482", 2022)["growth"]
    # 2021: median (900k+2M)/2 = 1.45M, mean 1.65M; 2022: median 1.6M, mean 2M.
    assert growth["villages_previous_year"] == 4
    assert growth["median"] == pytest.approx(1_600_000 / 1_450_000 - 1, abs=1e-6)
    assert growth["mean"] == pytest.approx(2_000_000 / 1_650_000 - 1, abs=1e-6)


def test_first_year_has_no_growth_or_lifted(stats):
    data = indicators("330482", 2021)
    assert data["weak"]["lifted"] is None
    assert data["growth"]["median"] is None
    assert data["returns"] is None


def test_a_township_region(stats):
    data = indicators("330482107", 2022)
    assert data["villages"] == 2
    assert data["weak"]["count"] == 1


@pytest.mark.parametrize(
    ("region", "year", "message"),
    [("330499", 2022, "330499"), ("330482", 2015, "2015"), ("331121201", 2021, "2021")],
)
def test_unknown_region_or_year_without_statistics(stats, region, year, message):
    with pytest.raises(ValueError, match=message):
        indicators(region, year)


@pytest.fixture
def posted_2022(stats, venture, register, finance, approver):
    """1,000,000.00 yuan of 2022 rent, distributed pro rata (600/300/100) and posted."""
    ventures.record_income(
        venture,
        amount=100_000_000,
        received_on=date(2022, 12, 20),
        actor=finance,
        period_start=date(2022, 1, 1),
        period_end=date(2022, 12, 31),
    )
    run = ventures.prepare_run(
        venture,
        period_start=date(2022, 1, 1),
        period_end=date(2022, 12, 31),
        policy="pro_rata",
        params={},
        actor=finance,
    ).run
    return run, approver


def test_returns_only_from_posted_runs(posted_2022):
    run, approver = posted_2022
    assert indicators("330482", 2022)["returns"] is None  # prepared, not posted
    run = ventures.approve_run(run, actor=approver)
    assert indicators("330482", 2022)["returns"] is None  # approved, not posted


def test_returns_narrow_the_gap(posted_2022, finance):
    run, approver = posted_2022
    ventures.post_run(
        ventures.approve_run(run, actor=approver), actor=finance, date=date(2023, 1, 15)
    )
    lines = dict(DistributionLine.objects.filter(run=run).values_list("village_id", "amount"))
    assert lines == {
        "331121201201": 60_000_000,
        "330482107208": 30_000_000,
        "330482106209": 10_000_000,
    }

    returns = indicators("330482", 2022)["returns"]
    assert returns["total"] == 40_000_000
    assert returns["villages_receiving"] == 2
    assert [(v["code"], v["amount"]) for v in returns["per_village"]] == [
        ("330482107208", 30_000_000),
        ("330482106209", 10_000_000),
    ]
    # The statistics hold the returns the villages received; without them is less.
    received = np.array([lines.get(c, 0) for c in CODES_2022], dtype=float)
    without_returns = np.maximum(TOTAL_2022 - received, 0)
    assert returns["with"]["gini"] == pytest.approx(inequality.gini(TOTAL_2022), abs=1e-6)
    assert returns["without"]["gini"] == pytest.approx(inequality.gini(without_returns), abs=1e-6)
    assert returns["without"]["theil_t"] == pytest.approx(
        inequality.theil_t(without_returns), abs=1e-6
    )
    assert returns["without"]["max_min"] == pytest.approx(
        without_returns.max() / without_returns.min(), abs=1e-6
    )
    assert returns["change"]["gini"] < 0
    assert returns["change"]["theil_t"] < 0
    # 峰山村's share is 青田's, not 平湖's; another year has no returns.
    assert indicators("331121", 2022)["returns"]["total"] == 60_000_000
    assert indicators("330482", 2021)["returns"] is None
