"""The public showcase (比拼晾晒): no login, the same bytes for every visitor.

Pages are rendered once per (ranking generation, language, canonical path) and kept in the
default cache; a hit is one cache read for the generation, one for the page, and no SQL. A new
snapshot starts a new generation (`analytics.rankings.bump_showcase_version`, on commit).
Figures that do not come from snapshots (city indicators, the list of notices) may lag by
up to PAGE_SECONDS.

So that one rendering can serve everybody, the pages use their own layout
(`showcase/layout.html`) which reads nothing from the session or the user and carries no
CSRF token: the language switch is a plain link to `language`, which sets the language
cookie. Only villages, figures and notice titles appear: never a person's name or phone.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language, get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from analytics import rankings
from analytics import selectors as indicators
from analytics.kpis import KPI_SOURCES
from analytics.models import RankingScheme
from lib.money import fen_to_wan_yuan
from projects import selectors as project_selectors
from projects.choices import ProjectStatus
from registry.models import Region
from tourism import selectors as tourism_selectors
from ventures.choices import RunStatus
from ventures.models import DistributionLine, PublicNotice

__all__ = ["PAGE_SECONDS", "index", "language", "method", "ranking", "routes"]

PAGE_SECONDS = 600
BROWSER_SECONDS = 60
NOTICES_SHOWN = 5


def cached_page(view):
    """Serve the view's rendered page from the cache, keyed by generation, language and the
    canonical path.

    The canonical path is the URL reversed from the resolved arguments: `<int:>` also
    matches "/ranking/01/2022/", and such variants are redirected (301) before the cache is
    touched, so that no visitor can fill the cache with copies of one page (and evict the
    others). The query string is ignored (no page reads it) and never part of the key.
    The language comes from the cookie first, then Accept-Language (LocaleMiddleware), so a
    shared cache must vary on both.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        match = request.resolver_match
        canonical = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        if request.path != canonical:
            return HttpResponsePermanentRedirect(canonical)
        key = f"showcase:page:{rankings.showcase_version()}:{get_language()}:{canonical}"
        hit = cache.get(key)
        if hit is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            hit = (response.content, response["Content-Type"])
            cache.set(key, hit, PAGE_SECONDS)
        response = HttpResponse(hit[0], content_type=hit[1])
        patch_cache_control(response, public=True, max_age=BROWSER_SECONDS)
        patch_vary_headers(response, ("Cookie",))  # the language cookie picks the page
        return response

    return require_safe(wrapper)


def _published(pk=None):
    schemes = RankingScheme.objects.filter(is_published=True).select_related("alliance", "region")
    if pk is not None:
        return get_object_or_404(schemes, pk=pk)
    return schemes.order_by("pk").first()


def _kpi_columns(snapshot) -> list[dict[str, Any]]:
    return [k for k in snapshot.kpis if not k.get("omitted")]


def show_value(value, unit: str) -> str:
    """A raw KPI value as shown: fen in 万元, ratios and percentages with one decimal."""
    if value is None:
        return "—"
    if unit == "fen":
        return f"{fen_to_wan_yuan(value):,}"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "count":
        return f"{value:,.1f}"
    return f"{value:.1f}%"


def _rows_with_values(table, columns) -> list[dict[str, Any]]:
    rows = []
    for row in table["rows"]:
        cells = [show_value(row["values"].get(c["key"]), c["unit"]) for c in columns]
        # Each cell with its column's name: on a phone the KPIs read "label: value" under
        # the village instead of being cut off (showcase.css).
        labels = [
            f"{c['label']}（{_('10,000 yuan')}）" if c["unit"] == "fen" else str(c["label"])
            for c in columns
        ]
        rows.append(
            {**row, "cells": cells, "labelled_cells": list(zip(labels, cells, strict=True))}
        )
    return rows


def _city(region_code: str) -> dict[str, Any] | None:
    """The region's indicators in its latest complete year (None without statistics).

    A year is complete when at least STATS_COMPLETE_SHARE of the region's village-level
    units have statistics for it (registry.selectors.Reporting): the first few villages
    reporting a new year must not turn the card into "the city in that year" with a
    handful of villages. The card shows the year and its coverage (3/136 villages).
    """
    try:
        data = indicators.indicators(region_code)  # no year: the latest complete one
    except ValueError:  # never let the public page fail on the figures: no card instead
        return None
    return {
        "name": data["region"]["name"],
        "year": data["year"],
        "villages": data["villages"],
        "coverage": data["coverage"],
        "complete": data["complete"],
        "weak": data["weak"]["count"],
        "lifted": data["weak"]["lifted"],
        "gini": data["gini"],
        "max_min": data["ratios"]["max_min"],
        "s80_s20": data["ratios"]["s80_s20"],
        "median": data["total_income"]["median"],
        "growth": None
        if data["growth"]["median"] is None
        else round(data["growth"]["median"] * 100, 1),
    }


