"""The enclave programme (山区26县): the pairing rule, the figures from the ledger against a
small case computed by hand, the page, the API and the xlsx report.

The case (money in yuan unless fen is said):

    park 平湖—青田 (site 平湖 330482, owner 青田 331121, programme shanqu26), holders:
        峰山村      331121201201   600 units
        阜山村      331121201202   400 units
    2021 run: 500,000.00 (rent 2021), posted, then reversed        → nets to 0 in 2021
    2022 run: total 10,000,001 fen pro rata 600:400 → 6,000,001 / 4,000,000 fen
              (the odd fen to the larger remainder, lib.money.allocate)
    2023 run: 1,000,000.00 pro rata → 600,000.00 / 400,000.00
    a park outside the programme pays 峰山村 too: never counted.

    2023 statistics (total; operating and recurring half of it), the province's line is a
    total income below 1,000,000 yuan:
        峰山村   1,300,000  → without the 600,000 returns 700,000: weak only without (lifted)
        阜山村   1,500,000  → without 400,000: 1,100,000, weak neither way
        龙泉村     800,000  → no returns: weak both ways
    Gini with [130, 150, 80] (万) = 280 / 2160; without [70, 110, 80] = 160 / 1560.
"""

from __future__ import annotations

import io
from fractions import Fraction

import numpy as np
import openpyxl
import pytest
from django.core.cache import cache
from django.urls import reverse

from analytics import programme as figures
from core.actors import SYSTEM
from core.errors import NotAllowed
from core.roles import Role
from registry.choices import OrganisationKind, RegionLevel, VillageKind
from registry.models import (
    Organisation,
    Region,
    RegionGroup,
    RegionGroupMember,
    Village,
    VillageStat,
    WeakVillageThreshold,
)
from registry.services.groups import load_region_groups
from tests.support import D, make_user
from ventures import services
from ventures.choices import VentureKind
from ventures.exceptions import VentureError
from ventures.models import Venture

YUAN = 100
FENGSHAN, FUSHAN, LONGQUAN_V = "331121201201", "331121201202", "331181101201"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def group(tree):
    Region.objects.create(code="331181", name="龙泉市", level=RegionLevel.COUNTY, parent_id="3311")
    Region.objects.create(
        code="331181101", name="剑池街道", level=RegionLevel.TOWNSHIP, parent_id="331181"
    )
    for code, short, township in (
        (FUSHAN, "阜山村", "331121201"),
        (LONGQUAN_V, "龙泉村", "331181101"),
    ):
        Village.objects.create(
            code=code,
            name=short + "村民委员会",
            short_name=short,
            kind=VillageKind.VILLAGE,
            township_id=township,
            county_id=code[:6],
        )
    result = load_region_groups(actor=SYSTEM)
    assert result.members == 2  # only 青田 and 龙泉 of the 26 are loaded here
    assert len(result.missing) == 24
    return RegionGroup.objects.get(code="shanqu26")


@pytest.fixture
def park(group, enclave_company, finance):
    venture = Venture.objects.create(
        name="平湖—青田飞地产业园",
        kind=VentureKind.ENCLAVE_PARK,
        organisation=enclave_company,
        started_on=D("2018-01-01"),
    )
    services.set_pairing(
        venture,
        site_county="330482",
        owner_county="331121",
        programme="shanqu26",
        actor=finance,
    )
    for code, units in ((FENGSHAN, 600), (FUSHAN, 400)):
        services.add_stake(
            venture,
            holder=f"village:{code}",
            units=units,
            effective_from=D("2018-01-01"),
            actor=finance,
        )
    return venture


def _run(venture, year, finance, approver, *, income=None, total=None):
    if income is not None:
        services.record_income(
            venture,
            amount=income,
            received_on=D(f"{year}-12-20"),
            actor=finance,
            period_start=D(f"{year}-01-01"),
            period_end=D(f"{year}-12-31"),
        )
    run = services.prepare_run(
        venture,
        period_start=D(f"{year}-01-01"),
        period_end=D(f"{year}-12-31"),
        policy="pro_rata",
        params={} if total is None else {"total": total},
        actor=finance,
    ).run
    run = services.approve_run(run, actor=approver)
    return services.post_run(run, actor=finance, date=D(f"{year + 1}-01-15"))


