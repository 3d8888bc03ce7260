"""Meetings: scheduling a series, attendance, minutes, decisions and votes (quorum and tally
are computed by `alliances.selectors`; the frozen-minutes rule is `meeting_frozen`).

Meetings, attendance, minutes and decisions are written by unscoped city admins; a vote
may also be cast by the clerk of the voting village. Signed-off minutes freeze the meeting's
record (attendance, decisions, minutes); a closed decision freezes its votes and tally.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alliances.choices import (
    PRESENT_STATUSES,
    AttendanceStatus,
    DecisionRule,
    DecisionStatus,
    MeetingKind,
    QuorumRule,
    VoteChoice,
)
from alliances.exceptions import FrozenError, MeetingError, NotAllowed, VoteError
from alliances.models import (
    AgendaItem,
    Alliance,
    Attendance,
    Consortium,
    Decision,
    Meeting,
    MeetingSeries,
    Minutes,
    Vote,
)
from alliances.models.meetings import check_meeting_open, meeting_frozen
from alliances.selectors import member_keys, quorum, series_days, tally
from audit.models import ObjectChange
from core.actors import as_user, is_system, require_actor
from core.scope import may_write
from lib import voting
from registry.models import Organisation, Village

__all__ = [
    "add_agenda_item",
    "add_decision",
    "cast_vote",
    "cast_votes",
    "close_decision",
    "create_meeting",
    "create_series",
    "record_attendance",
    "record_attendances",
    "schedule_series",
    "sign_off_minutes",
    "write_minutes",
]


def _require(actor, model, message: str) -> None:
    if not may_write(actor, model):
        raise NotAllowed(message)


def _member_fields(member) -> dict:
    if isinstance(member, Village):
        return {"village": member, "organisation": None}
    if isinstance(member, Organisation):
        return {"village": None, "organisation": member}
    raise TypeError(f"not a village or organisation: {member!r}")


def _check_meeting_fields(alliance, kind, title, quorum_rule, consortium=None) -> None:
    if kind not in MeetingKind.values:
        raise MeetingError(_("Unknown kind of meeting."))
    if quorum_rule not in QuorumRule.values:
        raise MeetingError(_("Unknown quorum rule."))
    if not title.strip():
        raise MeetingError(_("Enter the meeting's title."))
    if consortium is not None and consortium.alliance_id != alliance.pk:
        raise MeetingError(_("The consortium belongs to another alliance."))


@transaction.atomic
def create_meeting(
    alliance: Alliance,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    *,
    actor,
    location: str = "",
    consortium: Consortium | None = None,
    quorum_rule: str = QuorumRule.MAJORITY,
    description: str = "",
    is_illustrative: bool = False,
) -> Meeting:
    """Call a single meeting of the alliance (or of one of its consortia).

    Raises:
        NotAllowed: no actor, or one who may not write meetings.
        MeetingError: no title or start, an unknown kind or quorum rule, a consortium of
            another alliance.
    """
    actor = require_actor(actor)
    _require(actor, Meeting, _("You may not call meetings."))
    _check_meeting_fields(alliance, kind, title, quorum_rule, consortium)
    if starts_at is None:
        raise MeetingError(_("Enter when the meeting starts."))
    return Meeting.objects.create(
        alliance=alliance,
        consortium=consortium,
        kind=kind,
        title=title.strip(),
        starts_at=starts_at,
        location=location.strip(),
        description=description,
        quorum_rule=quorum_rule,
        is_illustrative=is_illustrative,
    )


@transaction.atomic
def create_series(
    alliance: Alliance,
    kind: str,
    title: str,
    first_on: dt.date,
    every_months: int,
    until: dt.date,
    *,
    actor,
    start_time: dt.time = dt.time(14),
    location: str = "",
    quorum_rule: str = QuorumRule.MAJORITY,
) -> tuple[MeetingSeries, list[Meeting]]:
    """Create a recurring meeting and schedule its meetings, all or nothing.

    Raises:
        NotAllowed: no actor, or one who may not write meetings.
        MeetingError: no title, an unknown kind or quorum rule, an interval under one month,
            an end before the first meeting.
    """
    actor = require_actor(actor)
    _require(actor, MeetingSeries, _("You may not schedule meetings."))
    _check_meeting_fields(alliance, kind, title, quorum_rule)
    if every_months is None or every_months < 1:
        raise MeetingError(_("A series meets at least every month (every 1 month or more)."))
    if first_on is None or until is None or until < first_on:
        raise MeetingError(_("The series ends on or after its first meeting."))
    series_days(first_on, every_months, until)
    series = MeetingSeries.objects.create(
        alliance=alliance,
        kind=kind,
        title=title.strip(),
        first_on=first_on,
        every_months=every_months,
        until=until,
        start_time=start_time,
        location=location.strip(),
        quorum_rule=quorum_rule,
    )
    return series, schedule_series(series, actor=actor)


@transaction.atomic
def add_agenda_item(meeting: Meeting, title: str, description: str = "", *, actor) -> AgendaItem:
    """Append an item to the meeting's agenda; refused once the minutes are signed off."""
    actor = require_actor(actor)
    _require(actor, AgendaItem, _("You may not change the agenda."))
    if not title.strip():
        raise MeetingError(_("Enter the agenda item's title."))
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    check_meeting_open(meeting)
    last = meeting.agenda_items.order_by("-order").values_list("order", flat=True).first()
    return AgendaItem.objects.create(
        meeting=meeting, order=(last or 0) + 1, title=title.strip(), description=description
    )


