"""The meetings, decisions and duties API: admins write meetings; clerks vote for and
report on their own village only; frozen records answer 409; lists have fixed queries."""

import json

import pytest

from alliances import services
from alliances.models import Decision, Duty, DutyEvidence, DutyUpdate, Meeting, Minutes, Vote
from alliances.tests.conftest import D
from core.actors import SYSTEM
from tests.support import make_user

API = "/api/v1/"


@pytest.fixture
def call(client_for):
    def _call(user, method, url, body=None):
        client = client_for(user)
        kwargs = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(f"{API}{url}", **kwargs)

    return _call


@pytest.fixture
def duty(passed_decision, members):
    return services.create_duties_from_decision(
        passed_decision,
        [{"title": "提交清单", "owner": members[0], "due_on": D("2022-06-30")}],
        actor=SYSTEM,
    )[0]


def test_an_admin_runs_a_meeting_end_to_end(call, admin, alliance, members, clerk):
    response = call(
        admin,
        "post",
        "meetings/",
        {
            "alliance": alliance.pk,
            "kind": "joint",
            "title": "联席会议",
            "starts_at": "2022-02-18T09:00:00+08:00",
            "quorum_rule": "majority",
        },
    )
    assert response.status_code == 201, response.json()
    meeting = response.json()["id"]
    for member in members[:3]:
        body = {"meeting": meeting, "village": member.pk, "status": "present"}
        assert call(admin, "post", "attendance/", body).status_code == 201
    assert call(admin, "get", f"meetings/{meeting}/quorum/").json() == {
        "members": 4,
        "present": 3,
        "needed": 3,
        "met": True,
    }
    decision = call(
        admin,
        "post",
        "decisions/",
        {
            "meeting": meeting,
            "text": "建立责任清单",
            "rule": "two_thirds_present",
        },
    ).json()["id"]
    for member, choice in zip(members[:3], ["for", "for", "against"], strict=True):
        response = call(
            admin,
            "post",
            f"decisions/{decision}/vote/",
            {
                "village": member.pk,
                "choice": choice,
            },
        )
        assert response.status_code == 201, response.json()
    response = call(admin, "post", f"decisions/{decision}/close/")
    assert response.json()["result"] == "passed"
    response = call(
        admin,
        "post",
        f"decisions/{decision}/duties/",
        [
            {"title": "提交清单", "owner_village": members[0].pk, "due_on": "2022-03-31"},
        ],
    )
    assert response.status_code == 201, response.json()
    assert Duty.objects.get().decision_id == decision
    minutes = call(admin, "post", "minutes/", {"meeting": meeting, "text": "纪要"}).json()["id"]
    other = make_user("secretary", "city_admin")
    assert call(admin, "post", f"minutes/{minutes}/sign-off/").status_code == 403
    assert call(other, "post", f"minutes/{minutes}/sign-off/").status_code == 200
    response = call(admin, "patch", f"minutes/{minutes}/", {"text": "改"})
    assert response.status_code == 409
    assert Minutes.objects.get().text == "纪要"


def test_voting_twice_answers_409_and_nothing_changes(call, admin, all_present, members):
    decision = services.add_decision(all_present, "决定", actor=SYSTEM)
    body = {"village": members[0].pk, "choice": "for"}
    assert call(admin, "post", f"decisions/{decision.pk}/vote/", body).status_code == 201
    response = call(admin, "post", f"decisions/{decision.pk}/vote/", {**body, "choice": "against"})
    assert response.status_code == 409
    assert "already voted" in str(response.json()["error"]["detail"])
    assert list(Vote.objects.values_list("choice", flat=True)) == ["for"]


def test_a_clerk_votes_for_their_own_village_only(call, clerk, all_present, members):
    decision = services.add_decision(all_present, "决定", actor=SYSTEM)
    url = f"decisions/{decision.pk}/vote/"
    assert call(clerk, "post", url, {"village": members[0].pk, "choice": "for"}).status_code == 201
    response = call(clerk, "post", url, {"village": members[1].pk, "choice": "for"})
    assert response.status_code == 403
    assert Vote.objects.count() == 1


def test_a_clerk_cannot_write_meetings_or_close_decisions(call, clerk, alliance, all_present):
    response = call(
        clerk,
        "post",
        "meetings/",
        {
            "alliance": alliance.pk,
            "kind": "joint",
            "title": "x",
            "starts_at": "2022-02-18T09:00:00+08:00",
        },
    )
    assert response.status_code == 403
    decision = services.add_decision(all_present, "决定", actor=SYSTEM)
    assert call(clerk, "post", f"decisions/{decision.pk}/close/").status_code in (403, 404)
    assert Meeting.objects.count() == 1
    assert Decision.objects.get().status == "open"