@pytest.fixture
def paid(park, finance, approver, enclave_company):
    run_2021 = _run(park, 2021, finance, approver, income=500_000 * YUAN)
    services.reverse_run(run_2021, actor=approver, reason="算错了", date=D("2022-02-01"))
    _run(park, 2022, finance, approver, total=10_000_001)
    _run(park, 2023, finance, approver, income=1_000_000 * YUAN, total=100_000_000)
    # A park outside the programme paying 峰山村: not the programme's money.
    other = Venture.objects.create(
        name="另一个项目",
        kind=VentureKind.ENCLAVE_PARK,
        organisation=enclave_company,
    )
    services.add_stake(
        other,
        holder=f"village:{FENGSHAN}",
        units=1,
        effective_from=D("2018-01-01"),
        actor=finance,
    )
    _run(other, 2023, finance, approver, income=77_777 * YUAN)
    WeakVillageThreshold.objects.create(
        name="省定薄弱村",
        region_id="33",
        valid_from=2023,
        total_income_below=1_000_000 * YUAN,
    )
    for code, total in ((FENGSHAN, 1_300_000), (FUSHAN, 1_500_000), (LONGQUAN_V, 800_000)):
        VillageStat.objects.create(
            village_id=code,
            year=2023,
            total_income=total * YUAN,
            operating_income=total * YUAN // 2,
            recurring_income=total * YUAN // 2,
        )
    return park


def _gini(values) -> float:
    values = [Fraction(v) for v in values]
    n, mean = len(values), sum(values) / len(values)
    return float(sum(abs(a - b) for a in values for b in values) / (2 * n * n * mean))


# --- the pairing rule ----------------------------------------------------------------


def test_a_pairing_with_a_county_outside_the_group_is_refused_and_nothing_changes(
    group, enclave_company, finance
):
    venture = Venture.objects.create(
        name="平湖—某县飞地", kind=VentureKind.ENCLAVE_PARK, organisation=enclave_company
    )
    with pytest.raises(VentureError) as refused:
        services.set_pairing(
            venture,
            site_county="331121",
            owner_county="330482",
            programme="shanqu26",
            actor=finance,
        )
    assert "平湖市不是山区26县之一" in str(refused.value)
    venture.refresh_from_db()
    assert (venture.site_county_id, venture.owner_county_id, venture.programme_id) == (
        None,
        None,
        None,
    )


def test_a_group_without_the_rule_pairs_any_county(group, enclave_company, finance):
    RegionGroup.objects.filter(code="shanqu26").update(requires_members_for_pairing=False)
    venture = Venture.objects.create(
        name="平湖—某县飞地", kind=VentureKind.ENCLAVE_PARK, organisation=enclave_company
    )
    services.set_pairing(
        venture,
        site_county="331121",
        owner_county="330482",
        programme="shanqu26",
        actor=finance,
    )
    venture.refresh_from_db()
    assert venture.owner_county_id == "330482"


@pytest.mark.parametrize(
    ("site", "owner", "message"),
    [
        ("331121", "331121", "不能与自己结对"),
        ("330482", "3311", "不是县级区划"),
        ("330482", "999999", "不是县级区划"),
    ],
)
def test_bad_pairings_are_refused(park, finance, site, owner, message):
    with pytest.raises(VentureError) as refused:
        services.set_pairing(
            park, site_county=site, owner_county=owner, programme="shanqu26", actor=finance
        )
    assert message in str(refused.value)
    park.refresh_from_db()
    assert park.owner_county_id == "331121"


def test_only_enclave_parks_are_paired(group, enclave_company, finance):
    company = Venture.objects.create(
        name="强村公司", kind=VentureKind.VILLAGE_COMPANY, organisation=enclave_company
    )
    with pytest.raises(VentureError):
        services.set_pairing(company, site_county="330482", owner_county="331121", actor=finance)


