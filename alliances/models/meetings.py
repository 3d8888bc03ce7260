"""Meetings of an alliance (联席会议, 圆桌会, 专家授课, 外出考察) and what they decide.

- A `MeetingSeries` is a recurrence (e.g. the quarterly roundtable); `schedule_series`
  creates its meetings, numbered, idempotently.
- `Attendance` has one row per member and meeting; quorum is computed from it against the
  members on the meeting day (`Membership.members_on`), never stored.
- `Minutes` are frozen once signed off by someone other than their author: the model, its
  queryset, the services, admin and API refuse edits, and a database trigger refuses UPDATE.
- A `Decision` is voted by the members present, one `Vote` each (a database constraint);
  closing it computes the result by its rule (`lib.voting`) and freezes votes and tally.

Everything here is written by unscoped city admins (a village clerk may cast their own
village's vote) and read by every signed-in user.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.choices import (
    AttendanceStatus,
    DecisionResult,
    DecisionRule,
    DecisionStatus,
    MeetingKind,
    QuorumRule,
    VoteChoice,
)
from alliances.exceptions import FrozenError
from alliances.models.groups import (
    ADMIN_POLICY,
    ILLUSTRATIVE_HELP,
    Alliance,
    Consortium,
    MemberFields,
)
from core.models import AppendOnlyModel, AppendOnlyQuerySet, ChangeLoggedModel
from core.roles import Role
from core.scope import RestrictedQuerySet, ScopePolicy

__all__ = [
    "MSG_MEETING_FROZEN",
    "AgendaItem",
    "Attendance",
    "Decision",
    "Meeting",
    "MeetingSeries",
    "Minutes",
    "Vote",
    "check_meeting_open",
    "meeting_frozen",
]


def _member_constraints(prefix: str) -> list:
    """Village XOR organisation."""
    return [MemberFields.holder_check(f"alliances_{prefix}_one_member")]


class MeetingSeries(ChangeLoggedModel):
    """A recurring meeting: every `every_months` months from `first_on` until `until`."""

    alliance = models.ForeignKey(
        Alliance,
        on_delete=models.PROTECT,
        related_name="meeting_series",
        verbose_name=_("alliance"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    first_on = models.DateField(_("first meeting on"))
    every_months = models.PositiveSmallIntegerField(_("every (months)"), default=3)
    until = models.DateField(_("until"), help_text=_("No meeting of the series after this day."))
    start_time = models.TimeField(_("start time"), default="14:00")
    location = models.CharField(_("location"), max_length=200, blank=True)
    quorum_rule = models.CharField(
        _("quorum"), max_length=12, choices=QuorumRule.choices, default=QuorumRule.MAJORITY
    )
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        ordering = ["alliance_id", "first_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="alliances_series_every_month", condition=Q(every_months__gte=1)
            ),
            models.CheckConstraint(
                name="alliances_series_order", condition=Q(until__gte=F("first_on"))
            ),
        ]

    def __str__(self) -> str:
        return self.title


MSG_MEETING_FROZEN = _(
    "The minutes of this meeting are signed off: its record can no longer change."
)


_UNREAD = object()


def meeting_frozen(meeting, minutes=_UNREAD) -> bool:
    """The frozen-minutes rule, decided here only: a meeting's record (the meeting itself,
    its agenda, attendance, decisions and votes) is frozen once its minutes are signed off.

    `meeting` is a Meeting, its pk, or None (nothing stored yet: never frozen). Pass the
    meeting's `minutes` (None if it has none) when they are read already: no query then;
    otherwise the database is asked, so a stale instance is refused too.
    """
    if minutes is not _UNREAD:
        return minutes is not None and minutes.is_signed_off
    meeting_id = getattr(meeting, "pk", meeting)
    return (
        meeting_id is not None
        and Minutes.objects.filter(meeting_id=meeting_id).signed_off().exists()
    )


def check_meeting_open(meeting, minutes=_UNREAD) -> None:
    """Refuse (FrozenError, 409) a change of a frozen meeting's record (`meeting_frozen`)."""
    if meeting_frozen(meeting, minutes):
        raise FrozenError(MSG_MEETING_FROZEN)


