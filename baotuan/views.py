"""The landing page: what is in the registry, what the signed-in user acts for, and what
they have to do today.

What to do today, per role, each item linking to the page where it is done:each item linking to the page where it is done.

- runs to approve, post or publish (finance and approvers of the operating company; the
  preparer never approves: `ventures.selectors.run_rights` decides, as on the run page);
- minutes to sign off (those who may write minutes, never on minutes they wrote or amended:
  the sign-off page refuses those, so they are not offered);
- villages that have not reported the statistics of the reporting year (city admins for
  their regions, the showcase's city for an admin over everything; clerks for their
  villages). Yearly statistics are reported after the year ends, so the reporting year is
  last calendar year;
- overdue duties and duties due soon (`alliances.selectors.due_for_user`, on the page
  already).

A fixed number of queries whatever the numbers of runs, minutes and villages: each list is
one query (two with its count), and at most REGIONS_SHOWN regions are counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from alliances.models import Minutes
from alliances.selectors import due_for_user
from core.roles import Role
from core.scope import is_unscoped_admin, may_write
from registry.models import Region, Village, VillageStat
from registry.selectors import reporting
from ventures.choices import RunStatus
from ventures.models import DistributionRun
from ventures.selectors import APPROVE_ROLES, POST_ROLES, PUBLISH_ROLES, run_rights

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
        "today": today_for(request.user, today),
    }
    return render(request, "home.html", context)


# --- What to do today ------------------------------------------------------------


ITEMS_SHOWN = 10
REGIONS_SHOWN = 3
OPEN_RUNS_READ = 200  # open runs are few; more than this are counted, not listed


def reporting_year(today) -> int:
    """The year whose statistics villages report now: the last calendar year."""
    return today.year - 1


@dataclass
class Missing:
    """The villages of one region (or one village) without statistics for the year."""

    code: str
    name: str
    expected: int
    missing: int
    villages: list = field(default_factory=list)  # the first ITEMS_SHOWN missing

    @property
    def reported(self) -> int:
        return self.expected - self.missing


@dataclass
class Today:
    runs: list = field(default_factory=list)  # (run, step) with step approve|post|publish
    runs_total: int = 0
    minutes: list = field(default_factory=list)
    minutes_total: int = 0
    year: int | None = None
    missing: list[Missing] = field(default_factory=list)
    own_villages: list = field(default_factory=list)  # a clerk's villages not reported

    @property
    def empty(self) -> bool:
        return not (
            self.runs or self.minutes or any(m.missing for m in self.missing) or self.own_villages
        )


def _runs(user, today: Today) -> None:
    if not holds_role_somewhere(user, APPROVE_ROLES | POST_ROLES | PUBLISH_ROLES):
        return
    open_runs = (
        DistributionRun.objects.filter(
            status__in=(RunStatus.PREPARED, RunStatus.APPROVED, RunStatus.POSTED)
        )
        .select_related("venture__organisation")
        .defer("params", "venture__description")
        .order_by("prepared_at", "pk")[:OPEN_RUNS_READ]
    )
    actionable = []
    for run in open_runs:
        rights = run_rights(user, run)
        step = next((s for s in ("approve", "post", "publish") if rights.get(s)), None)
        if step is not None:
            actionable.append((run, step))
    today.runs_total = len(actionable)
    today.runs = actionable[:ITEMS_SHOWN]


def holds_role_somewhere(user, roles) -> bool:
    """Whether any of the user's grants gives one of `roles` (or city admin): no query."""
    allowed = set(roles) | {Role.CITY_ADMIN}
    return any(g.role in allowed for g in user.grant_list)


def _minutes(user, today: Today) -> None:
    if not may_write(user, Minutes):
        return
    pending = (
        Minutes.objects.filter(signed_off_at__isnull=True)
        .exclude(author_id=user.pk)
        .exclude(amended_by_id=user.pk)
    )
    today.minutes_total = pending.count()
    if today.minutes_total:
        today.minutes = list(
            pending.select_related("meeting__alliance")
            .only(
                "pk",
                "written_at",
                "meeting__title",
                "meeting__starts_at",
                "meeting__alliance__name",
            )
            .order_by("meeting__starts_at", "pk")[:ITEMS_SHOWN]
        )


def _reporting(user, today: Today, day) -> None:
    year = reporting_year(day)
    grants = user.grant_list
    if is_unscoped_admin(user):
        regions = [settings.SHOWCASE_REGION]
    else:
        regions = [g.region_id for g in grants if g.role == Role.CITY_ADMIN and g.region_id]
    clerk_villages = [
        g.village_id
        for g in grants
        if g.role in (Role.VILLAGE_CLERK, Role.CITY_ADMIN) and g.village_id
    ]
    if not regions and not clerk_villages:
        return
    today.year = year
    reported = VillageStat.objects.filter(year=year).values("village_id")
    names = dict(
        Region.objects.filter(code__in=regions[:REGIONS_SHOWN]).values_list("code", "name")
    )
    for code in regions[:REGIONS_SHOWN]:
        villages = Village.objects.filter(code__startswith=code)
        missing = villages.exclude(code__in=reported)
        counts = villages.aggregate(
            expected=Count("code"), missing=Count("code", filter=~Q(code__in=reported))
        )
        entry = Missing(code, names.get(code, code), counts["expected"], counts["missing"])
        if entry.missing:
            entry.villages = list(
                missing.select_related("county")
                .only("code", "short_name", "county__name")
                .order_by("code")[:ITEMS_SHOWN]
            )
        today.missing.append(entry)
    if clerk_villages:
        today.own_villages = list(
            Village.objects.filter(code__in=clerk_villages)
            .exclude(code__in=reported)
            .only("code", "short_name")
            .order_by("code")
        )


def today_for(user, day) -> Today:
    """What `user` has to do on `day`."""
    today = Today()
    _runs(user, today)
    _minutes(user, today)
    _reporting(user, today, day)
    return today
