"""The enclave programme page (login) and its xlsx report: the figures of
`analytics.programme`, read through the cache (`analytics.selectors.cached`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from analytics import programme as figures
from analytics import selectors
from analytics.views import _unit
from core.errors import Invalid
from registry.choices import YEARS


def _figures(request, group: str) -> dict:
    year = request.GET.get("year")
    if year is not None:
        if not year.isdigit() or int(year) not in YEARS:
            raise Http404(_("Unknown year."))
        year = int(year)
    try:
        return selectors.cached(figures.programme, group, year)
    except Invalid as exc:
        raise Http404(str(exc)) from None


@login_required
@require_safe
def programme(request, group: str = figures.DEFAULT_GROUP):
    data = _figures(request, group)
    unit = _unit(request)
    chart = {
        "years": data["years"],
        "counties": [
            {"name": row["name"], "paid": row["paid"]} for row in data["by_county"] if row["total"]
        ],
        "unit": unit,
        "labels": {"wan_yuan": _("10k yuan"), "yuan": _("yuan"), "total": _("Total")},
    }
    return render(
        request,
        "analytics/programme.html",
        {"data": data, "group": group, "unit": unit, "chart": chart},
    )


@login_required
@require_safe
def programme_report(request, group: str = figures.DEFAULT_GROUP):
    """The programme as an xlsx workbook (A4; 万元 unless ?unit=yuan)."""
    data = _figures(request, group)
    unit = _unit(request)
    content = figures.workbook(data, unit=unit)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    year = data["year"] or "all"
    # The name from the resolved group's code (a slug), never from raw URL text.
    response["Content-Disposition"] = (
        f'attachment; filename="programme-{data["group"]["code"]}-{year}.xlsx"'
    )
    return response
