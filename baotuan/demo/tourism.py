"""The demo's scenic villages (景区村庄): the consortium's spots, its two routes, operators and
an association, grades, and monthly visitors and revenue.

What is published (FACTS.md): the 景区村庄 consortium (徐家埭村, 山塘村, 赵家桥村, 马厩村, …)
planned two routes — 广陈明月山塘 + 钟溪棹歌·隐世田园, and 俞家浜景区 + 中国航天科普馆 +
曹桥赛艇中心; 明月山塘 is a national 3A scenic area with 1.82 million visitors and 120 million
yuan of tourism revenue so far (cumulative, "截至目前"); 俞家浜 is 徐家埭村's scenic area.
Everything else is illustrative (示例) and marked so: the villages of the three spots the
article places in no village, every coordinate (approximate, for the schematic map), the
operators and the association, the scenic-village assessment, and every monthly figure
(seeded; 明月山塘's months up to mid-2022 are split from the published totals, so they sum
to them exactly). Idempotent: a second load adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from alliances.models import Consortium
from baotuan.demo import facts
from core.actors import SYSTEM
from lib.money import allocate
from registry.models import Organisation, Village
from tourism import services
from tourism.choices import CountMethod, OperatorKind, Premises, SpotKind
from tourism.models import Route, Spot

CONSORTIUM = "景区村庄共富体"
APPROX = "坐标为示意（近似位置），仅用于线路示意图。"
# (name, village, kind, latitude, longitude, description, illustrative)
SPOTS = [
    (
        "明月山塘",
        "山塘村",
        SpotKind.SCENIC_AREA,
        "30.82700",
        "121.13000",
        "国家3A级旅游景区，浙沪两个山塘村一河之隔、共建共享。" + APPROX,
        False,
    ),
    (
        "山塘村（景区村庄）",
        "山塘村",
        SpotKind.SCENIC_VILLAGE,
        "30.82400",
        "121.12400",
        "山塘村作为景区村庄参加浙江省A级景区村庄评定（评分为示例）。" + APPROX,
        True,
    ),
    (
        "钟溪棹歌·隐世田园",
        "赵家桥村",
        SpotKind.SCENIC_AREA,
        "30.66000",
        "121.09000",
        "景区村庄共富体规划线路之一的景点；所在村为示例（报道未写明）。" + APPROX,
        True,
    ),
    (
        "俞家浜景区",
        "徐家埭村",
        SpotKind.SCENIC_AREA,
        "30.76400",
        "120.96800",
        "徐家埭村的景区，2018年以来与全国首个标准化青少年“乡村棒球”场地一同建设。" + APPROX,
        False,
    ),
    (
        "中国航天科普馆",
        "徐家埭村",
        SpotKind.VENUE,
        "30.75200",
        "120.98600",
        "景区村庄共富体规划线路之一的场馆；所在村为示例（报道未写明）。" + APPROX,
        True,
    ),
    (
        "曹桥赛艇中心",
        "马厩村",
        SpotKind.VENUE,
        "30.70800",
        "120.95000",
        "景区村庄共富体规划线路之一的场馆；所在村为示例（报道未写明，报道写作马厰村）。" + APPROX,
        True,
    ),
]
ROUTES = [
    (
        "广陈明月山塘—钟溪棹歌·隐世田园景观线",
        ["明月山塘", "钟溪棹歌·隐世田园"],
        "景区村庄共富体规划的两条旅游线路之一。",
    ),
    (
        "俞家浜—中国航天科普馆—曹桥赛艇中心景观线",
        ["俞家浜景区", "中国航天科普馆", "曹桥赛艇中心"],
        "景区村庄共富体规划的两条旅游线路之一。",
    ),
]
ASSOCIATION = "浙沪山塘农家乐民宿行业协会（示例）"
LEAD = "浙沪山塘联合党支部"
# (name, village, kind, premises, rooms, beds, seats, staff, at spot)
OPERATORS = [
    (
        "山塘人家农家乐（示例）",
        "山塘村",
        OperatorKind.FARM_RESTAURANT,
        Premises.OWNED,
        0,
        0,
        80,
        6,
        "明月山塘",
    ),
    (
        "月塘民宿（示例）",
        "山塘村",
        OperatorKind.HOMESTAY,
        Premises.RENTED,
        8,
        14,
        20,
        4,
        "明月山塘",
    ),
    ("河埠头民宿（示例）", "山塘村", OperatorKind.HOMESTAY, Premises.OWNED, 5, 9, 0, 2, None),
    (
        "俞家浜农家菜（示例）",
        "徐家埭村",
        OperatorKind.FARM_RESTAURANT,
        Premises.RENTED,
        0,
        0,
        60,
        5,
        "俞家浜景区",
    ),
    (
        "棒球小镇民宿（示例）",
        "徐家埭村",
        OperatorKind.HOMESTAY,
        Premises.RENTED,
        10,
        18,
        30,
        5,
        "俞家浜景区",
    ),
]
# The published cumulative totals of 明月山塘 (FACTS.md); the article is from 2022.
PUBLISHED_VISITORS = 1_820_000
PUBLISHED_REVENUE_FEN = 120_000_000 * 100
PUBLISHED_AS_OF = dt.date(2022, 6, 30)
PUBLISHED_SINCE = dt.date(2019, 1, 1)  # the demo's months start here (示例)
SOURCE = "《金平湖“抱团富”》报道（2022）：明月山塘截至目前接待游客182万人次，旅游收入1.2亿元"
# Seasonal weights of visitors by month (spring and autumn high, 示例).
SEASON = [6, 7, 10, 12, 11, 8, 8, 9, 9, 13, 9, 6]
# Mean monthly visitors and revenue per visitor (fen) of each spot's later months (示例).
SCALE = {
    "明月山塘": (40_000, 6_500),
    "钟溪棹歌·隐世田园": (9_000, 3_000),
    "俞家浜景区": (30_000, 2_500),
    "中国航天科普馆": (12_000, 1_500),
    "曹桥赛艇中心": (3_000, 4_000),
}


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def _village(name: str) -> Village:
    return Village.objects.get(code=facts.VILLAGES[name])


def load(stdout=None) -> list[tuple[str, str | None, str]]:
    consortium = Consortium.objects.filter(name=CONSORTIUM).first()
    if consortium is None or Route.objects.filter(consortium=consortium).exists():
        return []
    with transaction.atomic():
        spots = _spots()
        _routes(consortium, spots)
        _operators(spots)
        _grades(spots)
        _figures(spots)
    if stdout is not None:
        stdout.write(
            f"景区村庄: {len(spots)} spots, {len(ROUTES)} routes, {len(OPERATORS)} operators"
        )
    return []


def _spots() -> dict[str, Spot]:
    spots = {}
    for name, village, kind, lat, lon, description, illustrative in SPOTS:
        spots[name] = services.create_spot(
            actor=SYSTEM,
            village=_village(village),
            name=name,
            kind=kind,
            latitude=lat,
            longitude=lon,
            description=description,
            is_illustrative=illustrative,
        )
    return spots


def _routes(consortium, spots) -> None:
    for name, stops, description in ROUTES:
        services.create_route(
            actor=SYSTEM,
            consortium=consortium,
            name=name,
            stops=[spots[s] for s in stops],
            description=description,
        )


def _operators(spots) -> None:
    lead = Organisation.objects.filter(name=LEAD).first()
    association = services.create_association(
        actor=SYSTEM,
        name=ASSOCIATION,
        lead=lead,
        description="由浙沪山塘联合党支部牵头的农家乐、民宿行业协会（示例）。",
        is_illustrative=True,
    )
    for name, village, kind, premises, rooms, beds, seats, staff, spot in OPERATORS:
        services.register_operator(
            actor=SYSTEM,
            village=_village(village),
            name=name,
            kind=kind,
            premises=premises,
            rooms=rooms,
            beds=beds,
            seats=seats,
            staff=staff,
            association=association,
            spot=spots.get(spot) if spot else None,
            is_illustrative=True,
        )


def _grades(spots) -> None:
    services.award_grade(
        actor=SYSTEM,
        spot=spots["明月山塘"],
        grade="AAA",
        awarded_on=dt.date(2021, 12, 31),
        note="国家3A级旅游景区（见报道，2022）；评定日期未公布，此为示意日期",
    )
    services.record_assessment(
        actor=SYSTEM,
        spot=spots["山塘村（景区村庄）"],
        assessed_on=dt.date(2023, 10, 15),
        scores={
            "transport": 72,
            "sanitation": 84,
            "facilities": 108,
            "activities": 92,
            "management": 70,
            "satisfaction": 27,
        },
        bonus=8,
        claimed_grade="AAA",
        assessor="示例评定组",
        is_illustrative=True,
    )
    services.publish_cumulative(
        actor=SYSTEM,
        spot=spots["明月山塘"],
        as_of=PUBLISHED_AS_OF,
        since=None,
        visitors=PUBLISHED_VISITORS,
        revenue=PUBLISHED_REVENUE_FEN,
        source=SOURCE,
    )


def _figures(spots) -> None:
    rng = random.Random(1820000)
    last = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    # 明月山塘 up to the published day: the published totals split by season (exact sums).
    early = _months(PUBLISHED_SINCE, PUBLISHED_AS_OF)
    weights = [SEASON[m.month - 1] * rng.randint(90, 110) for m in early]
    visitors = allocate(PUBLISHED_VISITORS, weights)
    revenue = allocate(PUBLISHED_REVENUE_FEN, weights)
    for month, v, r in zip(early, visitors, revenue, strict=True):
        services.record_figure(
            actor=SYSTEM,
            spot=spots["明月山塘"],
            month=month,
            visitors=v,
            revenue=r,
            method=CountMethod.TICKETS,
            is_illustrative=True,
        )
    for name, (mean, per_visitor) in SCALE.items():
        first = dt.date(2022, 7, 1) if name == "明月山塘" else dt.date(2021, 1, 1)
        growth = 1.0
        for month in _months(first, last):
            if month.month == 1:
                growth *= rng.uniform(1.02, 1.12)
            v = int(mean * growth * SEASON[month.month - 1] / 9 * rng.uniform(0.85, 1.15))
            services.record_figure(
                actor=SYSTEM,
                spot=spots[name],
                month=month,
                visitors=v,
                revenue=v * per_visitor,
                method=CountMethod.GATE
                if name == "俞家浜景区"
                else CountMethod.ESTIMATE
                if spots[name].kind == SpotKind.VENUE
                else CountMethod.TICKETS,
                is_illustrative=True,
                # The rowing centre's revenue is taken as 马厩村's collective income (示例):
                # shown beside the village's statistics, never added to them.
                is_collective_income=name == "曹桥赛艇中心",
            )
