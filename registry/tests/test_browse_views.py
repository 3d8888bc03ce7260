"""The registry's web pages: home, region tree, village list and page, statistics edits.

Personas come from the root conftest. Pages are requested in English so the assertions do
not depend on the state of the translations; most assertions look at data and markup.
"""

import json
import re

import pytest
from django.urls import reverse

from accounts.models import Grant, User
from audit.models import ObjectChange
from core.roles import Role
from registry.choices import ThresholdRule, VillageKind
from registry.models import Village, VillageStat, WeakVillageThreshold
from registry.views.browse import PAGE_SIZE

XUJIADAI, SHANTANG, FENGSHAN = "330482107208", "330482106209", "331121201201"


@pytest.fixture
def client_en(client_for):
    """client_for, with every request asking for English."""

    def _client(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _client


@pytest.fixture
def thresholds(tree):
    """The province line from 2021 (total < 200,000 or operating < 100,000 元), and 平湖's
    own stricter line for 2022–2023 (recurring < 300,000 元), which overrides it there."""
    province = WeakVillageThreshold.objects.create(
        name="浙江省 2021",
        region_id="33",
        valid_from=2021,
        total_income_below=200_000_00,
        operating_income_below=100_000_00,
    )
    pinghu = WeakVillageThreshold.objects.create(
        name="平湖市 2022",
        region_id="330482",
        valid_from=2022,
        valid_to=2023,
        recurring_income_below=300_000_00,
        rule=ThresholdRule.ANY,
    )
    return province, pinghu


@pytest.fixture
def stats(tree):
    """徐家埭村 2020–2023 (2020 illustrative), 山塘村 2023, 峰山村 2023 (weak: 300,000 元)."""
    rows = [
        (XUJIADAI, 2020, 150_000_00, 80_000_00, 90_000_00, True),
        (XUJIADAI, 2021, 180_000_00, 120_000_00, 150_000_00, False),
        (XUJIADAI, 2022, 1_234_567_89, 600_000_00, 250_000_00, False),
        (XUJIADAI, 2023, 2_500_000_00, 1_500_000_00, 1_800_000_00, False),
        (SHANTANG, 2023, 3_000_000_00, 2_000_000_00, 2_100_000_00, False),
        (FENGSHAN, 2023, 300_000_00, 50_000_00, 60_000_00, False),
    ]
    return {
        (code, year): VillageStat.objects.create(
            village_id=code,
            year=year,
            total_income=total,
            operating_income=operating,
            recurring_income=recurring,
            population=1000 + year - 2020,
            households=400,
            per_capita_disposable_income=46_276_00,
            is_illustrative=illustrative,
        )
        for code, year, total, operating, recurring, illustrative in rows
    }


def _codes_in(response) -> list[str]:
    """The village codes listed in a village-list table, in order."""
    return re.findall(r'<td class="code">(\d{12})</td>', response.content.decode())


def _many_villages(count: int) -> None:
    """`count` more villages in 林埭镇 (bulk: no change log needed for fixtures)."""
    Village.objects.bulk_create(
        Village(
            code=f"330482107{n:03d}",
            name=f"测试{n}村村民委员会",
            short_name=f"测试{n}村",
            kind=VillageKind.VILLAGE,
            township_id="330482107",
            county_id="330482",
        )
        for n in range(500, 500 + count)
    )


# --- anonymous visitors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("registry:region_tree", []),
        ("registry:region_children", ["330482"]),
        ("registry:village_list", []),
        ("registry:village_detail", [XUJIADAI]),
        ("registry:stat_add", [XUJIADAI]),
        ("registry:stat_edit", [XUJIADAI, 2023]),
    ],
)
def test_anonymous_visitors_are_sent_to_the_login_page(client_en, tree, name, args):
    url = reverse(name, args=args)

    response = client_en(None).get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


# --- home -----------------------------------------------------------------------------------


def test_home_shows_registry_counts_and_the_users_scope(
    client_en, clerk, stats, thresholds, django_assert_num_queries
):
    client = client_en(clerk)

    # session, user, grants, stats aggregate, thresholds in force, weak count, regions,
    # villages, the user's duties due or overdue (count + first rows), and whether their
    # village has reported the reporting year
    with django_assert_num_queries(11):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="stat-value" data-testid="region-count">8</span>' in html
    assert '<span class="stat-value" data-testid="village-count">3</span>' in html
    assert '<span class="stat-value" data-testid="stat-count">6</span>' in html
    # 2023: only 峰山村 (300,000 元 total, 50,000 元 operating) is under the province line.
    assert '<span class="stat-value" data-testid="weak-count">1</span>' in html
    assert f'href="/registry/villages/{XUJIADAI}/">徐家埭村</a>' in html
    assert 'class="role role-village_clerk"' in html


