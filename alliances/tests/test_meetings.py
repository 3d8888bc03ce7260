"""Meetings: series, attendance and quorum, minutes frozen on sign-off, decisions and votes,
with the refused cases (nothing changed)."""

from datetime import date

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import translation

from alliances import selectors, services
from alliances.models import Attendance, Decision, Meeting, MeetingSeries, Minutes, Vote
from alliances.tests.conftest import D
from core.actors import SYSTEM
from tests.support import make_user


def test_a_quarterly_series_is_scheduled_once(alliance, admin, clerk):
    series = MeetingSeries.objects.create(
        alliance=alliance,
        kind="roundtable",
        title="圆桌会",
        first_on=D("2022-03-25"),
        every_months=3,
        until=D("2022-12-31"),
    )
    with pytest.raises(services.NotAllowed):
        services.schedule_series(series, actor=clerk)
    assert not Meeting.objects.exists()
    created = services.schedule_series(series, actor=admin)
    assert [(m.sequence, m.day) for m in created] == [
        (1, date(2022, 3, 25)),
        (2, date(2022, 6, 25)),
        (3, date(2022, 9, 25)),
        (4, date(2022, 12, 25)),
    ]
    assert services.schedule_series(series, actor=admin) == []
    assert Meeting.objects.count() == 4
    series.until = D("2023-03-31")
    series.save()
    assert [m.sequence for m in services.schedule_series(series, actor=admin)] == [5]


def test_quorum_counts_present_and_delegated_members_on_the_day(meeting, members):
    assert selectors.quorum(meeting) == selectors.Quorum(4, 0, 3, False)
    services.record_attendance(meeting, members[0], "present", actor=SYSTEM)
    services.record_attendance(meeting, members[1], "delegated", actor=SYSTEM, attendee="副书记")
    services.record_attendance(meeting, members[2], "absent", actor=SYSTEM)
    assert selectors.quorum(meeting) == selectors.Quorum(4, 2, 3, False)
    services.record_attendance(
        meeting, members[2], "present", actor=SYSTEM
    )  # corrected, not duplicated
    assert selectors.quorum(meeting) == selectors.Quorum(4, 3, 3, True)
    assert Attendance.objects.filter(meeting=meeting).count() == 3


def test_a_member_who_left_before_the_meeting_is_not_counted(alliance, meeting, members):
    from alliances.models import Membership

    services.leave(Membership.objects.get(village=members[2]), D("2022-02-28"), actor=SYSTEM)
    assert selectors.quorum(meeting).members == 3
    with pytest.raises(services.MeetingError):
        services.record_attendance(meeting, members[2], "present", actor=SYSTEM)
    assert not Attendance.objects.exists()


def test_a_clerk_cannot_record_attendance(meeting, members, clerk):
    with pytest.raises(services.NotAllowed):
        services.record_attendance(meeting, members[0], "present", actor=clerk)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("rule", "votes", "result"),
    [
        ("simple_present", ["for", "for", "against", "abstain"], "rejected"),  # 2 of 4 present
        ("simple_cast", ["for", "for", "against", "abstain"], "passed"),
        ("simple_present", ["for", "for", "for", "against"], "passed"),
        ("two_thirds_present", ["for", "for", "for", "against"], "passed"),  # 3 >= 8/3
        ("two_thirds_present", ["for", "for", "against", "against"], "rejected"),
        ("majority_members", ["for", "for", "for"], "passed"),
    ],
)
def test_closing_computes_the_result_by_the_rule(rule, votes, result, all_present, members, admin):
    decision = services.add_decision(all_present, "共建共富学院", rule, actor=admin)
    for member, choice in zip(members, votes, strict=False):
        services.cast_vote(decision, member, choice, actor=admin)
    services.close_decision(decision, actor=admin)
    decision.refresh_from_db()
    assert (decision.status, decision.result) == ("closed", result)
    assert decision.votes_for == votes.count("for")
    assert (decision.present_count, decision.member_count) == (4, 4)


def test_without_quorum_the_result_is_no_quorum(meeting, members):
    services.record_attendance(meeting, members[0], "present", actor=SYSTEM)
    decision = services.add_decision(meeting, "开展电商考察", actor=SYSTEM)
    services.cast_vote(decision, members[0], "for", actor=SYSTEM)
    services.close_decision(decision, actor=SYSTEM)
    assert Decision.objects.get().result == "no_quorum"


def test_voting_twice_is_refused_with_a_clear_error(all_present, members):
    decision = services.add_decision(all_present, "开展电商考察", actor=SYSTEM)
    services.cast_vote(decision, members[0], "for", actor=SYSTEM)
    with translation.override("en"), pytest.raises(services.VoteError) as exc:
        services.cast_vote(decision, members[0], "against", actor=SYSTEM)
    assert str(exc.value) == "“徐家埭村” has already voted on this decision."
    assert list(Vote.objects.values_list("choice", flat=True)) == ["for"]


def test_the_database_refuses_a_second_vote(all_present, members):
    decision = services.add_decision(all_present, "开展电商考察", actor=SYSTEM)
    services.cast_vote(decision, members[0], "for", actor=SYSTEM)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(decision=decision, village=members[0], choice="against")
    assert Vote.objects.count() == 1


def test_a_member_not_present_cannot_vote(meeting, members):
    services.record_attendance(meeting, members[0], "present", actor=SYSTEM)
    services.record_attendance(meeting, members[1], "absent", actor=SYSTEM)
    decision = services.add_decision(meeting, "开展电商考察", actor=SYSTEM)
    for absent in (members[1], members[2]):  # recorded absent; not recorded at all
        with pytest.raises(services.VoteError):
            services.cast_vote(decision, absent, "for", actor=SYSTEM)
    assert not Vote.objects.exists()


