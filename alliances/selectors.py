"""The alliances app's reads: the rules that compute (quorum, tally, votes needed, the days
of a series) and the queries other pages and apps use. No actor is needed and nothing is
written; each function runs a fixed number of queries (none when given what it needs).

The meeting page, the API and the services all ask these, so quorum and tally are computed
in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from alliances.choices import CLOSED_DUTY_STATUSES, PRESENT_STATUSES, DutyStatus, VoteChoice
from alliances.exceptions import MeetingError
from alliances.models import Attendance, Decision, Duty, Meeting, Membership
from lib import voting
from lib.recurrence import occurrences

__all__ = [
    "MAX_MEETINGS_PER_SERIES",
    "Quorum",
    "due_for_user",
    "duties_on_time",
    "is_closed",
    "member_key",
    "member_keys",
    "quorum",
    "series_days",
    "tally",
    "votes_needed",
]

MAX_MEETINGS_PER_SERIES = 100  # 25 years of quarterly meetings; stops a runaway `until`


def member_key(village_id, organisation_id) -> tuple[str, object]:
    """A member (village or organisation) as one hashable key."""
    return ("v", village_id) if village_id is not None else ("o", organisation_id)


def member_keys(meeting: Meeting) -> set[tuple[str, object]]:
    """The members of the meeting's group on the meeting day, as keys (one query)."""
    group = (
        {"consortium": meeting.consortium_id}
        if meeting.consortium_id
        else {"alliance": meeting.alliance_id}
    )
    rows = Membership.objects.filter(**group).members_on(meeting.day)
    return {member_key(v, o) for v, o in rows.values_list("village_id", "organisation_id")}


@dataclass(frozen=True)
class Quorum:
    members: int
    present: int
    needed: int
    met: bool


def quorum(
    meeting: Meeting, members: set | None = None, attendance: Iterable[Attendance] | None = None
) -> Quorum:
    """Members present (or represented) among the group's members on the meeting day.

    `members` (as `member_keys` gives them) and `attendance` (the meeting's Attendance rows)
    save a query each when the caller has read them already; otherwise one query each.
    """
    members = member_keys(meeting) if members is None else members
    if attendance is None:
        rows = Attendance.objects.filter(meeting=meeting, status__in=PRESENT_STATUSES)
        present_keys = rows.values_list("village_id", "organisation_id")
    else:
        present_keys = [
            (a.village_id, a.organisation_id) for a in attendance if a.status in PRESENT_STATUSES
        ]
    present = sum(1 for v, o in present_keys if member_key(v, o) in members)
    needed = voting.quorum_needed(meeting.quorum_rule, len(members))
    return Quorum(len(members), present, needed, present >= needed)


def tally(decision: Decision, votes: Iterable | None = None) -> voting.Tally:
    """The votes counted so far; for a closed decision, its stored tally.

    `votes` (the decision's Vote rows, e.g. prefetched) are counted without a query;
    otherwise one query counts them.
    """
    if decision.is_closed:
        return voting.Tally(decision.votes_for, decision.votes_against, decision.votes_abstain)
    if votes is not None:
        choices = [vote.choice for vote in votes]
        return voting.Tally(
            choices.count(VoteChoice.FOR),
            choices.count(VoteChoice.AGAINST),
            choices.count(VoteChoice.ABSTAIN),
        )
    counts = decision.votes.aggregate(
        **{c: Count("pk", filter=Q(choice=c)) for c in VoteChoice.values}
    )
    return voting.Tally(counts["for"], counts["against"], counts["abstain"])


def votes_needed(decision: Decision, quorum_: Quorum, counted: voting.Tally) -> int:
    """The votes for that pass the decision by its rule: for a closed decision, from the
    head counts stored when it closed; while open, from the meeting's `quorum_` now."""
    present = decision.present_count if decision.is_closed else quorum_.present
    members = decision.member_count if decision.is_closed else quorum_.members
    return voting.votes_needed(decision.rule, present, members, counted.against)


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


def is_closed(duty: Duty) -> bool:
    """Whether the duty is done or verified (closed on the responsibility list)."""
    return duty.status in CLOSED_DUTY_STATUSES


def duties_on_time(alliance, year: int) -> dict[str, tuple[int, int]]:
    """{village code: (done on time, due)} for the alliance's village duties due in `year`.

    On time: VERIFIED by a city administrator, with the day it was reported done
    (`done_on`) on or before the due day. A duty only self-certified "done" does not count
    yet: its date is the reporter's word (it can be backdated) and this is a published
    ranking KPI. One query.
    """
    rows = (
        Duty.objects.filter(alliance=alliance, due_on__year=year, owner_village__isnull=False)
        .order_by()
        .values("owner_village")
        .annotate(
            due=Count("pk"),
            on_time=Count(
                "pk",
                filter=Q(status=DutyStatus.VERIFIED, done_on__lte=F("due_on")),
            ),
        )
    )
    return {row["owner_village"]: (row["on_time"], row["due"]) for row in rows}


def due_for_user(user, until: date, today: date, limit: int = 10):
    """Open duties the user may report on, due by `until` (overdue first); two queries.

    Returns (duties, total): the first `limit` duties and how many there are.
    """
    qs = Duty.objects.restrict(user, "change").due_or_overdue(until)
    total = qs.count()
    duties = list(
        qs.with_overdue(today)
        .select_related("alliance", "owner_village", "owner_organisation")
        .order_by("due_on", "pk")[:limit]
    )
    return duties, total
