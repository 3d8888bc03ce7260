"""Regressions of a review: all-zero incomes, non-canonical showcase paths, the Vary header,
bad years and region codes in dashboard URLs, deleting a user who computed a snapshot,
the ranking lists of 11–19 villages, competition ranks, the city card's year, and the
zero-base growth rule."""

import io

import openpyxl
import pytest
from django.core.cache import cache
from django.db.models.deletion import ProtectedError
from django.urls import reverse

from analytics import kpis, reports, selectors, services
from analytics.models import RankingSnapshot
from analytics.tests.conftest import INCOMES, add_stats
from core.actors import SYSTEM
from registry.choices import VillageKind
from registry.models import Village


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ranked(scheme):
    services.compute_snapshot(scheme, 2021, actor=SYSTEM)
    services.compute_snapshot(scheme, 2022, actor=SYSTEM)
    return scheme


@pytest.fixture
def zero_2023(stats):
    for code in INCOMES:
        add_stats(code, 2023, 0)


def get(client, url, lang="zh-hans", **extra):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=lang, **extra)


# 1. A year where every income is zero: undefined measures are None ("—"), never an error.


def test_indicators_of_a_year_with_all_incomes_zero(zero_2023):
    data = selectors.indicators("330482", 2023, detail=True)

    assert data["villages"] == 4
    assert data["gini"] is None
    assert data["theil_t"] is None
    assert set(data["ratios"].values()) == {None}
    assert data["total_income"]["p10"] == data["total_income"]["p90"] == 0
    assert data["by_township"]["between"] is None
    assert {row["villages"] for row in data["by_township"]["top_groups"]} == {2}
    assert data["detail"]["children"]["within"] is None
    assert set(data["detail"]["lorenz"]["without"]) == {None}
    assert data["growth"]["median"] == -1.0
    trend = {row["year"]: row for row in selectors.trend("330482")}
    assert trend[2023]["gini"] is None


