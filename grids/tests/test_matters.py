"""Grid matters: the closed loop in order, deadlines by category, rates, and screening."""

import datetime as dt

import pytest
from django.utils import timezone

from core.actors import SYSTEM
from core.errors import Conflict, Invalid
from grids import selectors, services
from grids.models import MatterStep, ScreeningTask

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2022, 3, 1, 9, tzinfo=dt.UTC)


def report(shared, actor, category="safety", at=T0):
    return services.report_matter(
        actor=actor,
        grid=shared["grid"],
        category=category,
        place="河边",
        description="护栏坏了",
        micro_grid=shared["zj"],
        reported_at=at,
    )


def test_the_loop_runs_in_order_with_who_and_when(shared, st_member, js_partner):
    matter = report(shared, st_member)
    assert matter.due_at == T0 + dt.timedelta(days=1)  # safety: one day
    with pytest.raises(Conflict):
        services.step_matter(actor=st_member, matter=matter, kind="feed_back")
    services.step_matter(
        actor=st_member,
        matter=matter,
        kind="transfer",
        level="other_side",
        note="对岸处理",
        at=T0 + dt.timedelta(hours=1),
    )
    services.step_matter(
        actor=js_partner, matter=matter, kind="handle", note="已修好", at=T0 + dt.timedelta(hours=5)
    )
    services.step_matter(
        actor=js_partner, matter=matter, kind="feed_back", at=T0 + dt.timedelta(hours=6)
    )
    with pytest.raises(Invalid):
        services.step_matter(actor=st_member, matter=matter, kind="evaluate")  # no satisfaction
    matter = services.step_matter(
        actor=st_member,
        matter=matter,
        kind="evaluate",
        satisfaction="satisfied",
        at=T0 + dt.timedelta(hours=7),
    )
    assert matter.status == "evaluated"
    assert matter.closed_at is not None
    steps = list(MatterStep.objects.filter(matter=matter).values_list("kind", "by__username"))
    assert steps == [
        ("accept", "st_member"),
        ("transfer", "st_member"),
        ("handle", "js_partner"),
        ("feed_back", "js_partner"),
        ("evaluate", "st_member"),
    ]
    with pytest.raises(Conflict):
        services.step_matter(actor=st_member, matter=matter, kind="handle", note="再来")


def test_a_grid_that_is_not_shared_has_no_other_side(shantang, st_clerk):
    grid = services.create_grid(actor=SYSTEM, village=shantang, name="本村网格")
    matter = services.report_matter(
        actor=st_clerk, grid=grid, category="other", place="村口", description="路灯"
    )
    with pytest.raises(Invalid):
        services.step_matter(
            actor=st_clerk, matter=matter, kind="transfer", level="other_side", note="x"
        )


def test_rates_count_closed_and_on_time(shared, st_member):
    late = report(shared, st_member)  # due T0 + 1 day, handled on day 3
    services.step_matter(
        actor=st_member, matter=late, kind="handle", note="修", at=T0 + dt.timedelta(days=3)
    )
    quick = report(shared, st_member, category="dispute")
    services.step_matter(
        actor=st_member, matter=quick, kind="handle", note="调解", at=T0 + dt.timedelta(days=1)
    )
    services.step_matter(
        actor=st_member, matter=quick, kind="feed_back", at=T0 + dt.timedelta(days=1, hours=1)
    )
    services.step_matter(
        actor=st_member,
        matter=quick,
        kind="evaluate",
        satisfaction="basically",
        at=T0 + dt.timedelta(days=2),
    )
    report(shared, st_member, category="other")
    rates = selectors.matter_rates(grid=shared["grid"])
    assert (rates["reported"], rates["closed"], rates["handled"], rates["on_time"]) == (3, 1, 2, 1)
    assert rates["closure_rate"] == pytest.approx(1 / 3)
    assert rates["on_time_rate"] == 0.5


def test_overdue_matters_are_listed_for_the_reminder(shared, st_member):
    old = report(shared, st_member, at=timezone.now() - dt.timedelta(days=3))
    report(shared, st_member, category="infrastructure", at=timezone.now())  # due in 10 days
    assert list(selectors.overdue_matters()) == [old]


def test_a_screening_is_split_across_both_sides_and_closes_when_done(shared, st_member, js_partner):
    task = services.create_screening(
        actor=st_member,
        grid=shared["grid"],
        name="2022年通勤人员联合排查",
        held_on=dt.date(2022, 4, 1),
        roster=[
            {"name": "王小明", "phone": "13900001111", "micro_grid": "第二微网格"},
            {"name": "陈大华", "micro_grid": "金山第一微网格"},
        ],
    )
    progress = {
        r["micro_grid__name"]: (r["done"], r["total"]) for r in selectors.screening_progress(task)
    }
    assert progress == {"第二微网格": (0, 1), "金山第一微网格": (0, 1)}
    first, second = task.entries.order_by("line")
    assert first.name_masked == "王*明"
    assert "13900001111" not in first.phone_masked
    services.check_off(actor=st_member, entry=first)
    with pytest.raises(Conflict):
        services.check_off(actor=st_member, entry=first)
    assert ScreeningTask.objects.get(pk=task.pk).status == "open"
    services.check_off(actor=js_partner, entry=second)
    assert ScreeningTask.objects.get(pk=task.pk).status == "closed"


def test_a_roster_line_on_an_unknown_micro_grid_keeps_nothing(shared, st_member):
    with pytest.raises(Invalid):
        services.create_screening(
            actor=st_member,
            grid=shared["grid"],
            name="x",
            held_on=dt.date(2022, 4, 1),
            roster=[
                {"name": "甲", "micro_grid": "第二微网格"},
                {"name": "乙", "micro_grid": "没有"},
            ],
        )
    assert not ScreeningTask.objects.exists()


def test_remind_lists_overdue_matters(shared, st_member):
    import io
    import json

    from django.core.management import call_command

    report(shared, st_member, at=timezone.now() - dt.timedelta(days=3))
    out = io.StringIO()
    call_command("remind", format="json", stdout=out)
    matters = json.loads(out.getvalue())["grid_matters"]
    assert [m["place"] for m in matters] == ["河边"]
    text = io.StringIO()
    call_command("remind", stdout=text)
    assert "网格事件" in text.getvalue()
    assert "河边" in text.getvalue()


def test_the_rates_are_kpis_the_rankings_can_use(shared, st_member):
    from analytics.kpis import KPI_SOURCES

    done = report(shared, st_member)
    services.step_matter(
        actor=st_member, matter=done, kind="handle", note="修", at=T0 + dt.timedelta(hours=2)
    )
    report(shared, st_member)
    code = shared["grid"].village_id
    closure = KPI_SOURCES["grid_closure_rate"].values(None, [code, "330482107208"], 2022)
    on_time = KPI_SOURCES["grid_on_time_rate"].values(None, [code], 2022)
    assert closure == {code: 0.0, "330482107208": None}
    assert on_time == {code: 1.0}
