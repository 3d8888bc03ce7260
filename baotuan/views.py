"""The landing page: what is in the registry, and what the signed-in user acts for."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from alliances.selectors import due_for_user
from registry.models import Region, Village, VillageStat

DUTIES_DUE_WITHIN_DAYS = 7


@login_required
@require_safe
def home(request):
    """A fixed handful of queries, whatever the size of the registry."""
    stats = VillageStat.objects.aggregate(rows=Count("pk"), latest_year=Max("year"))
    latest_year = stats["latest_year"]
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
        "village_count": Village.objects.count(),
        "stat_count": stats["rows"],
        "latest_year": latest_year,
        "weak_count": weak_count,
        "grants": request.user.grant_list,
    }
    return render(request, "home.html", context)
