"""The demo's scenic villages: the consortium's two routes of the article, 明月山塘's national
3A grade and its published cumulative totals (shown as 累计), illustrative monthly figures that
sum to those totals up to the day they were published, and a second load that adds nothing."""

import pytest
from django.db.models import Sum

from baotuan.demo import alliances, facts, registry
from baotuan.demo import tourism as demo
from core.actors import SYSTEM
from registry.services.divisions import load_divisions
from tourism.models import (
    CumulativeFigure,
    GradeAward,
    MonthlyFigure,
    Operator,
    Route,
    RouteStop,
    Spot,
)


@pytest.fixture
def loaded(db):
    load_divisions(areas=[facts.PINGHU, facts.QINGTIAN, facts.JINSHAN], actor=SYSTEM)
    registry.load_organisations()
    alliances.load_alliance()
    demo.load()


def test_the_two_routes_of_the_article(loaded):
    routes = {
        r.name: [s.spot.name for s in r.stops.order_by("position")]
        for r in Route.objects.select_related("consortium")
    }
    assert routes == {
        "广陈明月山塘—钟溪棹歌·隐世田园景观线": ["明月山塘", "钟溪棹歌·隐世田园"],
        "俞家浜—中国航天科普馆—曹桥赛艇中心景观线": [
            "俞家浜景区",
            "中国航天科普馆",
            "曹桥赛艇中心",
        ],
    }
    assert set(Route.objects.values_list("consortium__name", flat=True)) == {"景区村庄共富体"}
    villages = set(Spot.objects.values_list("village_id", flat=True))
    assert villages <= {facts.VILLAGES[n] for n in ("徐家埭村", "山塘村", "赵家桥村", "马厩村")}


def test_mingyue_is_national_3a_with_its_published_cumulative_totals(loaded):
    mingyue = Spot.objects.get(name="明月山塘")
    assert GradeAward.objects.get(spot=mingyue).grade == "AAA"
    published = CumulativeFigure.objects.get(spot=mingyue)
    assert (published.visitors, published.revenue) == (1_820_000, 120_000_000 * 100)
    assert not published.is_illustrative
    early = MonthlyFigure.objects.filter(spot=mingyue, month__lte=published.as_of).aggregate(
        visitors=Sum("visitors"), revenue=Sum("revenue")
    )
    assert early == {"visitors": 1_820_000, "revenue": 12_000_000_000}
    # Every monthly figure, operator and the association are marked illustrative.
    assert not MonthlyFigure.objects.filter(is_illustrative=False).exists()
    assert not Operator.objects.filter(is_illustrative=False).exists()
    assert Operator.objects.filter(association__lead__name="浙沪山塘联合党支部").exists()


def test_a_second_load_adds_nothing(loaded):
    before = (Spot.objects.count(), RouteStop.objects.count(), MonthlyFigure.objects.count())
    demo.load()
    assert (Spot.objects.count(), RouteStop.objects.count(), MonthlyFigure.objects.count()) == (
        before
    )
