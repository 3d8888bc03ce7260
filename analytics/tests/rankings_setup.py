"""Fixtures of the ranking and showcase tests: the four 平湖 villages of `stats` in one
alliance, their scheme, its frozen 2021 and 2022 (`ranked`), an empty cache, and `get`
(a page in a language).

Incomes (yuan) from analytics/tests/conftest.py, and what the 50/50 income + growth scheme
makes of them:

    code            2021 total  2022 total  2022 growth  2021 rank  2022 score  2022 rank
    330482106201     3,000,000   4,000,000     +33.3%        1        76.92         1
    330482107201       700,000   1,200,000     +71.4%        4        56.25         2  ↑2
    330482106209     2,000,000   2,000,000       0.0%        2        25.48         3  ↓1
    330482107208       900,000     800,000     −11.1%        3         0.00         4  ↓1

2021 has no 2020 statistics, so growth is left out of 2021 and income alone decides.
"""

from datetime import date

import pytest
from django.core.cache import cache

from alliances.models import Alliance, Membership
from analytics import services
from analytics.models import RankingKPI, RankingScheme
from core.actors import SYSTEM


@pytest.fixture
def alliance_of_four(stats):
    alliance = Alliance.objects.create(name="测试联盟", region_id="330482")
    for code in ("330482106201", "330482106209", "330482107201", "330482107208"):
        Membership.objects.create(alliance=alliance, village_id=code, joined_on=date(2018, 1, 1))
    return alliance


@pytest.fixture
def scheme(alliance_of_four):
    scheme = RankingScheme.objects.create(
        name="比拼晾晒",
        alliance=alliance_of_four,
        is_published=True,
        description="收入与增长各占一半。",
    )
    RankingKPI.objects.create(scheme=scheme, key="collective_income", weight=50, order=1)
    RankingKPI.objects.create(scheme=scheme, key="income_growth", weight=50, order=2)
    return scheme


@pytest.fixture
def ranked(scheme):
    services.compute_snapshot(scheme, 2021, actor=SYSTEM)
    services.compute_snapshot(scheme, 2022, actor=SYSTEM)
    return scheme


@pytest.fixture
def empty_cache():
    """The showcase and the dashboards read through the cache; test databases reuse
    change-log ids, so an entry of another test could answer."""
    cache.clear()
    yield
    cache.clear()


def get(client, url, lang="zh-hans", **extra):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=lang, **extra)
