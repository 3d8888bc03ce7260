"""Browsing the registry: the division tree, the village list and page, statistics edits.

Views are thin: they fetch with a scope check, hand the work to querysets and forms, and
render. Every page runs a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.exports import wants_xlsx, xlsx_response, xlsx_url
from core.htmx import render_page, wants_fragment
from core.scope import may_write
from lib.money import fen_to_yuan
from registry.choices import RegionLevel
from registry.forms_browse import (
    STATUS_NOT_WEAK,
    STATUS_WEAK,
    VillageFilterForm,
    VillageStatForm,
)
from registry.models import Region, Village, VillageStat
from registry.selectors import latest_year, peers_year
from registry.selectors import peers as village_peers

PAGE_SIZE = 50
# Above this many counties the region filter offers free code entry only (a national
# deployment has ~2,800 counties; a <datalist> that long helps nobody).
MAX_COUNTY_CHOICES = 400


def _ancestor_codes(code: str) -> list[str]:
    """The codes of a region and its ancestors: 330482107 → 33, 3304, 330482, 330482107."""
    return [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]


def _children_of(code: str | None):
    """Child regions of `code` (roots for None) with their counts: one query.

    child_count: regions one level down; village_count: villages below, where an index
    makes it cheap (townships through Village.township, counties through Village.county).
    """
    if code is None:
        return Region.objects.filter(parent__isnull=True).annotate(child_count=Count("children"))
    children = Region.objects.filter(parent_id=code)
    if len(code) == RegionLevel.COUNTY:  # children are townships: count their villages
        return children.annotate(village_count=Count("villages"))
    children = children.annotate(child_count=Count("children"))
    if len(code) == RegionLevel.CITY:  # children are counties
        per_county = (
            Village.objects.filter(county_id=OuterRef("code"))
            .order_by()
            .values("county_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        children = children.annotate(
            village_count=Coalesce(Subquery(per_county, output_field=IntegerField()), 0)
        )
    return children


@login_required
@require_safe
def region_tree(request):
    roots = list(_children_of(None))
    # A county or city deployment has one province: open it straight away.
    opened = list(_children_of(roots[0].code)) if len(roots) == 1 else None
    return render(request, "registry/region_tree.html", {"roots": roots, "opened_children": opened})


@login_required
@require_safe
def region_children(request, code):
    """The children of one region: a fragment for htmx, a page of its own without JS."""
    if not code.isdigit():
        raise Http404
    children = list(_children_of(code))
    if wants_fragment(request):
        return render(request, "registry/_region_nodes.html", {"nodes": children})
    path = list(Region.objects.filter(code__in=_ancestor_codes(code)).order_by("code"))
    if not path or path[-1].code != code:
        raise Http404
    return render(
        request,
        "registry/region_children.html",
        {"region": path[-1], "ancestors": path[:-1], "nodes": children},
    )


def _county_choices() -> list[Region] | None:
    counties = list(
        Region.objects.filter(level=RegionLevel.COUNTY)
        .select_related("parent")
        .order_by("code")[: MAX_COUNTY_CHOICES + 1]
    )
    return None if len(counties) > MAX_COUNTY_CHOICES else counties


def _stat_years() -> list[int]:
    return list(VillageStat.objects.order_by("-year").values_list("year", flat=True).distinct())


def _village_xlsx(villages, year):
    """The filtered list (every page) as Excel: the columns of the page, money in 元."""
    headers = [_("Code"), _("Name"), _("Township"), _("County"), _("Kind")]
    if year is not None:
        headers += [_("Total income {year} (yuan)").format(year=year), _("Illustrative")]

    def rows():
        for village in villages.order_by("code").iterator(chunk_size=2000):
            row = [
                village.code,
                village.short_name,
                village.township.name,
                village.county.name,
                village.get_kind_display(),
            ]
            if year is not None:
                income = village.year_total_income
                row += [
                    None if income is None else fen_to_yuan(income),
                    _("yes") if village.year_is_illustrative else "",
                ]
            yield row

    name = "村级单位" + (f"_{year}" if year else "")
    return xlsx_response(name, headers, rows())


@login_required
@require_safe
def village_list(request):
    years = _stat_years()
    form = VillageFilterForm(request.GET or None, years=years, counties=_county_choices())
    villages = Village.objects.select_related("township", "county")
    # Invalid fields are dropped (and shown with their error); the valid ones still apply.
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    year = filters.get("year")
    status = filters.get("status")
    if status and year is None and years:
        # Weak or not weak "now": the latest complete year (of the region filtered on, else of
        # the whole registry), never a new year's first few rows.
        year = latest_year(filters.get("region") or "")
    region = None
    if query := filters.get("q"):
        villages = villages.search(query)
    if code := filters.get("region"):
        villages = villages.in_region(code)
        region = Region.objects.filter(code=code).first() if len(code) <= 9 else None
    if year is None:
        status = None  # no statistics at all: nothing is weak or not weak
    elif status == STATUS_WEAK:
        villages = villages.weak_in(year)
    elif status == STATUS_NOT_WEAK:
        villages = villages.not_weak_in(year)
    if year is not None:
        stat = VillageStat.objects.filter(village_id=OuterRef("pk"), year=year)
        villages = villages.annotate(
            year_total_income=Subquery(stat.values("total_income")[:1]),
            year_is_illustrative=Subquery(stat.values("is_illustrative")[:1]),
        )
    if wants_xlsx(request):
        return _village_xlsx(villages, year)
    page = Paginator(villages, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "xlsx_url": xlsx_url(request),
        "year": year,
        "status": status,
        "region": region,
        "region_code": filters.get("region") or "",
    }
    return render_page(
        request, "registry/village_list.html", "registry/_village_table.html", context
    )


@login_required
@require_safe
def village_detail(request, code):
    village = get_object_or_404(
        Village.objects.select_related("township", "county__parent__parent"), pk=code
    )
    # Each year judged under the weak-village line in force (the thresholds, then the rows).
    stats = list(village.stats.with_weak_status(under=village.code).order_by("year"))
    rows = [(stat, stat.is_weak) for stat in stats]
    chart = {
        "labels": {
            "total_income": _("Total income"),
            "operating_income": _("Operating income"),
            "recurring_income": _("Recurring income"),
            "per_capita": _("Per-capita disposable income"),
            "wan_yuan": _("10k yuan"),
            "yuan": _("yuan"),
            "illustrative": _("Illustrative"),
        },
        # Integer fen, exact; the chart script scales them for display.
        "years": [s.year for s in stats],
        "total_income": [s.total_income for s in stats],
        "operating_income": [s.operating_income for s in stats],
        "recurring_income": [s.recurring_income for s in stats],
        "per_capita": [s.per_capita_disposable_income for s in stats],
        "illustrative": [s.is_illustrative for s in stats],
    }
    # Where it stands among its peers: in its county's latest complete year if it reported
    # it, else in its own latest year, shown with its coverage (a fixed few queries).
    year = peers_year(village.county_id, [s.year for s in stats])
    peers = (
        village_peers(village.code, village.township_id, village.county_id, year)
        if year is not None
        else None
    )
    context = {
        "village": village,
        "rows": rows,
        "chart": chart,
        "peers": peers,
        "has_illustrative": any(s.is_illustrative for s in stats),
        "can_edit": may_write(request.user, VillageStat, village=village),
    }
    return render(request, "registry/village_detail.html", context)


@login_required
def stat_edit(request, code, year=None):
    """Add (no year) or edit one year's statistics of a village the user may write."""
    village = get_object_or_404(Village.objects.select_related("township", "county"), pk=code)
    if year is None:
        if not may_write(request.user, VillageStat, village=village):
            raise PermissionDenied
        stat = None
    else:
        writable = VillageStat.objects.restrict(request.user, "change")
        stat = writable.filter(village=village, year=year).first()
        if stat is None:
            if VillageStat.objects.filter(village=village, year=year).exists():
                raise PermissionDenied
            raise Http404
    form = VillageStatForm(request.POST or None, village=village, instance=stat)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
        messages.success(
            request,
            _("Saved the {year} statistics of {village}.").format(
                year=saved.year, village=village.short_name
            ),
        )
        return redirect("registry:village_detail", code=village.code)
    return render(
        request,
        "registry/stat_form.html",
        {"village": village, "stat": stat, "form": form},
    )
