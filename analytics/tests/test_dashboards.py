"""Dashboards: the region picker, the region page (figures = analytics.selectors), drill-down
links, fixed query counts, and the services added for them (trend, detail, peers, cache)."""

import json
import re
from datetime import date

import numpy as np
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from analytics import selectors
from analytics.tests.conftest import CODES_2022, INCOMES, YUAN, add_stats
from lib import inequality
from registry.choices import VillageKind
from registry.models import Village
from ventures import services as ventures

PINGHU_2022 = reverse("analytics:region", args=["330482", 2022])


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # pages read through the cache; test databases reuse change-log ids


def chart_data(response) -> dict:
    html = response.content.decode()
    found = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


@pytest.mark.parametrize(
    "url",
    [
        reverse("analytics:index"),
        PINGHU_2022,
        reverse("analytics:region_print", args=["330482", 2022]),
        reverse("analytics:region_report", args=["330482", 2022]),
    ],
)
def test_anonymous_is_sent_to_sign_in(stats, client_for, url):
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_picker_lists_counties_with_statistics_and_defaults_to_pinghu(stats, client_for, clerk):
    response = client_for(clerk).get(reverse("analytics:index"))
    assert response.status_code == 200
    assert response.context["default"] == {
        "code": "330482",
        "name": "平湖市",
        "latest": 2022,
        "coverage": {"reported": 4, "expected": 4},
        "complete": True,
    }
    cities = {c["code"]: [k["code"] for k in c["counties"]] for c in response.context["cities"]}
    assert cities == {"3304": ["330482"], "3311": ["331121"]}
    assert PINGHU_2022 in response.content.decode()


def test_picker_form_goes_to_the_latest_year_or_the_one_asked(stats, client_for, clerk):
    client = client_for(clerk)
    assert client.get(reverse("analytics:index"), {"region": "330482"})["Location"] == (PINGHU_2022)
    response = client.get(reverse("analytics:index"), {"region": "330482107", "year": "2021"})
    assert response["Location"] == reverse("analytics:region", args=["330482107", 2021])


def test_region_page_shows_the_service_figures(stats, client_for, clerk):
    response = client_for(clerk).get(PINGHU_2022)
    assert response.status_code == 200
    data = response.context["data"]
    assert data == selectors.indicators("330482", 2022, detail=True)
    html = response.content.decode()
    assert re.search(r'data-testid="weak-count">1<', html)
    assert re.search(r'data-testid="median">160.00<', html)  # 1,600,000 yuan in 万元
    assert f'data-testid="gini">{data["gini"]:.4f}<' in html


def test_region_page_is_in_10k_yuan_with_a_switch_to_yuan(stats, client_for, clerk):
    """Issue 10, item 14: 万元 by default; ?unit=yuan shows 元, and the page's report and
    printable links keep the unit chosen."""
    client = client_for(clerk)
    url = "/analytics/region/330482/2022/"
    default = client.get(url).content.decode()
    assert re.search(r'data-testid="median">160.00<', default)
    assert 'report.xlsx?unit=wan"' in default

    html = client.get(url, {"unit": "yuan"}).content.decode()
    assert re.search(r'data-testid="median">1,600,000.00<', html)
    assert 'report.xlsx?unit=yuan"' in html
    assert 'href="?unit=yuan" aria-current="true"' in html
    # An unknown unit is the default one.
    assert re.search(
        r'data-testid="median">160.00<', client.get(url, {"unit": "x"}).content.decode()
    )


def test_county_page_drills_down_to_townships_and_villages(stats, client_for, clerk):
    response = client_for(clerk).get(PINGHU_2022)
    children = response.context["detail"]["children"]
    assert [(r["code"], r["name"], r["villages"], r["weak"]) for r in children["rows"]] == [
        ("330482106", "广陈镇", 2, 0),
        ("330482107", "林埭镇", 2, 1),
    ]
    html = response.content.decode()
    for township in ("330482106", "330482107"):
        assert reverse("analytics:region", args=[township, 2022]) in html
    for code in CODES_2022:  # four villages: all in the top ten
        assert reverse("registry:village_detail", args=[code]) in html


def test_township_page_lists_its_villages_ranked(stats, client_for, clerk):
    response = client_for(clerk).get(reverse("analytics:region", args=["330482107", 2022]))
    detail = response.context["detail"]
    assert detail["children"] is None
    assert [(r["rank"], r["code"], r["weak"]) for r in detail["ranking"]["top"]] == [
        (1, "330482107201", False),
        (2, "330482107208", True),
    ]
    html = response.content.decode()
    assert reverse("registry:village_detail", args=["330482107201"]) in html
    # Breadcrumbs lead back up the tree, same year.
    assert reverse("analytics:region", args=["330482", 2022]) in html
    assert reverse("analytics:region", args=["3304", 2022]) in html


