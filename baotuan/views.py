"""The landing page: what is in the registry, and what the signed-in user acts for."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from alliances.selectors import due_for_user
from registry.models import Region, VillageStat
from registry.selectors import reporting

DUTIES_DUE_WITHIN_DAYS = 7


@require_safe
def home(request):
    """A fixed handful of queries, whatever the size of the registry. An anonymous visitor
    lands on the public showcase (the login page is one click away in its header)."""
    if not request.user.is_authenticated:
        return redirect("showcase:index")
    return _home(request)


@login_required
def _home(request):
    # The latest complete year of the whole registry, with its coverage: a new year's first
    # few rows never become "the latest year" (registry.selectors.Reporting).
    report = reporting()
    latest_year = report.latest
    covered = report.coverage(latest_year) if latest_year is not None else None
    weak_count = None
    if latest_year is not None:
        # Stats rows are unique per village and year, so counting rows counts villages.
        weak_count = VillageStat.objects.weak_in(latest_year).count()
    # The responsibility-list duties the user reports on: due within a week or overdue.
    today = timezone.localdate()
    duties, duty_total = due_for_user(
        request.user, today + timedelta(days=DUTIES_DUE_WITHIN_DAYS), today
    )
    context = {
        "duties": duties,
        "duty_total": duty_total,
        "duty_days": DUTIES_DUE_WITHIN_DAYS,
        "region_count": Region.objects.count(),
        "village_count": report.expected,
        "stat_count": sum(report.reported.values()),
        "latest_year": latest_year,
        "coverage": covered.as_dict() if covered else None,
        "complete": covered.complete if covered else None,
        "weak_count": weak_count,
        "grants": request.user.grant_list,
    }
    return render(request, "home.html", context)
