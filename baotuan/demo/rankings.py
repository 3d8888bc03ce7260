"""The demo ranking: "比拼晾晒" of the 16 villages of 金平湖"抱团富"联盟, 2018–2022.

The alliance's villages joined in the demo on 2022-01-01 (illustrative), so the scheme ranks
its current members for the earlier years too (a look back), and the statistics it ranks
by are illustrative: the scheme and its snapshots are marked illustrative (示例). KPIs: the
collective income, its growth and the operating share, and duties done on time once the
alliance's duty list has duties. Idempotent: years already frozen are left alone.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from alliances.models import Alliance
from analytics import services
from analytics.choices import MemberRule
from analytics.models import RankingKPI, RankingScheme
from baotuan.demo import facts
from core.actors import SYSTEM

__all__ = ["SCHEME_NAME", "load", "load_scheme"]

SCHEME_NAME = "比拼晾晒"
DESCRIPTION = (
    "金平湖“抱团富”联盟 16 个成员村的年度比拼晾晒：集体经济总收入、收入增长、经营性收入占比"
    "（责任清单按时完成率在有数据的年度纳入）。示例：联盟成员与统计数据为演示生成，"
    "2018—2021 年按现有成员回溯比较。"
)
# (key, weight): income matters most; growth and the operating share reward effort.
# Project progress is left out: the demo has the project table of 徐家埭村 only, so the
# other 15 villages would score 0 for want of data, not of progress. Duties done on time
# count from the first year the alliance's duty list has duties (omitted before).
KPIS = [
    ("collective_income", Decimal("40")),
    ("income_growth", Decimal("30")),
    ("operating_share", Decimal("30")),
    ("duties_on_time", Decimal("20")),
]


@transaction.atomic
def load_scheme() -> tuple[RankingScheme, int]:
    """The published demo scheme with its KPIs; returns (scheme, KPIs added)."""
    alliance = Alliance.objects.get(name=facts.ALLIANCE_FACTS["name"])
    scheme, _created = RankingScheme.objects.get_or_create(
        name=SCHEME_NAME,
        defaults={
            "alliance": alliance,
            "member_rule": MemberRule.CURRENT,
            "description": DESCRIPTION,
            "is_published": True,
            "is_illustrative": True,
        },
    )
    added = 0
    if scheme.snapshots.exists():
        return scheme, added  # the method is frozen into its snapshots: leave it as it is
    for order, (key, weight) in enumerate(KPIS, start=1):
        _kpi, created = RankingKPI.objects.get_or_create(
            scheme=scheme, key=key, defaults={"weight": weight, "order": order}
        )
        added += created
    return scheme, added


def load(stdout=None) -> list[tuple[str, str, str]]:
    """Load the demo scheme and freeze 2018–2022 (idempotent); makes no accounts."""
    scheme, _added = load_scheme()
    frozen = set(scheme.snapshots.values_list("period", flat=True))
    computed = []
    for year in facts.STATS_YEARS:
        if year not in frozen:
            services.compute_snapshot(scheme, year, actor=SYSTEM)
            computed.append(year)
    if stdout is not None:
        years = ", ".join(map(str, computed)) or "—"
        stdout.write(
            f"比拼晾晒: {scheme.name}: {scheme.snapshots.count()} 个年度快照; 本次计算 {years}"
        )
    return []
