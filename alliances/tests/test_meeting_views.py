"""Running a meeting from the web: every form for the city admin, the refused users (village
clerk, auditor, anonymous) with nothing changed, frozen minutes and closed decisions refusing
edits through the views, one vote per member, duties pointing to their decision, and the
meeting page's fixed query count."""

import pytest
from django.utils import timezone, translation

from accounts.models import User
from alliances import services
from alliances.models import (
    AgendaItem,
    Attendance,
    Decision,
    Duty,
    DutyUpdate,
    Meeting,
    MeetingSeries,
    Minutes,
    Vote,
)
from alliances.tests.conftest import D
from audit.models import ObjectChange
from core.actors import SYSTEM
from registry.choices import OrganisationKind
from registry.models import Organisation
from tests.support import make_user

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def key(member) -> str:
    return f"o{member.pk}" if isinstance(member, Organisation) else f"v{member.pk}"


def page(client, meeting) -> str:
    response = client.get(f"/alliances/meetings/{meeting.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def snapshot() -> tuple:
    """Everything a meeting form could change, to show that a refusal changed nothing."""
    return (
        Meeting.objects.count(),
        MeetingSeries.objects.count(),
        list(AgendaItem.objects.values_list("pk", "title")),
        list(Attendance.objects.values_list("pk", "status", "attendee")),
        list(Minutes.objects.values_list("pk", "text", "signed_off_at")),
        list(Decision.objects.values_list("pk", "status", "result")),
        list(Vote.objects.values_list("pk", "choice")),
        list(Duty.objects.values_list("pk", "title")),
        ObjectChange.objects.count(),
    )


@pytest.fixture
def signed_off(all_present, admin):
    minutes = services.write_minutes(all_present, "会议纪要正文", actor=admin)
    services.sign_off_minutes(minutes, actor=make_user("secretary", "city_admin"))
    return all_present


# --- The alliance page: new meeting and new series ---------------------------------------------


def test_only_a_city_admin_sees_the_new_meeting_buttons(
    client_for, admin, clerk, auditor, alliance
):
    url = f"/alliances/{alliance.pk}/"
    body = client_for(admin).get(url).content.decode()
    assert 'data-testid="new-meeting"' in body
    assert 'data-testid="new-series"' in body
    for user in (clerk, auditor):
        body = client_for(user).get(url).content.decode()
        assert 'data-testid="new-meeting"' not in body
        assert 'data-testid="new-series"' not in body


def test_an_admin_calls_a_consortium_meeting(client_for, admin, alliance, consortium):
    client = client_for(admin)
    url = f"/alliances/{alliance.pk}/meetings/new/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "joint",
            "title": "景区村庄共富体联席会议",
            "starts_at": "2022-09-01T09:30",
            "location": "广陈镇",
            "consortium": str(consortium.pk),
            "quorum_rule": "two_thirds",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/alliances/meetings/{meeting.pk}/"
    assert (meeting.kind, meeting.consortium, meeting.quorum_rule) == (
        "joint",
        consortium,
        "two_thirds",
    )
    assert timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M") == "2022-09-01 09:30"
    assert meeting.location == "广陈镇"


def test_a_bad_meeting_form_changes_nothing(client_for, admin, alliance):
    response = client_for(admin).post(
        f"/alliances/{alliance.pk}/meetings/new/",
        {"kind": "joint", "title": "", "starts_at": "someday", "quorum_rule": "majority"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"title", "starts_at"}
    assert not Meeting.objects.exists()


def test_an_admin_schedules_a_series_of_study_tours(client_for, admin, alliance):
    response = client_for(admin).post(
        f"/alliances/{alliance.pk}/series/new/",
        {
            "kind": "study_tour",  # a study tour may recur again (the natural choice set)
            "title": "季度考察",
            "first_on": "2022-03-25",
            "every_months": "3",
            "until": "2022-12-31",
            "start_time": "08:00",
            "location": "浙江省内",
            "quorum_rule": "none",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/alliances/{alliance.pk}/"
    series = MeetingSeries.objects.get()
    meetings = list(series.meetings.order_by("sequence"))
    assert [m.sequence for m in meetings] == [1, 2, 3, 4]
    assert [m.day for m in meetings] == [
        D("2022-03-25"),
        D("2022-06-25"),
        D("2022-09-25"),
        D("2022-12-25"),
    ]
    assert {m.kind for m in meetings} == {"study_tour"}
    assert timezone.localtime(meetings[0].starts_at).hour == 8


def test_a_series_ending_before_it_starts_is_refused(client_for, admin, alliance):
    response = client_for(admin).post(
        f"/alliances/{alliance.pk}/series/new/",
        {
            "kind": "roundtable",
            "title": "圆桌会",
            "first_on": "2022-03-25",
            "every_months": "3",
            "until": "2022-01-01",
            "start_time": "14:00",
            "quorum_rule": "majority",
        },
    )
    assert response.status_code == 400
    assert "until" in response.context["form"].errors
    assert not MeetingSeries.objects.exists()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("who", ["clerk", "auditor"])
def test_others_may_not_call_meetings(request, client_for, who, alliance):
    client = client_for(request.getfixturevalue(who))
    before = snapshot()
    assert client.get(f"/alliances/{alliance.pk}/meetings/new/").status_code == 403
    response = client.post(
        f"/alliances/{alliance.pk}/meetings/new/",
        {"kind": "joint", "title": "会", "starts_at": "2022-09-01T09:30", "quorum_rule": "none"},
    )
    assert response.status_code == 403
    response = client.post(
        f"/alliances/{alliance.pk}/series/new/",
        {
            "kind": "roundtable",
            "title": "圆桌会",
            "first_on": "2022-03-25",
            "every_months": "3",
            "until": "2022-12-31",
            "start_time": "14:00",
            "quorum_rule": "majority",
        },
    )
    assert response.status_code == 403
    assert snapshot() == before


# --- The meeting page: agenda, attendance, minutes -------------------------------------------


def test_the_admin_sees_every_form_of_an_open_meeting(client_for, admin, meeting):
    body = page(client_for(admin), meeting)
    for testid in ("agenda-form", "attendance-form", "decision-form", "minutes-form"):
        assert f'data-testid="{testid}"' in body


@pytest.mark.parametrize("who", ["clerk", "auditor"])
def test_others_see_no_meeting_forms(request, client_for, who, passed_decision):
    services.add_decision(passed_decision.meeting, "另一项决议", actor=SYSTEM)
    body = page(client_for(request.getfixturevalue(who)), passed_decision.meeting)
    for testid in (
        "agenda-form",
        "attendance-form",
        "decision-form",
        "minutes-form",
        "close-decision",
        "duty-form",
    ):
        assert f'data-testid="{testid}"' not in body


def test_an_admin_adds_agenda_items_in_order(client_for, admin, meeting):
    client = client_for(admin)
    url = f"/alliances/meetings/{meeting.pk}/agenda/"
    assert client.post(url, {"title": "通报责任清单进度"}).status_code == 302
    response = client.post(url, {"title": "审议年度计划", "description": "附件一"})
    assert response["Location"] == f"/alliances/meetings/{meeting.pk}/#agenda"
    items = list(meeting.agenda_items.order_by("order"))
    assert [(i.order, i.title, i.description) for i in items] == [
        (1, "通报责任清单进度", ""),
        (2, "审议年度计划", "附件一"),
    ]
    assert client.post(url, {"title": " "}).status_code == 400
    assert meeting.agenda_items.count() == 2


def test_attendance_is_one_form_saved_at_once_with_quorum(client_for, admin, meeting, members):
    client = client_for(admin)
    data = {
        f"status_{key(members[0])}": "present",
        f"attendee_{key(members[0])}": "徐书记",
        f"status_{key(members[1])}": "delegated",
        f"attendee_{key(members[1])}": "山塘村副书记",
        f"status_{key(members[2])}": "absent",
        f"status_{key(members[3])}": "",  # not recorded: left as it is
    }
    response = client.post(f"/alliances/meetings/{meeting.pk}/attendance/", data)
    assert response.status_code == 302
    rows = {(a.village_id or a.organisation_id): a for a in Attendance.objects.all()}
    assert len(rows) == 3
    assert (rows[members[0].pk].status, rows[members[0].pk].attendee) == ("present", "徐书记")
    assert rows[members[1].pk].status == "delegated"
    assert rows[members[2].pk].status == "absent"
    shown = client.get(f"/alliances/meetings/{meeting.pk}/")
    assert shown.context["quorum"] == {"members": 4, "present": 2, "needed": 3, "met": False}
    # A correction: the fourth member came too; quorum is met.
    data[f"status_{key(members[3])}"] = "present"
    client.post(f"/alliances/meetings/{meeting.pk}/attendance/", data)
    shown = client.get(f"/alliances/meetings/{meeting.pk}/")
    assert shown.context["quorum"]["met"] is True
    assert Attendance.objects.count() == 4


def test_attendance_is_all_or_nothing(client_for, admin, all_present, members):
    decision = services.add_decision(all_present, "决议", actor=SYSTEM)
    services.cast_vote(decision, members[0], "for", actor=SYSTEM)
    before = snapshot()
    response = client_for(admin).post(
        f"/alliances/meetings/{all_present.pk}/attendance/",
        {
            f"status_{key(members[1])}": "absent",  # fine on its own
            f"status_{key(members[0])}": "absent",  # has voted: refused
        },
        **EN,
    )
    assert response.status_code == 400
    assert "has voted at this meeting and cannot be marked absent" in response.content.decode()
    assert snapshot() == before


def test_an_admin_writes_and_amends_minutes_another_signs_off(client_for, admin, meeting):
    client = client_for(admin)
    url = f"/alliances/meetings/{meeting.pk}/minutes/"
    assert client.post(url, {"text": "初稿"}).status_code == 302
    assert client.post(url, {"text": "定稿"}).status_code == 302
    minutes = Minutes.objects.get()
    assert (minutes.text, minutes.author) == ("定稿", admin)
    assert 'data-testid="sign-off"' not in page(client, meeting)  # never the author
    other = make_user("secretary", "city_admin")
    client = client_for(other)
    assert 'data-testid="sign-off"' in page(client, meeting)
    assert client.post(f"/alliances/meetings/{meeting.pk}/sign-off/").status_code == 302
    assert Minutes.objects.get().signed_off_by == other


def test_signed_off_minutes_freeze_the_meeting_on_the_page_and_its_endpoints(
    client_for, admin, signed_off, members
):
    decision = Decision.objects.create(meeting=signed_off, text="会后补充的决议")
    client = client_for(admin)
    body = page(client, signed_off)
    assert 'data-testid="frozen"' in body
    for testid in (
        "agenda-form",
        "attendance-form",
        "decision-form",
        "minutes-form",
        "vote-form",
        "close-decision",
    ):
        assert f'data-testid="{testid}"' not in body
    before = snapshot()
    base = f"/alliances/meetings/{signed_off.pk}"
    posts = [
        (f"{base}/minutes/", {"text": "改写"}),
        (f"{base}/agenda/", {"title": "补充议程"}),
        (f"{base}/attendance/", {f"status_{key(members[0])}": "absent"}),
        (f"{base}/decisions/", {"text": "新决议", "rule": "simple_present"}),
        (f"/alliances/decisions/{decision.pk}/votes/", {f"vote_{key(members[0])}": "for"}),
        (f"/alliances/decisions/{decision.pk}/close/", {}),
    ]
    for url, data in posts:
        response = client.post(url, data, **EN)
        assert response.status_code == 409, url
        assert "signed off" in response.content.decode(), url
    assert snapshot() == before


# --- Decisions, votes, closing, duties ---------------------------------------------------------


def test_an_admin_puts_a_decision_on_an_agenda_item(client_for, admin, meeting):
    item = services.add_agenda_item(meeting, "责任清单", actor=admin)
    response = client_for(admin).post(
        f"/alliances/meetings/{meeting.pk}/decisions/",
        {"text": "建立联盟责任清单", "agenda_item": str(item.pk), "rule": "two_thirds_present"},
    )
    decision = Decision.objects.get()
    assert response["Location"] == f"/alliances/meetings/{meeting.pk}/#decision-{decision.pk}"
    assert (decision.agenda_item, decision.rule, decision.status) == (
        item,
        "two_thirds_present",
        "open",
    )


def test_votes_are_one_grid_and_a_second_vote_is_refused(client_for, admin, all_present, members):
    decision = services.add_decision(all_present, "建立联盟责任清单", actor=SYSTEM)
    client = client_for(admin)
    body = page(client, all_present)
    assert 'data-testid="vote-form"' in body
    url = f"/alliances/decisions/{decision.pk}/votes/"
    response = client.post(
        url,
        {
            f"vote_{key(members[0])}": "for",
            f"vote_{key(members[1])}": "against",
            f"vote_{key(members[2])}": "abstain",
        },
    )
    assert response.status_code == 302
    assert sorted(Vote.objects.values_list("choice", flat=True)) == ["abstain", "against", "for"]
    # The member who voted shows their vote, not a choice.
    assert page(client, all_present).count('type="radio"') == 3  # the fourth member only
    before = snapshot()
    response = client.post(
        url, {f"vote_{key(members[3])}": "for", f"vote_{key(members[0])}": "against"}, **EN
    )
    assert response.status_code == 409
    with translation.override("en"):
        expected = f"“{members[0]}” has already voted on this decision."
    assert expected in response.content.decode()
    assert snapshot() == before  # the fourth member's vote was not kept either


def test_a_clerk_votes_for_their_own_village_only(client_for, clerk, auditor, all_present, members):
    decision = services.add_decision(all_present, "建立联盟责任清单", actor=SYSTEM)
    client = client_for(clerk)
    assert page(client, all_present).count('type="radio"') == 3  # their own row only
    url = f"/alliances/decisions/{decision.pk}/votes/"
    before = snapshot()
    assert client.post(url, {f"vote_{key(members[1])}": "for"}).status_code == 403
    assert client_for(auditor).post(url, {f"vote_{key(members[0])}": "for"}).status_code == 403
    assert snapshot() == before
    client = client_for(clerk)
    assert client.post(url, {f"vote_{key(members[0])}": "for"}).status_code == 302
    assert Vote.objects.get().village == members[0]


def test_closing_shows_the_result_and_freezes_the_decision(client_for, admin, all_present, members):
    decision = services.add_decision(all_present, "建立联盟责任清单", actor=SYSTEM)
    services.cast_votes(decision, [(m, "for") for m in members[:3]], actor=admin)
    client = client_for(admin)
    response = client.post(f"/alliances/decisions/{decision.pk}/close/")
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.status, decision.result, decision.votes_for) == ("closed", "passed", 3)
    body = page(client, all_present)
    assert 'data-testid="result"' in body
    assert 'data-testid="vote-form"' not in body
    assert 'data-testid="close-decision"' not in body
    assert 'data-testid="duty-form"' in body
    before = snapshot()
    assert client.post(f"/alliances/decisions/{decision.pk}/close/").status_code == 409
    response = client.post(
        f"/alliances/decisions/{decision.pk}/votes/", {f"vote_{key(members[3])}": "for"}, **EN
    )
    assert response.status_code == 409
    assert "Voting on this decision is closed." in response.content.decode()
    assert snapshot() == before


def _duty_rows(decision, rows):
    prefix = f"duties-{decision.pk}"
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{name}": value for name, value in row.items()})
    return data


def test_duties_created_from_the_decision_point_to_it(client_for, admin, passed_decision, members):
    data = _duty_rows(
        passed_decision,
        [
            {
                "title": "编制联盟责任清单",
                "owner": key(members[0]),
                "owner_name": "徐书记",
                "due_on": "2022-06-30",
            },
            {"title": "飞地项目收益测算", "owner": key(members[3]), "due_on": "2022-09-30"},
            {"title": "", "owner": "", "owner_name": "", "due_on": ""},  # blank: ignored
        ],
    )
    response = client_for(admin).post(f"/alliances/decisions/{passed_decision.pk}/duties/", data)
    assert response.status_code == 302
    duties = list(Duty.objects.order_by("pk"))
    assert [d.decision for d in duties] == [passed_decision, passed_decision]
    assert (duties[0].owner_village, duties[0].owner_name, duties[0].due_on) == (
        members[0],
        "徐书记",
        D("2022-06-30"),
    )
    assert duties[1].owner_organisation == members[3]
    assert {d.alliance_id for d in duties} == {passed_decision.meeting.alliance_id}
    body = page(client_for(admin), passed_decision.meeting)
    assert "编制联盟责任清单" in body
    assert f"/alliances/duties/{duties[0].pk}/" in body


def test_duties_are_all_or_nothing_and_only_from_a_passed_decision(
    client_for, admin, clerk, all_present, passed_decision, members
):
    client = client_for(admin)
    url = f"/alliances/decisions/{passed_decision.pk}/duties/"
    open_decision = services.add_decision(all_present, "尚未表决", actor=SYSTEM)
    before = snapshot()
    bad = _duty_rows(
        passed_decision,
        [
            {"title": "编制联盟责任清单", "owner": key(members[0]), "due_on": "2022-06-30"},
            {"title": "没有期限", "owner": key(members[1]), "due_on": ""},
        ],
    )
    assert client.post(url, bad).status_code == 400
    good = _duty_rows(
        passed_decision,
        [{"title": "编制联盟责任清单", "owner": key(members[0]), "due_on": "2022-06-30"}],
    )
    assert client_for(clerk).post(url, good).status_code == 403
    response = client_for(admin).post(
        f"/alliances/decisions/{open_decision.pk}/duties/",
        _duty_rows(
            open_decision,
            [{"title": "事项", "owner": key(members[0]), "due_on": "2022-06-30"}],
        ),
    )
    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("who", ["clerk", "auditor", None])
def test_every_meeting_endpoint_refuses_others(request, client_for, who, all_present, members):
    decision = services.add_decision(all_present, "决议", actor=SYSTEM)
    user = request.getfixturevalue(who) if who else None
    client = client_for(user)
    base = f"/alliances/meetings/{all_present.pk}"
    posts = [
        (f"{base}/agenda/", {"title": "议程"}),
        (f"{base}/attendance/", {f"status_{key(members[0])}": "absent"}),
        (f"{base}/minutes/", {"text": "纪要"}),
        (f"{base}/decisions/", {"text": "决议", "rule": "simple_present"}),
        (f"/alliances/decisions/{decision.pk}/votes/", {f"vote_{key(members[1])}": "for"}),
        (f"/alliances/decisions/{decision.pk}/close/", {}),
        (
            f"/alliances/decisions/{decision.pk}/duties/",
            _duty_rows(
                decision, [{"title": "事项", "owner": key(members[0]), "due_on": "2022-06-30"}]
            ),
        ),
    ]
    before = snapshot()
    for url, data in posts:
        response = client.post(url, data)
        if user is None:
            assert response.status_code == 302, url
            assert "/login" in response["Location"], url
        else:
            assert response.status_code == 403, url
    assert snapshot() == before


# --- Query counts ------------------------------------------------------------------------------


def _grow(meeting, alliance, admin, count):
    """More members (present), agenda items, decisions with votes and duties."""
    extra = []
    for n in range(count):
        org = Organisation.objects.create(
            name=f"强村公司{n}", kind=OrganisationKind.JOINT_INVESTMENT, region_id="330482"
        )
        services.join(alliance, org, "member", D("2022-01-01"), actor=SYSTEM)
        services.record_attendance(meeting, org, "present", actor=SYSTEM, attendee=f"代表{n}")
        extra.append(org)
    for n in range(count):
        item = services.add_agenda_item(meeting, f"议程{n}", actor=SYSTEM)
        decision = services.add_decision(meeting, f"决议{n}", actor=SYSTEM, agenda_item=item)
        services.cast_votes(decision, [(org, "for") for org in extra], actor=SYSTEM)
        if n % 2:
            services.close_decision(decision, actor=SYSTEM)
            services.create_duties_from_decision(
                decision,
                [{"title": f"事项{n}", "owner": extra[0], "due_on": D("2022-12-31")}],
                actor=SYSTEM,
            )


def test_the_meeting_page_runs_a_fixed_number_of_queries(
    client_for, admin, passed_decision, alliance, django_assert_num_queries
):
    meeting = passed_decision.meeting
    client = client_for(admin)
    url = f"/alliances/meetings/{meeting.pk}/"
    client.get(url)
    with django_assert_num_queries(11) as small:
        response = client.get(url)
    assert 'data-testid="attendance-form"' in response.content.decode()
    _grow(meeting, alliance, admin, 8)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    body = response.content.decode()
    assert response.context["quorum"]["members"] == 12
    assert body.count('data-testid="vote-form"') == 4
    assert body.count('data-testid="duty-form"') == 5


# --- Django admin ------------------------------------------------------------------------------


def test_the_admin_lists_governance_and_never_overwrites_history(
    client_for, admin, signed_off, members
):
    root = User.objects.create_superuser("root", password="pw-root")
    client = client_for(root)
    for model in (
        "meetingseries",
        "meeting",
        "attendance",
        "minutes",
        "decision",
        "vote",
        "duty",
        "dutyupdate",
        "dutyevidence",
    ):
        assert client.get(f"/admin/alliances/{model}/").status_code == 200, model
    minutes = Minutes.objects.get()
    body = client.get(f"/admin/alliances/minutes/{minutes.pk}/change/").content.decode()
    assert 'name="text"' not in body  # shown, not editable
    before = snapshot()
    response = client.post(f"/admin/alliances/minutes/{minutes.pk}/change/", {"text": "改写的纪要"})
    assert response.status_code == 403
    response = client.post(f"/admin/alliances/meeting/{signed_off.pk}/change/", {"title": "改名"})
    assert response.status_code == 403
    attendance = Attendance.objects.first()
    response = client.post(
        f"/admin/alliances/attendance/{attendance.pk}/change/", {"status": "absent"}
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_the_admin_refuses_closed_decisions_votes_and_progress(client_for, passed_decision):
    duty = services.create_duty(
        passed_decision.meeting.alliance,
        "编制清单",
        passed_decision.votes.first().village,
        D("2022-06-30"),
        actor=SYSTEM,
        decision=passed_decision,
    )
    update = services.add_duty_update(
        duty, "in_progress", 30, "进行中", actor=SYSTEM, on=D("2022-04-01")
    )
    root = User.objects.create_superuser("root", password="pw-root")
    client = client_for(root)
    before = snapshot()
    vote = passed_decision.votes.first()
    for url, data in [
        (f"/admin/alliances/decision/{passed_decision.pk}/change/", {"text": "改写"}),
        (f"/admin/alliances/decision/{passed_decision.pk}/delete/", {"post": "yes"}),
        (f"/admin/alliances/vote/{vote.pk}/change/", {"choice": "against"}),
        (f"/admin/alliances/vote/{vote.pk}/delete/", {"post": "yes"}),
        (f"/admin/alliances/dutyupdate/{update.pk}/change/", {"percent": "90"}),
        (f"/admin/alliances/dutyupdate/{update.pk}/delete/", {"post": "yes"}),
        ("/admin/alliances/dutyupdate/add/", {"duty": duty.pk, "percent": "90"}),
        ("/admin/alliances/vote/add/", {"decision": passed_decision.pk, "choice": "for"}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert snapshot() == before
    assert DutyUpdate.objects.get().percent == 30
