"""Dashboards (login): a region picker, and per region and year the gap indicators with
trends, the income distribution, the Lorenz curve, the decomposition by child region (with
drill-down links down to the village pages), and the ranking of its villages; the same as an
xlsx workbook and as a printable page.

Views are thin: the figures come from `analytics.selectors` (through the cache, keyed by the
data version), the workbook from `analytics.reports`. A page runs a fixed number of queries
whatever the number of villages (pinned in the tests).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from analytics import reports, selectors, services
from analytics.forms import RegionPickForm
from analytics.models import ReportJob, Scenario
from registry import selectors as registry_selectors
from registry.choices import RegionLevel
from registry.models import Region


def _region_figures(code: str, year: int) -> tuple[dict, list[dict]]:
    """(indicators with detail, trend over every year), or 404 with the service's reason."""
    try:
        data = selectors.cached(selectors.indicators, code, year, detail=True)
    except ValueError as exc:
        raise Http404(str(exc)) from None
    return data, selectors.cached(selectors.trend, code)


def _ancestors(code: str) -> list[tuple[str, str]]:
    """(code, name) of the region's ancestors, province first (one query)."""
    prefixes = [code[:n] for n in (2, 4, 6) if n < len(code)]
    names = dict(Region.objects.filter(code__in=prefixes).values_list("code", "name"))
    return [(p, names[p]) for p in prefixes if p in names]


def _context(code: str, year: int) -> dict:
    data, trend = _region_figures(code, year)
    years = [row["year"] for row in trend]
    incomplete = [row["year"] for row in trend if not row["complete"]]
    previous = next((row for row in trend if row["year"] == year - 1), None)
    detail = data["detail"]
    chart = {
        "year": year,
        "trend": trend,
        "incomplete_years": incomplete,
        "histogram": detail["histogram"],
        "lorenz": detail["lorenz"],
        "labels": {
            "median": _("Median total income"),
            "weak": _("Weak villages"),
            "gini": _("Gini"),
            "gini_without_returns": _("Gini without returns"),
            "theil_t": _("Theil T"),
            "villages": _("Villages"),
            "wan_yuan": _("10k yuan"),
            "income_bin": _("Total collective income (10k yuan)"),
            "population_share": _("Share of villages"),
            "income_share": _("Share of income"),
            "equality": _("Equal incomes"),
            "lorenz_without": _("Without returns"),
            "lorenz_with": _("With returns"),
            "and_above": _("and above"),
            "incomplete": _("incomplete"),
        },
    }
    return {
        "code": code,
        "year": year,
        "data": data,
        "detail": detail,
        "trend": trend,
        "years": years,
        "incomplete_years": incomplete,
        "latest_is_complete": data["latest_year"] not in incomplete,
        "previous": previous,
        "ancestors": _ancestors(code),
        "child_is_village": detail["child_level"] == 12,
        "child_is_township": detail["child_level"] == RegionLevel.TOWNSHIP,
        "child_is_county": detail["child_level"] == RegionLevel.COUNTY,
        "child_is_province": detail["child_level"] == RegionLevel.PROVINCE,
        "chart": chart,
    }


@login_required
@require_safe
def index(request):
    """The region picker: every county with statistics under its city, with its latest
    complete year and how many of its villages reported it.

    `?region=CODE&year=Y` goes to that dashboard (the region's latest complete year when Y
    is empty). Four queries at most, whatever the number of counties.
    """
    pick = RegionPickForm(request.GET)
    if pick.is_valid():
        region, year = pick.cleaned_data["region"], pick.cleaned_data["year"]
        if year is None:  # 00: the whole country (every village loaded)
            year = registry_selectors.latest_year("" if region == selectors.NATION else region)
        if year is not None:
            return redirect("analytics:region", code=region, year=year)
    by_county = registry_selectors.reporting_by_county()
    reporting = {code: r for code, r in by_county.items() if r.reported}
    names = dict(
        Region.objects.filter(code__in=set(reporting) | {c[:4] for c in reporting}).values_list(
            "code", "name"
        )
    )

    def row(code: str, report) -> dict:
        latest = report.latest
        covered = report.coverage(latest)
        return {
            "code": code,
            "name": names.get(code, code),
            "latest": latest,
            "coverage": covered.as_dict(),
            "complete": covered.complete,
        }

    cities: dict[str, dict] = {}
    for county in sorted(reporting):
        city = cities.setdefault(county[:4], {"counties": []})
        city["counties"].append(row(county, reporting[county]))
    for code, city in cities.items():
        # A city's coverage counts every village of the city, its silent counties too.
        parts = [r for county, r in by_county.items() if county.startswith(code)]
        city.update(row(code, registry_selectors.combined(parts)))
    default = None
    home = settings.SHOWCASE_REGION  # the deployment's own region is offered first
    if home in reporting:
        default = row(home, reporting[home])
    elif reporting:
        first = min(reporting)
        default = row(first, reporting[first])
    return render(
        request,
        "analytics/index.html",
        {
            "cities": [cities[code] for code in sorted(cities)],
            "default": default,
            # Decision support (scenarios, the optimiser): city admins and auditors.
            "decision": bool(Scenario.scope_policy.view_roles & request.user.roles),
        },
    )


def _unit(request) -> str:
    """The money unit asked for: 万元 unless ?unit=yuan (the switch on the page)."""
    unit = request.GET.get("unit")
    return unit if unit in reports.UNITS else reports.UNITS[0]


@login_required
@require_safe
def region(request, code: str, year: int):
    context = _context(code, year)
    context["unit"] = _unit(request)
    return render(request, "analytics/region.html", context)


@login_required
@require_safe
def region_print(request, code: str, year: int):
    """The same figures on a printable page (A4, print CSS, Chinese fonts from the system)."""
    context = _context(code, year)
    context["unit"] = _unit(request)
    context["chart"]["print"] = True  # SVG charts without animation (dashboard.js)
    return render(request, "analytics/print.html", context)


@login_required
@require_safe
def region_report(request, code: str, year: int):
    """The indicators as an xlsx workbook with native charts, built by a worker: served at
    once when the current data's workbook exists, else its job page (which polls until the
    workbook is ready and links back here). In 万元 unless ?unit=yuan."""
    if not Region.objects.filter(code=code).exists():
        raise Http404(_("Unknown region."))
    unit = _unit(request)
    job = services.request_report(code, year, actor=request.user, unit=unit)  # 503: no queue
    if job.status == "failed":
        raise Http404(job.errors[0]["message"] if job.errors else "")
    if job.status != "succeeded":
        return redirect("analytics:report_job", pk=job.pk)
    # The name from the resolved region (digits only), never from raw URL text.
    with job.result.open("rb") as stream:
        content = stream.read()
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response


def _report_context(job: ReportJob) -> dict:
    return {"job": job, "finished": job.finished}


@login_required
@require_safe
def report_job(request, pk: int):
    job = get_object_or_404(ReportJob, pk=pk)
    return render(request, "analytics/report_job.html", _report_context(job))


@login_required
@require_safe
def report_job_status(request, pk: int):
    """The job's progress (and, once done, the download) as a fragment for htmx."""
    job = get_object_or_404(ReportJob, pk=pk)
    return render(request, "analytics/_report_status.html", _report_context(job))
