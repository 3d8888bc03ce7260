"""The public showcase: anonymous, cached (no SQL on a hit), no personal data."""

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from analytics import kpis, services
from analytics.models import RankingScheme
from analytics.tests.conftest import add_stats
from analytics.tests.rankings_setup import get
from analytics.tests.test_services import posted_2022  # noqa: F401  (fixture)
from core.actors import SYSTEM
from core.roles import Role
from tests.support import make_user
from ventures import services as ventures

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


pytestmark = pytest.mark.usefixtures("empty_cache")


def test_anonymous_visitors_see_the_ranking_with_movement(client, ranked):
    response = get(client, reverse("showcase:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "比拼晾晒" in html
    assert "2022" in html
    assert "林埭村" in html
    assert "广陈村" in html
    assert "↑2" in html
    assert "↓1" in html
    assert 'id="history-chart"' in html
    assert "平湖市" in html  # the city's indicators
    assert reverse("ventures:notice_list") in html
    assert reverse("showcase:method", args=[ranked.pk]) in html


def test_no_personal_data_no_session_no_csrf_token(client, ranked, clerk):
    make_user("zhang_san_13912345678", Role.VILLAGE_CLERK, village_id="330482107201")

    response = get(client, reverse("showcase:index"))

    html = response.content.decode()
    assert "zhang_san" not in html
    assert "clerk" not in html
    assert not PHONE.search(html)
    assert "csrfmiddlewaretoken" not in html
    assert "X-CSRFToken" not in html
    assert not response.cookies  # no session, no CSRF cookie
    # The language cookie chooses the page, so a shared cache must key on it too.
    assert {"Cookie", "Accept-Language"} <= {v.strip() for v in response["Vary"].split(",")}
    assert "public" in response["Cache-Control"]


def test_a_cached_page_runs_no_sql(client, ranked, django_assert_num_queries):
    url = reverse("showcase:index")
    first = get(client, url)

    with django_assert_num_queries(0):
        second = get(client, url)

    assert second.content == first.content


@pytest.mark.parametrize("extra_years", [0, 1])
def test_the_first_rendering_runs_a_fixed_number_of_queries(
    client, scheme, extra_years, django_assert_num_queries
):
    for year in (2022, 2021)[: 1 + extra_years]:
        services.compute_snapshot(scheme, year, actor=SYSTEM)
    cache.clear()
    # version (2), scheme, snapshots, entries ×2, the ranked villages with statistics
    # (coverage), city (indicators: region, its village-level units and rows per year,
    # statistics, thresholds, weak rows, names, returns), returns (2), notices
    with django_assert_num_queries(18):
        get(client, reverse("showcase:index"))


def test_a_new_snapshot_shows_at_once(client, scheme, django_capture_on_commit_callbacks):
    services.compute_snapshot(scheme, 2021, actor=SYSTEM)
    assert "↑2" not in get(client, reverse("showcase:index")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.compute_snapshot(scheme, 2022, actor=SYSTEM)  # on commit: a new generation

    html = get(client, reverse("showcase:index")).content.decode()
    assert "↑2" in html


def test_the_region_shown_without_a_scheme_is_the_showcase_region_setting(client, stats):
    # No published scheme names a region: the showcase shows SHOWCASE_REGION's figures,
    # read when the page is rendered (a setting, not a constant of the code).
    default = get(client, reverse("showcase:index")).content.decode()
    cache.clear()
    with override_settings(SHOWCASE_REGION="331121"):
        moved = get(client, reverse("showcase:index")).content.decode()

    assert 'id="city-title"' in default
    assert "平湖市" in default
    assert "青田县" not in default
    assert 'id="city-title"' in moved
    assert "青田县" in moved
    assert "平湖市" not in moved


def test_each_language_has_its_own_page(client, ranked):
    chinese = get(client, reverse("showcase:index")).content.decode()
    english = get(client, reverse("showcase:index"), "en").content.decode()
    assert '<html lang="zh-hans">' in chinese
    assert '<html lang="en">' in english
    assert "Rank history" in english


def test_the_language_link_sets_the_cookie_and_stays_on_the_site(client, settings):
    response = client.get(reverse("showcase:language", args=["en"]), {"next": "/showcase/"})
    assert response.status_code == 302
    assert response["Location"] == "/showcase/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    away = client.get(reverse("showcase:language", args=["en"]), {"next": "https://evil.example/"})
    assert away["Location"] == reverse("showcase:index")
    assert client.get(reverse("showcase:language", args=["xx"])).status_code == 404


def test_the_method_page(client, ranked):
    html = get(client, reverse("showcase:method", args=[ranked.pk])).content.decode()
    with translation.override("zh-hans"):
        assert str(kpis.KPI_SOURCES["collective_income"].label) in html
    assert "50.0%" in html
    assert "1、2、2、4" in html  # the tie rule, in Chinese
    assert "2021" in html
    assert "2022" in html


def test_a_year_page_and_its_404s(client, ranked):
    page = get(client, reverse("showcase:ranking", args=[ranked.pk, 2022]))
    assert page.status_code == 200
    assert "76.92" in page.content.decode()
    assert get(client, reverse("showcase:ranking", args=[ranked.pk, 2019])).status_code == 404
    RankingScheme.objects.filter(pk=ranked.pk).update(is_published=False)
    cache.clear()
    assert get(client, reverse("showcase:ranking", args=[ranked.pk, 2022])).status_code == 404
    assert get(client, reverse("showcase:method", args=[ranked.pk])).status_code == 404


def test_writes_are_refused(client, ranked):
    assert client.post(reverse("showcase:index")).status_code == 405


def test_returns_narrowing_the_gap_are_shown(
    client,
    ranked,
    posted_2022,  # noqa: F811  (a fixture)
    finance,
):
    run, approver = posted_2022
    ventures.post_run(
        ventures.approve_run(run, actor=approver), actor=finance, date=date(2023, 1, 15)
    )

    html = get(client, reverse("showcase:index")).content.decode()

    assert 'data-testid="returns"' in html
    assert "青田县" in html


def test_published_projects_are_listed(client, ranked, monkeypatch):
    import projects.selectors

    monkeypatch.setattr(
        projects.selectors,
        "public_projects",
        lambda: [
            {
                "code": "P1",
                "name": "保通码头",
                "status": "operating",
                "lead_village__short_name": "徐家埭村",
                "lead_organisation__name": None,
                "total_investment": 500_000_000,
                "expected_annual_income": 50_000_000,
                "is_illustrative": False,
            }
        ],
    )
    html = get(client, reverse("showcase:index")).content.decode()
    assert 'data-testid="projects"' in html
    assert "保通码头" in html
    assert "500.00" in html  # 万元


# The city card shows its latest complete year.


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


# Growth from a zero base: missing, and the method page says so.


def test_growth_from_a_zero_base_is_missing_and_the_method_says_so(client, ranked):
    add_stats("330482107208", 2020, 0)
    add_stats("330482107201", 2020, 100)
    growth = kpis.income_growth(ranked, ["330482107208", "330482107201"], 2021)
    assert growth["330482107208"] is None
    assert growth["330482107201"] == pytest.approx(6_999.0)

    html = get(client, reverse("showcase:method", args=[ranked.pk]), "en").content.decode()
    assert "last year&#x27;s income was zero" in html
