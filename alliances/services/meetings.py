"""Meetings: scheduling a series, attendance and quorum, minutes, decisions and votes.

Meetings, attendance, minutes and decisions are written by unscoped city admins; a vote
may also be cast by the clerk of the voting village. Signed-off minutes freeze the meeting's
record (attendance, decisions, minutes); a closed decision freezes its votes and tally.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
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
    Membership,
    Minutes,
    Vote,
)
from audit.models import ObjectChange
from core.scope import may_write
from lib import voting
from lib.recurrence import occurrences
from registry.models import Organisation, Village

__all__ = [
    "Quorum",
    "add_agenda_item",
    "add_decision",
    "cast_vote",
    "cast_votes",
    "close_decision",
    "create_meeting",
    "create_series",
    "member_keys",
    "quorum",
    "record_attendance",
    "record_attendances",
    "schedule_series",
    "sign_off_minutes",
    "tally",
    "write_minutes",
]


def _require(user, model, message: str) -> None:
    if user is not None and not may_write(user, model):
        raise NotAllowed(message)


def _member_fields(member) -> dict:
    if isinstance(member, Village):
        return {"village": member, "organisation": None}
    if isinstance(member, Organisation):
        return {"village": None, "organisation": member}
    raise TypeError(f"not a village or organisation: {member!r}")


def _key(village_id, organisation_id) -> tuple[str, object]:
    return ("v", village_id) if village_id is not None else ("o", organisation_id)


def member_keys(meeting: Meeting) -> set[tuple[str, object]]:
    """The members of the meeting's group on the meeting day, as keys (one query)."""
    group = (
        {"consortium": meeting.consortium_id}
        if meeting.consortium_id
        else {"alliance": meeting.alliance_id}
    )
    rows = Membership.objects.filter(**group).members_on(meeting.day)
    return {_key(v, o) for v, o in rows.values_list("village_id", "organisation_id")}


def _check_not_frozen(meeting) -> None:
    """Refuse a change of the meeting's record (a Meeting or its pk) once minutes are signed."""
    if Minutes.objects.filter(meeting=meeting, signed_off_at__isnull=False).exists():
        raise FrozenError(
            _("The minutes of this meeting are signed off: its record can no longer change.")
        )


@dataclass(frozen=True)
class Quorum:
    members: int
    present: int
    needed: int
    met: bool


def quorum(meeting: Meeting, members: set | None = None) -> Quorum:
    """Members present (or represented) among the group's members on the meeting day."""
    members = member_keys(meeting) if members is None else members
    rows = Attendance.objects.filter(meeting=meeting, status__in=PRESENT_STATUSES)
    present = sum(
        1 for v, o in rows.values_list("village_id", "organisation_id") if _key(v, o) in members
    )
    needed = voting.quorum_needed(meeting.quorum_rule, len(members))
    return Quorum(len(members), present, needed, present >= needed)


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
    user=None,
    *,
    location: str = "",
    consortium: Consortium | None = None,
    quorum_rule: str = QuorumRule.MAJORITY,
    description: str = "",
    is_illustrative: bool = False,
) -> Meeting:
    """Call a single meeting of the alliance (or of one of its consortia).

    Raises:
        NotAllowed: the user may not write meetings.
        MeetingError: no title or start, an unknown kind or quorum rule, a consortium of
            another alliance.
    """
    _require(user, Meeting, _("You may not call meetings."))
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


MAX_MEETINGS_PER_SERIES = 100  # 25 years of quarterly meetings; stops a runaway `until`


def series_days(first_on: dt.date, every_months: int, until: dt.date) -> list[dt.date]:
    """The days of a series' meetings, refused beyond MAX_MEETINGS_PER_SERIES.

    Raises:
        MeetingError: more meetings than that (or an interval under one month).
    """
    try:
        days = occurrences(first_on, every_months, until)
    except ValueError:  # under a month, or beyond lib.recurrence's own bound
        days = None
    if days is None or len(days) > MAX_MEETINGS_PER_SERIES:
        raise MeetingError(
            _("A series has at most %(max)d meetings: choose an earlier end or a longer interval.")
            % {"max": MAX_MEETINGS_PER_SERIES}
        )
    return days


