"""A few rows for a new year never take over "the latest year" (issue 10, item 1).

After 3 rows for 2023 were imported, the home card counted weak villages "按 2023 年", the
dashboards defaulted to 2023 and plotted a median from 3 villages, and a village ranked
"第1名（共1个）". The latest year of a region is now its latest complete year (at least
STATS_COMPLETE_SHARE of its village-level units reported it), every figure states its
coverage, and a year below the share is marked incomplete wherever it is shown.

The fixture is the demo's shape in small: 平湖 with 30 villages in two townships, all of them
reporting 2021 and 2022, and 峰山村 in 青田; then 3 villages' 2023 rows come in through the
statistics import.
"""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from analytics import selectors
from core.actors import SYSTEM
from registry import selectors as registry_selectors
from registry.choices import VillageKind
from registry.models import Village, VillageStat, WeakVillageThreshold
from registry.services.stats_io import import_stats

pytestmark = pytest.mark.usefixtures("empty_cache")

YUAN = 100
PINGHU = 30  # village-level units of 平湖 in the fixture
EARLY = ["330482107208", "330482106209", "330482107300"]  # the three that report 2023 first
API = "/api/v1/indicators/"


def _village(code, township):
    Village.objects.create(
        code=code,
        name=f"测试{code[-3:]}村村民委员会",
        short_name=f"测试{code[-3:]}村",
        kind=VillageKind.VILLAGE,
        township_id=township,
        county_id=code[:6],
    )


@pytest.fixture
def pinghu(tree):
    """平湖: 30 villages reporting 2021 and 2022 (incomes from 0.6 to 3.5 million yuan, a
    third of them under the 1-million line); 峰山村 (青田) reports both years too."""
    for i in range(14):
        _village(f"330482107{300 + i}", "330482107")
        _village(f"330482106{300 + i}", "330482106")
    codes = sorted(Village.objects.filter(code__startswith="330482").values_list("pk", flat=True))
    assert len(codes) == PINGHU
    rows = []
    for i, code in enumerate(codes):
        for year, growth in ((2021, 0), (2022, 50_000)):
            total = (600_000 + 100_000 * i + growth) * YUAN
            rows.append(VillageStat(village_id=code, year=year, total_income=total))
    for year in (2021, 2022):
        rows.append(VillageStat(village_id="331121201201", year=year, total_income=300_000 * YUAN))
    VillageStat.objects.bulk_create(rows)
    WeakVillageThreshold.objects.create(
        name="浙江省消薄标准", region_id="33", valid_from=2018, total_income_below=1_000_000 * YUAN
    )
    return codes


@pytest.fixture
def three_rows_of_2023(pinghu):
    """3 of 平湖's 30 villages report 2023, through the statistics import (all rich: their
    median is far above 2022's, as in the issue's +141.6%)."""
    lines = ["统计用区划代码,年度,集体经济总收入（元）"]
    lines += [f"{code},2023,{9_000_000 + i}" for i, code in enumerate(EARLY)]
    result = import_stats(
        ("\n".join(lines) + "\n").encode("utf-8-sig"), actor=SYSTEM, filename="2023.csv"
    )
    assert not result.errors
    assert VillageStat.objects.filter(year=2023).count() == 3


def _command(*args):
    out = StringIO()
    call_command("indicators", *args, stdout=out)
    return out.getvalue()


# --- The rule --------------------------------------------------------------------------------


def test_the_latest_year_stays_the_last_complete_one(three_rows_of_2023):
    assert registry_selectors.latest_year("330482") == 2022
    assert registry_selectors.latest_year("330482107") == 2022
    assert registry_selectors.latest_year("") == 2022  # the whole registry
    assert registry_selectors.coverage("330482", 2023).as_dict() == {
        "reported": 3,
        "expected": PINGHU,
    }
    assert not registry_selectors.coverage("330482", 2023).complete
    assert registry_selectors.coverage("330482", 2022).complete