def test_city_page_decomposes_by_county(stats, client_for, clerk):
    response = client_for(clerk).get(reverse("analytics:region", args=["33", 2022]))
    children = response.context["detail"]["children"]
    assert [r["code"] for r in children["rows"]] == ["3304", "3311"]
    total = np.array([INCOMES[c][1] * YUAN for c in CODES_2022] + [50_000 * YUAN], dtype=float)
    d = inequality.theil_decomposition(total, np.array(["3304"] * 4 + ["3311"]), kind="T")
    assert children["between"] == pytest.approx(d.between, abs=1e-6)
    assert children["rows"][0]["gini"] == pytest.approx(inequality.gini(total[:4]), abs=1e-6)


def test_chart_data_trend_histogram_and_lorenz(stats, client_for, clerk):
    data = chart_data(client_for(clerk).get(PINGHU_2022))
    assert [(t["year"], t["villages"], t["weak"]) for t in data["trend"]] == [
        (2021, 4, 2),
        (2022, 4, 1),
    ]
    assert data["trend"][1]["median"] == 160_000_000
    assert sum(data["histogram"]["counts"]) == 4
    edges = data["histogram"]["edges"]
    assert edges[0] == 0
    assert edges == sorted(edges)
    lorenz = data["lorenz"]
    assert lorenz["population"][0] == 0
    assert lorenz["population"][-1] == 1
    assert lorenz["without"][0] == 0
    assert lorenz["without"][-1] == 1
    assert lorenz["with"] is None


@pytest.mark.parametrize(
    "url",
    [
        reverse("analytics:region", args=["330499", 2022]),  # unknown region
        reverse("analytics:region", args=["330482", 2015]),  # no statistics that year
        reverse("analytics:region_report", args=["330499", 2022]),
        reverse("analytics:region_print", args=["330482", 2015]),
    ],
)
def test_unknown_region_or_year_is_404(stats, client_for, clerk, url):
    assert client_for(clerk).get(url).status_code == 404


def _more_villages(count):
    for i in range(count):
        code = f"330482107{300 + i}"
        Village.objects.create(
            code=code,
            name=f"测试{i}村村民委员会",
            short_name=f"测试{i}村",
            kind=VillageKind.VILLAGE,
            township_id="330482107",
            county_id="330482",
        )
        add_stats(code, 2021, 500_000 + i)
        add_stats(code, 2022, 600_000 + 1000 * i)


# session, user, data version (twice: indicators, trend), region, its village-level units
# and rows per year (coverage), statistics, thresholds in force in 2021–2022, weak rows,
# names, the ranked villages' names, returns; trend: years, statistics, village-level
# units, thresholds in force in 2021–2022, weak counts, returns; ancestors' names; grants
# (navigation)
REGION_QUERIES = 21
CACHED_REGION_QUERIES = 6  # session, user, data version ×2, ancestors, grants


@pytest.mark.parametrize("extra", [0, 40], ids=["four_villages_case", "forty_four_villages_case"])
def test_region_page_query_count_is_fixed(
    stats, client_for, clerk, django_assert_num_queries, extra
):
    _more_villages(extra)
    client = client_for(clerk)
    client.get(reverse("analytics:index"))  # warm the session
    cache.clear()
    with django_assert_num_queries(REGION_QUERIES):
        response = client.get(PINGHU_2022)
    assert response.context["data"]["villages"] == 4 + extra
    with django_assert_num_queries(CACHED_REGION_QUERIES):
        client.get(PINGHU_2022)


@pytest.mark.parametrize("extra", [0, 40], ids=["four_villages_case", "forty_four_villages_case"])
def test_picker_query_count_is_fixed(stats, client_for, clerk, django_assert_num_queries, extra):
    _more_villages(extra)
    client = client_for(clerk)
    client.get(PINGHU_2022)
    # session, user, village-level units and rows per year by county (coverage), their
    # names, grants (navigation)
    with django_assert_num_queries(6):
        client.get(reverse("analytics:index"))