def test_home_works_on_an_empty_registry(client_en, admin):
    response = client_en(admin).get(reverse("home"))

    assert response.status_code == 200
    assert '<span class="stat-value" data-testid="weak-count">—</span>' in response.content.decode()


def test_navigation_shows_import_to_writers_and_the_change_log_to_auditors(
    client_en, clerk, auditor
):
    import_url = reverse("registry:stats_import")
    log_url = reverse("audit:change_list")

    clerk_html = client_en(clerk).get(reverse("home")).content.decode()
    auditor_html = client_en(auditor).get(reverse("home")).content.decode()

    assert f'href="{import_url}"' in clerk_html
    assert f'href="{log_url}"' not in clerk_html
    assert f'href="{import_url}"' not in auditor_html
    assert f'href="{log_url}"' in auditor_html


# --- region tree ----------------------------------------------------------------------------


def test_region_tree_opens_the_only_province_with_its_cities(client_en, clerk):
    response = client_en(clerk).get(reverse("registry:region_tree"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "浙江省" in html
    assert "嘉兴市" in html
    assert "丽水市" in html
    # Cities load their counties lazily.
    assert 'hx-get="/registry/regions/3304/children/"' in html
    assert "平湖市" not in html


def test_region_children_answers_htmx_with_one_query_and_counts(
    client_en, clerk, django_assert_num_queries
):
    client = client_en(clerk)

    # session, user, the children with their counts
    with django_assert_num_queries(3):
        response = client.get(
            reverse("registry:region_children", args=["330482"]), HTTP_HX_REQUEST="true"
        )

    html = response.content.decode()
    assert "<html" not in html
    assert [row.name for row in response.context["nodes"]] == ["广陈镇", "林埭镇"]
    assert [row.village_count for row in response.context["nodes"]] == [1, 1]
    assert 'href="/registry/villages/?region=330482107"' in html


def test_region_children_of_a_city_count_counties_villages(client_en, clerk):
    response = client_en(clerk).get(
        reverse("registry:region_children", args=["3304"]), HTTP_HX_REQUEST="true"
    )

    nodes = response.context["nodes"]
    assert [(n.name, n.child_count, n.village_count) for n in nodes] == [("平湖市", 2, 2)]


def test_region_children_without_htmx_is_a_page_with_breadcrumbs(client_en, clerk):
    response = client_en(clerk).get(reverse("registry:region_children", args=["330482"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert [r.code for r in response.context["ancestors"]] == ["33", "3304"]
    assert response.context["region"].name == "平湖市"


def test_region_children_of_an_unknown_region_is_404(client_en, clerk):
    response = client_en(clerk).get(reverse("registry:region_children", args=["339999"]))

    assert response.status_code == 404


# --- village list ---------------------------------------------------------------------------


def test_village_list_shows_every_village_in_code_order(client_en, clerk):
    response = client_en(clerk).get(reverse("registry:village_list"))

    assert response.status_code == 200
    assert _codes_in(response) == [SHANTANG, XUJIADAI, FENGSHAN]
    html = response.content.decode()
    assert "<td>林埭镇</td>" in html
    assert "<td>平湖市</td>" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("徐家", [XUJIADAI]),
        ("3311", [FENGSHAN]),
        ("330482106", [SHANTANG]),
        ("广陈", [SHANTANG]),  # the township's name matches too
        ("不存在", []),
    ],
    ids=["name_case", "code_prefix_case", "township_code_case", "township_name_case", "none_case"],
)
def test_village_list_searches_names_and_code_prefixes(client_en, clerk, query, expected):
    response = client_en(clerk).get(reverse("registry:village_list"), {"q": query})

    assert _codes_in(response) == expected


def test_village_list_filters_by_region_code(client_en, clerk):
    response = client_en(clerk).get(reverse("registry:village_list"), {"region": "330482"})

    assert _codes_in(response) == [SHANTANG, XUJIADAI]
    assert response.context["region"].name == "平湖市"
    # The county picker offers the counties that exist.
    assert '<option value="330482">嘉兴市 平湖市</option>' in response.content.decode()


def test_village_list_ignores_a_malformed_region_code(client_en, clerk):
    response = client_en(clerk).get(reverse("registry:village_list"), {"region": "平湖"})

    assert _codes_in(response) == [SHANTANG, XUJIADAI, FENGSHAN]
    assert 'class="field-error"' in response.content.decode()


def test_village_list_keeps_the_valid_filters_when_one_is_malformed(client_en, clerk):
    response = client_en(clerk).get(
        reverse("registry:village_list"), {"q": "山塘", "region": "3304x"}
    )

    assert _codes_in(response) == [SHANTANG]


def test_village_list_filters_weak_and_not_weak_in_a_year(client_en, clerk, stats, thresholds):
    client = client_en(clerk)
    url = reverse("registry:village_list")

    weak_2023 = client.get(url, {"year": "2023", "status": "weak"})
    not_weak_2023 = client.get(url, {"year": "2023", "status": "not_weak"})
    # 2022: only 徐家埭村 has figures; 平湖's line (recurring < 300,000) makes it weak.
    weak_2022 = client.get(url, {"year": "2022", "status": "weak"})

    assert _codes_in(weak_2023) == [FENGSHAN]
    assert _codes_in(not_weak_2023) == [SHANTANG, XUJIADAI]
    assert _codes_in(weak_2022) == [XUJIADAI]


def test_village_list_status_without_a_year_means_the_latest_year(
    client_en, clerk, stats, thresholds
):
    response = client_en(clerk).get(reverse("registry:village_list"), {"status": "weak"})

    assert response.context["year"] == 2023
    assert _codes_in(response) == [FENGSHAN]


def test_village_list_shows_the_chosen_years_total_income_in_yuan(client_en, clerk, stats):
    response = client_en(clerk).get(reverse("registry:village_list"), {"year": "2022"})

    html = response.content.decode()
    assert '<td class="num">1,234,567.89</td>' in html
    # Villages without figures that year show a dash.
    assert html.count('<td class="num">—</td>') == 2


def test_village_list_marks_illustrative_figures(client_en, clerk, stats):
    response = client_en(clerk).get(reverse("registry:village_list"), {"year": "2020"})

    html = response.content.decode()
    assert html.count('class="badge-illustrative"') == 1 + 1  # the row and the footer legend
    assert '<td class="num">150,000.00 <span class="badge-illustrative"' in html


def test_village_list_pages_by_fifty(client_en, clerk):
    _many_villages(120)  # + the fixture's 3 = 123 villages: pages of 50, 50, 23
    client = client_en(clerk)
    url = reverse("registry:village_list")

    first = client.get(url)
    last = client.get(url, {"page": "3"})
    beyond = client.get(url, {"page": "99"})

    assert len(_codes_in(first)) == PAGE_SIZE
    assert len(_codes_in(last)) == 23
    assert _codes_in(last)[-1] == FENGSHAN
    assert _codes_in(beyond) == _codes_in(last)
    assert 'href="?page=2"' in first.content.decode()


def test_village_list_pagination_keeps_the_filters(client_en, clerk):
    _many_villages(60)

    response = client_en(clerk).get(reverse("registry:village_list"), {"region": "330482107"})

    assert 'href="?region=330482107&amp;page=2"' in response.content.decode()


@pytest.mark.parametrize("extra", [0, 120], ids=["few_rows_case", "many_rows_case"])
def test_village_list_query_count_does_not_grow_with_rows(
    client_en, clerk, stats, thresholds, django_assert_num_queries, extra
):
    _many_villages(extra)
    client = client_en(clerk)

    # session, user, grants (navigation), years, counties, region name, thresholds (weak
    # filter), count, page rows with the year's figures
    with django_assert_num_queries(9):
        response = client.get(
            reverse("registry:village_list"),
            {"region": "33", "year": "2023", "status": "not_weak"},
        )

    assert _codes_in(response) == [SHANTANG, XUJIADAI]


def test_village_list_answers_htmx_with_the_table_only(client_en, clerk):
    response = client_en(clerk).get(
        reverse("registry:village_list"), {"q": "峰山"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert "<html" not in html
    assert _codes_in(response) == [FENGSHAN]
    assert "HX-Request" in response["Vary"]


# --- village page ---------------------------------------------------------------------------


def test_village_page_shows_the_header_and_statistics(client_en, clerk, stats, thresholds):
    response = client_en(clerk).get(reverse("registry:village_detail", args=[XUJIADAI]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>徐家埭村</h1>" in html
    assert '<p class="lead">徐家埭村村民委员会</p>' in html
    assert f'<dd class="code">{XUJIADAI}</dd>' in html
    assert ">林埭镇</a>" in html
    assert ">平湖市</a>" in html
    assert '<td class="num">1,234,567.89</td>' in html
    assert '<td class="num">46,276.00</td>' in html
    assert html.count('class="badge-illustrative"') == 1 + 1 + 1  # 2020 row, note, footer
    assert "vendor/echarts/echarts.min.js" in html


def test_village_page_judges_each_year_under_the_line_in_force(client_en, clerk, stats, thresholds):
    response = client_en(clerk).get(reverse("registry:village_detail", args=[XUJIADAI]))

    status = {stat.year: weak for stat, weak in response.context["rows"]}
    # 2020: no line yet; 2021: province line, operating 120,000 ≥ 100,000 but total
    # 180,000 < 200,000; 2022: 平湖's line, recurring 250,000 < 300,000; 2023: above both.
    assert status == {2020: None, 2021: True, 2022: True, 2023: False}
    # The page agrees with the queryset the list filters use.
    for year, weak in status.items():
        if weak is not None:
            assert Village.objects.weak_in(year).filter(pk=XUJIADAI).exists() is weak


def test_village_page_passes_exact_fen_to_the_chart(client_en, clerk, stats):
    response = client_en(clerk).get(reverse("registry:village_detail", args=[XUJIADAI]))

    html = response.content.decode()
    data = json.loads(
        re.search(
            r'<script id="income-chart-data" type="application/json">(.*?)</script>', html
        ).group(1)
    )
    assert data["years"] == [2020, 2021, 2022, 2023]
    assert data["total_income"] == [150_000_00, 180_000_00, 1_234_567_89, 2_500_000_00]
    assert data["per_capita"] == [46_276_00] * 4
    assert data["illustrative"] == [True, False, False, False]


@pytest.mark.parametrize("years", [1, 12], ids=["one_year_case", "twelve_years_case"])
def test_village_page_query_count_does_not_grow_with_years(
    client_en, clerk, thresholds, django_assert_num_queries, years
):
    for year in range(2012, 2012 + years):
        VillageStat.objects.create(village_id=XUJIADAI, year=year, total_income=100)
    client = client_en(clerk)

    # session, user, village with its regions, statistics, thresholds, the county's
    # village-level units and rows per year (its latest complete year), peers, the
    # village-level units per township (coverage), grants (navigation)
    with django_assert_num_queries(10):
        response = client.get(reverse("registry:village_detail", args=[XUJIADAI]))

    assert len(response.context["rows"]) == years


def test_village_page_of_an_unknown_code_is_404(client_en, clerk):
    response = client_en(clerk).get(reverse("registry:village_detail", args=["330482999999"]))

    assert response.status_code == 404


def test_village_page_offers_edit_links_only_to_those_who_may_write(
    client_en, clerk, other_clerk, auditor, stats
):
    url = reverse("registry:village_detail", args=[XUJIADAI])
    add_url = reverse("registry:stat_add", args=[XUJIADAI])
    edit_url = reverse("registry:stat_edit", args=[XUJIADAI, 2023])

    pages = {
        user.username: client_en(user).get(url).content.decode()
        for user in (clerk, other_clerk, auditor)
    }

    assert add_url in pages["clerk"]
    assert edit_url in pages["clerk"]
    for name in ("other_clerk", "auditor"):
        assert add_url not in pages[name]
        assert edit_url not in pages[name]


def test_village_page_without_statistics_has_no_chart(client_en, clerk):
    response = client_en(clerk).get(reverse("registry:village_detail", args=[SHANTANG]))

    html = response.content.decode()
    assert 'id="income-chart"' not in html
    assert "echarts.min.js" not in html


# --- statistics edit ------------------------------------------------------------------------

EDIT = {
    "total_income": "1234567.89",
    "operating_income": "800000",
    "recurring_income": "650000.5",
    "population": "2301",
    "households": "702",
    "per_capita_disposable_income": "52000.01",
}


def _snapshot():
    return (
        list(VillageStat.objects.order_by("pk").values()),
        ObjectChange.objects.count(),
    )


def test_stat_edit_form_shows_the_figures_in_yuan(client_en, clerk, stats):
    response = client_en(clerk).get(reverse("registry:stat_edit", args=[XUJIADAI, 2022]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="total_income" value="1234567.89"' in html
    assert 'name="year" value="2022"' in html
    assert "disabled" in re.search(r'<input[^>]*name="year"[^>]*>', html).group(0)


def test_stat_edit_by_anonymous_changes_nothing(client_en, stats):
    before = _snapshot()
    url = reverse("registry:stat_edit", args=[XUJIADAI, 2023])

    response = client_en(None).post(url, EDIT)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert _snapshot() == before


@pytest.mark.parametrize("persona", ["other_clerk", "auditor"])
def test_stat_edit_out_of_scope_is_refused_and_changes_nothing(request, client_en, stats, persona):
    user = request.getfixturevalue(persona)
    before = _snapshot()
    client = client_en(user)

    edit = client.post(reverse("registry:stat_edit", args=[XUJIADAI, 2023]), EDIT)
    add = client.post(reverse("registry:stat_add", args=[XUJIADAI]), {**EDIT, "year": "2024"})
    form = client.get(reverse("registry:stat_edit", args=[XUJIADAI, 2023]))

    assert (edit.status_code, add.status_code, form.status_code) == (403, 403, 403)
    assert _snapshot() == before


def test_stat_edit_by_the_villages_clerk_saves_exact_fen_and_logs_the_change(
    client_en, clerk, stats
):
    stat = stats[(XUJIADAI, 2023)]
    logged = ObjectChange.objects.count()

    response = client_en(clerk).post(reverse("registry:stat_edit", args=[XUJIADAI, 2023]), EDIT)

    assert response.status_code == 302
    assert response["Location"] == reverse("registry:village_detail", args=[XUJIADAI])
    stat.refresh_from_db()
    assert (
        stat.year,
        stat.total_income,
        stat.operating_income,
        stat.recurring_income,
        stat.population,
        stat.households,
        stat.per_capita_disposable_income,
    ) == (2023, 1_234_567_89, 800_000_00, 650_000_50, 2301, 702, 52_000_01)
    assert ObjectChange.objects.count() == logged + 1
    change = ObjectChange.objects.latest("pk")
    assert (change.action, change.user_id, change.source, change.object_pk) == (
        "update",
        clerk.pk,
        "web",
        str(stat.pk),
    )
    assert change.prechange_data["total_income"] == 2_500_000_00
    assert change.postchange_data["total_income"] == 1_234_567_89
    assert change.changed_fields == [
        "households",
        "operating_income",
        "per_capita_disposable_income",
        "population",
        "recurring_income",
        "total_income",
    ]


def test_stat_add_by_the_villages_clerk_creates_the_year(client_en, clerk, stats):
    response = client_en(clerk).post(
        reverse("registry:stat_add", args=[XUJIADAI]), {"year": "2024", "total_income": "0.01"}
    )

    assert response.status_code == 302
    stat = VillageStat.objects.get(village_id=XUJIADAI, year=2024)
    assert (stat.total_income, stat.operating_income, stat.population) == (1, None, None)
    change = ObjectChange.objects.get(action="create", object_pk=str(stat.pk))
    assert change.user_id == clerk.pk


def test_stat_add_refuses_a_year_that_already_exists(client_en, clerk, stats):
    before = _snapshot()

    response = client_en(clerk).post(
        reverse("registry:stat_add", args=[XUJIADAI]), {**EDIT, "year": "2023"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["year"] == [
        "Statistics for 2023 already exist; edit them instead."
    ]
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total_income", "-1"),
        ("total_income", "1.234"),
        ("total_income", ""),
        ("total_income", "12abc"),
        ("operating_income", "-0.01"),
        ("population", "-5"),
    ],
    ids=[
        "negative_case",
        "three_decimals_case",
        "missing_case",
        "not_a_number_case",
        "negative_optional_case",
        "negative_count_case",
    ],
)
def test_stat_edit_rejects_invalid_figures_and_changes_nothing(
    client_en, clerk, stats, field, value
):
    before = _snapshot()

    response = client_en(clerk).post(
        reverse("registry:stat_edit", args=[XUJIADAI, 2023]), {**EDIT, field: value}
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert _snapshot() == before


def test_stat_edit_of_a_year_without_figures_is_404(client_en, clerk, stats):
    response = client_en(clerk).get(reverse("registry:stat_edit", args=[XUJIADAI, 1999]))

    assert response.status_code == 404


def test_stat_edit_by_a_county_admin_reaches_the_county(client_en, stats):
    county_admin = User.objects.create_user(username="pinghu_admin", password="pw")
    Grant.objects.create(user=county_admin, role=Role.CITY_ADMIN, region_id="330482")

    inside = client_en(county_admin).post(
        reverse("registry:stat_edit", args=[SHANTANG, 2023]), EDIT
    )
    outside = client_en(county_admin).post(
        reverse("registry:stat_edit", args=[FENGSHAN, 2023]), EDIT
    )

    assert (inside.status_code, outside.status_code) == (302, 403)
    assert VillageStat.objects.get(village_id=SHANTANG, year=2023).total_income == 1_234_567_89
    assert VillageStat.objects.get(village_id=FENGSHAN, year=2023).total_income == 300_000_00