def test_the_share_is_a_setting(three_rows_of_2023, settings):
    settings.STATS_COMPLETE_SHARE = 0.1  # 3 of 30 is enough now
    assert registry_selectors.latest_year("330482") == 2023
    settings.STATS_COMPLETE_SHARE = 0.11
    assert registry_selectors.latest_year("330482") == 2022


def test_the_share_is_compared_exactly(pinghu, settings):
    # 27 of 30 is exactly 0.9: complete (no float rounding decides it).
    for code in pinghu[:27]:
        VillageStat.objects.create(village_id=code, year=2023, total_income=1)
    assert registry_selectors.coverage("330482", 2023).complete
    assert registry_selectors.latest_year("330482") == 2023


def test_a_region_that_only_partly_reports_still_ignores_a_new_years_first_rows(
    three_rows_of_2023,
):
    # 100 villages of 青田 that never report: no year of 浙江 reaches 90% of its 131
    # villages; the latest year is then the latest one with 90% of the most villages that
    # ever reported (2022), still marked incomplete.
    for i in range(100):
        _village(f"331121201{300 + i}", "331121201")
    assert registry_selectors.latest_year("33") == 2022
    data = selectors.indicators("33")
    assert data["year"] == 2022
    assert data["coverage"] == {"reported": PINGHU + 1, "expected": PINGHU + 101}
    assert data["complete"] is False


def test_settings_refuse_a_share_that_is_not_one():
    import subprocess
    import sys

    for bad in ("0", "1.5", "ninety", "nan"):
        result = subprocess.run(
            [sys.executable, "-c", "import baotuan.settings"],
            env={"STATS_COMPLETE_SHARE": bad, "SECRET_KEY": "x", "PATH": ""},
            capture_output=True,
            text=True,
            cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]),
        )
        assert result.returncode != 0, bad
        assert "STATS_COMPLETE_SHARE" in result.stderr


# --- The command and the API -----------------------------------------------------------------


def test_the_command_defaults_to_the_latest_complete_year(three_rows_of_2023):
    data = json.loads(_command("--region", "330482", "--format", "json"))
    assert data["year"] == 2022
    assert data["coverage"] == {"reported": PINGHU, "expected": PINGHU}
    assert data["complete"] is True
    assert data["villages"] == PINGHU


def test_an_explicit_partial_year_is_marked_incomplete(three_rows_of_2023):
    data = json.loads(_command("--region", "330482", "--year", "2023", "--format", "json"))
    assert data["year"] == 2023
    assert data["coverage"] == {"reported": 3, "expected": PINGHU}
    assert data["complete"] is False
    assert data["latest_year"] == 2022
    with translation.override("en"):
        table = _command("--region", "330482", "--year", "2023")
    assert "Coverage: 3/30 (incomplete" in table
    with translation.override("en"):
        assert "incomplete" not in _command("--region", "330482")


def test_the_api_defaults_to_the_latest_complete_year_and_states_coverage(
    three_rows_of_2023, client_for, clerk
):
    client = client_for(clerk)
    latest = client.get(API, {"region": "330482"}).json()
    assert (latest["year"], latest["complete"]) == (2022, True)
    partial = client.get(API, {"region": "330482", "year": 2023}).json()
    assert partial["coverage"] == {"reported": 3, "expected": PINGHU}
    assert partial["complete"] is False


# --- Pages -----------------------------------------------------------------------------------


def test_the_home_card_counts_weak_villages_in_the_latest_complete_year(
    three_rows_of_2023, client_for, admin
):
    response = client_for(admin).get(reverse("home"))
    assert response.context["latest_year"] == 2022
    # 2022: villages 0–3 of 平湖 (650k–950k) and 峰山村 (300k) are under the line.
    assert response.context["weak_count"] == 5
    assert response.context["coverage"] == {"reported": PINGHU + 1, "expected": PINGHU + 1}
    assert 'data-testid="coverage"' in response.content.decode()
    assert 'data-testid="incomplete"' not in response.content.decode()


