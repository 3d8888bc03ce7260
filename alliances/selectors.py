"""Read-only queries other pages and apps use (each a fixed number of queries)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, F, Q

from alliances.choices import DutyStatus
from alliances.models import Duty

__all__ = ["due_for_user", "duties_on_time"]


def duties_on_time(alliance, year: int) -> dict[str, tuple[int, int]]:
    """{village code: (done on time, due)} for the alliance's village duties due in `year`.

    On time: VERIFIED by a city administrator, with the day it was reported done
    (`done_on`) on or before the due day. A duty only self-certified "done" does not count
    yet: its date is the reporter's word (it can be backdated) and this is a published
    ranking KPI. One query.
    """
    rows = (
        Duty.objects.filter(alliance=alliance, due_on__year=year, owner_village__isnull=False)
        .order_by()
        .values("owner_village")
        .annotate(
            due=Count("pk"),
            on_time=Count(
                "pk",
                filter=Q(status=DutyStatus.VERIFIED, done_on__lte=F("due_on")),
            ),
        )
    )
    return {row["owner_village"]: (row["on_time"], row["due"]) for row in rows}


def due_for_user(user, until: date, today: date, limit: int = 10):
    """Open duties the user may report on, due by `until` (overdue first); two queries.

    Returns (duties, total): the first `limit` duties and how many there are.
    """
    qs = Duty.objects.restrict(user, "change").due_or_overdue(until)
    total = qs.count()
    duties = list(
        qs.with_overdue(today)
        .select_related("alliance", "owner_village", "owner_organisation")
        .order_by("due_on", "pk")[:limit]
    )
    return duties, total