@transaction.atomic
def schedule_series(series: MeetingSeries, *, actor) -> list[Meeting]:
    """Create the series' meetings not yet created (numbered 1, 2, …); returns the new ones.

    Idempotent: a second call creates nothing. Meetings already created keep their data.
    """
    actor = require_actor(actor)
    _require(actor, Meeting, _("You may not schedule meetings."))
    MeetingSeries.objects.select_for_update().filter(pk=series.pk).first()
    existing = set(series.meetings.values_list("sequence", flat=True))
    tz = timezone.get_current_timezone()
    # Titles are data: written in the site's language, whoever schedules (as ledger entries).
    with translation.override(settings.LANGUAGE_CODE):
        title_format = _("%(title)s, no. %(number)s")
    created = []
    for number, day in enumerate(
        series_days(series.first_on, series.every_months, series.until), 1
    ):
        if number in existing:
            continue
        start = series.start_time
        if isinstance(start, str):
            start = dt.time.fromisoformat(start)
        created.append(
            Meeting.objects.create(
                alliance=series.alliance,
                kind=series.kind,
                series=series,
                sequence=number,
                title=title_format % {"title": series.title, "number": number},
                starts_at=dt.datetime.combine(day, start, tzinfo=tz),
                location=series.location,
                quorum_rule=series.quorum_rule,
                is_illustrative=series.is_illustrative,
            )
        )
    return created


@transaction.atomic
def record_attendance(
    meeting: Meeting,
    member,
    status: str = AttendanceStatus.PRESENT,
    attendee: str = "",
    *,
    actor,
) -> Attendance:
    """Record whether a member attended (one row per member; a second call corrects it).

    Raises:
        NotAllowed: no actor, or one who may not write meetings.
        FrozenError: the minutes are signed off.
        MeetingError: not a member on the meeting day; unknown status; or the member has
            voted and would be marked absent.
    """
    actor = require_actor(actor)
    _require(actor, Attendance, _("You may not record attendance."))
    if status not in AttendanceStatus.values:
        raise MeetingError(_("Unknown attendance status."))
    fields = _member_fields(member)
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    check_meeting_open(meeting)
    member_key = ("v", member.pk) if fields["village"] is not None else ("o", member.pk)
    if member_key not in member_keys(meeting):
        raise MeetingError(
            _("“%(member)s” is not a member on the day of this meeting.") % {"member": member}
        )
    if (
        status not in PRESENT_STATUSES
        and Vote.objects.filter(decision__meeting=meeting, **fields).exists()
    ):
        raise MeetingError(
            _("“%(member)s” has voted at this meeting and cannot be marked absent.")
            % {"member": member}
        )
    attendance, _created = Attendance.objects.update_or_create(
        meeting=meeting, **fields, defaults={"status": status, "attendee": attendee}
    )
    return attendance


