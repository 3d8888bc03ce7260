"""The alliances pages: content, fixed query counts, the clerk's progress form and the
refused cases (another village's duty, sign-off by the author or a clerk)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alliances import services
from alliances.models import Duty, DutyEvidence, DutyUpdate, Membership, Minutes
from alliances.tests.conftest import D
from core.actors import SYSTEM
from tests.support import make_user


def _duties(decision, owner, count, start=0):
    return services.create_duties_from_decision(
        decision,
        [
            {"title": f"责任事项{start + n}", "owner": owner, "due_on": D("2022-06-30")}
            for n in range(count)
        ],
        actor=SYSTEM,
    )


@pytest.fixture
def duty(passed_decision, members):
    return _duties(passed_decision, members[0], 1)[0]


def test_alliance_list_and_page(client_for, clerk, passed_decision, members):
    _duties(passed_decision, members[0], 2)
    client = client_for(clerk)
    response = client.get("/alliances/")
    assert response.status_code == 200
    assert "金平湖“抱团富”联盟" in response.content.decode()
    alliance = passed_decision.meeting.alliance
    page = client.get(f"/alliances/{alliance.pk}/").content.decode()
    assert "第一季度圆桌会" in page
    assert "责任事项1" in page
    assert 'data-testid="overdue-duties">2<' in page
    assert "山塘村" in page


def test_alliance_page_runs_a_fixed_number_of_queries(
    client_for, clerk, passed_decision, members, django_assert_num_queries
):
    client = client_for(clerk)
    url = f"/alliances/{passed_decision.meeting.alliance_id}/"
    _duties(passed_decision, members[0], 2)
    client.get(url)
    with django_assert_num_queries(12) as small:
        client.get(url)
    _duties(passed_decision, members[1], 30, start=10)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_duty_board_filters_and_runs_a_fixed_number_of_queries(
    client_for, clerk, passed_decision, members, django_assert_num_queries
):
    client = client_for(clerk)
    url = f"/alliances/{passed_decision.meeting.alliance_id}/duties/"
    first = _duties(passed_decision, members[0], 3)
    services.add_duty_update(first[0], "done", None, "", actor=clerk, on=D("2022-06-01"))
    with django_assert_num_queries(7) as small:
        response = client.get(url, {"owner": f"v{members[0].pk}", "overdue": "on"})
    body = response.content.decode()
    assert "2 duties" in body or "2 项" in body
    assert "责任事项0" not in body
    _duties(passed_decision, members[1], 80, start=10)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url, {"status": "open"})
    assert response.context["page"].paginator.count == 82
    assert len(response.context["page"].object_list) == 50


def test_meeting_page_shows_quorum_votes_and_minutes(client_for, admin, passed_decision):
    services.write_minutes(passed_decision.meeting, "会议纪要正文", actor=admin)
    body = client_for(admin).get(f"/alliances/meetings/{passed_decision.meeting_id}/")
    text = body.content.decode()
    assert body.status_code == 200
    assert "建立联盟责任清单" in text
    assert "会议纪要正文" in text
    assert 'data-testid="sign-off"' not in text  # the author does not sign off


def test_another_admin_signs_off_the_minutes_on_the_page(client_for, admin, passed_decision):
    services.write_minutes(passed_decision.meeting, "会议纪要正文", actor=admin)
    other = make_user("secretary", "city_admin")
    client = client_for(other)
    url = f"/alliances/meetings/{passed_decision.meeting_id}/"
    assert 'data-testid="sign-off"' in client.get(url).content.decode()
    response = client.post(f"{url}sign-off/")
    assert response.status_code == 302
    assert Minutes.objects.get().signed_off_by == other


def test_the_author_and_a_clerk_cannot_sign_off(client_for, admin, clerk, passed_decision):
    services.write_minutes(passed_decision.meeting, "会议纪要正文", actor=admin)
    url = f"/alliances/meetings/{passed_decision.meeting_id}/sign-off/"
    assert client_for(clerk).post(url).status_code == 403
    client_for(admin).post(url)
    assert not Minutes.objects.get().is_signed_off


def test_a_clerk_reports_progress_on_their_own_duty(client_for, clerk, duty):
    client = client_for(clerk)
    page = client.get(f"/alliances/duties/{duty.pk}/").content.decode()
    assert 'data-testid="update-form"' in page
    response = client.post(
        f"/alliances/duties/{duty.pk}/update/",
        {"status": "in_progress", "percent": "40", "note": "进行中", "on": "2022-05-01"},
    )
    assert response.status_code == 302
    duty.refresh_from_db()
    assert (duty.status, duty.percent) == ("in_progress", 40)
    response = client.post(
        f"/alliances/duties/{duty.pk}/update/",
        {"status": "done", "percent": "80", "on": "2022-05-02"},
    )
    assert response.status_code == 400
    assert DutyUpdate.objects.count() == 1


def test_a_clerk_cannot_update_another_villages_duty_on_the_page(client_for, other_clerk, duty):
    client = client_for(other_clerk)
    page = client.get(f"/alliances/duties/{duty.pk}/").content.decode()
    assert 'data-testid="update-form"' not in page
    response = client.post(
        f"/alliances/duties/{duty.pk}/update/", {"status": "done", "on": "2022-05-01"}
    )
    assert response.status_code == 403
    response = client.post(
        f"/alliances/duties/{duty.pk}/evidence/",
        {"file": SimpleUploadedFile("a.pdf", b"%PDF")},
    )
    assert response.status_code == 403
    assert client.post(f"/alliances/duties/{duty.pk}/verify/").status_code == 403
    duty.refresh_from_db()
    assert duty.status == "planned"
    assert not DutyUpdate.objects.exists()
    assert not DutyEvidence.objects.exists()


def test_evidence_upload_and_download(client_for, clerk, duty):
    client = client_for(clerk)
    response = client.post(
        f"/alliances/duties/{duty.pk}/evidence/",
        {"file": SimpleUploadedFile("记录.pdf", b"%PDF-1.4"), "title": "签到表"},
    )
    assert response.status_code == 302
    evidence = DutyEvidence.objects.get()
    download = client.get(f"/alliances/evidence/{evidence.token}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4"
    assert "private" in download["Cache-Control"]
    assert client_for(None).get(f"/alliances/evidence/{evidence.token}/").status_code == 302


def test_an_admin_verifies_on_the_page(client_for, clerk, admin, duty):
    services.add_duty_update(duty, "done", None, "", actor=clerk, on=D("2022-06-01"))
    client = client_for(admin)
    assert 'data-testid="verify"' in client.get(f"/alliances/duties/{duty.pk}/").content.decode()
    client.post(f"/alliances/duties/{duty.pk}/verify/")
    assert Duty.objects.get().status == "verified"


def test_home_shows_the_clerks_own_duties_due_or_overdue(
    client_for, clerk, passed_decision, members, django_assert_num_queries
):
    _duties(passed_decision, members[0], 1)
    _duties(passed_decision, members[1], 1, start=5)  # another village's
    client = client_for(clerk)
    response = client.get("/")
    body = response.content.decode()
    assert 'data-testid="my-duties"' in body
    assert "责任事项0" in body
    assert "责任事项5" not in body
    # Session, user, grants, the home card's coverage (villages, years), the clerk's own
    # village's report for the to-do list, the region count, and the duties (count, page).
    with django_assert_num_queries(9):
        client.get("/")
    _duties(passed_decision, members[0], 20, start=20)
    with django_assert_num_queries(9):
        response = client.get("/")
    assert response.context["duty_total"] == 21
    assert len(response.context["duties"]) == 10


def test_alliance_list_counts_with_one_subquery_each(
    client_for, admin, alliance, members, tree, django_assert_num_queries
):
    """Counts over joins would multiply members × meetings × duties (seconds for one
    active alliance): each count is its own subquery, and the page's queries are fixed."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from alliances.models import Meeting
    from registry.models import Village

    membership = Membership.objects.get(alliance=alliance, village=members[1])
    services.leave(membership, D("2022-06-30"), actor=SYSTEM)
    client = client_for(admin)

    def grow(start, count):
        villages = Village.objects.bulk_create(
            Village(
                code=f"330482107{i:03d}",
                name=f"村{i}",
                short_name=f"村{i}",
                kind="village",
                township_id="330482107",
                county_id="330482",
            )
            for i in range(start, start + count)
        )
        Membership.objects.bulk_create(
            Membership(alliance=alliance, village=v, joined_on=D("2020-01-01")) for v in villages
        )
        tz = ZoneInfo("Asia/Shanghai")
        Meeting.objects.bulk_create(
            Meeting(
                alliance=alliance,
                kind="roundtable",
                title=f"会{start}-{i}",
                starts_at=datetime(2022, 1, 1, tzinfo=tz),
            )
            for i in range(count * 3)
        )
        Duty.objects.bulk_create(
            Duty(
                alliance=alliance,
                title=f"事{start}-{i}",
                owner_village=villages[i % count],
                due_on=D("2023-01-01"),
                status="done" if i % 4 == 0 else "planned",
                done_on=D("2022-12-01") if i % 4 == 0 else None,
            )
            for i in range(count * 8)
        )

    grow(300, 2)
    with django_assert_num_queries(4) as small:
        response = client.get("/alliances/")
    row = list(response.context["alliances"])[0]
    # 3 current founding members (one left) + 2; 6 meetings; 12 of 16 duties open.
    assert (row.member_count, row.meeting_count, row.open_duty_count) == (5, 6, 12)
    grow(400, 40)  # 42 members × 126 meetings × 336 duties: 1.8 million joined rows
    with django_assert_num_queries(len(small.captured_queries)) as large:
        response = client.get("/alliances/")
    row = list(response.context["alliances"])[0]
    assert (row.member_count, row.meeting_count, row.open_duty_count) == (45, 126, 252)
    listing = next(q["sql"] for q in large.captured_queries if "alliances_alliance" in q["sql"])
    assert " JOIN " not in listing.upper()
    assert "DISTINCT" not in listing.upper()


def test_consortium_member_counts_are_current_members(
    client_for, clerk, alliance, consortium, tree
):
    for name in ("徐家埭村", "山塘村", "峰山村"):
        services.join(consortium, tree[name], "member", D("2022-01-01"), actor=SYSTEM)
    gone = Membership.objects.get(consortium=consortium, village=tree["峰山村"])
    services.leave(gone, D("2022-06-30"), actor=SYSTEM)
    response = client_for(clerk).get(f"/alliances/{alliance.pk}/")
    (row,) = response.context["consortia"]
    assert row.member_count == 2
