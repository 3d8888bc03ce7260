"""Alliances (联盟) and consortia (共富体), their memberships and the agreement's mechanisms.

A membership belongs to one group (an alliance XOR a consortium) and names one member (a
village XOR an organisation); both XORs are database checks. A member never holds two
overlapping memberships in one group: `alliances.services.join` checks this under a lock
on the group. `left_on` is the last day of membership (both days are included, as a
venture stake's `effective_to`).

Everything here is written by unscoped city admins and read by every signed-in user.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from alliances.choices import MembershipRole
from core.models import ChangeLoggedModel
from core.scope import RestrictedQuerySet, ScopePolicy
from registry.models import VillageOrOrganisation

__all__ = [
    "Alliance",
    "Consortium",
    "ConsortiumType",
    "Mechanism",
    "MemberFields",
    "Membership",
    "MembershipQuerySet",
]

ADMIN_POLICY = ScopePolicy()  # unscoped city admins write; every signed-in user reads

ILLUSTRATIVE_HELP = _("Generated for the demo, not a published fact.")


class Alliance(ChangeLoggedModel):
    """An alliance of villages (e.g. 金平湖"抱团富"联盟) and the agreement its members signed."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    region = models.ForeignKey(
        "registry.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alliances",
        verbose_name=_("region"),
    )
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    agreement = models.TextField(
        _("agreement"), blank=True, help_text=_("The text of the alliance agreement.")
    )
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ConsortiumType(ChangeLoggedModel):
    """A kind of consortium (飞地抱团, 众筹经营, 农房盘活, 景区村庄, …): data, not an enum."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("consortium type")
        verbose_name_plural = _("consortium types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Consortium(ChangeLoggedModel):
    """A consortium (共富体) of an alliance, of a configurable type."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="consortia", verbose_name=_("alliance")
    )
    name = models.CharField(_("name"), max_length=200)
    type = models.ForeignKey(
        ConsortiumType,
        on_delete=models.PROTECT,
        related_name="consortia",
        verbose_name=_("type"),
    )
    description = models.TextField(_("description"), blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("consortium")
        verbose_name_plural = _("consortia")
        ordering = ["alliance_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "name"], name="alliances_consortium_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Mechanism(ChangeLoggedModel):
    """One mechanism of an alliance agreement (联盟责任清单制, 联席会议共商制, …), in order."""

    alliance = models.ForeignKey(
        Alliance,
        on_delete=models.CASCADE,
        related_name="mechanisms",
        verbose_name=_("alliance"),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("mechanism")
        verbose_name_plural = _("mechanisms")
        ordering = ["alliance_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "name"], name="alliances_mechanism_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(RestrictedQuerySet):
    def members_on(self, day: date) -> MembershipQuerySet:
        """Memberships in force on `day` (joined on or before it, not left before it)."""
        return self.filter(joined_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gte=day))

    def overlapping(self, joined_on: date, left_on: date | None) -> MembershipQuerySet:
        """Memberships sharing at least one day with [joined_on, left_on] (None: open)."""
        qs = self.filter(Q(left_on__isnull=True) | Q(left_on__gte=joined_on))
        if left_on is not None:
            qs = qs.filter(joined_on__lte=left_on)
        return qs


class MemberFields(VillageOrOrganisation):
    """A member village XOR organisation (of a membership, an attendance, a vote)."""

    class Meta:
        abstract = True

    @property
    def member(self):
        return self.holder

    @property
    def member_name(self) -> str:
        if self.village_id is not None:
            return self.village.short_name or self.village.name
        return self.organisation.name if self.organisation_id is not None else ""


class Membership(MemberFields, ChangeLoggedModel):
    """A village or organisation in an alliance or consortium, with role and dates."""

    alliance = models.ForeignKey(
        Alliance,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("alliance"),
    )
    consortium = models.ForeignKey(
        Consortium,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("consortium"),
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(
        _("left on"),
        null=True,
        blank=True,
        help_text=_("Last day of membership; empty: still a member."),
    )
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False, help_text=ILLUSTRATIVE_HELP
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = MembershipQuerySet.as_manager()
    scope_policy = ADMIN_POLICY

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["alliance_id", "consortium_id", "joined_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="alliances_membership_one_group",
                condition=Q(alliance__isnull=False, consortium__isnull=True)
                | Q(alliance__isnull=True, consortium__isnull=False),
            ),
            MemberFields.holder_check("alliances_membership_one_member"),
            models.CheckConstraint(
                name="alliances_membership_period_order",
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
            ),
        ]
        indexes = [
            models.Index(fields=["village", "joined_on"], name="alliances_membership_village"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.group}"

    @property
    def group(self):
        return self.alliance if self.alliance_id is not None else self.consortium
