"""Duties: created from passed decisions, progress appended (never overwritten), scoped
to the owner's clerk, verified by someone else, overdue computed in SQL; the selector for
the rankings and the remind command."""

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from alliances import services
from alliances.models import Duty, DutyEvidence, DutyUpdate
from alliances.selectors import duties_on_time
from alliances.tests.conftest import D
from core.actors import SYSTEM


@pytest.fixture
def duty(passed_decision, members):
    return services.create_duties_from_decision(
        passed_decision,
        [
            {
                "title": "提交共富项目清单",
                "owner": members[0],
                "due_on": D("2022-06-30"),
                "owner_name": "沈书记",
            }
        ],
        actor=SYSTEM,
    )[0]


def test_a_passed_decision_creates_owned_duties(passed_decision, members, admin):
    duties = services.create_duties_from_decision(
        passed_decision,
        [
            {"title": "规划旅游线路一", "owner": members[1], "due_on": D("2022-09-30")},
            {"title": "出资", "owner": members[3], "due_on": D("2022-12-31")},
        ],
        actor=admin,
    )
    assert [(d.decision, d.owner, d.status) for d in duties] == [
        (passed_decision, members[1], "planned"),
        (passed_decision, members[3], "planned"),
    ]
    assert passed_decision.duties.count() == 2


def test_a_rejected_or_open_decision_creates_no_duty(all_present, members):
    open_decision = services.add_decision(all_present, "开展电商考察", actor=SYSTEM)
    rejected = services.add_decision(all_present, "另一决定", actor=SYSTEM)
    services.cast_vote(rejected, members[0], "against", actor=SYSTEM)
    services.close_decision(rejected, actor=SYSTEM)
    for decision in (open_decision, rejected):
        with pytest.raises(services.DutyError):
            services.create_duties_from_decision(
                decision,
                [{"title": "x", "owner": members[0], "due_on": D("2022-06-30")}],
                actor=SYSTEM,
            )
    assert not Duty.objects.exists()


def test_duties_are_all_or_nothing_and_owned_by_members(passed_decision, members, tree):
    from registry.models import Village

    outsider = Village.objects.create(
        code="330482107209",
        name="外村",
        short_name="外村",
        kind="village",
        township_id="330482107",
        county_id="330482",
    )
    with pytest.raises(services.DutyError):
        services.create_duties_from_decision(
            passed_decision,
            [
                {"title": "一", "owner": members[0], "due_on": D("2022-06-30")},
                {"title": "二", "owner": outsider, "due_on": D("2022-06-30")},
            ],
            actor=SYSTEM,
        )
    assert not Duty.objects.exists()


def test_a_clerk_cannot_create_duties(passed_decision, members, clerk):
    with pytest.raises(services.NotAllowed):
        services.create_duties_from_decision(
            passed_decision,
            [{"title": "一", "owner": members[0], "due_on": D("2022-06-30")}],
            actor=clerk,
        )
    assert not Duty.objects.exists()


def test_progress_is_appended_and_the_latest_update_is_the_state(duty, clerk):
    services.add_duty_update(duty, "in_progress", 40, "已起草", actor=clerk, on=D("2022-05-01"))
    services.add_duty_update(duty, "done", None, "已提交", actor=clerk, on=D("2022-06-20"))
    duty.refresh_from_db()
    assert (duty.status, duty.percent, duty.done_on) == ("done", 100, D("2022-06-20"))
    assert list(duty.updates.values_list("status", "percent", "note", "author")) == [
        ("in_progress", 40, "已起草", clerk.pk),
        ("done", 100, "已提交", clerk.pk),
    ]


def test_a_clerk_cannot_update_another_villages_duty(duty, other_clerk):
    with pytest.raises(services.NotAllowed):
        services.add_duty_update(duty, "done", None, "", actor=other_clerk, on=D("2022-06-01"))
    with pytest.raises(services.NotAllowed):
        services.add_evidence(duty, SimpleUploadedFile("a.pdf", b"%PDF"), "", actor=other_clerk)
    duty.refresh_from_db()
    assert (duty.status, duty.percent) == ("planned", 0)
    assert not DutyUpdate.objects.exists()
    assert not DutyEvidence.objects.exists()


