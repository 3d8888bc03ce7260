"""Issue 4 benchmark: the alliance page, the duty board and the project list at scale.

    python -m bench.alliance_pages sqlite|postgres

One alliance with 100 member villages, then two data sizes in the same run:
  small  —    10 projects,    100 duties,   5 meetings (the baseline)
  large  — 1,000 projects, 10,000 duties, 500 meetings (the issue's size)
Projects have two partners, an annual plan and twelve monthly progress reports each
(12,000 reports in the large case); duties are spread over the members, a third overdue.
The rows are written with bulk_create (what is measured is reading, not loading).

For each page and size: SQL queries per request (captured), then REQUESTS sequential
requests through Django's in-process test client as a signed-in city admin (the full
middleware, view and template stack, no network; persistent database connections as in
production), p50/p99 in ms. Goals: the same number
of queries at both sizes; p99 < 150 ms on PostgreSQL at the large size.
ratio_p99_large_to_small: large p99 ÷ small p99 of the same page in the same run (1.0 means
the page does not slow down with the data). Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date, datetime, timedelta

from bench.common import OUT, PG_URL, percentiles, setup_django

REQUESTS = 200
MEMBERS = 100
SIZES = {"small": (10, 100, 5), "large": (1_000, 10_000, 500)}


def base():
    """Divisions of 平湖 and its neighbours, the alliance and its members, a city admin."""
    from accounts.models import Grant, User
    from alliances.choices import MembershipRole
    from alliances.models import Alliance, Consortium, ConsortiumType, Membership
    from audit.context import change_context
    from core.actors import SYSTEM
    from core.roles import Role
    from registry.models import Village
    from registry.services.divisions import load_divisions

    with change_context(user=SYSTEM, source="cli", path="bench"):
        load_divisions(["33"], actor=SYSTEM)
        alliance = Alliance.objects.create(name="bench alliance", region_id="330482")
        kind = ConsortiumType.objects.create(name="飞地抱团")
        consortia = [
            Consortium.objects.create(alliance=alliance, name=f"共富体 {i}", type=kind)
            for i in range(8)
        ]
        villages = list(Village.objects.filter(code__startswith="3304").order_by("code")[:MEMBERS])
        Membership.objects.bulk_create(
            Membership(
                alliance=alliance,
                village=v,
                joined_on=date(2020, 1, 1),
                role=MembershipRole.CORE if i < 2 else MembershipRole.MEMBER,
            )
            for i, v in enumerate(villages)
        )
        admin = User.objects.create_user("bench-admin", password="bench")
        Grant.objects.create(user=admin, role=Role.CITY_ADMIN)
    return alliance, consortia, villages, admin


def fill(
    alliance,
    consortia,
    villages,
    admin,
    projects: int,
    duties: int,
    meetings: int,
    have: tuple[int, int, int] = (0, 0, 0),
) -> None:
    """Grow the alliance's projects, duties and meetings from `have` to the given numbers.

    Growing rather than replacing: progress reports are append-only down to the database
    (PostgreSQL refuses DELETE on them), so the large case is the small one plus more rows.
    """
    from alliances.choices import DutyStatus, MeetingKind
    from alliances.models import Duty, Meeting
    from projects.choices import ProjectCategory, ProjectStatus
    from projects.models import AnnualPlan, ProgressReport, Project, ProjectPartner

    have_projects, have_duties, have_meetings = have
    now = datetime(2026, 11, 1, 9, 0).astimezone()
    Meeting.objects.bulk_create(
        Meeting(
            alliance=alliance,
            kind=MeetingKind.values[i % len(MeetingKind.values)],
            title=f"会议 {i}",
            starts_at=now + timedelta(days=7 * (i - meetings // 2)),
        )
        for i in range(have_meetings, meetings)
    )
    statuses = DutyStatus.values
    from django.utils import timezone

    today = timezone.localdate()
    closed = {DutyStatus.DONE, DutyStatus.VERIFIED}

    def duty(i: int) -> Duty:
        status, due_on = statuses[i % len(statuses)], today + timedelta(days=(i % 90) - 30)
        return Duty(
            alliance=alliance,
            title=f"责任 {i}",
            owner_village=villages[i % len(villages)],
            due_on=due_on,
            status=status,
            percent=100 if status in closed else 40,
            done_on=due_on if status in closed else None,
            verified_by=admin if status == DutyStatus.VERIFIED else None,
            verified_on=due_on if status == DutyStatus.VERIFIED else None,
        )

    Duty.objects.bulk_create(duty(i) for i in range(have_duties, duties))
    categories, project_statuses = ProjectCategory.values, ProjectStatus.values
    rows = Project.objects.bulk_create(
        Project(
            code=f"B{i:05d}",
            name=f"项目 {i}",
            consortium=consortia[i % len(consortia)],
            category=categories[i % len(categories)],
            status=project_statuses[i % len(project_statuses)],
            lead_village=villages[i % len(villages)],
            total_investment=1_000_000_00 + i,
        )
        for i in range(have_projects, projects)
    )
    ProjectPartner.objects.bulk_create(
        ProjectPartner(project=p, village=villages[(i + k) % len(villages)], committed=10_000_00)
        for i, p in enumerate(rows)
        for k in (1, 2)
    )
    AnnualPlan.objects.bulk_create(
        AnnualPlan(project=p, year=2026, planned_investment=12_000_000) for p in rows
    )
    ProgressReport.objects.bulk_create(
        ProgressReport(
            project=p,
            period=date(2026, m + 1, 1) - timedelta(days=1) if m < 12 else date(2026, 12, 31),
            completed_in_year=1_000_000 * m,
            planned_investment=12_000_000,
        )
        for p in rows
        for m in range(1, 13)
    )


def measure(client, url: str) -> dict:
    from django.db import connection

    captured = []

    def count(execute, sql, params, many, context):
        captured.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    for _ in range(10):  # warm-up
        client.get(url)
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    p50, p99 = percentiles(samples)
    return {
        "queries": len(captured),
        "p50_ms": round(p50, 2),
        "p99_ms": round(p99, 2),
        "bytes": len(response.content),
    }


def main(engine: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    url = PG_URL if engine == "postgres" else f"sqlite:///{OUT / 'alliance_pages.sqlite3'}"
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")  # persistent connections, as in production
    setup_django(url)
    from django.test import Client
    from django.urls import reverse

    alliance, consortia, villages, admin = base()
    client = Client()
    client.force_login(admin)
    pages = {
        "alliance_page": reverse("alliances:alliance_detail", args=[alliance.pk]),
        "duty_board": reverse("alliances:duty_board", args=[alliance.pk]),
        "duty_board_overdue": reverse("alliances:duty_board", args=[alliance.pk]) + "?overdue=on",
        "project_list": reverse("projects:project_list"),
    }
    results: dict[str, dict] = {}
    have = (0, 0, 0)
    for size, counts in SIZES.items():
        fill(alliance, consortia, villages, admin, *counts, have=have)
        have = counts
        for page, path in pages.items():
            results[f"{page}.{size}"] = measure(client, path)
    figures: dict = {"engine": engine, "requests_per_page": REQUESTS}
    for page in pages:
        small, large = results[f"{page}.small"], results[f"{page}.large"]
        figures[f"{page}_queries_small_large"] = f"{small['queries']} / {large['queries']}"
        figures[f"{page}_p50_p99_ms_large"] = f"{large['p50_ms']} / {large['p99_ms']}"
        figures[f"{page}_p99_ms_small"] = small["p99_ms"]
        figures[f"{page}_ratio_p99_large_to_small"] = round(large["p99_ms"] / small["p99_ms"], 2)
    figures["same_queries_at_both_sizes"] = all(
        results[f"{p}.small"]["queries"] == results[f"{p}.large"]["queries"] for p in pages
    )
    figures["worst_p99_ms_large"] = max(results[f"{p}.large"]["p99_ms"] for p in pages)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "sqlite")
