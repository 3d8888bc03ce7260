"""The reads of scenic villages: a spot's page, a route and its schematic map, a
consortium's dashboard, and the public routes. No writes.

Totals: "cumulative" is the sum of every stored month (and, apart, a published cumulative
figure with its source: 累计); "yearly" is one calendar year. Revenue that is part of a
village's collective income is shown beside that village's statistics, never added to them.
Money stays integer fen; revenue per visitor is rounded to the fen.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from registry.models import VillageStat
from tourism.choices import GradeScheme
from tourism.models import (
    CumulativeFigure,
    GradeAward,
    MonthlyFigure,
    Operator,
    Route,
    RouteStop,
    Spot,
)

__all__ = [
    "Totals",
    "consortium_dashboard",
    "consortium_villages",
    "current_grades",
    "per_visitor",
    "public_routes",
    "route_map",
    "route_page",
    "spot_page",
    "yearly_totals",
]


def per_visitor(revenue: int, visitors: int) -> int | None:
    """Revenue per visitor in fen, rounded half up (None without visitors)."""
    if not visitors:
        return None
    return (2 * revenue + visitors) // (2 * visitors)


@dataclass
class Totals:
    visitors: int = 0
    revenue: int = 0
    months: int = 0
    illustrative: bool = False
    collective: int = 0  # revenue flagged as the village's collective income

    @property
    def per_visitor(self) -> int | None:
        return per_visitor(self.revenue, self.visitors)


def yearly_totals(figures) -> tuple[Totals, list[tuple[int, Totals]]]:
    """(cumulative, [(year, totals)] newest first) of a queryset of monthly figures, in one
    query."""
    rows = (
        figures.annotate(year=ExtractYear("month"))
        .values("year")
        .annotate(
            sum_visitors=Sum("visitors"),
            sum_revenue=Sum("revenue"),
            months=Count("pk"),
            illustrative=Count("pk", filter=Q(is_illustrative=True)),
            collective=Sum("revenue", filter=Q(is_collective_income=True)),
        )
        .order_by("-year")
    )
    cumulative = Totals()
    years = []
    for r in rows:
        t = Totals(
            r["sum_visitors"] or 0,
            r["sum_revenue"] or 0,
            r["months"],
            bool(r["illustrative"]),
            r["collective"] or 0,
        )
        years.append((r["year"], t))
        cumulative.visitors += t.visitors
        cumulative.revenue += t.revenue
        cumulative.months += t.months
        cumulative.collective += t.collective
        cumulative.illustrative = cumulative.illustrative or t.illustrative
    return cumulative, years


def current_grades(spot_ids) -> dict[int, dict[str, GradeAward]]:
    """{spot: {scheme: its latest award}} in one query."""
    latest: dict[int, dict[str, GradeAward]] = defaultdict(dict)
    for award in GradeAward.objects.filter(spot_id__in=list(spot_ids)).order_by(
        "spot_id", "scheme", "awarded_on", "pk"
    ):
        latest[award.spot_id][award.scheme] = award
    return latest


def spot_page(spot: Spot) -> dict:
    """Everything the spot page shows (a fixed number of queries)."""
    figures = MonthlyFigure.objects.filter(spot=spot)
    cumulative, years = yearly_totals(figures)
    grades = list(spot.grades.select_related("assessment"))
    return {
        "spot": spot,
        "grades": grades,
        "current": current_grades([spot.pk]).get(spot.pk, {}),
        "assessments": list(spot.assessments.all()),
        "photos": list(spot.photos.all()),
        "operators": list(spot.operators.select_related("association")),
        "published": list(spot.cumulative.all()),
        "cumulative": cumulative,
        "years": years,
        "recent": list(figures.order_by("-month")[:12]),
        "routes": list(
            Route.objects.filter(stops__spot=spot).distinct().select_related("consortium")
        ),
    }


# --- The route map: a schematic from coordinates, drawn offline -----------------------------

MAP_WIDTH, MAP_HEIGHT, MAP_PAD = 640, 360, 48
KM_PER_DEGREE = 111.32  # one degree of latitude (and of longitude at the equator)


@dataclass
class MapPoint:
    x: float
    y: float
    position: int
    name: str
    village: str
    label_left: bool = False


@dataclass
class RouteMap:
    width: int
    height: int
    points: list[MapPoint] = field(default_factory=list)
    path: str = ""
    scale_km: int = 0
    scale_px: float = 0.0
    length_km: float = 0.0


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def route_map(stops: list[RouteStop], width: int = MAP_WIDTH, height: int = MAP_HEIGHT) -> RouteMap:
    """The stops projected onto an SVG box (equirectangular, longitude scaled by the cosine
    of the mean latitude, north up), the line through them, a scale bar and the straight-line
    length. No tiles, no network: the page draws it from these numbers."""
    places = [(float(s.spot.latitude), float(s.spot.longitude)) for s in stops]
    result = RouteMap(width, height)
    if not places:
        return result
    mean_lat = sum(p[0] for p in places) / len(places)
    shrink = math.cos(math.radians(mean_lat))
    xs = [lon * shrink for _lat, lon in places]
    ys = [lat for lat, _lon in places]
    span_x = max(xs) - min(xs) or 1e-6
    span_y = max(ys) - min(ys) or 1e-6
    scale = min((width - 2 * MAP_PAD) / span_x, (height - 2 * MAP_PAD) / span_y)
    off_x = (width - span_x * scale) / 2
    off_y = (height - span_y * scale) / 2
    for stop, x, y in zip(stops, xs, ys, strict=True):
        px = round(off_x + (x - min(xs)) * scale, 1)
        py = round(height - (off_y + (y - min(ys)) * scale), 1)
        result.points.append(
            MapPoint(
                px,
                py,
                stop.position,
                stop.spot.name,
                stop.spot.village.short_name,
                label_left=px > width * 0.6,
            )
        )
    # Labels beside each point: to the left near the right edge, and on the other side of
    # a close neighbour's label so that the two do not overlap.
    for previous, point in zip(result.points, result.points[1:], strict=False):
        if math.hypot(point.x - previous.x, point.y - previous.y) < 90:
            point.label_left = not previous.label_left
    result.path = " ".join(f"{p.x},{p.y}" for p in result.points)
    result.length_km = round(
        sum(_haversine_km(a, b) for a, b in zip(places, places[1:], strict=False)), 1
    )
    # A scale bar of a round length near a quarter of the width.
    px_per_km = scale / KM_PER_DEGREE
    target = (width / 4) / px_per_km
    for km in (1, 2, 5, 10, 20, 50, 100, 200, 500):
        result.scale_km = km
        if km >= target * 0.6:
            break
    result.scale_px = round(result.scale_km * px_per_km, 1)
    return result


def route_page(route: Route) -> dict:
    stops = list(route.stops.select_related("spot__village").order_by("position"))
    grades = current_grades([s.spot_id for s in stops])
    for stop in stops:
        stop.grade = grades.get(stop.spot_id, {}).get(GradeScheme.NATIONAL) or grades.get(
            stop.spot_id, {}
        ).get(GradeScheme.SCENIC_VILLAGE)
    return {"route": route, "stops": stops, "map": route_map(stops)}


def public_routes() -> dict:
    """The routes on the public showcase, each with its stops (and their grades) and map,
    and the published cumulative totals of their spots. No personal data: spot names,
    villages, places and published figures only. A fixed number of queries."""
    routes = list(Route.objects.filter(is_public=True).select_related("consortium").order_by("pk"))
    stops = defaultdict(list)
    for stop in (
        RouteStop.objects.filter(route__in=routes)
        .select_related("spot__village")
        .order_by("route_id", "position")
    ):
        stops[stop.route_id].append(stop)
    spot_ids = {s.spot_id for group in stops.values() for s in group}
    grades = current_grades(spot_ids)
    for group in stops.values():
        for stop in group:
            mine = grades.get(stop.spot_id, {})
            stop.grade = mine.get(GradeScheme.NATIONAL) or mine.get(GradeScheme.SCENIC_VILLAGE)
    return {
        "routes": [
            {"route": r, "stops": stops[r.pk], "map": route_map(stops[r.pk], 360, 240)}
            for r in routes
        ],
        "published": list(
            CumulativeFigure.objects.filter(spot_id__in=spot_ids).select_related("spot")
        ),
    }


# --- A consortium's dashboard ---------------------------------------------------------------


def consortium_villages(consortium) -> list[str]:
    """The codes of the consortium's member villages (every membership, past ones too, so
    that a year's figures keep their villages) and of the villages its routes pass."""
    codes = set(
        consortium.memberships.filter(village__isnull=False).values_list("village_id", flat=True)
    )
    codes |= set(
        RouteStop.objects.filter(route__consortium=consortium).values_list(
            "spot__village_id", flat=True
        )
    )
    return sorted(codes)