@pytest.mark.parametrize(
    ("case", "status", "percent", "on"),
    [
        ("verified_by_report", "verified", 100, "2022-06-01"),
        ("unknown_status", "finished", 100, "2022-06-01"),
        ("done_not_100", "done", 80, "2022-06-01"),
        ("over_100", "in_progress", 120, "2022-06-01"),
        ("before_latest", "in_progress", 50, "2022-04-01"),
        ("future", "in_progress", 50, "2999-01-01"),
        ("done_in_future", "done", 100, "2999-01-01"),
    ],
)
def test_a_wrong_update_is_refused_and_nothing_changes(case, status, percent, on, duty, clerk):
    services.add_duty_update(duty, "in_progress", 20, "", actor=clerk, on=D("2022-05-01"))
    with pytest.raises(services.DutyError):
        services.add_duty_update(duty, status, percent, "", actor=clerk, on=D(on))
    duty.refresh_from_db()
    assert (duty.status, duty.percent, duty.updates.count()) == ("in_progress", 20, 1)


def test_progress_is_never_overwritten(duty, clerk):
    update = services.add_duty_update(duty, "in_progress", 40, "", actor=clerk, on=D("2022-05-01"))
    update.percent = 90
    with pytest.raises(services.FrozenError):
        update.save()
    with pytest.raises(services.FrozenError):
        update.delete()
    with pytest.raises(services.FrozenError):
        DutyUpdate.objects.update(percent=90)
    stale = Duty.objects.get()
    services.add_duty_update(duty, "in_progress", 60, "", actor=clerk, on=D("2022-05-02"))
    stale.title = "改名"  # a copy read before the last update must not bring back 40%
    with pytest.raises(services.FrozenError):
        stale.save()
    duty.refresh_from_db()
    duty.status = "done"
    with pytest.raises(services.FrozenError):
        duty.save()
    with pytest.raises(services.FrozenError):
        Duty.objects.update(status="done")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {DutyUpdate._meta.db_table} SET percent = 90")
    assert list(DutyUpdate.objects.values_list("percent", flat=True)) == [40, 60]
    assert Duty.objects.values_list("status", "percent", "title").get() == (
        "in_progress",
        60,
        "提交共富项目清单",
    )


def test_a_city_admin_verifies_a_done_duty_then_it_is_closed(duty, clerk, admin):
    with pytest.raises(services.DutyError):
        services.verify_duty(duty, actor=admin)  # not done yet
    services.add_duty_update(duty, "done", None, "", actor=clerk, on=D("2022-06-20"))
    with pytest.raises(services.NotAllowed):
        services.verify_duty(duty, actor=clerk)
    services.verify_duty(duty, "已核实", actor=admin, on=D("2022-07-01"))
    duty.refresh_from_db()
    assert (duty.status, duty.verified_by, duty.verified_on) == ("verified", admin, D("2022-07-01"))
    with pytest.raises(services.FrozenError):
        services.add_duty_update(duty, "in_progress", 50, "", actor=clerk)
    with pytest.raises(services.FrozenError):
        services.add_evidence(duty, SimpleUploadedFile("a.pdf", b"%PDF"), "", actor=clerk)
    assert duty.updates.count() == 2


def test_the_person_who_did_it_does_not_verify_it(duty, admin):
    services.add_duty_update(duty, "done", None, "", actor=admin, on=D("2022-06-20"))
    with pytest.raises(services.NotAllowed):
        services.verify_duty(duty, actor=admin)
    assert Duty.objects.get().status == "done"


def test_overdue_is_computed_in_sql(passed_decision, members, clerk):
    make = [("late", D("2022-06-30")), ("done_late", D("2022-06-30")), ("future", D("2999-01-01"))]
    duties = services.create_duties_from_decision(
        passed_decision,
        [{"title": t, "owner": members[0], "due_on": d} for t, d in make],
        actor=SYSTEM,
    )
    services.add_duty_update(duties[1], "done", None, "", actor=clerk, on=D("2022-08-01"))
    today = timezone.localdate()
    flags = dict(Duty.objects.with_overdue(today).values_list("title", "overdue"))
    assert flags == {"late": True, "done_late": False, "future": False}
    assert list(Duty.objects.overdue(today).values_list("title", flat=True)) == ["late"]


def test_evidence_is_kept_and_checked(duty, clerk):
    evidence = services.add_evidence(
        duty, SimpleUploadedFile("清单.pdf", b"%PDF-1.4"), "项目清单", actor=clerk
    )
    assert evidence.file.name == f"alliances/duties/{duty.pk}/清单.pdf"
    with evidence.file.open("rb") as stored:
        assert stored.read() == b"%PDF-1.4"
    with pytest.raises(services.DutyError):
        services.add_evidence(duty, SimpleUploadedFile("run.exe", b"MZ"), "", actor=clerk)
    evidence.title = "改"
    with pytest.raises(services.FrozenError):
        evidence.save()
    assert DutyEvidence.objects.get().title == "项目清单"