@transaction.atomic
def create_series(
    alliance: Alliance,
    kind: str,
    title: str,
    first_on: dt.date,
    every_months: int,
    until: dt.date,
    user=None,
    *,
    start_time: dt.time = dt.time(14),
    location: str = "",
    quorum_rule: str = QuorumRule.MAJORITY,
) -> tuple[MeetingSeries, list[Meeting]]:
    """Create a recurring meeting and schedule its meetings, all or nothing.

    Raises:
        NotAllowed: the user may not write meetings.
        MeetingError: no title, an unknown kind or quorum rule, an interval under one month,
            an end before the first meeting.
    """
    _require(user, MeetingSeries, _("You may not schedule meetings."))
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
    return series, schedule_series(series, user)


@transaction.atomic
def add_agenda_item(meeting: Meeting, title: str, user=None, description: str = "") -> AgendaItem:
    """Append an item to the meeting's agenda; refused once the minutes are signed off."""
    _require(user, AgendaItem, _("You may not change the agenda."))
    if not title.strip():
        raise MeetingError(_("Enter the agenda item's title."))
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    _check_not_frozen(meeting)
    last = meeting.agenda_items.order_by("-order").values_list("order", flat=True).first()
    return AgendaItem.objects.create(
        meeting=meeting, order=(last or 0) + 1, title=title.strip(), description=description
    )


@transaction.atomic
def schedule_series(series: MeetingSeries, user=None) -> list[Meeting]:
    """Create the series' meetings not yet created (numbered 1, 2, …); returns the new ones.

    Idempotent: a second call creates nothing. Meetings already created keep their data.
    """
    _require(user, Meeting, _("You may not schedule meetings."))
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
    meeting: Meeting, member, status: str = AttendanceStatus.PRESENT, user=None, attendee: str = ""
) -> Attendance:
    """Record whether a member attended (one row per member; a second call corrects it).

    Raises:
        NotAllowed: the user may not write meetings.
        FrozenError: the minutes are signed off.
        MeetingError: not a member on the meeting day; unknown status; or the member has
            voted and would be marked absent.
    """
    _require(user, Attendance, _("You may not record attendance."))
    if status not in AttendanceStatus.values:
        raise MeetingError(_("Unknown attendance status."))
    fields = _member_fields(member)
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    _check_not_frozen(meeting)
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
def record_attendances(meeting: Meeting, rows: list[tuple], user=None) -> list[Attendance]:
    """Record the attendance of several members at once: all rows or none.

    Each row is `(member, status, attendee)`; the rules are `record_attendance`'s, and the
    first refusal undoes the rows already written.
    """
    _require(user, Attendance, _("You may not record attendance."))
    return [
        record_attendance(meeting, member, status, user, attendee=attendee)
        for member, status, attendee in rows
    ]


@transaction.atomic
def write_minutes(
    meeting: Meeting, text: str, user=None, *, is_illustrative=False, at: dt.datetime | None = None
) -> Minutes:
    """Write or amend the minutes; refused once they are signed off.

    `at` (when they were written; now if None) is for recording past meetings (the demo).
    """
    _require(user, Minutes, _("You may not write minutes."))
    if not text.strip():
        raise MeetingError(_("The minutes are empty."))
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is None:
        return Minutes.objects.create(
            meeting=meeting,
            text=text,
            author=user,
            written_at=at or timezone.now(),
            is_illustrative=is_illustrative,
        )
    if minutes.is_signed_off:
        raise FrozenError(_("These minutes were signed off and cannot be edited."))
    minutes.text = text
    minutes.written_at = at or timezone.now()
    # Whoever amends the text shares its authorship: they may not sign it off either.
    minutes.amended_by = user
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
def sign_off_minutes(minutes: Minutes, user, *, at: dt.datetime | None = None) -> Minutes:
    """Sign off (and so freeze) the minutes: by someone other than their author.

    `at` (now if None) is for recording past meetings (the demo).
    """
    _require(user, Minutes, _("You may not sign off minutes."))
    locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if locked.is_signed_off:
        raise FrozenError(_("These minutes are already signed off."))
    if user is not None and _has_edited(locked, user):
        raise NotAllowed(
            _("Minutes are signed off by someone other than those who wrote or amended them.")
        )
    if user is None:
        raise MeetingError(_("Name the person who signs off the minutes."))
    locked.signed_off_by = user
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
    user=None,
    *,
    is_illustrative: bool = False,
) -> Decision:
    """Put a motion to the meeting (open for votes)."""
    _require(user, Decision, _("You may not add decisions."))
    if rule not in DecisionRule.values:
        raise MeetingError(_("Unknown decision rule."))
    if not text.strip():
        raise MeetingError(_("Enter the text of the decision."))
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise MeetingError(_("The agenda item belongs to another meeting."))
    _check_not_frozen(meeting)
    return Decision.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        text=text,
        rule=rule,
        is_illustrative=is_illustrative,
    )