def test_the_showcase_and_dashboards_show_dashes_for_a_zero_year(client_for, zero_2023, admin):
    page = get(client_for(None), reverse("showcase:index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "平湖市 · 2023 年" in html
    assert 'stat-value">—<' in html  # the Gini

    c = client_for(admin)
    dashboard = c.get(reverse("analytics:region", args=["330482", 2023]))
    assert dashboard.status_code == 200  # not a misleading 404
    assert 'data-testid="gini">—<' in dashboard.content.decode()
    assert c.get(reverse("analytics:region_print", args=["330482", 2023])).status_code == 200
    report = c.get(reverse("analytics:region_report", args=["330482", 2023]))
    assert report.status_code == 200
    openpyxl.load_workbook(io.BytesIO(report.content))


# 2. Non-canonical showcase paths are redirected before the cache is touched.


def test_leading_zeros_redirect_without_touching_the_cache(
    client, ranked, django_assert_num_queries
):
    canonical = reverse("showcase:ranking", args=[ranked.pk, 2022])
    assert get(client, canonical).status_code == 200

    for zeros in range(1, 6):
        with django_assert_num_queries(0):
            response = get(client, f"/showcase/ranking/{'0' * zeros}{ranked.pk}/2022/")
        assert response.status_code == 301
        assert response["Location"] == canonical
    with django_assert_num_queries(0):
        assert get(client, f"/showcase/ranking/{ranked.pk}/02022/").status_code == 301
    huge = get(client, f"/showcase/ranking/{ranked.pk}/99999999999999999999999/")
    assert huge.status_code == 404


def test_a_query_string_is_no_new_cache_entry(client, ranked, django_assert_num_queries):
    url = reverse("showcase:index")
    first = get(client, url)
    entries = len(cache._cache)  # LocMemCache (tests): the number of keys stored

    for i in range(5):
        with django_assert_num_queries(0):
            response = get(client, url, QUERY_STRING=f"x={i}")
        assert response.content == first.content
    assert len(cache._cache) == entries


# 3. The language cookie chooses the page: a shared cache must vary on it.


def test_showcase_pages_vary_on_the_cookie_and_set_none(client, ranked):
    for url in (
        reverse("showcase:index"),
        reverse("showcase:ranking", args=[ranked.pk, 2022]),
        reverse("showcase:method", args=[ranked.pk]),
    ):
        for _ in range(2):  # the rendering and the cache hit
            response = get(client, url)
            vary = {v.strip() for v in response["Vary"].split(",")}
            assert {"Cookie", "Accept-Language"} <= vary
            assert not response.cookies


# 4–6. Dashboard URLs: no 500 for odd years or region codes.


def test_the_picker_ignores_a_year_that_is_not_ascii_digits(client_for, stats, admin):
    c = client_for(admin)
    for year in ("²", "٢٠٢٢", "99999999999999999999", "1800"):
        response = c.get(reverse("analytics:index"), {"region": "330482", "year": year})
        assert response.status_code == 302
        assert response["Location"] == reverse("analytics:region", args=["330482", 2022])
    response = c.get(reverse("analytics:index"), {"region": "３３０４８２", "year": "2022"})
    assert response.status_code == 200  # full-width digits: back to the picker


def test_years_out_of_range_are_404(client_for, stats, admin):
    c = client_for(admin)
    for year in ("99999999999999999999", "40000", "1948", "2101", "02022"):
        for suffix in ("", "print/", "report.xlsx"):
            assert c.get(f"/analytics/region/330482/{year}/{suffix}").status_code == 404


def test_a_region_code_with_a_newline_is_404(client_for, stats, admin):
    c = client_for(admin)
    for suffix in ("", "print/", "report.xlsx"):
        assert c.get(f"/analytics/region/330482%0A/2022/{suffix}").status_code == 404
    assert c.get("/analytics/region/33048x/2022/").status_code == 404

    report = c.get(reverse("analytics:region_report", args=["330482", 2022]))
    assert report["Content-Disposition"] == 'attachment; filename="indicators-330482-2022.xlsx"'


# 7. A user who computed a snapshot cannot be deleted (the snapshot is frozen).


def test_deleting_a_user_who_computed_a_snapshot_is_refused(ranked, admin):
    snapshot = services.compute_snapshot(ranked, 2022, actor=admin, correction="修正")
    before = RankingSnapshot.objects.filter(pk=snapshot.pk).values().get()

    with pytest.raises(ProtectedError):
        admin.delete()

    admin.refresh_from_db()
    assert RankingSnapshot.objects.filter(pk=snapshot.pk).values().get() == before
    assert before["computed_by_id"] == admin.pk


# 8–9. The ranking of 11–19 villages lists each once; ties share a competition rank.


@pytest.fixture
def fifteen(tree):
    for i in range(15):
        code = f"330482107{300 + i:03d}"
        Village.objects.create(
            code=code,
            name=f"测试{i}村村民委员会",
            short_name=f"测试{i}村",
            kind=VillageKind.VILLAGE,
            township_id="330482107",
            county_id="330482",
        )
        # two villages tie at the top, two tie further down
        add_stats(code, 2022, {0: 1_000_000, 1: 1_000_000, 7: 600_000}.get(i, 500_000 + i))
    return "330482107"


def test_a_village_is_listed_once_in_the_top_and_bottom(fifteen):
    ranking = selectors.indicators("330482", 2022, detail=True)["detail"]["ranking"]
    codes = [row["code"] for row in ranking["top"] + ranking["bottom"]]
    assert len(codes) == len(set(codes)) == 15
    assert len(ranking["top"]) == 10
    assert len(ranking["bottom"]) == 5

    data = selectors.indicators("330482", 2022, detail=True)
    book = openpyxl.load_workbook(io.BytesIO(reports.workbook(data, selectors.trend("330482"))))
    sheet = book[reports.sheet_names()["ranking"]]
    listed = [sheet.cell(row=r, column=2).value for r in range(4, sheet.max_row + 1)]
    assert len(listed) == len(set(listed)) == 15


def test_tied_villages_share_a_competition_rank_on_the_dashboard_and_village_page(fifteen):
    ranking = selectors.indicators("330482", 2022, detail=True)["detail"]["ranking"]
    rows = ranking["top"] + ranking["bottom"][::-1]
    assert [row["rank"] for row in rows[:3]] == [1, 1, 3]
    for row in rows:
        peers = selectors.peers(row["code"], "330482107", "330482", 2022)
        assert peers["county"]["rank"] == row["rank"], row["code"]


# 10. The city card shows its latest complete year.


def test_the_city_card_ignores_a_year_only_a_few_villages_reported(client, ranked):
    add_stats("330482107208", 2023, 10)  # one early figure for 2023

    html = get(client, reverse("showcase:index")).content.decode()
    assert "平湖市 · 2022 年" in html
    assert "有统计数据的村 4 个。" in html
    assert "2023" not in html

    for code in ("330482107201", "330482106209", "330482106201"):  # 4 of 4: complete
        add_stats(code, 2023, 1_000_000)
    cache.clear()
    html = get(client, reverse("showcase:index")).content.decode()
    assert "平湖市 · 2023 年" in html


# 11. Growth from a zero base: missing, and the method page says so.


def test_growth_from_a_zero_base_is_missing_and_the_method_says_so(client, ranked):
    add_stats("330482107208", 2020, 0)
    add_stats("330482107201", 2020, 100)
    growth = kpis.income_growth(ranked, ["330482107208", "330482107201"], 2021)
    assert growth["330482107208"] is None
    assert growth["330482107201"] == pytest.approx(6_999.0)

    html = get(client, reverse("showcase:method", args=[ranked.pk]), "en").content.decode()
    assert "last year&#x27;s income was zero" in html
