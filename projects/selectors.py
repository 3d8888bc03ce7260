"""The projects app's reads: who may write what (from the cached grants, no query), and the
queries other pages and apps use (the alliance page, rankings, the public showcase)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, OuterRef, Subquery

from core.scope import may_write, may_write_any
from projects.choices import ProjectStatus
from projects.models import ProgressReport, Project

__all__ = [
    "consortium_choices",
    "consortium_model",
    "may_change_project",
    "may_write_any_project",
    "projects_by_status",
    "public_projects",
    "village_progress",
]


def may_write_any_project(user) -> bool:
    """Whether `user` may write some project (shows the import entry point)."""
    return may_write_any(user, Project)


def may_change_project(user, project: Project) -> bool:
    """Whether `user` may write `project` and its progress (no query: cached grants)."""
    return may_write(
        user, Project, village=project.lead_village, organisation=project.lead_organisation
    )


def consortium_model():
    """The Consortium model, reached through the project's foreign key: consortia are the
    alliances app's, a layer above this one, so projects does not import it."""
    return Project._meta.get_field("consortium").related_model


def consortium_choices() -> list[tuple[int, str]]:
    """(pk, name) of every consortium, by name: the project list's filter menu (one query)."""
    return list(consortium_model().objects.order_by("name").values_list("pk", "name"))


def projects_by_status(alliance) -> list[dict]:
    """Projects of the alliance's consortia per status, every status listed (one query).

    [{"status": "construction", "label": "在建", "count": 3}, ...] in the choices' order.
    """
    counts = dict(
        Project.objects.filter(consortium__alliance=alliance)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return [
        {"status": value, "label": str(label), "count": counts.get(value, 0)}
        for value, label in ProjectStatus.choices
    ]


def village_progress(year: int) -> dict[str, float]:
    """{village code: % of the year's annual plan completed} (one query).

    Per project led by a village: its latest progress report of the year (latest period,
    then latest filed); the village's figure is the mean over its projects that have one
    with a plan.
    """
    latest = (
        ProgressReport.objects.filter(project=OuterRef("pk"), period__year=year)
        .order_by("-period", "-pk")
        .values("plan_percent")[:1]
    )
    rows = (
        Project.objects.filter(lead_village__isnull=False)
        .annotate(pct=Subquery(latest))
        .filter(pct__isnull=False)
        .order_by()
        .values_list("lead_village_id", "pct")
    )
    sums: dict[str, list] = defaultdict(lambda: [0.0, 0])
    for village, pct in rows:
        sums[village][0] += float(pct)
        sums[village][1] += 1
    return {village: total / n for village, (total, n) in sums.items()}


PUBLIC_FIELDS = (
    "code",
    "name",
    "category",
    "status",
    "consortium__name",
    "lead_village__short_name",
    "lead_organisation__name",
    "total_investment",
    "expected_annual_income",
    "started_on",
    "ends_on",
    "is_illustrative",
)


def public_projects():
    """Published projects with fields safe for the public showcase (no personal data).

    A values() queryset of PUBLIC_FIELDS (one query); no author, note or attachment.
    """
    return Project.objects.filter(is_public=True).order_by("code").values(*PUBLIC_FIELDS)