def consortium_dashboard(consortium, year: int | None = None) -> dict:
    """Visitors by month (the year and the one before), yearly and cumulative totals,
    the top spots of the year, revenue per visitor, and each village's collective income
    beside the tourism revenue inside it (never added)."""
    codes = consortium_villages(consortium)
    figures = MonthlyFigure.objects.filter(village_id__in=codes)
    cumulative, years = yearly_totals(figures)
    if year is None:
        year = years[0][0] if years else None
    by_year = dict(years)
    monthly = {y: [0] * 12 for y in (year, (year or 0) - 1)}
    present: dict[int, set[int]] = {y: set() for y in monthly}
    if year is not None:
        for r in (
            figures.filter(month__year__in=[year - 1, year])
            .annotate(y=ExtractYear("month"), m=ExtractMonth("month"))
            .values("y", "m")
            .annotate(sum_visitors=Sum("visitors"))
        ):
            monthly[r["y"]][r["m"] - 1] = r["sum_visitors"] or 0
            present[r["y"]].add(r["m"])
    top = []
    if year is not None:
        top = list(
            Spot.objects.filter(village_id__in=codes, figures__month__year=year)
            .annotate(
                year_visitors=Sum("figures__visitors"),
                year_revenue=Sum("figures__revenue"),
                illustrative=Count("figures", filter=Q(figures__is_illustrative=True)),
            )
            .select_related("village")
            .order_by("-year_visitors", "name")[:10]
        )
        for spot in top:
            spot.per_visitor = per_visitor(spot.year_revenue or 0, spot.year_visitors or 0)
    this, last = by_year.get(year), by_year.get((year or 0) - 1)
    # Year on year over the same months: a year still running is compared with the same
    # months of the year before, not with its whole.
    change = None
    same_months = sorted(present.get(year, set()))
    if year is not None and same_months:
        now = sum(monthly[year][m - 1] for m in same_months)
        before = sum(monthly[year - 1][m - 1] for m in same_months)
        if before:
            change = round(100 * (now - before) / before, 1)
    income = []
    if year is not None:
        stats = {
            s.village_id: s
            for s in VillageStat.objects.filter(village_id__in=codes, year=year).select_related(
                "village"
            )
        }
        flagged = dict(
            figures.filter(month__year=year, is_collective_income=True)
            .values("village_id")
            .annotate(total=Sum("revenue"))
            .values_list("village_id", "total")
        )
        names = dict(
            Spot._meta.get_field("village")
            .related_model.objects.filter(pk__in=codes)
            .values_list("pk", "short_name")
        )
        for code in codes:
            stat = stats.get(code)
            income.append(
                {
                    "code": code,
                    "name": names.get(code, code),
                    "collective_income": stat.total_income if stat else None,
                    "stat_illustrative": stat.is_illustrative if stat else False,
                    "tourism_in_it": flagged.get(code, 0),
                }
            )
    published = list(
        CumulativeFigure.objects.filter(spot__village_id__in=codes).select_related("spot")
    )
    return {
        "consortium": consortium,
        "year": year,
        "years": years,
        "cumulative": cumulative,
        "this_year": this,
        "last_year": last,
        "change": change,
        "change_months": len(same_months),
        "top": top,
        "income": income,
        "published": published,
        "routes": list(consortium.routes.all()),
        "operators": Operator.objects.filter(village_id__in=codes).count(),
        "chart": {
            "months": [f"{m}月" for m in range(1, 13)],
            "series": [
                {"year": y, "visitors": monthly[y]} for y in sorted(monthly) if y is not None
            ],
        },
    }