@pytest.mark.parametrize("who", ["other_clerk", "auditor", "approver", "stranger", None])
def test_who_may_not_pair(park, request, who):
    if who == "stranger":
        other = Organisation.objects.create(name="别的公司", kind=OrganisationKind.ENTERPRISE)
        actor = make_user("stranger", Role.FINANCE, organisation=other)
    else:
        actor = request.getfixturevalue(who) if who else None
    with pytest.raises(NotAllowed):
        services.set_pairing(
            park,
            site_county="330482",
            owner_county="331181",
            programme="shanqu26",
            actor=actor,
        )
    park.refresh_from_db()
    assert park.owner_county_id == "331121"


def test_finance_and_admin_may_pair(park, finance, admin):
    for actor, owner in ((finance, "331181"), (admin, "331121")):
        services.set_pairing(
            park, site_county="330482", owner_county=owner, programme="shanqu26", actor=actor
        )
        park.refresh_from_db()
        assert park.owner_county_id == owner


def test_loading_the_groups_twice_adds_nothing(group):
    again = load_region_groups(actor=SYSTEM)
    assert (again.groups, again.members) == (0, 0)
    assert RegionGroupMember.objects.filter(group=group).count() == 2


# --- the figures, by hand ----------------------------------------------------------------


def test_programme_figures_against_the_hand_computed_case(paid):
    data = figures.programme("shanqu26")
    assert data["years"] == [2021, 2022, 2023]
    assert data["year"] == 2023
    rows = {row["code"]: row for row in data["by_county"]}
    assert list(rows) == ["331121", "331181"]
    # The reversed 2021 run nets to zero; 2022 to the fen; the other park never counts.
    assert rows["331121"]["paid"] == [0, 10_000_001, 100_000_000]
    assert rows["331181"]["paid"] == [0, 0, 0]
    assert data["by_year"] == [0, 10_000_001, 100_000_000]
    assert data["total"] == 110_000_001
    assert data["received_in_year"] == 100_000_000
    assert (data["weak_with"], data["weak_without"], data["lifted"]) == (1, 2, 1)
    assert (rows["331121"]["lifted"], rows["331181"]["lifted"]) == (1, 0)
    assert (rows["331181"]["weak_with"], rows["331181"]["weak_without"]) == (1, 1)
    assert data["gap_with"]["gini"] == pytest.approx(280 / 2160, abs=1e-6)
    assert data["gap_without"]["gini"] == pytest.approx(160 / 1560, abs=1e-6)
    assert data["gap_with"]["gini"] == pytest.approx(_gini([130, 150, 80]), abs=1e-6)
    # Theil T between 青田 [130, 150] and 龙泉 [80], within each.
    for key, values in (("gap_with", [130, 150, 80]), ("gap_without", [70, 110, 80])):
        y = np.array(values, dtype=float)
        mu = y.mean()
        total = float(np.mean(y / mu * np.log(y / mu)))
        groups = [y[:2], y[2:]]
        between = sum(g.sum() / y.sum() * np.log(g.mean() / mu) for g in groups)
        assert data[key]["theil_t"] == pytest.approx(total, abs=1e-6)
        assert data[key]["between"] == pytest.approx(between, abs=1e-6)
        assert data[key]["within"] == pytest.approx(total - between, abs=1e-6)
    parks = data["parks"]
    assert [(p["name"], p["site_county"], p["owner_county"]) for p in parks] == [
        ("平湖—青田飞地产业园", "平湖市", "青田县")
    ]


def test_an_earlier_year_reads_its_own_returns(paid):
    data = figures.programme("shanqu26", 2022)
    assert data["year"] == 2022
    assert data["received_in_year"] == 0  # no statistics in 2022: nobody received "there"
    assert data["received_outside_statistics"] == 10_000_001
    assert data["villages"] == 0
    assert data["gap_with"]["gini"] is None