def test_duties_on_time_per_village_in_one_query(
    passed_decision, members, clerk, admin, django_assert_num_queries
):
    # (title, owner, due, reported done on, verified by an admin)
    rows = [
        ("on time", members[0], D("2022-06-30"), D("2022-06-30"), True),
        ("late", members[0], D("2022-06-30"), D("2022-07-15"), True),
        ("open", members[0], D("2022-09-30"), None, False),
        ("other village", members[1], D("2022-12-31"), D("2022-12-01"), True),
        # Self-certified done, dated on time, never verified: not (yet) on time.
        ("done, unverified", members[1], D("2022-12-31"), D("2022-12-01"), False),
        ("next year", members[1], D("2023-01-31"), D("2023-01-01"), True),
        ("organisation", members[3], D("2022-12-31"), None, False),
    ]
    duties = services.create_duties_from_decision(
        passed_decision,
        [{"title": t, "owner": o, "due_on": d} for t, o, d, *_ in rows],
        actor=SYSTEM,
    )
    for duty, (_t, _o, _d, done, verified) in zip(duties, rows, strict=True):
        if done is not None:
            services.add_duty_update(duty, "done", None, "", actor=SYSTEM, on=done)
        if verified:
            services.verify_duty(duty, actor=admin)
    with django_assert_num_queries(1):
        result = duties_on_time(passed_decision.meeting.alliance, 2022)
    assert result == {members[0].pk: (1, 3), members[1].pk: (1, 2)}


def test_a_backdated_self_certified_done_is_not_on_time(passed_decision, members, clerk, admin):
    duty = services.create_duties_from_decision(
        passed_decision,
        [{"title": "迟报", "owner": members[0], "due_on": D("2022-06-30")}],
        actor=SYSTEM,
    )[0]
    # Reported long after the due day, but dated on it by the reporter.
    services.add_duty_update(duty, "done", 100, "", actor=clerk, on=D("2022-06-30"))
    alliance = passed_decision.meeting.alliance
    assert duties_on_time(alliance, 2022) == {members[0].pk: (0, 1)}
    services.verify_duty(duty, actor=admin)
    assert duties_on_time(alliance, 2022) == {members[0].pk: (1, 1)}


def test_a_duty_cannot_be_verified_on_a_future_day(passed_decision, members, admin):
    duty = services.create_duties_from_decision(
        passed_decision,
        [{"title": "未来", "owner": members[0], "due_on": D("2022-06-30")}],
        actor=SYSTEM,
    )[0]
    services.add_duty_update(duty, "done", 100, "", actor=SYSTEM, on=D("2022-06-30"))
    with pytest.raises(services.DutyError):
        services.verify_duty(duty, actor=admin, on=D("2999-01-01"))
    duty.refresh_from_db()
    assert duty.status == "done"
    assert duty.verified_on is None


def test_remind_lists_due_and_overdue_duties_per_owner(passed_decision, members, clerk):
    rows = [
        ("逾期事项", members[0], D("2022-06-30")),
        ("本周到期", members[1], D("2022-07-05")),
        ("下月到期", members[1], D("2022-08-30")),
        ("已完成", members[0], D("2022-06-01")),
    ]
    duties = services.create_duties_from_decision(
        passed_decision, [{"title": t, "owner": o, "due_on": d} for t, o, d in rows], actor=SYSTEM
    )
    services.add_duty_update(duties[3], "done", None, "", actor=SYSTEM, on=D("2022-05-30"))
    out = StringIO()
    call_command("remind", "--today", "2022-07-01", stdout=out)
    text = out.getvalue()
    assert "逾期事项" in text
    assert "逾期 1 天" in text
    assert "本周到期" in text
    assert "下月到期" not in text
    assert "已完成" not in text
    out = StringIO()
    call_command("remind", "--today", "2022-07-01", "--days", "90", "--format", "json", stdout=out)
    body = json.loads(out.getvalue())
    assert [(o["owner"], [d["title"] for d in o["duties"]]) for o in body["owners"]] == [
        ("山塘村", ["本周到期", "下月到期"]),
        ("徐家埭村", ["逾期事项"]),
    ]
    out = StringIO()
    call_command("remind", "--today", "2022-01-01", stdout=out)
    assert "没有" in out.getvalue()