def test_votes_are_closed_with_the_decision_and_frozen(passed_decision, members):
    with pytest.raises(services.VoteError):
        services.cast_vote(passed_decision, members[0], "against", actor=SYSTEM)
    with pytest.raises(services.FrozenError):
        services.close_decision(passed_decision, actor=SYSTEM)
    passed_decision.text = "改写"
    with pytest.raises(services.FrozenError):
        passed_decision.save()
    with pytest.raises(services.FrozenError):
        passed_decision.delete()
    vote = Vote.objects.first()
    vote.choice = "against"
    with pytest.raises(services.FrozenError):
        vote.save()
    with pytest.raises(services.FrozenError):
        Vote.objects.all().delete()
    with pytest.raises(services.FrozenError):
        Decision.objects.update(text="改写")
    assert Decision.objects.get().text == "建立联盟责任清单"
    assert set(Vote.objects.values_list("choice", flat=True)) == {"for"}


def test_the_database_refuses_editing_a_closed_decision_or_a_vote(passed_decision):
    table = Decision._meta.db_table
    for sql in (
        f"UPDATE {table} SET text = 'x' WHERE id = {passed_decision.pk}",
        f"UPDATE {Vote._meta.db_table} SET choice = 'against'",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert Decision.objects.get().text == "建立联盟责任清单"


def test_a_clerk_casts_their_own_villages_vote_only(all_present, members, clerk):
    decision = services.add_decision(all_present, "开展电商考察", actor=SYSTEM)
    services.cast_vote(decision, members[0], "for", actor=clerk)
    with pytest.raises(services.NotAllowed):
        services.cast_vote(decision, members[1], "for", actor=clerk)
    assert Vote.objects.count() == 1


def test_a_member_who_voted_cannot_be_marked_absent(all_present, members):
    decision = services.add_decision(all_present, "开展电商考察", actor=SYSTEM)
    services.cast_vote(decision, members[0], "for", actor=SYSTEM)
    with pytest.raises(services.MeetingError):
        services.record_attendance(all_present, members[0], "absent", actor=SYSTEM)
    assert Attendance.objects.get(village=members[0]).status == "present"


def test_an_agenda_item_of_another_meeting_is_refused(alliance, meeting):
    other = Meeting.objects.create(
        alliance=alliance, kind="joint", title="联席会议", starts_at=meeting.starts_at
    )
    item = other.agenda_items.create(title="议题")
    with pytest.raises(services.MeetingError):
        services.add_decision(meeting, "决定", actor=SYSTEM, agenda_item=item)
    assert not Decision.objects.exists()


# ---------------------------------------------------------------------------------------------
# minutes


@pytest.fixture
def secretary(db):
    return make_user("secretary", "city_admin")


def test_minutes_are_amended_until_signed_off_then_frozen(all_present, admin, secretary):
    minutes = services.write_minutes(all_present, "初稿", actor=admin)
    services.write_minutes(all_present, "定稿", actor=admin)
    services.sign_off_minutes(minutes, actor=secretary)
    minutes.refresh_from_db()
    assert (minutes.text, minutes.signed_off_by) == ("定稿", secretary)

    with pytest.raises(services.FrozenError):
        services.write_minutes(all_present, "篡改", actor=admin)
    minutes.text = "篡改"
    with pytest.raises(services.FrozenError):
        minutes.save()
    with pytest.raises(services.FrozenError):
        Minutes.objects.filter(pk=minutes.pk).update(text="篡改")
    with pytest.raises(services.FrozenError):
        minutes.delete()
    with pytest.raises(services.FrozenError):
        services.sign_off_minutes(minutes, actor=admin)
    assert Minutes.objects.get().text == "定稿"


def test_a_stale_copy_of_signed_minutes_cannot_be_saved(all_present, admin, secretary):
    minutes = services.write_minutes(all_present, "定稿", actor=admin)
    stale = Minutes.objects.get()
    services.sign_off_minutes(minutes, actor=secretary)
    stale.text = "篡改"
    with pytest.raises(services.FrozenError):
        stale.save()
    assert Minutes.objects.get().text == "定稿"


def test_the_database_refuses_editing_signed_minutes(all_present, admin, secretary):
    minutes = services.write_minutes(all_present, "定稿", actor=admin)
    services.sign_off_minutes(minutes, actor=secretary)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Minutes._meta.db_table} SET text = 'x'")
    assert Minutes.objects.get().text == "定稿"


def test_the_author_cannot_sign_off_their_own_minutes(all_present, admin, clerk):
    minutes = services.write_minutes(all_present, "初稿", actor=admin)
    with pytest.raises(services.NotAllowed):
        services.sign_off_minutes(minutes, actor=admin)
    with pytest.raises(services.NotAllowed):
        services.sign_off_minutes(minutes, actor=clerk)
    assert not Minutes.objects.get().is_signed_off


def test_signed_minutes_freeze_attendance_and_decisions(all_present, members, admin, secretary):
    services.sign_off_minutes(
        services.write_minutes(all_present, "定稿", actor=admin), actor=secretary
    )
    with pytest.raises(services.FrozenError):
        services.record_attendance(all_present, members[0], "absent", actor=SYSTEM)
    with pytest.raises(services.FrozenError):
        services.add_decision(all_present, "补一个决定", actor=SYSTEM)
    assert not Decision.objects.exists()
    assert Attendance.objects.get(village=members[0]).status == "present"