@transaction.atomic
def record_attendances(meeting: Meeting, rows: list[tuple], *, actor) -> list[Attendance]:
    """Record the attendance of several members at once: all rows or none.

    Each row is `(member, status, attendee)`; the rules are `record_attendance`'s, and the
    first refusal undoes the rows already written.
    """
    actor = require_actor(actor)
    _require(actor, Attendance, _("You may not record attendance."))
    return [
        record_attendance(meeting, member, status, attendee, actor=actor)
        for member, status, attendee in rows
    ]


@transaction.atomic
def write_minutes(
    meeting: Meeting,
    text: str,
    *,
    actor,
    is_illustrative=False,
    at: dt.datetime | None = None,
) -> Minutes:
    """Write or amend the minutes; refused once they are signed off.

    `at` (when they were written; now if None) is for recording past meetings (the demo).
    """
    actor = require_actor(actor)
    _require(actor, Minutes, _("You may not write minutes."))
    if not text.strip():
        raise MeetingError(_("The minutes are empty."))
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is None:
        return Minutes.objects.create(
            meeting=meeting,
            text=text,
            author=as_user(actor),
            written_at=at or timezone.now(),
            is_illustrative=is_illustrative,
        )
    if meeting_frozen(meeting, minutes):
        raise FrozenError(_("These minutes were signed off and cannot be edited."))
    minutes.text = text
    minutes.written_at = at or timezone.now()
    # Whoever amends the text shares its authorship: they may not sign it off either.
    minutes.amended_by = as_user(actor)
    minutes.save()
    return minutes


def _has_edited(minutes: Minutes, user) -> bool:
    """Whether `user` wrote or ever amended the minutes' text (amendments are change-logged
    with the `amended_by` they set, so an editor replaced by a later one is still found)."""
    if user.pk in (minutes.author_id, minutes.amended_by_id):
        return True
    return ObjectChange.objects.filter(
        content_type=Minutes.content_type(),
        object_pk=str(minutes.pk),
        postchange_data__amended_by_id=user.pk,
    ).exists()


@transaction.atomic
def sign_off_minutes(minutes: Minutes, *, actor, at: dt.datetime | None = None) -> Minutes:
    """Sign off (and so freeze) the minutes: by a person other than their author.

    `at` (now if None) is for recording past meetings (the demo).

    Raises:
        NotAllowed: no actor, one who may not write minutes, or one who wrote or amended
            them (four eyes).
        FrozenError: already signed off.
        MeetingError: the system signs nothing off: a sign-off names its person.
    """
    actor = require_actor(actor)
    _require(actor, Minutes, _("You may not sign off minutes."))
    locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if meeting_frozen(locked.meeting_id, locked):
        raise FrozenError(_("These minutes are already signed off."))
    if is_system(actor):
        raise MeetingError(_("Name the person who signs off the minutes."))
    if _has_edited(locked, actor):
        raise NotAllowed(
            _("Minutes are signed off by someone other than those who wrote or amended them.")
        )
    locked.signed_off_by = actor
    locked.signed_off_at = at or timezone.now()
    locked.save()
    minutes.refresh_from_db()
    return locked