def test_page_is_chinese_by_default_and_english_on_request(stats, client_for, clerk):
    client = client_for(clerk)
    assert "薄弱村" in client.get(PINGHU_2022).content.decode()
    with translation.override("en"):
        html = client.get(PINGHU_2022, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Weak villages" in html


# --- services used by the dashboards -------------------------------------------------------


def test_trend_equals_indicators_year_by_year(stats):
    rows = selectors.trend("330482")
    assert [r["year"] for r in rows] == [2021, 2022]
    for row in rows:
        data = selectors.indicators("330482", row["year"])
        assert row["villages"] == data["villages"]
        assert row["median"] == data["total_income"]["median"]
        assert row["mean"] == data["total_income"]["mean"]
        assert row["gini"] == data["gini"]
        assert row["theil_t"] == data["theil_t"]
        assert row["weak"] == data["weak"]["count"]
        assert row["gini_without_returns"] is None
    assert selectors.trend("330482", [2022]) == rows[1:]
    assert selectors.trend("330499") == []


def test_histogram_has_readable_bins_and_an_open_top():
    total = np.array([10, 20, 30, 40, 50, 60, 70, 80, 90, 10_000], dtype=float) * 1_000_000
    h = selectors._histogram(total)
    assert sum(h["counts"]) == 10
    step = h["edges"][1] - h["edges"][0]
    assert str(step // 1_000_000)[0] in "125"  # 1, 2 or 5 × 10^k (万元)
    assert h["open_ended"]
    assert h["counts"][-1] >= 1
    assert len(h["counts"]) <= selectors.HISTOGRAM_BINS


@pytest.fixture
def posted_2022(stats, venture, register, finance, approver):
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
    return ventures.post_run(
        ventures.approve_run(run, actor=approver), actor=finance, date=date(2023, 1, 15)
    )


def test_with_and_without_returns_on_the_page_and_in_the_trend(posted_2022, client_for, clerk):
    response = client_for(clerk).get(PINGHU_2022)
    returns = response.context["data"]["returns"]
    html = response.content.decode()
    assert f'data-testid="gini-without">{returns["without"]["gini"]:.4f}<' in html
    assert f'data-testid="gini-with">{returns["with"]["gini"]:.4f}<' in html
    data = chart_data(response)
    assert data["trend"][1]["gini_without_returns"] == returns["without"]["gini"]
    assert data["trend"][0]["gini_without_returns"] is None  # no returns in 2021
    assert data["lorenz"]["with"][-1] == 1


def test_peers_rank_and_median_in_township_and_county(stats):
    # 2022 in 平湖: 4,000,000 (广陈村) > 2,000,000 (山塘村) > 1,200,000 (林埭村) > 800,000
    p = selectors.peers("330482106209", "330482106", "330482", 2022)
    assert p["total_income"] == 2_000_000 * YUAN
    assert p["county"] == {
        "rank": 2,
        "of": 4,
        "top_share": 0.5,
        "median": 1_600_000 * YUAN,
        "coverage": {"reported": 4, "expected": 4},
        "complete": True,
    }
    assert p["township"] == {
        "rank": 2,
        "of": 2,
        "top_share": 1.0,
        "median": 3_000_000 * YUAN,
        "coverage": {"reported": 2, "expected": 2},
        "complete": True,
    }
    assert selectors.peers("330482106209", "330482106", "330482", 2019) is None


def test_peers_ties_share_the_better_rank(stats):
    add_stats("330482106201", 2020, 5)
    add_stats("330482106209", 2020, 5)
    p = selectors.peers("330482106209", "330482106", "330482", 2020)
    assert p["county"]["rank"] == 1
    assert p["county"]["of"] == 2


def test_village_page_shows_where_it_stands(stats, client_for, clerk, django_assert_num_queries):
    client = client_for(clerk)
    url = reverse("registry:village_detail", args=["330482106209"])
    client.get(url)
    # session, user, village with its regions, statistics, thresholds, the county's
    # village-level units and rows per year (its latest complete year), peers, the
    # village-level units per township (coverage), grants
    with django_assert_num_queries(10):
        response = client.get(url)
    assert response.context["peers"]["county"]["rank"] == 2
    html = response.content.decode()
    assert 'data-testid="peers"' in html
    assert reverse("analytics:region", args=["330482106", 2022]) in html
    assert reverse("analytics:region", args=["330482", 2022]) in html


def test_cache_is_keyed_by_the_data_version(stats, django_assert_num_queries):
    first = selectors.cached(selectors.indicators, "330482", 2022)
    with django_assert_num_queries(1):  # the version only
        assert selectors.cached(selectors.indicators, "330482", 2022) == first
    before = selectors.data_version()
    add_stats("330482107201", 2020, 1)  # any change-logged write moves the version
    assert selectors.data_version() > before
    with CaptureQueriesContext(connection) as captured:
        assert selectors.cached(selectors.indicators, "330482", 2022) == first  # same figures
    assert len(captured) > 1  # recomputed under the new version
    with pytest.raises(ValueError):
        selectors.cached(selectors.indicators, "330499", 2022)