def test_the_weak_margin_agrees_with_the_weak_status(paid):
    rows = VillageStat.objects.with_weak_margin(years=[2023]).values_list(
        "village_id", "is_weak", "weak_margin"
    )
    margins = {code: (weak, margin) for code, weak, margin in rows}
    assert margins[FENGSHAN] == (False, 300_000 * YUAN)  # 1.3M − 1.0M
    assert margins[LONGQUAN_V] == (True, -200_000 * YUAN)
    for weak, margin in margins.values():
        assert weak == (margin < 0)


def test_unknown_group_is_refused(db):
    with pytest.raises(ValueError):
        figures.programme("nope")


# --- page, API, report ------------------------------------------------------------------


def test_page_shows_the_figures_in_a_fixed_number_of_queries(
    paid, client_for, auditor, django_assert_max_num_queries
):
    client = client_for(auditor)
    url = reverse("analytics:programme")
    with django_assert_max_num_queries(14):  # cold: session, user, grants, version, figures
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "山区26县" in html
    assert "平湖—青田飞地产业园" in html
    assert 'data-testid="total">110.00<' in html  # 110,000,001 fen in 万元
    assert 'data-testid="lifted">1<' in html
    with django_assert_max_num_queries(4):  # warm: session, user, grants, version
        assert client.get(url).status_code == 200


def test_page_needs_a_login(client_for, paid):
    response = client_for(None).get(reverse("analytics:programme"))
    assert response.status_code == 302


def test_unknown_group_page_is_404(client_for, auditor, group):
    response = client_for(auditor).get(reverse("analytics:programme_group", args=["nope"]))
    assert response.status_code == 404


def test_api_answers_exact_fen(paid, client_for, auditor, django_assert_max_num_queries):
    client = client_for(auditor)
    url = "/api/v1/programmes/shanqu26/"
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == 110_000_001
    assert body["lifted"] == 1
    with django_assert_max_num_queries(4):  # warm
        assert client.get(url).json() == body
    assert client.get(url + "?year=2022").json()["year"] == 2022
    assert client.get(url + "?year=1800").status_code == 400
    assert client_for(None).get(url).status_code in (401, 403)


def test_api_unknown_group_is_404(client_for, auditor, group):
    response = client_for(auditor).get("/api/v1/programmes/nope/")
    assert response.status_code == 404
    assert "nope" in response.json()["error"]["detail"]["detail"]


def test_api_writes_are_refused(paid, client_for, admin):
    client = client_for(admin)
    url = "/api/v1/programmes/shanqu26/"
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(url, {}, content_type="application/json").status_code == 405


def test_the_report_opens_with_the_right_totals(paid, client_for, auditor):
    response = client_for(auditor).get(
        reverse("analytics:programme_report", args=["shanqu26"]) + "?unit=yuan"
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    by_county = book.worksheets[1]
    cells = [[c.value for c in row] for row in by_county.iter_rows()]
    total_row = next(row for row in cells if row[1] in ("合计", "Total"))
    assert total_row[2:6] == [0, 100_000.01, 1_000_000, 1_100_000.01]
    summary = book.worksheets[0]
    values = {row[0].value: row[1].value for row in summary.iter_rows(min_row=5)}
    assert 1 in values.values()  # one village lifted
    assert summary.page_setup.paperSize == 9  # A4
    wan = openpyxl.load_workbook(
        io.BytesIO(
            client_for(auditor)
            .get(reverse("analytics:programme_report", args=["shanqu26"]))
            .content
        )
    )
    cells = [[c.value for c in row] for row in wan.worksheets[1].iter_rows()]
    total_row = next(row for row in cells if row[1] in ("合计", "Total"))
    assert total_row[-1] == pytest.approx(110.00000)  # 万元


def test_the_venture_page_shows_its_pairing(park, client_for, finance):
    response = client_for(finance).get(reverse("ventures:venture_detail", args=[park.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "平湖市 ↔ 青田县" in html
    assert reverse("analytics:programme_group", args=["shanqu26"]) in html


def test_the_dashboards_link_the_programme(client_for, auditor, db):
    html = client_for(auditor).get(reverse("analytics:index")).content.decode()
    assert reverse("analytics:programme") in html
