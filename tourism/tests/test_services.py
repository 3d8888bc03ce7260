"""The rules of scenic villages: the sheet, grades, routes, operators and monthly figures —
each bad input refused with a clear error and nothing changed."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.actors import SYSTEM
from core.errors import Invalid, NotAllowed
from lib import scenic
from tourism import selectors, services
from tourism.choices import CountMethod, GradeScheme, OperatorKind, Premises, SpotKind
from tourism.models import Assessment, GradeAward, MonthlyFigure, Operator, Route, RouteStop

pytestmark = pytest.mark.django_db

FULL = {"transport": 80, "sanitation": 90, "facilities": 120, "activities": 100}
AAA = {**FULL, "management": 50, "satisfaction": 20}  # 460
AA = {**{k: v - 15 for k, v in FULL.items()}, "management": 60, "satisfaction": 20}  # 410


def _counts():
    return (
        Assessment.objects.count(),
        GradeAward.objects.count(),
        Route.objects.count(),
        RouteStop.objects.count(),
        MonthlyFigure.objects.count(),
        Operator.objects.count(),
    )


# --- the sheet -------------------------------------------------------------------------------


def test_the_sheet_is_500_points_with_15_bonus_and_three_thresholds():
    assert [(p.label, p.maximum) for p in scenic.SHEET] == [
        ("交通", 80),
        ("环境卫生", 90),
        ("基础设施与服务", 120),
        ("特色活动", 100),
        ("综合管理", 80),
        ("游客满意度", 30),
    ]
    assert scenic.SHEET_TOTAL == 500
    assert scenic.BONUS_MAX == 15
    assert dict(scenic.GRADES) == {"AAA": 450, "AA": 375, "A": 300}


def _scores(points: int) -> dict[str, int]:
    """Scores totalling `points` (≤ 500), filled part by part."""
    scores = {}
    for part in scenic.SHEET:
        scores[part.key] = min(part.maximum, points)
        points -= scores[part.key]
    return scores


@pytest.mark.parametrize(
    ("points", "bonus", "grade"),
    [
        (449, 0, "AA"),
        (450, 0, "AAA"),
        (440, 10, "AAA"),
        (374, 0, "A"),
        (375, 0, "AA"),
        (299, 0, ""),
        (300, 0, "A"),
        (290, 10, "A"),
        (0, 0, ""),
    ],
)
def test_grade_thresholds(points, bonus, grade):
    assert scenic.grade_for(_scores(points), bonus) == grade


@given(st.integers(0, 500), st.integers(0, 15))
@settings(max_examples=200, deadline=None)
def test_a_higher_total_never_gives_a_lower_grade(points, bonus):
    lower = scenic.grade_for(_scores(max(points - 1, 0)), bonus)
    higher = scenic.grade_for(_scores(points), bonus)
    assert scenic.RANK[higher] >= scenic.RANK[lower]


# --- assessments and grades ------------------------------------------------------------------


def test_an_assessment_derives_its_total_and_grade_and_awards_it(mingyue):
    a = services.record_assessment(
        actor=SYSTEM, spot=mingyue, assessed_on=dt.date(2023, 5, 1), scores=AAA, bonus=5
    )
    assert (a.total, a.grade) == (465, "AAA")
    award = GradeAward.objects.get()
    assert (award.grade, award.scheme, award.assessment) == ("AAA", GradeScheme.SCENIC_VILLAGE, a)


def test_a_part_above_its_maximum_is_refused_and_nothing_changes(mingyue):
    before = _counts()
    with pytest.raises(Invalid) as caught:
        services.record_assessment(
            actor=SYSTEM,
            spot=mingyue,
            assessed_on=dt.date(2023, 5, 1),
            scores={**AAA, "transport": 81},
        )
    assert "交通" in str(caught.value)
    assert "80" in str(caught.value)
    with pytest.raises(Invalid, match="加分"):
        services.record_assessment(
            actor=SYSTEM, spot=mingyue, assessed_on=dt.date(2023, 5, 1), scores=AAA, bonus=16
        )
    assert _counts() == before


def test_a_missing_part_is_refused(mingyue):
    scores = dict(AAA)
    del scores["satisfaction"]
    with pytest.raises(Invalid, match="游客满意度"):
        services.record_assessment(
            actor=SYSTEM, spot=mingyue, assessed_on=dt.date(2023, 5, 1), scores=scores
        )


def test_a_grade_the_scores_do_not_reach_is_refused(mingyue):
    before = _counts()
    with pytest.raises(Invalid) as caught:
        services.record_assessment(
            actor=SYSTEM,
            spot=mingyue,
            assessed_on=dt.date(2023, 5, 1),
            scores=AA,
            claimed_grade="AAA",
        )
    message = str(caught.value)
    assert "410" in message
    assert "AAA" in message
    assert "450" in message
    assert _counts() == before
    # The grade they do reach is accepted.
    a = services.record_assessment(
        actor=SYSTEM, spot=mingyue, assessed_on=dt.date(2023, 5, 1), scores=AA, claimed_grade="AA"
    )
    assert a.grade == "AA"


def test_the_database_refuses_a_part_above_its_maximum_too(mingyue):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            spot=mingyue, assessed_on=dt.date(2023, 1, 1), total=0, **{**AAA, "facilities": 121}
        )


def test_a_village_never_grades_itself(mingyue, st_clerk):
    with pytest.raises(NotAllowed):
        services.record_assessment(
            actor=st_clerk, spot=mingyue, assessed_on=dt.date(2023, 5, 1), scores=AAA
        )
    with pytest.raises(NotAllowed):
        services.award_grade(
            actor=st_clerk, spot=mingyue, grade="AAA", awarded_on=dt.date(2020, 1, 1)
        )


def test_grade_history_keeps_every_award(mingyue):
    services.award_grade(actor=SYSTEM, spot=mingyue, grade="AA", awarded_on=dt.date(2018, 1, 1))
    services.award_grade(actor=SYSTEM, spot=mingyue, grade="AAA", awarded_on=dt.date(2020, 12, 1))
    page = selectors.spot_page(mingyue)
    assert [g.grade for g in page["grades"]] == ["AAA", "AA"]
    assert page["current"][GradeScheme.NATIONAL].grade == "AAA"


# --- routes ----------------------------------------------------------------------------------


def test_a_route_keeps_its_stops_in_order(route, mingyue, yujiabang):
    assert [s.spot for s in route.stops.order_by("position")] == [mingyue, yujiabang]


def test_a_stop_that_is_not_a_spot_is_refused(consortium, mingyue, shantang):
    operator = services.register_operator(
        actor=SYSTEM,
        village=shantang,
        name="山塘人家",
        kind=OperatorKind.FARM_RESTAURANT,
        premises=Premises.OWNED,
        seats=40,
    )
    before = _counts()
    for wrong in (operator, shantang, 42, None):
        with pytest.raises(Invalid, match="Stop 2|第 2 站"):
            services.create_route(
                actor=SYSTEM, consortium=consortium, name="坏线路", stops=[mingyue, wrong]
            )
    assert _counts() == before


def test_the_same_spot_twice_in_a_row_is_refused(consortium, mingyue, yujiabang, route):
    before = _counts()
    with pytest.raises(Invalid, match="明月山塘"):
        services.create_route(
            actor=SYSTEM, consortium=consortium, name="坏线路", stops=[yujiabang, mingyue, mingyue]
        )
    with pytest.raises(Invalid):
        services.set_stops(actor=SYSTEM, route=route, stops=[mingyue, mingyue])
    assert _counts() == before
    # Coming back to a spot later (a loop) is a route.
    services.set_stops(actor=SYSTEM, route=route, stops=[mingyue, yujiabang, mingyue])
    assert route.stops.count() == 3


def test_the_route_map_is_drawn_from_coordinates(route):
    page = selectors.route_page(route)
    m = page["map"]
    assert len(m.points) == 2
    (a, b) = m.points
    assert a.x > b.x  # 明月山塘 lies east of 俞家浜
    assert min(a.y, b.y) >= 0
    assert max(a.x, b.x) <= m.width
    assert 8 < m.length_km < 10  # about 8.9 km apart
    assert m.scale_km > 0
    assert m.scale_px > 0


# --- operators -------------------------------------------------------------------------------


def test_an_operator_has_capacity_and_premises(shantang):
    association = services.create_association(actor=SYSTEM, name="山塘民宿行业协会")
    op = services.register_operator(
        actor=SYSTEM,
        village=shantang,
        name="山塘民宿",
        kind=OperatorKind.HOMESTAY,
        premises=Premises.RENTED,
        rooms=6,
        beds=10,
        staff=3,
        association=association,
    )
    assert op.association == association
    assert op.rooms == 6
    with pytest.raises(Invalid):
        services.register_operator(
            actor=SYSTEM,
            village=shantang,
            name="坏民宿",
            kind=OperatorKind.HOMESTAY,
            premises=Premises.RENTED,
            rooms=-1,
        )


# --- monthly figures -------------------------------------------------------------------------


def test_a_figure_is_recorded_and_replaced_not_duplicated(mingyue):
    for visitors in (1000, 1200):
        services.record_figure(
            actor=SYSTEM,
            spot=mingyue,
            month=dt.date(2023, 4, 1),
            visitors=visitors,
            revenue=3_000_000,
            method=CountMethod.TICKETS,
        )
    assert MonthlyFigure.objects.get().visitors == 1200


def test_a_month_in_the_future_is_refused(mingyue):
    from django.utils import timezone

    today = timezone.localdate()
    future = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    with pytest.raises(Invalid, match=f"{future:%Y-%m}"):
        services.record_figure(
            actor=SYSTEM,
            spot=mingyue,
            month=future,
            visitors=1,
            revenue=0,
            method=CountMethod.GATE,
        )
    assert not MonthlyFigure.objects.exists()
    services.record_figure(
        actor=SYSTEM, spot=mingyue, month=today, visitors=1, revenue=0, method=CountMethod.GATE
    )


def test_negative_visitors_are_refused(mingyue):
    with pytest.raises(Invalid, match="negative|负"):
        services.record_figure(
            actor=SYSTEM,
            spot=mingyue,
            month=dt.date(2023, 1, 1),
            visitors=-5,
            revenue=0,
            method=CountMethod.GATE,
        )
    assert not MonthlyFigure.objects.exists()


def test_cumulative_and_yearly_totals_and_revenue_per_visitor(mingyue):
    for month, visitors, revenue in [
        (dt.date(2022, 1, 1), 100, 10_000),
        (dt.date(2022, 2, 1), 200, 20_001),
        (dt.date(2023, 1, 1), 300, 30_000),
    ]:
        services.record_figure(
            actor=SYSTEM,
            spot=mingyue,
            month=month,
            visitors=visitors,
            revenue=revenue,
            method=CountMethod.TICKETS,
            is_collective_income=month.year == 2023,
        )
    cumulative, years = selectors.yearly_totals(MonthlyFigure.objects.all())
    assert (cumulative.visitors, cumulative.revenue) == (600, 60_001)
    assert [(y, t.visitors, t.revenue) for y, t in years] == [
        (2023, 300, 30_000),
        (2022, 300, 30_001),
    ]
    assert dict(years)[2022].per_visitor == 100  # 30,001 / 300 = 100.003 fen
    assert dict(years)[2023].collective == 30_000
    assert selectors.per_visitor(1, 2) == 1
    assert selectors.per_visitor(5, 0) is None


@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**12)), min_size=1, max_size=5))
@settings(max_examples=50, deadline=None)
def test_revenue_per_visitor_is_the_exact_quotient_rounded(pairs):
    revenue = sum(r for _v, r in pairs)
    visitors = sum(v for v, _r in pairs)
    got = selectors.per_visitor(revenue, visitors)
    if visitors == 0:
        assert got is None
    else:
        assert abs(got * visitors - revenue) * 2 <= visitors


def test_the_spot_kind_list_has_the_issues_kinds():
    assert {"scenic_area", "attraction", "venue", "farm_restaurant", "homestay"} <= set(
        SpotKind.values
    )
