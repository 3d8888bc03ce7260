"""A meeting whose minutes are signed off is frozen with them (API, model, queryset and
database), its agenda too (nothing moves in or out), and the four-eyes rule counts whoever
amended the minutes as one of their writers."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from alliances import services
from alliances.exceptions import FrozenError, NotAllowed
from alliances.models import AgendaItem, Meeting, Minutes
from alliances.tests.conftest import D
from core.actors import SYSTEM
from core.roles import Role
from tests.support import make_user

API = "/api/v1/"
TZ = ZoneInfo("Asia/Shanghai")


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
def admin2(db):
    return make_user("admin2", Role.CITY_ADMIN)


@pytest.fixture
def frozen(meeting, admin, admin2):
    """The fixture meeting with one agenda item and minutes signed off."""
    services.add_agenda_item(meeting, "议程一", actor=admin)
    services.sign_off_minutes(services.write_minutes(meeting, "纪要", actor=admin), actor=admin2)
    return meeting


@pytest.fixture
def other_meeting(alliance):
    return Meeting.objects.create(
        alliance=alliance,
        kind="roundtable",
        title="另一次会",
        starts_at=datetime(2022, 6, 1, 14, tzinfo=TZ),
    )


def _row(meeting):
    return Meeting.objects.filter(pk=meeting.pk).values().get()


# --- 1. the meeting itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"title": "改写"},
        {"starts_at": "2021-01-01T09:00:00+08:00"},
        {"quorum_rule": "two_thirds"},
    ],
)
def test_a_frozen_meeting_refuses_patch_with_409(call, admin, frozen, body):
    before = _row(frozen)
    response = call(admin, "patch", f"meetings/{frozen.pk}/", body)
    assert response.status_code == 409, response.content
    assert _row(frozen) == before


def test_a_frozen_meeting_refuses_put_and_delete_with_409(call, admin, frozen, alliance):
    before = _row(frozen)
    body = {
        "alliance": alliance.pk,
        "kind": "joint",
        "title": "改写",
        "starts_at": "2021-01-01T09:00:00+08:00",
        "quorum_rule": "two_thirds",
    }
    assert call(admin, "put", f"meetings/{frozen.pk}/", body).status_code == 409
    assert call(admin, "delete", f"meetings/{frozen.pk}/").status_code == 409
    assert _row(frozen) == before


def test_an_open_meeting_can_still_be_patched(call, admin, meeting):
    response = call(admin, "patch", f"meetings/{meeting.pk}/", {"title": "改名"})
    assert response.status_code == 200, response.content
    meeting.refresh_from_db()
    assert meeting.title == "改名"


def test_the_model_and_queryset_refuse_changes_of_a_frozen_meeting(frozen):
    stale = Meeting.objects.get(pk=frozen.pk)
    stale.quorum_rule = "two_thirds"
    with pytest.raises(FrozenError):
        stale.save()
    with pytest.raises(FrozenError):
        stale.delete()
    with pytest.raises(FrozenError):
        Meeting.objects.filter(pk=frozen.pk).update(quorum_rule="two_thirds")
    with pytest.raises(FrozenError):
        Meeting.objects.filter(pk=frozen.pk).delete()
    assert Meeting.objects.get(pk=frozen.pk).quorum_rule == "majority"


def test_the_database_refuses_an_update_of_a_frozen_meeting(frozen, other_meeting):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE alliances_meeting SET quorum_rule = 'two_thirds' WHERE id = %s", [frozen.pk]
        )
    assert Meeting.objects.get(pk=frozen.pk).quorum_rule == "majority"
    # An open meeting is not concerned.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE alliances_meeting SET title = 'x' WHERE id = %s", [other_meeting.pk])
    assert Meeting.objects.get(pk=other_meeting.pk).title == "x"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_deletes_in_a_frozen_meeting(frozen):
    # SQLite refuses updates only (its test flush is DELETE FROM; the models refuse deletes).
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM alliances_agendaitem WHERE meeting_id = %s", [frozen.pk])
    assert AgendaItem.objects.filter(meeting=frozen).count() == 1


# --- 2. its agenda -------------------------------------------------------------------------


def test_an_agenda_item_cannot_be_moved_into_a_frozen_meeting(call, admin, frozen, other_meeting):
    item = services.add_agenda_item(other_meeting, "待移入", actor=admin)
    response = call(
        admin, "patch", f"agenda-items/{item.pk}/", {"meeting": frozen.pk, "title": "注入"}
    )
    assert response.status_code == 409, response.content
    item.refresh_from_db()
    assert (item.meeting_id, item.title) == (other_meeting.pk, "待移入")
    assert list(AgendaItem.objects.filter(meeting=frozen).values_list("title", flat=True)) == [
        "议程一"
    ]


def test_an_agenda_item_cannot_be_moved_out_of_a_frozen_meeting(call, admin, frozen, other_meeting):
    item = AgendaItem.objects.get(meeting=frozen)
    response = call(admin, "patch", f"agenda-items/{item.pk}/", {"meeting": other_meeting.pk})
    assert response.status_code == 409
    assert AgendaItem.objects.get(pk=item.pk).meeting_id == frozen.pk


def test_an_agenda_item_can_move_between_open_meetings(call, admin, meeting, other_meeting):
    item = services.add_agenda_item(other_meeting, "可移动", actor=admin)
    response = call(admin, "patch", f"agenda-items/{item.pk}/", {"meeting": meeting.pk})
    assert response.status_code == 200, response.content
    assert AgendaItem.objects.get(pk=item.pk).meeting_id == meeting.pk


def test_the_model_and_database_keep_a_frozen_agenda(frozen, other_meeting):
    moved = services.add_agenda_item(other_meeting, "待移入", actor=SYSTEM)
    moved.meeting = frozen
    with pytest.raises(FrozenError):
        moved.save()
    with pytest.raises(FrozenError):
        AgendaItem(meeting=frozen, title="新增").save()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE alliances_agendaitem SET meeting_id = %s WHERE id = %s",
            [frozen.pk, moved.pk],
        )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO alliances_agendaitem (meeting_id, "order", title, description) '
            "VALUES (%s, 9, 'x', '')",
            [frozen.pk],
        )
    assert AgendaItem.objects.filter(meeting=frozen).count() == 1


# --- 3. four eyes over amended minutes -----------------------------------------------------


def test_whoever_amended_the_minutes_cannot_sign_them_off(meeting, admin, admin2):
    admin3 = make_user("admin3", Role.CITY_ADMIN)
    minutes = services.write_minutes(meeting, "草稿", actor=admin)
    services.write_minutes(meeting, "admin2 重写的纪要", actor=admin2)
    with pytest.raises(NotAllowed):
        services.sign_off_minutes(minutes, actor=admin2)
    minutes.refresh_from_db()
    assert (minutes.author_id, minutes.amended_by_id) == (admin.pk, admin2.pk)
    assert not minutes.is_signed_off
    # Nor after the author amended it again (admin2's earlier edit is in the change log).
    services.write_minutes(meeting, "admin 再改", actor=admin)
    with pytest.raises(NotAllowed):
        services.sign_off_minutes(minutes, actor=admin2)
    with pytest.raises(NotAllowed):
        services.sign_off_minutes(minutes, actor=admin)
    # A third person, who wrote none of it, signs off.
    services.sign_off_minutes(minutes, actor=admin3)
    minutes.refresh_from_db()
    assert minutes.signed_off_by_id == admin3.pk


def test_the_api_refuses_sign_off_by_the_amender(call, meeting, admin, admin2):
    minutes = services.write_minutes(meeting, "草稿", actor=admin)
    response = call(admin2, "patch", f"minutes/{minutes.pk}/", {"text": "改写"})
    assert response.status_code == 200, response.content
    assert call(admin2, "post", f"minutes/{minutes.pk}/sign-off/").status_code == 403
    assert not Minutes.objects.get(pk=minutes.pk).is_signed_off


def test_the_database_refuses_sign_off_by_the_last_amender(meeting, admin, admin2):
    minutes = services.write_minutes(meeting, "草稿", actor=admin)
    services.write_minutes(meeting, "改写", actor=admin2)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE alliances_minutes SET signed_off_by_id = %s, signed_off_at = %s WHERE id = %s",
            [admin2.pk, datetime(2022, 4, 1, tzinfo=TZ), minutes.pk],
        )
    assert not Minutes.objects.get(pk=minutes.pk).is_signed_off


# --- smaller ones: bounded series, a clear error for an impossible --today -------------------


def test_a_series_is_capped_at_100_meetings(alliance, admin, call):
    from alliances.models import MeetingSeries

    with pytest.raises(services.MeetingError):
        services.create_series(
            alliance, "roundtable", "月度会", D("2022-01-01"), 1, D("2999-12-31"), actor=admin
        )
    assert not MeetingSeries.objects.exists()
    body = {
        "alliance": alliance.pk,
        "kind": "roundtable",
        "title": "月度会",
        "first_on": "2022-01-01",
        "every_months": 1,
        "until": "9999-12-31",
    }
    response = call(admin, "post", "meeting-series/", body)
    assert response.status_code == 400
    assert "100" in response.json()["error"]["detail"]["until"][0]
    # 100 monthly meetings are allowed, 101 are not.
    series, created = services.create_series(
        alliance, "roundtable", "月度会", D("2022-01-01"), 1, D("2030-04-01"), actor=admin
    )
    assert len(created) == 100
    assert (
        call(admin, "patch", f"meeting-series/{series.pk}/", {"until": "2030-05-01"}).status_code
        == 400
    )
    series.until = D("2030-05-01")  # past the API, the scheduler still refuses
    series.save()
    assert call(admin, "post", f"meeting-series/{series.pk}/schedule/").status_code == 400
    assert Meeting.objects.filter(series=series).count() == 100


def test_the_series_form_refuses_a_runaway_end(client_for, admin, alliance):
    from alliances.models import MeetingSeries

    response = client_for(admin).post(
        f"/alliances/{alliance.pk}/series/new/",
        {
            "kind": "roundtable",
            "title": "月度会",
            "first_on": "2022-01-01",
            "every_months": "1",
            "until": "9999-12-31",
            "start_time": "14:00",
            "quorum_rule": "majority",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "at most 100 meetings" in " ".join(response.context["form"].errors["until"])
    assert not MeetingSeries.objects.exists()


def test_remind_refuses_an_impossible_day_with_a_clear_error(db):
    from django.core.management import CommandError, call_command
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(CommandError, match="日期"):
        call_command("remind", "--today", "2024-13-01")