class MeetingQuerySet(RestrictedQuerySet):
    # A bulk write must not reach a meeting whose minutes are signed off (its quorum, its
    # day and its group are part of the frozen record); a trigger refuses it too.
    def _check_open(self) -> None:
        if self.filter(pk__in=Minutes.objects.signed_off().values("meeting_id")).exists():
            raise FrozenError(MSG_MEETING_FROZEN)

    def update(self, **kwargs):
        self._check_open()
        return super().update(**kwargs)

    def delete(self):
        self._check_open()
        return super().delete()


class Meeting(ChangeLoggedModel):
    """One meeting of an alliance (optionally of one of its consortia).

    Frozen once its minutes are signed off: its day, group and quorum rule decide the
    recorded quorum, so the model, queryset, API and a database trigger refuse changes.
    """

    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("alliance")
    )
    consortium = models.ForeignKey(
        Consortium,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("consortium"),
        help_text=_("Set for a consortium's meeting: quorum then counts its members."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    series = models.ForeignKey(
        MeetingSeries,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("series"),
    )
    sequence = models.PositiveSmallIntegerField(
        _("number in series"), null=True, blank=True, editable=False
    )
    quorum_rule = models.CharField(
        _("quorum"), max_length=12, choices=QuorumRule.choices, default=QuorumRule.MAJORITY
    )
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = MeetingQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "sequence"], name="alliances_meeting_series_sequence"
            ),
        ]
        indexes = [
            models.Index(fields=["alliance", "starts_at"], name="alliances_meeting_when"),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {timezone.localtime(self.starts_at):%Y-%m-%d}"

    @property
    def day(self):
        return timezone.localtime(self.starts_at).date()

    @property
    def group(self):
        return self.consortium if self.consortium_id is not None else self.alliance

    def save(self, *args, **kwargs):
        if not self._state.adding:
            check_meeting_open(self.pk)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        check_meeting_open(self.pk)
        return super().delete(*args, **kwargs)


class AgendaItem(ChangeLoggedModel):
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="agenda_items",
        verbose_name=_("meeting"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting_id", "order", "pk"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # Neither out of a frozen meeting nor into one (the stored row is asked, so a stale
        # instance or a moved item is refused too).
        stored = (
            None
            if self._state.adding
            else AgendaItem.objects.filter(pk=self.pk).values_list("meeting_id", flat=True).first()
        )
        check_meeting_open(self.meeting_id)
        check_meeting_open(stored)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        check_meeting_open(self.meeting_id)
        return super().delete(*args, **kwargs)


class Attendance(MemberFields, ChangeLoggedModel):
    """Whether a member village or organisation attended a meeting (one row per member)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("meeting")
    )
    status = models.CharField(
        _("attendance"),
        max_length=10,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.PRESENT,
    )
    attendee = models.CharField(
        _("attended by"),
        max_length=100,
        blank=True,
        help_text=_("Who came for the member (the secretary or a delegate)."),
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting_id", "village_id", "organisation_id"]
        constraints = [
            *_member_constraints("attendance"),
            models.UniqueConstraint(
                fields=["meeting", "village"],
                condition=Q(village__isnull=False),
                name="alliances_attendance_one_per_village",
            ),
            models.UniqueConstraint(
                fields=["meeting", "organisation"],
                condition=Q(organisation__isnull=False),
                name="alliances_attendance_one_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"


class MinutesQuerySet(RestrictedQuerySet):
    def signed_off(self):
        """Minutes signed off: the database's side of `Minutes.is_signed_off`."""
        return self.filter(signed_off_at__isnull=False)

    def update(self, **kwargs):
        raise FrozenError(_("Minutes change only one at a time, and never once signed off."))

    def delete(self):
        if self.signed_off().exists():
            raise FrozenError(_("Signed-off minutes cannot be deleted."))
        return super().delete()


class Minutes(ChangeLoggedModel):
    """会议纪要: written once, amended until signed off by someone else, then frozen."""

    meeting = models.OneToOneField(
        Meeting, on_delete=models.PROTECT, related_name="minutes", verbose_name=_("meeting")
    )
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
        help_text=_("Empty when recorded by a command (the demo, an import)."),
    )
    # The last person who amended the text: neither they nor the author may sign it off.
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("last amended by"),
    )
    written_at = models.DateTimeField(_("written at"), default=timezone.now)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = MinutesQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        ordering = ["meeting_id"]
        constraints = [
            # Four eyes: the author never signs off their own minutes, nor whoever amended
            # them last (the service also refuses any earlier editor, from the change log).
            models.CheckConstraint(
                name="alliances_minutes_four_eyes",
                condition=Q(signed_off_by__isnull=True)
                | Q(author__isnull=True)
                | ~Q(signed_off_by=F("author")),
            ),
            models.CheckConstraint(
                name="alliances_minutes_four_eyes_amended",
                condition=Q(signed_off_by__isnull=True)
                | Q(amended_by__isnull=True)
                | ~Q(signed_off_by=F("amended_by")),
            ),
            models.CheckConstraint(
                name="alliances_minutes_signed_together",
                condition=Q(signed_off_by__isnull=True, signed_off_at__isnull=True)
                | Q(signed_off_by__isnull=False, signed_off_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Minutes of %(meeting)s") % {"meeting": self.meeting})

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None

    def _stored_signed_off(self) -> bool:
        # Asks the database, so a stale instance read before the sign-off is refused too.
        return not self._state.adding and Minutes.objects.filter(pk=self.pk).signed_off().exists()

    def save(self, *args, **kwargs):
        if self._stored_signed_off():
            raise FrozenError(_("These minutes were signed off and cannot be edited."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_signed_off or self._stored_signed_off():
            raise FrozenError(_("Signed-off minutes cannot be deleted."))
        return super().delete(*args, **kwargs)


class DecisionQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise FrozenError(_("Decisions change only through their services."))


class Decision(ChangeLoggedModel):
    """A motion put to the members present; closed with a result computed by its rule."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("meeting")
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("agenda item"),
    )
    text = models.TextField(_("text"))
    rule = models.CharField(
        _("rule"),
        max_length=20,
        choices=DecisionRule.choices,
        default=DecisionRule.SIMPLE_PRESENT,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.OPEN
    )
    # The tally, stored when the decision is closed (while open it is counted from votes).
    result = models.CharField(
        _("result"), max_length=10, choices=DecisionResult.choices, blank=True
    )
    votes_for = models.PositiveIntegerField(_("for"), default=0)
    votes_against = models.PositiveIntegerField(_("against"), default=0)
    votes_abstain = models.PositiveIntegerField(_("abstain"), default=0)
    present_count = models.PositiveIntegerField(_("present"), default=0)
    member_count = models.PositiveIntegerField(_("members"), default=0)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = DecisionQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting_id", "pk"]
        constraints = [
            models.CheckConstraint(
                name="alliances_decision_closed_has_result",
                condition=Q(status=DecisionStatus.OPEN, result="")
                | (Q(status=DecisionStatus.CLOSED, closed_at__isnull=False) & ~Q(result="")),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_closed(self) -> bool:
        return self.status == DecisionStatus.CLOSED

    def _stored_closed(self) -> bool:
        # Asks the database, so a stale instance read before closing is refused too.
        return (
            not self._state.adding
            and Decision.objects.filter(pk=self.pk, status=DecisionStatus.CLOSED).exists()
        )

    def save(self, *args, **kwargs):
        if self._stored_closed():
            raise FrozenError(_("This decision is closed and cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_closed or self._stored_closed():
            raise FrozenError(_("A closed decision cannot be deleted."))
        return super().delete(*args, **kwargs)


class Vote(AppendOnlyModel, MemberFields, ChangeLoggedModel):
    """One member's vote on a decision: cast once, never changed (append-only)."""

    immutable_error = FrozenError
    edit_refused = _("A vote is never changed.")
    delete_refused = _("A vote is never deleted.")

    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="votes", verbose_name=_("decision")
    )
    choice = models.CharField(_("vote"), max_length=10, choices=VoteChoice.choices)
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    cast_at = models.DateTimeField(_("cast at"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()
    # A village clerk casts their own village's vote; a city admin records any member's.
    scope_policy = ScopePolicy(
        write_roles=frozenset({Role.VILLAGE_CLERK}),
        village_path="village",
        organisation_path="organisation",
    )

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["decision_id", "pk"]
        constraints = [
            *_member_constraints("vote"),
            models.UniqueConstraint(
                fields=["decision", "village"],
                condition=Q(village__isnull=False),
                name="alliances_vote_once_per_village",
            ),
            models.UniqueConstraint(
                fields=["decision", "organisation"],
                condition=Q(organisation__isnull=False),
                name="alliances_vote_once_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_choice_display()}"
