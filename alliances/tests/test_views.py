"""The alliances pages: content, fixed query counts, the clerk's progress form and the
refused cases (another village's duty, sign-off by the author or a clerk)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alliances import services
from alliances.models import Duty, DutyEvidence, DutyUpdate, Minutes
from alliances.tests.conftest import D
from conftest import make_user


def _duties(decision, owner, count, start=0):
    return services.create_duties_from_decision(
        decision,
        [
            {"title": f"责任事项{start + n}", "owner": owner, "due_on": D("2022-06-30")}
            for n in range(count)
        ],
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
    services.add_duty_update(first[0], "done", None, "", clerk, on=D("2022-06-01"))
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
    services.write_minutes(passed_decision.meeting, "会议纪要正文", admin)
    body = client_for(admin).get(f"/alliances/meetings/{passed_decision.meeting_id}/")
    text = body.content.decode()
    assert body.status_code == 200
    assert "建立联盟责任清单" in text
    assert "会议纪要正文" in text
    assert 'data-testid="sign-off"' not in text  # the author does not sign off


def test_another_admin_signs_off_the_minutes_on_the_page(client_for, admin, passed_decision):
    services.write_minutes(passed_decision.meeting, "会议纪要正文", admin)
    other = make_user("secretary", "city_admin")
    client = client_for(other)
    url = f"/alliances/meetings/{passed_decision.meeting_id}/"
    assert 'data-testid="sign-off"' in client.get(url).content.decode()
    response = client.post(f"{url}sign-off/")
    assert response.status_code == 302
    assert Minutes.objects.get().signed_off_by == other


def test_the_author_and_a_clerk_cannot_sign_off(client_for, admin, clerk, passed_decision):
    services.write_minutes(passed_decision.meeting, "会议纪要正文", admin)
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
    download = client.get(f"/alliances/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4"
    assert client_for(None).get(f"/alliances/evidence/{evidence.pk}/").status_code == 302


def test_an_admin_verifies_on_the_page(client_for, clerk, admin, duty):
    services.add_duty_update(duty, "done", None, "", clerk, on=D("2022-06-01"))
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
    with django_assert_num_queries(8):
        client.get("/")
    _duties(passed_decision, members[0], 20, start=20)
    with django_assert_num_queries(8):
        response = client.get("/")
    assert response.context["duty_total"] == 21
    assert len(response.context["duties"]) == 10