def _returns() -> list[dict[str, Any]]:
    """For each county whose villages received venture returns: the Gini of its villages'
    collective income without and with the returns, year by year (e.g. 青田 and the
    enclave park)."""
    pairs = (
        DistributionLine.objects.filter(
            village__isnull=False, run__status__in=(RunStatus.POSTED, RunStatus.PUBLISHED)
        )
        .values_list("village__county_id", "run__period_end__year")
        .distinct()
        .order_by()
    )
    years_by_county: dict[str, set[int]] = {}
    for county, year in pairs:
        years_by_county.setdefault(county, set()).add(year)
    names = dict(Region.objects.filter(code__in=years_by_county).values_list("code", "name"))
    counties = []
    for county in sorted(years_by_county):
        rows = []
        for year in sorted(years_by_county[county]):
            try:
                data = indicators.indicators(county, year)
            except ValueError:
                continue  # no statistics for that year
            returns = data["returns"]
            if returns is None:
                continue
            rows.append(
                {
                    "year": year,
                    "villages": data["villages"],
                    "coverage": data["coverage"],
                    "complete": data["complete"],
                    "receiving": returns["villages_receiving"],
                    "total": returns["total"],
                    "without": returns["without"]["gini"],
                    "with": returns["with"]["gini"],
                    "change": returns["change"]["gini"],
                    "max_min_without": returns["without"]["max_min"],
                    "max_min_with": returns["with"]["max_min"],
                }
            )
        if rows:
            counties.append({"code": county, "name": names.get(county, county), "rows": rows})
    # The county whose gap the returns narrow most comes first (青田 and the enclave park).
    counties.sort(key=lambda c: (min((r["change"] or 0) for r in c["rows"]), c["code"]))
    return counties


def _projects() -> list[dict[str, Any]]:
    """Published projects (public fields only)."""
    labels = dict(ProjectStatus.choices)
    return [
        {**project, "status_label": labels.get(project["status"], project["status"])}
        for project in project_selectors.public_projects()
    ]


def _latest_complete_ranking(scheme, snapshots) -> tuple[int, dict[str, Any]]:
    """The latest ranking whose villages have reported enough (`complete`), else the latest
    one: a ranking frozen from a new year's first rows is not the one shown first (it stays
    a link among the years, marked incomplete on its page)."""
    latest = None
    for year in sorted(snapshots, reverse=True):
        table = rankings.ranking_table(scheme, year, snapshots)
        if table["complete"]:
            return year, table
        latest = latest or (year, table)
    return latest


@cached_page
def index(request):
    scheme = _published()
    context: dict[str, Any] = {"scheme": scheme, "table": None}
    region = settings.SHOWCASE_REGION  # the city shown when the scheme names no region
    if scheme is not None:
        snapshots = rankings.current_snapshots(scheme)
        if snapshots:
            year, table = _latest_complete_ranking(scheme, snapshots)
            columns = _kpi_columns(table["snapshot"])
            history = rankings.rank_history(scheme, snapshots)
            context.update(
                table=table,
                year=year,
                columns=columns,
                rows=_rows_with_values(table, columns),
                years=sorted(snapshots),
                history=history,
            )
        if scheme.alliance_id and scheme.alliance.region_id:
            region = scheme.alliance.region_id
        elif scheme.region_id:
            region = scheme.region_id
    returns = _returns()
    context.update(
        city=_city(region),
        returns=returns,
        chart={
            "history": context.get("history"),
            "returns": [
                {
                    "years": [r["year"] for r in county["rows"]],
                    "without": [r["without"] for r in county["rows"]],
                    "with": [r["with"] for r in county["rows"]],
                }
                for county in returns
            ],
            "labels": {
                "rank": _("Rank"),
                "without": _("Gini without returns"),
                "with": _("Gini with returns"),
            },
        },
        projects=_projects(),
        notices=list(
            PublicNotice.objects.only("pk", "title", "published_at", "kind").order_by(
                "-published_at", "-pk"
            )[:NOTICES_SHOWN]
        ),
    )
    return render(request, "showcase/index.html", context)


@cached_page
def ranking(request, scheme, year):
    scheme = _published(scheme)
    snapshots = rankings.current_snapshots(scheme)
    table = rankings.ranking_table(scheme, year, snapshots)
    if table is None:
        raise Http404("no ranking for that year")
    columns = _kpi_columns(table["snapshot"])
    versions = list(scheme.snapshots.filter(period=year).order_by("version"))
    context = {
        "scheme": scheme,
        "year": year,
        "years": sorted(snapshots),
        "table": table,
        "columns": columns,
        "rows": _rows_with_values(table, columns),
        "versions": versions,
    }
    return render(request, "showcase/ranking.html", context)


@cached_page
def routes(request):
    """The tourism routes of the consortia (景区村庄): stops, a schematic map drawn from the
    stops' coordinates (inline SVG, no tiles), grades and published cumulative totals. Cached
    like every showcase page: a changed route shows within PAGE_SECONDS."""
    return render(request, "showcase/routes.html", tourism_selectors.public_routes())


@cached_page
def method(request, scheme):
    scheme = _published(scheme)
    kpis = list(scheme.kpis.order_by("order", "pk"))
    total = sum(k.weight for k in kpis) or 1
    items = []
    for kpi in kpis:
        source = KPI_SOURCES.get(kpi.key)
        items.append(
            {
                "kpi": kpi,
                "label": kpi.label or (source.label if source else kpi.key),
                "source": source,
                "share": kpi.weight / total * 100,
            }
        )
    snapshots = list(scheme.snapshots.order_by("period", "version"))
    return render(
        request,
        "showcase/method.html",
        {"scheme": scheme, "items": items, "snapshots": snapshots},
    )


@require_safe
def language(request, code):
    """Switch the language with a plain link (the showcase pages carry no CSRF token)."""
    if not check_for_language(code) or code not in dict(settings.LANGUAGES):
        raise Http404("unknown language")
    target = request.GET.get("next") or reverse("showcase:index")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("showcase:index")
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