def test_a_clerk_reports_progress_on_their_own_duty(call, clerk, duty):
    response = call(
        clerk,
        "post",
        f"duties/{duty.pk}/updates/",
        {
            "status": "in_progress",
            "percent": 30,
            "on": "2022-05-01",
            "note": "进行中",
        },
    )
    assert response.status_code == 201, response.json()
    history = call(clerk, "get", f"duties/{duty.pk}/updates/").json()
    assert [(u["status"], u["percent"]) for u in history] == [("in_progress", 30)]
    body = call(clerk, "get", f"duties/{duty.pk}/").json()
    assert (body["status"], body["percent"], body["overdue"]) == ("in_progress", 30, True)


def test_a_clerk_cannot_update_another_villages_duty(call, other_clerk, duty):
    response = call(
        other_clerk,
        "post",
        f"duties/{duty.pk}/updates/",
        {
            "status": "done",
            "on": "2022-05-01",
        },
    )
    assert response.status_code == 404
    assert not DutyUpdate.objects.exists()
    assert Duty.objects.get().status == "planned"


def test_a_clerk_cannot_create_or_verify_duties(call, clerk, alliance, members, duty):
    response = call(
        clerk,
        "post",
        "duties/",
        {
            "alliance": alliance.pk,
            "title": "自派任务",
            "owner_village": members[0].pk,
            "due_on": "2022-06-30",
        },
    )
    assert response.status_code == 403
    services.add_duty_update(duty, "done", None, "", actor=SYSTEM, on=D("2022-06-01"))
    assert call(clerk, "post", f"duties/{duty.pk}/verify/", {}).status_code == 403
    assert Duty.objects.count() == 1
    assert Duty.objects.get().status == "done"


def test_duties_filter_by_overdue_and_owner(call, clerk, passed_decision, members):
    services.create_duties_from_decision(
        passed_decision,
        [
            {"title": "逾期", "owner": members[0], "due_on": D("2022-06-30")},
            {"title": "未来", "owner": members[1], "due_on": D("2999-06-30")},
        ],
        actor=SYSTEM,
    )
    titles = [d["title"] for d in call(clerk, "get", "duties/?overdue=true").json()["results"]]
    assert titles == ["逾期"]
    titles = [d["title"] for d in call(clerk, "get", "duties/?overdue=false").json()["results"]]
    assert titles == ["未来"]
    response = call(clerk, "get", f"duties/?owner_village={members[1].pk}")
    assert [d["title"] for d in response.json()["results"]] == ["未来"]


def test_evidence_is_uploaded_by_the_owner(client_for, clerk, duty):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(clerk)
    response = client.post(
        f"{API}duties/{duty.pk}/evidence/",
        {"file": SimpleUploadedFile("表.pdf", b"%PDF"), "title": "签到表"},
    )
    assert response.status_code == 201, response.json()
    evidence = DutyEvidence.objects.get()
    body = response.json()
    assert "file" not in body  # upload-only: the file is read at its scoped download link
    assert body["download"] == f"http://testserver/alliances/evidence/{evidence.token}/"
    listed = client.get(f"{API}duties/{duty.pk}/evidence/").json()
    assert [(e["title"], e["download"]) for e in listed] == [("签到表", body["download"])]
    download = client.get(body["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF"


@pytest.mark.parametrize(("path", "queries"), [("duties/", 4), ("votes/", 4), ("decisions/", 4)])
def test_lists_run_a_fixed_number_of_queries(
    path, queries, client_for, clerk, passed_decision, members, django_assert_num_queries
):
    client = client_for(clerk)
    services.create_duties_from_decision(
        passed_decision,
        [{"title": "一", "owner": members[0], "due_on": D("2022-06-30")}],
        actor=SYSTEM,
    )
    client.get(f"{API}{path}")
    with django_assert_num_queries(queries):
        client.get(f"{API}{path}")
    for n in range(3):
        decision = services.add_decision(
            passed_decision.meeting, f"决定{n}", "simple_cast", actor=SYSTEM
        )
        services.cast_vote(decision, members[1], "for", actor=SYSTEM)
        services.close_decision(decision, actor=SYSTEM)
        services.create_duties_from_decision(
            decision,
            [{"title": f"事项{n}", "owner": members[1], "due_on": D("2022-06-30")}],
            actor=SYSTEM,
        )
    with django_assert_num_queries(queries):
        assert client.get(f"{API}{path}").status_code == 200