@transaction.atomic
def add_decision(
    meeting: Meeting,
    text: str,
    rule: str = DecisionRule.SIMPLE_PRESENT,
    agenda_item: AgendaItem | None = None,
    *,
    actor,
    is_illustrative: bool = False,
) -> Decision:
    """Put a motion to the meeting (open for votes)."""
    actor = require_actor(actor)
    _require(actor, Decision, _("You may not add decisions."))
    if rule not in DecisionRule.values:
        raise MeetingError(_("Unknown decision rule."))
    if not text.strip():
        raise MeetingError(_("Enter the text of the decision."))
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise MeetingError(_("The agenda item belongs to another meeting."))
    check_meeting_open(meeting)
    return Decision.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        text=text,
        rule=rule,
        is_illustrative=is_illustrative,
    )


@transaction.atomic
def cast_vote(decision: Decision, member, choice: str, *, actor) -> Vote:
    """Record `member`'s vote; once per member, only if present, only while open.

    Raises:
        NotAllowed: no actor, or one who may not vote for this member (a clerk votes for
            their own village).
        VoteError: the decision is closed, the member was not present, or has already voted.
    """
    actor = require_actor(actor)
    fields = _member_fields(member)
    if not may_write(actor, Vote, village=fields["village"], organisation=fields["organisation"]):
        raise NotAllowed(_("You may not vote for “%(member)s”.") % {"member": member})
    if choice not in VoteChoice.values:
        raise VoteError(_("Vote for, against or abstain."))
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    if locked.is_closed:
        raise VoteError(_("Voting on this decision is closed."))
    check_meeting_open(locked.meeting_id)
    if not Attendance.objects.filter(
        meeting_id=locked.meeting_id, status__in=PRESENT_STATUSES, **fields
    ).exists():
        raise VoteError(
            _("“%(member)s” was not present at the meeting and cannot vote.") % {"member": member}
        )
    if Vote.objects.filter(decision=locked, **fields).exists():
        raise VoteError(_("“%(member)s” has already voted on this decision.") % {"member": member})
    try:
        with transaction.atomic():
            return Vote.objects.create(
                decision=locked, choice=choice, cast_by=as_user(actor), **fields
            )
    except IntegrityError:  # a concurrent vote of the same member won the race
        raise VoteError(
            _("“%(member)s” has already voted on this decision.") % {"member": member}
        ) from None


@transaction.atomic
def cast_votes(decision: Decision, votes: list[tuple], *, actor) -> list[Vote]:
    """Record several members' votes (`(member, choice)` pairs): all or none.

    The rules are `cast_vote`'s (once per member, only if present, only while open); the
    first refusal undoes the votes already recorded.
    """
    actor = require_actor(actor)
    if not votes:
        raise VoteError(_("Choose at least one member's vote."))
    return [cast_vote(decision, member, choice, actor=actor) for member, choice in votes]


@transaction.atomic
def close_decision(decision: Decision, *, actor, at: dt.datetime | None = None) -> Decision:
    """Close voting: store the tally and the result by the decision's rule and quorum.

    `at` (now if None) is for recording past meetings (the demo).
    """
    actor = require_actor(actor)
    _require(actor, Decision, _("You may not close decisions."))
    locked = Decision.objects.select_for_update().select_related("meeting").get(pk=decision.pk)
    if locked.is_closed:
        raise FrozenError(_("This decision is already closed."))
    check_meeting_open(locked.meeting_id)
    counted = tally(locked)
    q = quorum(locked.meeting)
    result = voting.outcome(locked.rule, locked.meeting.quorum_rule, counted, q.present, q.members)
    locked.votes_for, locked.votes_against = counted.for_, counted.against
    locked.votes_abstain = counted.abstain
    locked.present_count, locked.member_count = q.present, q.members
    locked.result = result.value
    locked.status = DecisionStatus.CLOSED
    locked.closed_by = as_user(actor)
    locked.closed_at = at or timezone.now()
    locked.save()
    decision.refresh_from_db()
    return locked
