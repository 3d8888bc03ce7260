"""The reads of the villagers' layer: every one is scoped by `restrict` (personal data reads
are scoped like writes) and returns masks, never sealed or clear values. Query counts are
fixed (pinned in grids/tests/test_pages.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.pii import blind_index
from core.scope import holds_role
from grids.choices import MatterStatus, Relation, WorkerRole
from grids.models import (
    REVEAL_ROLES,
    Grid,
    GridWorker,
    Household,
    Matter,
    MicroGrid,
    PartyLink,
    Person,
    PersonalDataReveal,
    ScreeningTask,
)
from lib.idcard import normalise_id

__all__ = [
    "find_by_id_number",
    "grid_page",
    "grids_for",
    "households_for",
    "link_counts",
    "link_report",
    "matter_rates",
    "may_reveal",
    "overdue_matters",
    "party_members",
    "reveals_for",
    "screening_progress",
    "visible_or_404",
]


def visible_or_404(model, user, **lookup):
    """The one row of `model` matching `lookup` that `user` may read (scoped like every read
    here), else Http404: out of scope answers as missing, and so does a malformed key. For
    the pages and the API alike."""
    try:
        return get_object_or_404(model.objects.restrict(user, "view"), **lookup)
    except (TypeError, ValueError, ValidationError):
        raise Http404 from None


def grids_for(user):
    return (
        Grid.objects.restrict(user, "view")
        .select_related("village", "partner_village")
        .annotate(
            micro_count=Count("micro_grids", distinct=True),
            open_matters=Count(
                "matters", filter=~Q(matters__status=MatterStatus.EVALUATED), distinct=True
            ),
        )
        .order_by("village_id", "name")
    )


def _with_heads(households):
    """Households with their size and their head's name and masks, each a correlated
    subquery on an index (no join, no GROUP BY, no second query for the heads)."""
    members = Person.objects.filter(household=OuterRef("pk")).order_by()
    head = members.filter(relation=Relation.HEAD)
    size = members.values("household").annotate(n=Count("pk")).values("n")
    return households.annotate(
        size=Coalesce(Subquery(size), 0),
        head_name=Subquery(head.values("name")[:1]),
        head_id_masked=Subquery(head.values("id_masked")[:1]),
        head_phone_masked=Subquery(head.values("phone_masked")[:1]),
    )


def grid_page(grid: Grid, user) -> dict:
    """Both leaders, the micro-grids with their members and households (masked heads),
    open matters: a fixed number of queries whatever the grid's size."""
    workers = list(
        GridWorker.objects.filter(grid=grid).select_related("side__county").order_by("name")
    )
    leaders = sorted((w for w in workers if w.role == WorkerRole.LEADER), key=lambda w: w.side_id)
    households = _with_heads(Household.objects.restrict(user, "view")).order_by("number")
    micro_grids = list(
        MicroGrid.objects.filter(grid=grid)
        .select_related("side__county")
        .prefetch_related(Prefetch("households", queryset=households))
        .order_by("name")
    )
    for micro in micro_grids:  # the members from the one query of the grid's workers
        micro.members = [w for w in workers if w.micro_grid_id == micro.pk]
    matters = list(
        Matter.objects.filter(grid=grid)
        .exclude(status=MatterStatus.EVALUATED)
        .select_related("micro_grid")
        .order_by("due_at")
    )
    return {"grid": grid, "leaders": leaders, "micro_grids": micro_grids, "matters": matters}


def households_for(user, village=None):
    qs = Household.objects.restrict(user, "view").select_related("village", "micro_grid")
    if village is not None:
        qs = qs.filter(village=village)
    return _with_heads(qs).order_by("village_id", "number")


def find_by_id_number(user, id_number: str):
    """The person with this ID number, if the user may read them: by the blind index, one
    indexed query, nothing decrypted."""
    digest = blind_index("id", normalise_id(id_number))
    found = (
        Person.objects.restrict(user, "view")
        .select_related("household__village")
        .filter(id_hash=digest)
        .order_by()[:1]  # at most one (the index is unique): no sort
    )
    return next(iter(found), None)


def party_members(village, user=None):
    """The village's party members with the number of households each links now (read
    scoped when `user` is given), by name."""
    qs = Person.objects.all() if user is None else Person.objects.restrict(user, "view")
    return (
        qs.filter(household__village=village, is_party_member=True)
        .select_related("household")
        .annotate(linked=Count("links", filter=Q(links__ended_on__isnull=True)))
        .order_by("name", "pk")
    )


