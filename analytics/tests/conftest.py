"""Analytics fixtures: four 平湖 villages in two townships with two years of statistics.

    code            township   2021 total   2022 total   (yuan; operating = half)
    330482107208    林埭镇        900,000      800,000
    330482107201    林埭镇        700,000    1,200,000
    330482106209    广陈镇      2,000,000    2,000,000
    330482106201    广陈镇      3,000,000    4,000,000

峰山村 (青田) has statistics too and must never count for 平湖. The province's line is a
total income below 1,000,000 yuan: weak in 2021 are 107208 and 107201, in 2022 only
107208, so one village was lifted.

The ventures fixtures (enclave park and its register) are reused from ventures' conftest.
"""

import pytest

from analytics.tests.rankings_setup import (  # noqa: F401  (fixtures)
    alliance_of_four,
    empty_cache,
    ranked,
    scheme,
)
from registry.choices import VillageKind
from registry.models import Village, VillageStat, WeakVillageThreshold
from ventures.tests.conftest import (  # noqa: F401  (fixtures)
    approved,
    income_2023,
    posted,
    prepared,
    register,
    venture,
)

YUAN = 100
INCOMES = {
    "330482107208": (900_000, 800_000),
    "330482107201": (700_000, 1_200_000),
    "330482106209": (2_000_000, 2_000_000),
    "330482106201": (3_000_000, 4_000_000),
}
CODES_2022 = sorted(INCOMES)


def add_stats(code, year, total_yuan):
    return VillageStat.objects.create(
        village_id=code,
        year=year,
        total_income=total_yuan * YUAN,
        operating_income=total_yuan * YUAN // 2,
        recurring_income=total_yuan * YUAN // 2,
        population=1000,
    )


@pytest.fixture
def stats(tree):
    for code, name, township in (
        ("330482107201", "林埭村", "330482107"),
        ("330482106201", "广陈村", "330482106"),
    ):
        Village.objects.create(
            code=code,
            name=name + "村民委员会",
            short_name=name,
            kind=VillageKind.VILLAGE,
            township_id=township,
            county_id="330482",
        )
    for code, (y2021, y2022) in INCOMES.items():
        add_stats(code, 2021, y2021)
        add_stats(code, 2022, y2022)
    add_stats("331121201201", 2022, 50_000)
    WeakVillageThreshold.objects.create(
        name="浙江省消薄标准",
        region_id="33",
        valid_from=2018,
        total_income_below=1_000_000 * YUAN,
    )
    return INCOMES


from analytics.tests.scenario_setup import year_2023  # noqa: E402, F401  (fixture)
