"""The responsibility list (责任清单): duties with an owner, a due day and a progress history.

A `Duty` is owned by a member village XOR an organisation (and optionally a person); the
decision that created it is kept. Its progress is a history of `DutyUpdate` rows that are
only ever appended (model, queryset and a database trigger refuse edits). The duty's
`status`, `percent`, `done_on` and `verified_*` are a copy of what its updates say, written
only by `alliances.services.add_duty_update` / `verify_duty` in the same transaction as the
update; the model refuses a status that is not its latest update's. `overdue` is computed
in SQL (`DutyQuerySet.with_overdue`), never stored.

A village clerk writes progress for their own village's duties (the scope policy); duties
themselves are created by city admins.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.choices import CLOSED_DUTY_STATUSES, DutyStatus
from alliances.exceptions import DutyError, FrozenError
from alliances.models.groups import ILLUSTRATIVE_HELP, Alliance
from alliances.models.meetings import Decision
from core.models import AppendOnlyModel, AppendOnlyQuerySet, ChangeLoggedModel
from core.roles import Role
from core.scope import RestrictedQuerySet, ScopePolicy

__all__ = ["Duty", "DutyEvidence", "DutyQuerySet", "DutyUpdate"]

DUTY_POLICY = ScopePolicy(
    write_roles=frozenset({Role.VILLAGE_CLERK}),
    village_path="owner_village",
    organisation_path="owner_organisation",
)
HISTORY_POLICY = ScopePolicy(
    write_roles=frozenset({Role.VILLAGE_CLERK}),
    village_path="duty__owner_village",
    organisation_path="duty__owner_organisation",
)
PROGRESS_FIELDS = ("status", "percent", "done_on", "verified_by_id", "verified_on")


def overdue_q(today: date) -> Q:
    return Q(due_on__lt=today) & ~Q(status__in=CLOSED_DUTY_STATUSES)


class DutyQuerySet(RestrictedQuerySet):
    def with_overdue(self, today: date | None = None) -> DutyQuerySet:
        """Annotate `overdue`: due before `today` and neither done nor verified."""
        today = today or timezone.localdate()
        return self.annotate(overdue=ExpressionWrapper(overdue_q(today), models.BooleanField()))

    def overdue(self, today: date | None = None) -> DutyQuerySet:
        return self.filter(overdue_q(today or timezone.localdate()))

    def open(self) -> DutyQuerySet:
        return self.exclude(status__in=CLOSED_DUTY_STATUSES)

    def due_or_overdue(self, until: date) -> DutyQuerySet:
        """Open duties due on or before `until` (overdue ones included)."""
        return self.open().filter(due_on__lte=until)

    def update(self, **kwargs):
        names = {f.removesuffix("_id") for f in PROGRESS_FIELDS} | set(PROGRESS_FIELDS)
        if set(kwargs) & names:
            raise FrozenError(_("A duty's progress changes only by adding a progress update."))
        return super().update(**kwargs)


class Duty(ChangeLoggedModel):
    """One line of the responsibility list (责任清单)."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="duties", verbose_name=_("alliance")
    )
    decision = models.ForeignKey(
        Decision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duties",
        verbose_name=_("decided by"),
        help_text=_("The decision that created this duty."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner_village = models.ForeignKey(
        "registry.Village",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner village"),
    )
    owner_organisation = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner organisation"),
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible user"),
    )
    owner_name = models.CharField(
        _("responsible person"),
        max_length=100,
        blank=True,
        help_text=_("When the person has no account."),
    )
    due_on = models.DateField(_("due on"))
    # Copied from the latest progress update (see the module docstring).
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DutyStatus.choices,
        default=DutyStatus.PLANNED,
        editable=False,
    )
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0, editable=False)
    done_on = models.DateField(_("done on"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("verified by"),
        editable=False,
    )
    verified_on = models.DateField(_("verified on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = DutyQuerySet.as_manager()
    scope_policy = DUTY_POLICY

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="alliances_duty_one_owner",
                condition=Q(owner_village__isnull=False, owner_organisation__isnull=True)
                | Q(owner_village__isnull=True, owner_organisation__isnull=False),
            ),
            models.CheckConstraint(name="alliances_duty_percent", condition=Q(percent__lte=100)),
            models.CheckConstraint(
                name="alliances_duty_done_has_day",
                condition=~Q(status__in=CLOSED_DUTY_STATUSES) | Q(done_on__isnull=False),
            ),
            models.CheckConstraint(
                name="alliances_duty_verified",
                condition=~Q(status=DutyStatus.VERIFIED)
                | Q(verified_by__isnull=False, verified_on__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["alliance", "status", "due_on"], name="alliances_duty_board"),
            models.Index(fields=["owner_village", "due_on"], name="alliances_duty_village"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner(self):
        return self.owner_village if self.owner_village_id is not None else self.owner_organisation

    @property
    def owner_label(self) -> str:
        if self.owner_village_id is not None:
            return self.owner_village.short_name or self.owner_village.name
        return self.owner_organisation.name

    @property
    def person(self) -> str:
        if self.owner_user_id is not None:
            return str(self.owner_user)
        return self.owner_name

    @property
    def is_overdue(self) -> bool:
        if hasattr(self, "overdue"):
            return self.overdue
        return self.due_on < timezone.localdate() and self.status not in CLOSED_DUTY_STATUSES

    def save(self, *args, **kwargs):
        if self._state.adding:
            if self.status != DutyStatus.PLANNED or self.percent or self.done_on:
                raise DutyError(_("A new duty starts as planned; report progress with updates."))
        else:
            # The status is always the latest update's: asked of the database, so neither a
            # direct edit nor a stale instance saved after a newer update can overwrite it.
            latest = self.updates.order_by("-pk").values_list("status", "percent").first()
            if (self.status, self.percent) != (latest or (DutyStatus.PLANNED, 0)):
                raise FrozenError(_("A duty's progress changes only by adding a progress update."))
        super().save(*args, **kwargs)


class ProgressHistory(AppendOnlyModel):
    """Progress updates and evidence: added, never changed or removed."""

    immutable_error = FrozenError
    edit_refused = _("Progress history is never changed.")
    delete_refused = _("Progress history is never deleted.")

    class Meta:
        abstract = True


class DutyUpdate(ProgressHistory, ChangeLoggedModel):
    """One progress report on a duty; the latest one is the duty's current state."""

    duty = models.ForeignKey(
        Duty, on_delete=models.PROTECT, related_name="updates", verbose_name=_("duty")
    )
    on = models.DateField(_("date"), help_text=_("The day the progress was made or checked."))
    status = models.CharField(_("status after"), max_length=12, choices=DutyStatus.choices)
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    note = models.TextField(_("note"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = AppendOnlyQuerySet.as_manager()
    scope_policy = HISTORY_POLICY

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["duty_id", "pk"]
        constraints = [
            models.CheckConstraint(name="alliances_update_percent", condition=Q(percent__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.duty} · {self.on} · {self.get_status_display()} {self.percent}%"


def evidence_path(instance: DutyEvidence, filename: str) -> str:
    return f"alliances/duties/{instance.duty_id}/{filename}"


class DutyEvidence(ProgressHistory, ChangeLoggedModel):
    """A file showing a duty's progress (photo, signed record, report); kept, never replaced.

    Served only through `alliances:evidence_download` at its random `token` (never its id), to
    users whose grants reach the duty's owner (`core.scope.restrict_reads`)."""

    duty = models.ForeignKey(
        Duty, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("duty")
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    title = models.CharField(_("title"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # The file's address: random, so a link cannot be guessed from another one.
    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)

    objects = AppendOnlyQuerySet.as_manager()
    scope_policy = HISTORY_POLICY

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["duty_id", "pk"]

    def __str__(self) -> str:
        return self.title or self.file.name.rsplit("/", 1)[-1]
