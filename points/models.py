"""积分制: schemes, rule versions and items, entries, 公示 notices, appeals, the store.

A scheme belongs to a village, or to a shared grid (浙沪山塘: both sides' households score
in one scheme). Its rules are data, versioned: an entry names the version it was scored
under and never changes its points; a correction is a reversing entry (`reverses`). An entry
moves proposed → (a deduction: a second review) → verified → published in a frozen notice
(公示, content hash) → effective when the notice period has ended with no open appeal
(`Entry.objects.effective_on(day)`, the one rule). The database refuses an edit of an
entry's points, household, item or version, and every delete (migration 0002).

Nothing here is public except a notice's frozen payload and a ranking, which carry household
numbers and masked head names only (`lib.idcard.mask_name`).
"""

from __future__ import annotations

import hashlib
import json
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel, AppendOnlyQuerySet, ChangeLoggedModel
from core.roles import Role
from core.scope import RestrictedQuerySet, ScopePolicy
from points.choices import (
    AppealChannel,
    AppealOutcome,
    CapPeriod,
    Category,
    EntryState,
    YearClose,
)

__all__ = [
    "Appeal",
    "Entry",
    "EntryImmutable",
    "PointsNotice",
    "Redemption",
    "RuleItem",
    "RuleVersion",
    "Scheme",
    "StoreItem",
    "Tally",
    "canonical_json",
]

READERS = frozenset(
    {Role.VILLAGE_CLERK, Role.GRID_MEMBER, Role.PARTNER, Role.AUDITOR, Role.CITY_ADMIN}
)
#: Who proposes entries: the village's clerk and grid members, the other side's partner.
PROPOSERS = frozenset({Role.VILLAGE_CLERK, Role.GRID_MEMBER, Role.PARTNER})
#: Who verifies (a scorer), reviews deductions, publishes and decides appeals.
SCORERS = frozenset({Role.VILLAGE_CLERK, Role.PARTNER})
#: Who hands out the store's goods.
STOREKEEPERS = frozenset({Role.VILLAGE_CLERK, Role.GRID_MEMBER})

# A scheme's rules, store and notices: written by its village's clerk; read by both sides.
SCHEME_POLICY = ScopePolicy(
    write_roles=frozenset({Role.VILLAGE_CLERK}),
    village_path="village",
    also_read_paths=("grid__partner_village",),
    scoped_reads=True,
    view_roles=READERS,
)


def _under(prefix: str) -> ScopePolicy:
    return ScopePolicy(
        write_roles=frozenset({Role.VILLAGE_CLERK}),
        village_path=f"{prefix}__village",
        also_read_paths=(f"{prefix}__grid__partner_village",),
        scoped_reads=True,
        view_roles=READERS,
    )


# Entries and appeals are worked by both sides of a shared grid's scheme.
ENTRY_POLICY = ScopePolicy(
    write_roles=PROPOSERS,
    village_path="scheme__village",
    also_village_paths=("scheme__grid__partner_village",),
    scoped_reads=True,
    view_roles=READERS,
)


class EntryImmutable(Exception):
    """An entry's points (or a notice, or a redemption) were to be edited or deleted."""


def new_code() -> str:
    """A notice's public code: short enough to type from a printed notice, unguessable."""
    return secrets.token_hex(5)


def canonical_json(payload) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