def tally(decision: Decision) -> voting.Tally:
    """The votes counted so far (one query); for a closed decision, its stored tally."""
    if decision.is_closed:
        return voting.Tally(decision.votes_for, decision.votes_against, decision.votes_abstain)
    counts = decision.votes.aggregate(
        **{c: Count("pk", filter=Q(choice=c)) for c in VoteChoice.values}
    )
    return voting.Tally(counts["for"], counts["against"], counts["abstain"])


@transaction.atomic
def cast_vote(decision: Decision, member, choice: str, user=None) -> Vote:
    """Record `member`'s vote; once per member, only if present, only while open.

    Raises:
        NotAllowed: the user may not vote for this member (a clerk votes for their village).
        VoteError: the decision is closed, the member was not present, or has already voted.
    """
    fields = _member_fields(member)
    if user is not None and not may_write(
        user, Vote, village=fields["village"], organisation=fields["organisation"]
    ):
        raise NotAllowed(_("You may not vote for “%(member)s”.") % {"member": member})
    if choice not in VoteChoice.values:
        raise VoteError(_("Vote for, against or abstain."))
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    if locked.is_closed:
        raise VoteError(_("Voting on this decision is closed."))
    _check_not_frozen(locked.meeting_id)
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
            return Vote.objects.create(decision=locked, choice=choice, cast_by=user, **fields)
    except IntegrityError:  # a concurrent vote of the same member won the race
        raise VoteError(
            _("“%(member)s” has already voted on this decision.") % {"member": member}
        ) from None


@transaction.atomic
def cast_votes(decision: Decision, votes: list[tuple], user=None) -> list[Vote]:
    """Record several members' votes (`(member, choice)` pairs): all or none.

    The rules are `cast_vote`'s (once per member, only if present, only while open); the
    first refusal undoes the votes already recorded.
    """
    if not votes:
        raise VoteError(_("Choose at least one member's vote."))
    return [cast_vote(decision, member, choice, user) for member, choice in votes]


@transaction.atomic
def close_decision(decision: Decision, user=None, *, at: dt.datetime | None = None) -> Decision:
    """Close voting: store the tally and the result by the decision's rule and quorum.

    `at` (now if None) is for recording past meetings (the demo).
    """
    _require(user, Decision, _("You may not close decisions."))
    locked = Decision.objects.select_for_update().select_related("meeting").get(pk=decision.pk)
    if locked.is_closed:
        raise FrozenError(_("This decision is already closed."))
    _check_not_frozen(locked.meeting_id)
    counted = tally(locked)
    q = quorum(locked.meeting)
    result = voting.outcome(locked.rule, locked.meeting.quorum_rule, counted, q.present, q.members)
    locked.votes_for, locked.votes_against = counted.for_, counted.against
    locked.votes_abstain = counted.abstain
    locked.present_count, locked.member_count = q.present, q.members
    locked.result = result.value
    locked.status = DecisionStatus.CLOSED
    locked.closed_by = user
    locked.closed_at = at or timezone.now()
    locked.save()
    decision.refresh_from_db()
    return locked