def test_the_dashboards_default_to_the_latest_complete_year(three_rows_of_2023, client_for, clerk):
    client = client_for(clerk)
    response = client.get(reverse("analytics:index"), {"region": "330482"})
    assert response["Location"] == reverse("analytics:region", args=["330482", 2022])
    picker = client.get(reverse("analytics:index")).context
    assert picker["default"]["latest"] == 2022
    counties = {c["code"]: c for city in picker["cities"] for c in city["counties"]}
    assert counties["330482"]["latest"] == 2022


def test_the_partial_year_is_marked_on_the_dashboard(three_rows_of_2023, client_for, clerk):
    client = client_for(clerk)
    html = client.get(reverse("analytics:region", args=["330482", 2023])).content.decode()
    assert 'data-testid="incomplete-year"' in html
    assert reverse("analytics:region", args=["330482", 2022]) in html  # the complete one
    assert re.search(r'class="chip chip-ok chip-incomplete"[^>]*>2023<', html)
    complete = client.get(reverse("analytics:region", args=["330482", 2022])).content.decode()
    assert 'data-testid="incomplete-year"' not in complete
    assert 'data-testid="coverage"' in complete
    trend = {row["year"]: row for row in selectors.trend("330482")}
    assert trend[2023]["complete"] is False
    assert (trend[2023]["villages"], trend[2023]["expected"]) == (3, PINGHU)
    assert trend[2022]["complete"] is True
    printable = client.get(reverse("analytics:region_print", args=["330482", 2023]))
    assert 'data-testid="incomplete-year"' in printable.content.decode()


def test_a_village_is_ranked_among_its_county_in_the_latest_complete_year(
    three_rows_of_2023, client_for, clerk
):
    # 徐家埭村 reported 2023 early: it is placed among all 30 of 2022, not "1 of 3".
    response = client_for(clerk).get(reverse("registry:village_detail", args=[EARLY[0]]))
    peers = response.context["peers"]
    assert peers["year"] == 2022
    assert peers["county"]["of"] == PINGHU
    assert peers["county"]["complete"] is True


def test_a_village_with_only_a_partial_year_is_ranked_with_its_coverage_shown(
    three_rows_of_2023, client_for, clerk
):
    _village("330482107399", "330482107")
    VillageStat.objects.create(village_id="330482107399", year=2023, total_income=10**9)
    response = client_for(clerk).get(reverse("registry:village_detail", args=["330482107399"]))
    peers = response.context["peers"]
    assert peers["year"] == 2023
    assert peers["county"]["coverage"] == {"reported": 4, "expected": PINGHU + 1}
    assert peers["county"]["complete"] is False
    assert 'data-testid="incomplete"' in response.content.decode()


def test_the_weak_village_list_means_the_latest_complete_year(
    three_rows_of_2023, client_for, admin
):
    response = client_for(admin).get(reverse("registry:village_list"), {"status": "weak"})
    assert response.context["year"] == 2022


def test_the_showcase_card_shows_the_latest_complete_year_and_its_coverage(
    three_rows_of_2023, client
):
    response = client.get(reverse("showcase:index"))
    html = response.content.decode()
    assert re.search(r"平湖市[^<]*2022", html)
    assert 'data-testid="coverage"' in html


def test_a_ranking_frozen_from_a_partial_year_is_marked_and_not_shown_first(ranked, client):
    # The alliance of four: 2021 and 2022 frozen with every member reporting; then 2023 is
    # frozen when only one member has reported it.
    from analytics import services
    from analytics.models import RankingScheme
    from analytics.rankings import current_snapshots, ranking_table

    VillageStat.objects.create(village_id="330482106201", year=2023, total_income=10**9)
    scheme = RankingScheme.objects.get()
    services.compute_snapshot(scheme, 2023, actor=SYSTEM)
    table = ranking_table(scheme, 2023, current_snapshots(scheme))
    assert table["coverage"] == {"reported": 1, "expected": 4}
    assert table["complete"] is False
    assert ranking_table(scheme, 2022)["complete"] is True

    index = client.get(reverse("showcase:index"))
    assert index.context["year"] == 2022
    page = client.get(reverse("showcase:ranking", args=[scheme.pk, 2023])).content.decode()
    assert 'data-testid="incomplete"' in page
