"""The 2023 data of the scenario tests (see analytics/tests/test_scenarios.py)."""

import pytest

from analytics.tests.conftest import YUAN, add_stats
from tests.support import D
from ventures import services as ventures_services
from ventures.tests.support import FENGSHAN, SHANTANG, XUJIADAI

LINBAI = "330482107201"
STATS_2023 = {XUJIADAI: 800_000, LINBAI: 950_000, SHANTANG: 2_000_000, "330482106201": 4_000_000}


@pytest.fixture
def year_2023(stats, venture, finance, posted):
    for code, total in STATS_2023.items():
        add_stats(code, 2023, total)
    for code, amount in ((FENGSHAN, 6_000_000), (XUJIADAI, 3_000_000), (SHANTANG, 1_000_000)):
        ventures_services.record_contribution(
            venture,
            holder=f"village:{code}",
            kind="cash",
            amount=amount * YUAN,
            contributed_on=D("2018-03-01"),
            actor=finance,
        )
    return venture
