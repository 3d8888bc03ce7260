"""Scenarios on real rows: the base read from the statistics, the ventures' capital and the
returns posted; recomputation against figures worked out by hand; real data untouched; who
may write (the permission matrix); query counts.

The data (yuan; fen in the code): the analytics fixtures' four 平湖 villages with 2023
statistics added, and the enclave park of the ventures fixtures with its 2023 pro-rata run
posted (1,000,000 over 600/300/100 units) and capital contributed in 2018:

    code            2023 total   capital     2023 return
    330482107208       800,000   3,000,000       300,000   weak (line 1,000,000)
    330482107201       950,000          —              —   weak
    330482106209     2,000,000   1,000,000       100,000
    330482106201     4,000,000          —              —
    331121201201 (青田)      —   6,000,000       600,000   no 2023 statistics

The park's actual rate: 1,000,000 / 10,000,000 = 1,000 bp.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics import scenarios, selectors, services
from analytics.models import Scenario
from analytics.tests.conftest import YUAN, add_stats
from analytics.tests.scenario_setup import LINBAI, STATS_2023
from audit.models import ObjectChange
from core.actors import SYSTEM
from core.errors import Conflict, Invalid, NotAllowed
from core.roles import Role
from tests.support import make_user

# Autouse here: these tests match refusals by their English msgids.
from ventures.tests.conftest import in_english  # noqa: F401
from ventures.tests.support import FENGSHAN, SHANTANG, XUJIADAI, snapshot


def rows_of_real_data() -> dict:
    from registry.models import VillageStat, WeakVillageThreshold

    return snapshot() | {
        "stats": list(VillageStat.objects.order_by("pk").values()),
        "thresholds": list(WeakVillageThreshold.objects.order_by("pk").values()),
    }


def test_the_base_is_read_from_the_statistics_the_capital_and_the_returns(year_2023):
    loaded = scenarios.load_base("330482", 2023)
    base = loaded.base
    assert base.codes.tolist() == sorted(STATS_2023)
    assert base.total.tolist() == [STATS_2023[c] * YUAN for c in sorted(STATS_2023)]
    park = f"venture:{year_2023.pk}"
    assert base.rates == {park: 1000}
    held = {
        str(base.codes[v]): (int(c), int(r))
        for v, c, r in zip(
            base.holdings.village, base.holdings.capital, base.holdings.received, strict=True
        )
    }
    assert held == {
        XUJIADAI: (3_000_000 * YUAN, 300_000 * YUAN),
        SHANTANG: (1_000_000 * YUAN, 100_000 * YUAN),
    }
    assert loaded.parks == {park: year_2023.name}


def test_without_changes_the_actual_indicators_are_reproduced(year_2023):
    scenario = services.create_scenario(
        region="330482", year=2023, name="不变", changes=[], actor=SYSTEM
    )
    result = scenarios.comparison([scenario])
    actual = selectors.indicators("330482", 2023)
    for figures in (result["actual"], result["scenarios"][0]):
        assert figures["weak"]["count"] == actual["weak"]["count"] == 2
        assert figures["gini"] == actual["gini"]
        assert figures["theil_t"] == actual["theil_t"]
        assert figures["ratios"] == actual["ratios"]
        assert figures["total_income"]["median"] == actual["total_income"]["median"]
        assert figures["theil_between_counties"] == actual["by_county"]["between_share"]
    assert result["villages"] == []


def test_recomputed_figures_match_the_hand_computation(year_2023):
    park = year_2023.pk
    rate = services.create_scenario(
        region="330482",
        year=2023,
        name="园区回报 20%",
        # 3,000,000 × 20 % = 600,000 instead of 300,000: 徐家埭 800,000 → 1,100,000;
        # 山塘 1,000,000 × 20 % = 200,000 instead of 100,000: 2,000,000 → 2,100,000.
        changes=[{"kind": "park_rate", "venture": park, "rate_bp": 2000}],
        actor=SYSTEM,
    )
    new = services.create_scenario(
        region="330482",
        year=2023,
        name="新园区",
        changes=[
            {"kind": "new_park", "park": "嘉善园", "rate_bp": 1000},
            # 500,000 × 10 % = 50,000: 林埭 950,000 → 1,000,000, no longer below the line.
            {"kind": "stake", "village": LINBAI, "park": "嘉善园", "stake_fen": 500_000 * YUAN},
            # The line for 平湖 at 900,000: 徐家埭 (800,000) still weak.
            {"kind": "weak_line", "region": "330482", "line_fen": 900_000 * YUAN},
        ],
        actor=SYSTEM,
    )
    result = scenarios.comparison([rate, new])
    first, second = result["scenarios"]
    assert first["weak"] == {"count": 1, "share": 0.25, "lifted": 1, "newly_weak": 0}
    assert first["total_income"]["sum"] == (7_750_000 + 300_000 + 100_000) * YUAN
    assert first["returns"] == 800_000 * YUAN
    assert second["weak"] == {"count": 1, "share": 0.25, "lifted": 1, "newly_weak": 0}
    assert second["capital_added"] == 500_000 * YUAN
    incomes = sorted([1_100_000, 950_000, 2_100_000, 4_000_000])
    n, s = 4, sum(incomes)
    gini = sum((2 * i - n - 1) * y for i, y in enumerate(incomes, start=1)) / (n * s)
    assert first["gini"] == pytest.approx(gini, abs=1e-6)
    rows = {row["code"]: row for row in result["villages"]}
    assert set(rows) == {XUJIADAI, SHANTANG, LINBAI}
    assert rows[XUJIADAI]["scenarios"][0] == {"total_income": 1_100_000 * YUAN, "weak": False}
    assert rows[LINBAI]["scenarios"][1] == {"total_income": 1_000_000 * YUAN, "weak": False}
    assert rows[XUJIADAI]["name"] == "徐家埭村"


def test_a_budget_goes_equally_to_the_villages_still_weak(year_2023):
    scenario = services.create_scenario(
        region="330482",
        year=2023,
        name="预算",
        # 2 weak villages: 1,000,000 each in the park at its actual 1,000 bp → +100,000.
        changes=[{"kind": "budget", "venture": year_2023.pk, "budget_fen": 2_000_000 * YUAN}],
        actor=SYSTEM,
    )
    rows = {r["code"]: r for r in scenarios.comparison([scenario])["villages"]}
    # 徐家埭: capital 4,000,000 → 400,000 (was 300,000) → 900,000; 林埭: 100,000 → 1,050,000.
    assert rows[XUJIADAI]["scenarios"][0] == {"total_income": 900_000 * YUAN, "weak": True}
    assert rows[LINBAI]["scenarios"][0] == {"total_income": 1_050_000 * YUAN, "weak": False}


def test_nothing_real_changes(year_2023):
    before = rows_of_real_data()
    scenario = services.create_scenario(
        region="330482",
        year=2023,
        name="全部",
        changes=[
            {"kind": "park_rate", "venture": year_2023.pk, "rate_bp": 5000},
            {"kind": "stake", "village": LINBAI, "venture": year_2023.pk, "stake_fen": 10**8},
            {"kind": "weak_line", "region": "33", "line_fen": 10**9},
            {"kind": "budget", "venture": year_2023.pk, "budget_fen": 10**9},
        ],
        actor=SYSTEM,
    )
    # Saving it wrote the scenario row and its change-log row, nothing else.
    assert rows_of_real_data() | {"changes": 0} == before | {"changes": 0}
    assert rows_of_real_data()["changes"] == before["changes"] + 1
    saved = rows_of_real_data()
    scenarios.comparison([scenario])
    selectors.indicators("330482", 2023)
    assert rows_of_real_data() == saved
    logged = ObjectChange.objects.filter(
        object_pk=str(scenario.pk), content_type=Scenario.content_type()
    ).last()
    assert logged is not None
    assert logged.action == ObjectChange.Action.CREATE


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ([{"kind": "park_rate", "venture": 999, "rate_bp": 5}], "999"),
        ([{"kind": "stake", "village": FENGSHAN, "park": "x", "stake_fen": 5}], "x"),
        ([{"kind": "stake", "village": "330482999999", "venture": 1, "stake_fen": 5}], None),
        ([{"kind": "weak_line", "region": "331121", "line_fen": 5}], "331121"),
        ("nonsense", None),
    ],
)
def test_bad_changes_are_refused_and_nothing_is_saved(year_2023, changes, needle):
    with pytest.raises(Invalid) as error:
        services.create_scenario(
            region="330482", year=2023, name="坏", changes=changes, actor=SYSTEM
        )
    if needle:
        assert needle in str(error.value)
    assert not Scenario.objects.exists()


def test_the_translated_messages_are_the_library_s():
    from lib.scenarios import MESSAGES

    assert scenarios._messages() == MESSAGES


def test_a_year_without_statistics_or_a_duplicate_name_is_refused(year_2023):
    with pytest.raises(Invalid):
        services.create_scenario(region="330482", year=2019, name="a", actor=SYSTEM)
    services.create_scenario(region="330482", year=2023, name="a", actor=SYSTEM)
    with pytest.raises(Conflict):
        services.create_scenario(region="330482", year=2023, name="a", actor=SYSTEM)


def test_compared_scenarios_must_share_a_region_and_year(year_2023):
    one = services.create_scenario(region="330482", year=2023, name="a", actor=SYSTEM)
    two = services.create_scenario(region="330482", year=2022, name="a", actor=SYSTEM)
    with pytest.raises(Invalid):
        scenarios.comparison([one, two])


@pytest.fixture
def personas(year_2023, admin, clerk, auditor, finance):
    return {
        "admin": admin,
        "pinghu_admin": make_user("pinghu_admin", Role.CITY_ADMIN, region_id="330482"),
        "qingtian_admin": make_user("qingtian_admin", Role.CITY_ADMIN, region_id="331121"),
        "clerk": clerk,
        "auditor": auditor,
        "finance": finance,
    }


WRITERS = {"admin", "pinghu_admin"}


@pytest.mark.parametrize(
    "who", ["admin", "pinghu_admin", "qingtian_admin", "clerk", "auditor", "finance"]
)
def test_who_may_create_change_and_delete_a_scenario(personas, who):
    user = personas[who]
    allowed = who in WRITERS
    before = rows_of_real_data()
    if allowed:
        scenario = services.create_scenario(region="330482", year=2023, name="x", actor=user)
        services.update_scenario(scenario, name="y", actor=user)
        assert Scenario.objects.get().name == "y"
        services.delete_scenario(scenario, actor=user)
        assert not Scenario.objects.exists()
    else:
        with pytest.raises(NotAllowed):
            services.create_scenario(region="330482", year=2023, name="x", actor=user)
        existing = services.create_scenario(region="330482", year=2023, name="x", actor=SYSTEM)
        with pytest.raises(NotAllowed):
            services.update_scenario(existing, name="y", actor=user)
        with pytest.raises(NotAllowed):
            services.delete_scenario(existing, actor=user)
        assert Scenario.objects.get().name == "x"
    # Only the scenario's own rows were written (and logged: create, update, delete).
    assert rows_of_real_data() | {"changes": 0} == before | {"changes": 0}


def test_a_missing_actor_is_refused(year_2023):
    with pytest.raises(NotAllowed):
        services.create_scenario(region="330482", year=2023, name="x", actor=None)
    assert not Scenario.objects.exists()


def test_the_base_is_read_in_a_fixed_number_of_queries(year_2023):
    with CaptureQueriesContext(connection) as small:
        scenarios.load_base("330482", 2023)
    for i in range(30):
        code = f"3304821072{i:02d}"
        if code in STATS_2023:
            continue
        from registry.models import Village

        Village.objects.create(
            code=code,
            name=f"村{i}",
            short_name=f"村{i}",
            kind="village",
            township_id="330482107",
            county_id="330482",
        )
        add_stats(code, 2023, 500_000 + i)
    with CaptureQueriesContext(connection) as large:
        loaded = scenarios.load_base("330482", 2023)
    assert loaded.base.codes.size > 30
    assert len(large.captured_queries) == len(small.captured_queries) == 8