def link_report(village, user=None) -> dict:
    """党员联户 gaps: households with no party member, members over (and under) their limit
    (settings PARTY_LINK_MIN / PARTY_LINK_MAX). Three queries."""
    linked = PartyLink.objects.filter(ended_on__isnull=True)
    households = (
        Household.objects.all() if user is None else Household.objects.restrict(user, "view")
    )
    unlinked = (
        households.filter(village=village)
        .exclude(pk__in=linked.values("household_id"))
        .only("pk", "number", "village_id")
        .order_by("number")
    )
    members = list(party_members(village, user))
    return {
        "unlinked": list(unlinked),
        "over": [m for m in members if m.linked > settings.PARTY_LINK_MAX],
        "under": [m for m in members if m.linked < settings.PARTY_LINK_MIN],
        "members": members,
        "min": settings.PARTY_LINK_MIN,
        "max": settings.PARTY_LINK_MAX,
    }


def link_counts(village) -> dict:
    """How many households have no linked party member, how many members are over their
    limit (the household list's summary; two queries)."""
    linked = PartyLink.objects.filter(ended_on__isnull=True)
    over = (
        PartyLink.objects.filter(ended_on__isnull=True, member__household__village=village)
        .values("member_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=settings.PARTY_LINK_MAX)
    )
    return {
        "unlinked": Household.objects.filter(village=village)
        .exclude(pk__in=linked.values("household_id"))
        .count(),
        "over": over.count(),
    }


def matter_rates(*, grid=None, village=None, year=None) -> dict:
    """Closure rate (evaluated / reported) and on-time rate (handled by the deadline /
    handled) of a grid's or village's matters; None where nothing counts."""
    qs = Matter.objects.all()
    if grid is not None:
        qs = qs.filter(grid=grid)
    if village is not None:
        qs = qs.filter(Q(grid__village=village) | Q(grid__partner_village=village))
    if year is not None:
        qs = qs.filter(reported_at__year=year)
    figures = qs.aggregate(
        reported=Count("pk"),
        closed=Count("pk", filter=Q(status=MatterStatus.EVALUATED)),
        handled=Count("pk", filter=Q(handled_at__isnull=False)),
        on_time=Count("pk", filter=Q(handled_at__isnull=False, handled_at__lte=F("due_at"))),
    )
    figures["closure_rate"] = (
        figures["closed"] / figures["reported"] if figures["reported"] else None
    )
    figures["on_time_rate"] = (
        figures["on_time"] / figures["handled"] if figures["handled"] else None
    )
    return figures


def matter_rates_by_village(year: int) -> dict[str, dict]:
    """{village code: {reported, closed, handled, on_time}} for the KPIs (one query)."""
    rows = (
        Matter.objects.filter(reported_at__year=year)
        .values("grid__village_id")
        .annotate(
            reported=Count("pk"),
            closed=Count("pk", filter=Q(status=MatterStatus.EVALUATED)),
            handled=Count("pk", filter=Q(handled_at__isnull=False)),
            on_time=Count("pk", filter=Q(handled_at__isnull=False, handled_at__lte=F("due_at"))),
        )
    )
    return {r.pop("grid__village_id"): r for r in rows}


def overdue_matters(now=None):
    """Open matters past their deadline and not yet handled (for `remind`)."""
    now = now or timezone.now()
    return (
        Matter.objects.filter(
            handled_at__isnull=True,
            due_at__lt=now,
            status__in=[MatterStatus.ACCEPTED, MatterStatus.TRANSFERRED],
        )
        .select_related("grid", "reported_by")
        .order_by("due_at")
    )


def screening_progress(task: ScreeningTask) -> list[dict]:
    """Done / total per micro-grid with its side (one query)."""
    return list(
        task.entries.values("micro_grid__name", "micro_grid__side__name")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(checked_at__isnull=False)))
        .order_by("micro_grid__side__name", "micro_grid__name")
    )


def reveals_for(user):
    return (
        PersonalDataReveal.objects.restrict(user, "view")
        .select_related("user", "village", "person__household", "entry__task")
        .order_by("-at")
    )


def may_reveal(user, village) -> bool:
    """Whether `user` may ask for a clear value in this village (the rule `reveal` applies,
    and the household page asks to show its form). From the cached grants, no query."""
    return holds_role(user, REVEAL_ROLES, village=village)