class Scheme(ChangeLoggedModel):
    """A points scheme (山塘积分) of a village, or of a shared grid (then `village` is the
    grid's home village)."""

    village = models.ForeignKey(
        "registry.Village", on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    grid = models.ForeignKey(
        "grids.Grid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shared grid"),
    )
    name = models.CharField(_("name"), max_length=100)
    # What the store's goods cost the village: fen per point (10: 1 point = 0.1 yuan).
    rate_fen = models.PositiveIntegerField(_("fen per point"), default=10)
    is_illustrative = models.BooleanField(_("illustrative (示例)"), default=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = SCHEME_POLICY

    class Meta:
        verbose_name = _("points scheme")
        ordering = ["village_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["village", "name"], name="points_scheme_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class RuleVersion(ChangeLoggedModel):
    """One version of a scheme's rules, adopted by a recorded decision, in force from a day
    until the next version's day."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("in force from"))
    adopted_on = models.DateField(_("adopted on (meeting date)"))
    document_no = models.CharField(_("document number"), max_length=100, blank=True, default="")
    decision = models.ForeignKey(
        "alliances.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decision"),
    )
    base_points = models.PositiveIntegerField(_("base points per household"), default=0)
    base_redeemable = models.BooleanField(_("base points can be redeemed"), default=False)
    year_close = models.CharField(
        _("at the year's close"), max_length=8, choices=YearClose.choices, default=YearClose.RESET
    )
    notice_days = models.PositiveSmallIntegerField(_("notice period (days)"), default=7)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = _under("scheme")

    class Meta:
        verbose_name = _("rule version")
        ordering = ["scheme_id", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="points_version_unique"),
            models.UniqueConstraint(
                fields=["scheme", "effective_from"], name="points_version_day_unique"
            ),
            models.CheckConstraint(
                condition=Q(notice_days__gte=1), name="points_notice_at_least_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} v{self.number}"


class RuleItem(ChangeLoggedModel):
    """An item of a version: code, category, points (+ or −), a cap per period."""

    version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="items")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("item"), max_length=200)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    points = models.IntegerField(_("points"))
    # The most points (in absolute value) a household gets from this item in one period.
    cap = models.PositiveIntegerField(_("cap per period"), null=True, blank=True)
    cap_period = models.CharField(
        _("cap period"), max_length=8, choices=CapPeriod.choices, default=CapPeriod.YEAR
    )
    evidence_required = models.BooleanField(_("evidence required"), default=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = _under("version__scheme")

    class Meta:
        verbose_name = _("rule item")
        ordering = ["version_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="points_item_code_unique"),
            models.CheckConstraint(condition=~Q(points=0), name="points_item_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_deduction(self) -> bool:
        return self.points < 0


class PointsNotice(AppendOnlyModel, ChangeLoggedModel):
    """公示: the frozen list of entries published together, with its content hash and the
    public code an appeal quotes."""

    immutable_error = EntryImmutable
    edit_refused = _("A points notice is never edited.")
    delete_refused = _("A points notice is never deleted.")

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="notices")
    number = models.PositiveIntegerField(_("number"))
    code = models.CharField(_("public code"), max_length=12, unique=True, default=new_code)
    published_on = models.DateField(_("published on"))
    ends_on = models.DateField(_("notice period ends"))
    payload = models.JSONField(_("content"))
    content_hash = models.CharField(_("SHA-256"), max_length=64)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AppendOnlyQuerySet.as_manager()
    scope_policy = _under("scheme")

    class Meta:
        verbose_name = _("points notice")
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="points_notice_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scheme} · {self.number}"

    def to_change_dict(self) -> dict:
        data = super().to_change_dict()
        data["payload"] = f"sha256:{self.content_hash}"
        return data

    @staticmethod
    def hash_of(payload) -> str:
        return hashlib.sha256(canonical_json(payload)).hexdigest()

    @property
    def is_intact(self) -> bool:
        return self.hash_of(self.payload) == self.content_hash


class EntryQuerySet(RestrictedQuerySet):
    def delete(self):
        raise EntryImmutable(_("Points entries are never deleted: reverse one instead."))

    def effective_on(self, day):
        """The entries effective on `day`: published, the notice period over by then, and no
        appeal holding them (the one rule of when points count)."""
        return self.filter(effective_q(day))


def effective_q(day, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}state__in": (EntryState.PUBLISHED, EntryState.EFFECTIVE),
            f"{prefix}effective_on__lte": day,
        }
    )


class Entry(ChangeLoggedModel):
    """Points a household earned (or lost) for one item on one day."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="entries")
    household = models.ForeignKey(
        "grids.Household", on_delete=models.PROTECT, related_name="points_entries"
    )
    version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(RuleItem, on_delete=models.PROTECT, related_name="entries")
    points = models.IntegerField(_("points"))
    occurred_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    evidence = models.FileField(_("evidence"), upload_to="points/evidence/%Y/", blank=True)
    evidence_note = models.CharField(
        _("evidence (description)"), max_length=300, blank=True, default=""
    )
    state = models.CharField(
        _("state"), max_length=10, choices=EntryState.choices, default=EntryState.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    second_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notice = models.ForeignKey(
        PointsNotice, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    rejected_reason = models.CharField(_("reason"), max_length=300, blank=True, default="")
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    # The import that wrote it (an idempotency key: file digest and row), if any.
    import_key = models.CharField(max_length=80, null=True, blank=True, unique=True)

    objects = EntryQuerySet.as_manager()
    scope_policy = ENTRY_POLICY

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["scheme", "state"], name="points_entry_scheme_state"),
            models.Index(fields=["household", "item"], name="points_entry_household_item"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="points_entry_not_zero"),
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True) | ~Q(verified_by=models.F("proposed_by")),
                name="points_entry_verifier_is_not_proposer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.item.code} · {self.points:+d}"

    def delete(self, *args, **kwargs):
        raise EntryImmutable(_("Points entries are never deleted: reverse one instead."))


class Tally(models.Model):
    """Each household's totals in a scheme and a year (of the entries' dates, of the
    redemptions' days), kept by the services in the same transaction as the entries: the
    balances of today read these rows, not every entry (the snapshot of the ledger's kind).
    `published` counts entries in a notice not yet settled effective (held ones included)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey("grids.Household", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    proposed = models.BigIntegerField(default=0)
    verified = models.BigIntegerField(default=0)
    published = models.BigIntegerField(default=0)
    effective = models.BigIntegerField(default=0)
    redeemed = models.BigIntegerField(default=0)
    entries = models.IntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ENTRY_POLICY

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "household", "year"], name="points_tally_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheme_id}-{self.household_id}-{self.year}"


class Appeal(ChangeLoggedModel):
    """申诉: holds its entry until it is decided (upheld: the entry does not count; rejected:
    it counts from the decision)."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="appeals")
    channel = models.CharField(_("channel"), max_length=8, choices=AppealChannel.choices)
    filed_on = models.DateField(_("filed on"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=AppealOutcome.choices, default=AppealOutcome.OPEN
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.CharField(_("reason for the decision"), max_length=500, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ScopePolicy(
        write_roles=SCORERS,
        village_path="entry__scheme__village",
        also_village_paths=("entry__scheme__grid__partner_village",),
        scoped_reads=True,
        view_roles=READERS,
    )

    class Meta:
        verbose_name = _("appeal")
        ordering = ["-filed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=Q(outcome="open"), name="points_one_open_appeal"
            )
        ]


class StoreItem(ChangeLoggedModel):
    """积分超市: goods with a price in points and a stock."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="store_items")
    name = models.CharField(_("goods"), max_length=100)
    price = models.PositiveIntegerField(_("price (points)"))
    stock = models.PositiveIntegerField(_("stock"), default=0)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = _under("scheme")

    class Meta:
        verbose_name = _("store item")
        ordering = ["scheme_id", "price", "name"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="points_store_item_unique"),
            models.CheckConstraint(condition=Q(price__gt=0), name="points_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Redemption(AppendOnlyModel, ChangeLoggedModel):
    """A household spent effective points on goods; who handed them out. Never edited."""

    immutable_error = EntryImmutable
    edit_refused = _("A redemption is never edited.")
    delete_refused = _("A redemption is never deleted.")

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="redemptions")
    household = models.ForeignKey("grids.Household", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(StoreItem, on_delete=models.PROTECT, related_name="redemptions")
    quantity = models.PositiveIntegerField(_("quantity"))
    points = models.PositiveIntegerField(_("points"))
    # What the goods cost the village at the scheme's rate, in fen.
    cost_fen = models.BigIntegerField(_("cost (fen)"))
    redeemed_on = models.DateField(_("redeemed on"))
    handed_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handed_out_name = models.CharField(_("handed out by"), max_length=50)

    objects = AppendOnlyQuerySet.as_manager()
    scope_policy = ScopePolicy(
        write_roles=STOREKEEPERS,
        village_path="scheme__village",
        also_read_paths=("scheme__grid__partner_village",),
        scoped_reads=True,
        view_roles=READERS,
    )

    class Meta:
        verbose_name = _("redemption")
        ordering = ["-redeemed_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="points_quantity_positive")
        ]
