"""Ventures: share registers, contributions, income, distribution runs and public notices.

Money is integer fen in the venture's currency (CNY). Every write goes through
`ventures.services`, which owns the transaction, checks roles and scope, posts to the
ledger and writes the change log. The models guard what must never change even if a
service is bypassed: a posted run and its lines are frozen, a public notice is never edited,
a run is never approved by the person who prepared it (also a database constraint).

A *holder* is a village (its collective) or an organisation; every holder-bearing row has
exactly one of the two (a database check), and is named in URLs and params by its holder
key: "village:330482107208" or "organisation:12".
"""

from __future__ import annotations

import ast
import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import MoneyField
from core.models import AppendOnlyModel, AppendOnlyQuerySet, ChangeLoggedModel
from core.roles import Role
from core.scope import RestrictedQuerySet, ScopePolicy
from lib.money import format_yuan
from registry.models import VillageOrOrganisation
from ventures.choices import (
    ContributionKind,
    DistributionPolicy,
    DistributionSource,
    IncomeKind,
    LineBasis,
    NoticeKind,
    RunStatus,
    VentureKind,
)
from ventures.exceptions import ImmutableError, VentureError

__all__ = [
    "PAYABLE_VILLAGE_INFIX",
    "Asset",
    "Contribution",
    "DistributionLine",
    "DistributionRun",
    "IncomeReceipt",
    "PublicNotice",
    "Stake",
    "Tenant",
    "Venture",
    "canonical_json",
    "holder_key",
    "parse_holder_key",
]

MONEY_HELP = _("In fen (1/100 yuan).")
VILLAGE_PREFIX, ORGANISATION_PREFIX = "village:", "organisation:"

# Finance staff of the operating company write registers, contributions and income; the
# run workflow adds approvers (ventures.services checks which role may take which step).
FINANCE_POLICY = ScopePolicy(
    write_roles=frozenset({Role.FINANCE}), organisation_path="venture__organisation"
)


def holder_key(village_id: str | None, organisation_id: int | None) -> str:
    """The holder key of a village or organisation: "village:<code>" / "organisation:<pk>"."""
    if village_id is not None:
        return f"{VILLAGE_PREFIX}{village_id}"
    return f"{ORGANISATION_PREFIX}{organisation_id}"


def parse_holder_key(key: str) -> tuple[str | None, int | None]:
    """(village_id, organisation_id) from a holder key; VentureError if malformed."""
    if isinstance(key, str) and key.startswith(VILLAGE_PREFIX):
        code = key[len(VILLAGE_PREFIX):]
        if code.isdigit() and len(code) == 12:
            return code, None
    if isinstance(key, str) and key.startswith(ORGANISATION_PREFIX):
        pk = key[len(ORGANISATION_PREFIX):]
        if pk.isdigit():
            return None, int(pk)
    raise VentureError(
        _("“{}” is not a holder: write village:<12-digit code> or organisation:<id>.").format(key)
    )


def canonical_json(payload) -> bytes:
    """The one byte form of a notice payload that its content hash covers."""
    return json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


class HolderFields(VillageOrOrganisation):
    """The holder (a village XOR an organisation) with its register key."""

    class Meta:
        abstract = True

    @property
    def holder_key(self) -> str:
        return holder_key(self.village_id, self.organisation_id)


class Venture(ChangeLoggedModel):
    """An enclave park, a 强村公司 or a project partnership whose income goes to holders."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=VentureKind.choices)
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="ventures",
        verbose_name=_("operating organisation"),
        help_text=_("The company that runs the venture and books its money."),
    )
    description = models.TextField(_("description"), blank=True)
    started_on = models.DateField(
        _("started on"), null=True, blank=True,
        help_text=_("Start of the fixed-return term, when there is one."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    is_illustrative = models.BooleanField(
        _("illustrative (示例)"), default=False,
        help_text=_("Generated for the demo, not a published fact."),
    )
    notice_contact = models.CharField(
        _("contact for objections"), max_length=200, blank=True,
        help_text=_(
            "Printed on every public notice of this venture: an office and its telephone "
            "(not a person's own number)."
        ),
    )
    # An enclave park's pairing (山海协作): the rich county where the park stands and the
    # mountain county whose villages own it, and the programme (a region group) it belongs
    # to. Set through ventures.services.set_pairing, which applies the group's rule.
    site_county = models.ForeignKey(
        "registry.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("site county"), help_text=_("Where the park stands."),
    )
    owner_county = models.ForeignKey(
        "registry.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("owner county"), help_text=_("The county whose villages own the park."),
    )
    programme = models.ForeignKey(
        "registry.RegionGroup", null=True, blank=True, on_delete=models.PROTECT,
        related_name="ventures", verbose_name=_("programme"),
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = ScopePolicy(
        write_roles=frozenset({Role.FINANCE}), organisation_path="organisation"
    )

    class Meta:
        verbose_name = _("venture")
        verbose_name_plural = _("ventures")
        ordering = ["name"]
        constraints = [
            # A pairing names both counties, and two different ones.
            models.CheckConstraint(
                name="ventures_venture_pairing_whole",
                condition=(Q(site_county__isnull=True) & Q(owner_county__isnull=True))
                | (
                    Q(site_county__isnull=False)
                    & Q(owner_county__isnull=False)
                    & ~Q(site_county=F("owner_county"))
                ),
            ),
            models.CheckConstraint(
                name="ventures_venture_programme_paired",
                condition=Q(programme__isnull=True) | Q(owner_county__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ledger_name(self) -> str:
        """The name every ledger account of this venture starts with: "Venture-<pk>"."""
        return f"Venture-{self.pk}"


class Stake(HolderFields, ChangeLoggedModel):
    """A holder's share units in a venture from one day to another (both days included).

    One holder never has two stakes in one venture on the same day: the services check
    this under a lock on the venture, and on PostgreSQL an exclusion constraint (migration
    0002) refuses it in the database too.
    """

    venture = models.ForeignKey(
        Venture, on_delete=models.PROTECT, related_name="stakes", verbose_name=_("venture")
    )
    units = models.BigIntegerField(_("share units"))
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(
        _("effective to"), null=True, blank=True, help_text=_("Last day held; empty: still held.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = FINANCE_POLICY

    class Meta:
        verbose_name = _("stake")
        verbose_name_plural = _("stakes")
        ordering = ["venture_id", "effective_from", "pk"]
        constraints = [
            HolderFields.holder_check("ventures_stake_one_holder"),
            models.CheckConstraint(name="ventures_stake_units_not_negative", condition=Q(units__gte=0)),
            models.CheckConstraint(
                name="ventures_stake_period_order",
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
            ),
        ]
        indexes = [
            models.Index(fields=["venture", "effective_from"], name="ventures_stake_venture_from"),
        ]

    def __str__(self) -> str:
        return f"{self.holder} · {self.units}"


class Contribution(HolderFields, ChangeLoggedModel):
    """Capital a holder put into a venture: cash, land quota or subsidy-funded equity.

    Posted to the ledger when recorded (`entry`): the venture's cash (or, for land quota
    and subsidy equity, its non-cash capital asset) is debited and the holder's capital
    account in the venture is credited.
    """

    venture = models.ForeignKey(
        Venture, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("venture")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ContributionKind.choices)
    amount = MoneyField(_("amount"), help_text=MONEY_HELP)
    contributed_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("journal entry"),
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = FINANCE_POLICY

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["venture_id", "contributed_on", "pk"]
        constraints = [
            HolderFields.holder_check("ventures_contribution_one_holder"),
            models.CheckConstraint(
                name="ventures_contribution_amount_positive", condition=Q(amount__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder} · {self.get_kind_display()} · {format_yuan(self.amount)}"


class Asset(ChangeLoggedModel):
    """A venture's asset, e.g. one of the enclave park's factory buildings."""

    venture = models.ForeignKey(
        Venture, on_delete=models.PROTECT, related_name="assets", verbose_name=_("venture")
    )
    name = models.CharField(_("name"), max_length=200)
    area_m2 = models.DecimalField(
        _("floor area (m²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    cost = MoneyField(_("cost"), default=0, help_text=MONEY_HELP)
    acquired_on = models.DateField(_("acquired on"), null=True, blank=True)
    is_illustrative = models.BooleanField(_("illustrative (示例)"), default=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = FINANCE_POLICY

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["venture_id", "name"]
        constraints = [
            models.CheckConstraint(name="ventures_asset_cost_not_negative", condition=Q(cost__gte=0)),
        ]

    def __str__(self) -> str:
        return self.name


class Tenant(ChangeLoggedModel):
    """An organisation that leases (part of) a venture's assets."""

    venture = models.ForeignKey(
        Venture, on_delete=models.PROTECT, related_name="tenants", verbose_name=_("venture")
    )
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("tenant"),
    )
    asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.PROTECT, related_name="tenants",
        verbose_name=_("asset"),
    )
    lease_from = models.DateField(_("lease from"), null=True, blank=True)
    lease_to = models.DateField(_("lease to"), null=True, blank=True)
    annual_rent = MoneyField(
        _("annual rent"), null=True, blank=True, help_text=MONEY_HELP
    )
    is_illustrative = models.BooleanField(_("illustrative (示例)"), default=False)

    objects = RestrictedQuerySet.as_manager()
    scope_policy = FINANCE_POLICY

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["venture_id", "pk"]
        constraints = [
            models.CheckConstraint(
                name="ventures_tenant_rent_not_negative",
                condition=Q(annual_rent__isnull=True) | Q(annual_rent__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class IncomeReceipt(ChangeLoggedModel):
    """Money a venture received (rent, dividends, …), posted to the ledger when recorded:
    debit the venture's cash, credit the venture's income."""

    venture = models.ForeignKey(
        Venture, on_delete=models.PROTECT, related_name="income_receipts",
        verbose_name=_("venture"),
    )
    payer = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("payer"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=IncomeKind.choices)
    amount = MoneyField(_("amount"), help_text=MONEY_HELP)
    received_on = models.DateField(_("received on"))
    period_start = models.DateField(_("for the period from"), null=True, blank=True)
    period_end = models.DateField(_("for the period to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    entry = models.OneToOneField(
        "ledger.JournalEntry", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("journal entry"),
    )

    objects = RestrictedQuerySet.as_manager()
    scope_policy = FINANCE_POLICY

    class Meta:
        verbose_name = _("income receipt")
        verbose_name_plural = _("income receipts")
        ordering = ["venture_id", "received_on", "pk"]
        constraints = [
            models.CheckConstraint(name="ventures_income_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="ventures_income_period_order",
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=F("period_start")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venture} · {self.get_kind_display()} · {self.received_on}"


#: The infix of a holder village's payable account name ("Venture-<pk>-Village-<code>"):
#: the programme's figures read the village from it (analytics.programme).
PAYABLE_VILLAGE_INFIX = "-Village-"

# Which status may follow which (the services take the steps; the model refuses others).
RUN_TRANSITIONS = {
    RunStatus.PREPARED: {RunStatus.APPROVED},
    RunStatus.APPROVED: {RunStatus.POSTED},
    RunStatus.POSTED: {RunStatus.PUBLISHED, RunStatus.REVERSED},
    RunStatus.PUBLISHED: {RunStatus.REVERSED},
    RunStatus.REVERSED: set(),
}
# The fields each step may set; everything else is frozen from the step's state onwards.
RUN_STEP_FIELDS = {
    RunStatus.APPROVED: {"status", "approved_by_id", "approved_at"},
    RunStatus.POSTED: {"status", "posted_by_id", "posted_at", "posted_on", "posted_entry_id"},
    RunStatus.PUBLISHED: {"status", "published_by_id", "published_at"},
    RunStatus.REVERSED: {
        "status", "reversed_by_id", "reversed_at", "reversed_on", "reversal_entry_id",
        "reversal_reason",
    },
}


class DistributionRunQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise ImmutableError(_("Distribution runs change only through their workflow steps."))


class DistributionRun(ChangeLoggedModel):
    """One distribution of a venture's money for a period: prepared → approved → posted →
    published (公示) → reversed.

    `total` is what is taken from the source account; it equals reserve + welfare +
    distributed (a database check), and `distributed_amount` is the sum of the lines.
    """

    venture = models.ForeignKey(
        Venture, on_delete=models.PROTECT, related_name="runs", verbose_name=_("venture")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(
        _("period end"), help_text=_("The share register is read on this day.")
    )
    policy = models.CharField(_("policy"), max_length=20, choices=DistributionPolicy.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=DistributionSource.choices,
        default=DistributionSource.INCOME,
    )
    total = models.BigIntegerField(_("total"), help_text=MONEY_HELP)
    reserve_amount = models.BigIntegerField(
        _("reserve fund (公积公益金)"), default=0, help_text=MONEY_HELP
    )
    welfare_amount = models.BigIntegerField(_("welfare fund (福利费)"), default=0, help_text=MONEY_HELP)
    distributed_amount = models.BigIntegerField(_("distributed"), help_text=MONEY_HELP)
    holder_count = models.PositiveIntegerField(_("holders"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.PREPARED
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("prepared by"),
    )
    prepared_at = models.DateTimeField(_("prepared at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("posted by"),
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    posted_on = models.DateField(_("posting date"), null=True, blank=True)
    posted_entry = models.OneToOneField(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("journal entry"),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("reversed by"),
    )
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversal_entry = models.OneToOneField(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("reversal entry"),
    )
    reversed_on = models.DateField(_("reversal date"), null=True, blank=True)
    reversal_reason = models.TextField(_("reason for reversal"), blank=True)

    objects = DistributionRunQuerySet.as_manager()
    scope_policy = ScopePolicy(
        write_roles=frozenset({Role.FINANCE, Role.APPROVER}),
        organisation_path="venture__organisation",
    )

    class Meta:
        verbose_name = _("distribution run")
        verbose_name_plural = _("distribution runs")
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="ventures_run_period_order", condition=Q(period_end__gte=F("period_start"))
            ),
            models.CheckConstraint(
                name="ventures_run_parts_sum",
                condition=Q(
                    total=F("reserve_amount") + F("welfare_amount") + F("distributed_amount")
                ),
            ),
            models.CheckConstraint(
                name="ventures_run_amounts_not_negative",
                condition=Q(reserve_amount__gte=0, welfare_amount__gte=0, distributed_amount__gte=0),
            ),
            # Maker-checker in the database too: the preparer is never the approver.
            models.CheckConstraint(
                name="ventures_run_maker_checker",
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("prepared_by")),
            ),
        ]
        indexes = [
            models.Index(fields=["venture", "period_end"], name="ventures_run_venture_period"),
        ]

    def __str__(self) -> str:
        return f"{self.venture} · {self.period_start}–{self.period_end}"

    @staticmethod
    def change_log_value(name: str, value) -> str | None:
        """The change log's words for the parameters: labels and yuan, not their keys."""
        if name != "params":
            return None
        if isinstance(value, str):  # snapshots keep a JSON field as its text
            try:
                value = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                return None
        if not isinstance(value, dict):
            return None
        from ventures.reports import params_display  # reports reads these models

        return "；".join(f"{label}：{text}" for label, text in params_display(value))

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What the row held when read: save() compares against it (no extra query).
        instance._loaded = {
            name: getattr(instance, name) for name in cls._frozen_names() if name in field_names
        }
        return instance

    @classmethod
    def _frozen_names(cls) -> list[str]:
        return [f.attname for f in cls._meta.concrete_fields if f.attname != "id"]

    def _check_edit(self) -> None:
        """Refuse saving anything but the next workflow step's own fields."""
        loaded = getattr(self, "_loaded", None)
        if self._state.adding or loaded is None:
            return
        changed = {name for name, value in loaded.items() if getattr(self, name) != value}
        if not changed:
            return
        before, after = loaded.get("status"), self.status
        if before == after:
            # A run is computed once; a different computation is a new run (discard this one).
            raise ImmutableError(
                _("This distribution run ({status}) cannot be edited.").format(
                    status=RunStatus(before).label
                )
            )
        if after not in RUN_TRANSITIONS[RunStatus(before)]:
            raise ImmutableError(
                _("A distribution run cannot go from {before} to {after}.").format(
                    before=RunStatus(before).label, after=RunStatus(after).label
                )
            )
        extra = changed - RUN_STEP_FIELDS[RunStatus(after)]
        if extra:
            raise ImmutableError(
                _("Only the step's own fields may change; refused: {}.").format(
                    ", ".join(sorted(extra))
                )
            )

    def save(self, *args, **kwargs):
        self._check_edit()
        super().save(*args, **kwargs)
        self._loaded = {name: getattr(self, name) for name in self._frozen_names()}

    def delete(self, *args, **kwargs):
        if self.status not in (RunStatus.PREPARED, RunStatus.APPROVED):
            raise ImmutableError(_("A posted distribution run cannot be deleted; reverse it."))
        return super().delete(*args, **kwargs)

    @property
    def is_posted(self) -> bool:
        return self.status in (RunStatus.POSTED, RunStatus.PUBLISHED, RunStatus.REVERSED)


class DistributionLineQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise ImmutableError(_("Distribution lines are never edited."))

    def delete(self):
        raise ImmutableError(_("Distribution lines go only with their discarded run."))


class DistributionLine(HolderFields, ChangeLoggedModel):
    """One holder's part of a run: the stake read from the register, the policy's weight
    for the holder, and the amount. Written in bulk by the run's preparation, never edited."""

    run = models.ForeignKey(
        DistributionRun, on_delete=models.CASCADE, related_name="lines", verbose_name=_("run")
    )
    stake = models.ForeignKey(
        Stake, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("stake"),
    )
    units = models.BigIntegerField(_("share units"))
    basis = models.CharField(_("basis"), max_length=12, choices=LineBasis.choices)
    weight = models.BigIntegerField(_("weight"), help_text=_("What the policy split by."))
    floor = models.BigIntegerField(_("floor"), null=True, blank=True, help_text=MONEY_HELP)
    points = models.BigIntegerField(_("points"), null=True, blank=True)
    amount = models.BigIntegerField(_("amount"), help_text=MONEY_HELP)
    # A household of the holder village (shares + points, low-income households): the line
    # pays the household, through its own payable; `village` is the household's village.
    household = models.ForeignKey(
        "grids.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("household"),
    )
    # The holder's payable account on the operating company's books, opened when the run
    # is prepared (lines with an amount): post_run books each line to it and check_ledger
    # reconciles the posted entry with the lines by it, an integer join rather than a
    # lookup of the account by its name for every line. Empty on a zero line.
    account = models.ForeignKey(
        "ledger.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False, verbose_name=_("payable account"),
    )

    objects = DistributionLineQuerySet.as_manager()
    scope_policy = ScopePolicy(
        write_roles=frozenset({Role.FINANCE}), organisation_path="run__venture__organisation"
    )

    class Meta:
        verbose_name = _("distribution line")
        verbose_name_plural = _("distribution lines")
        ordering = ["run_id", "pk"]
        constraints = [
            HolderFields.holder_check("ventures_line_one_holder"),
            models.CheckConstraint(name="ventures_line_amount_not_negative", condition=Q(amount__gte=0)),
            models.UniqueConstraint(
                fields=["run", "village"], condition=Q(village__isnull=False, household__isnull=True),
                name="ventures_line_one_per_village",
            ),
            models.UniqueConstraint(
                fields=["run", "household"], condition=Q(household__isnull=False),
                name="ventures_line_one_per_household",
            ),
            models.CheckConstraint(
                name="ventures_line_household_in_a_village",
                condition=Q(household__isnull=True) | Q(village__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["run", "organisation"], condition=Q(organisation__isnull=False),
                name="ventures_line_one_per_organisation",
            ),
            # Conditional, so that SQLite adds it as an index (a plain unique constraint
            # would rebuild the table and lose its guard triggers).
            models.UniqueConstraint(
                fields=["run", "account"], condition=Q(account__isnull=False),
                name="ventures_line_one_per_account",
            ),
        ]
        indexes = [
            # check_ledger's pass over the posted runs' lines reads this index alone.
            models.Index(fields=["run", "account", "amount"], name="ventures_line_reconcile"),
        ]

    def __str__(self) -> str:
        return f"{self.holder_key} · {self.amount}"

    @property
    def holder_key(self) -> str:
        """The payee's key: "household:<pk>" for a household's line, else its holder's."""
        if self.household_id is not None:
            return f"household:{self.household_id}"
        return holder_key(self.village_id, self.organisation_id)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError(_("Distribution lines are never edited."))
        if self.run.status != RunStatus.PREPARED:
            raise ImmutableError(_("Lines are added only while a run is prepared."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(_("Distribution lines go only with their discarded run."))


class PublicNotice(AppendOnlyModel, ChangeLoggedModel):
    """公示: the frozen, public record of a distribution (or of its reversal).

    The payload names payees (villages and organisations, never persons) and amounts; the
    content hash is the SHA-256 of its canonical JSON, so anyone can check a printed copy.
    Never edited or deleted (model, queryset, and a database trigger from migration 0002).
    """

    run = models.ForeignKey(
        DistributionRun, on_delete=models.PROTECT, related_name="notices", verbose_name=_("run")
    )
    kind = models.CharField(_("kind"), max_length=15, choices=NoticeKind.choices)
    title = models.CharField(_("title"), max_length=300)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    payload = models.JSONField(_("content"))
    content_hash = models.CharField(_("SHA-256"), max_length=64)
    # The 公示期 and who answers objections. Nullable so that the migration adds the columns
    # in place (a notice is never updated, and notices published before carry none).
    objection_from = models.DateField(_("notice period from"), null=True, blank=True)
    objection_to = models.DateField(_("notice period to"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, null=True, blank=True)
    contact = models.CharField(_("contact for objections"), max_length=200, null=True, blank=True)

    immutable_error = ImmutableError
    edit_refused = _("A public notice is never edited.")
    delete_refused = _("A public notice is never deleted.")

    objects = AppendOnlyQuerySet.as_manager()
    # Anyone may read notices; nobody writes them except the publish and reverse services.
    scope_policy = ScopePolicy(public=True, organisation_path="run__venture__organisation")

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "kind"], name="ventures_notice_one_per_kind"),
        ]

    def __str__(self) -> str:
        return self.title

    def to_change_dict(self) -> dict:
        # The payload can list 20,000 payees; the log keeps its hash, which pins it.
        data = super().to_change_dict()
        data["payload"] = f"sha256:{self.content_hash}"
        return data

    @staticmethod
    def hash_of(payload) -> str:
        return hashlib.sha256(canonical_json(payload)).hexdigest()

    def in_objection_period(self, day) -> bool:
        """Whether `day` falls in the 公示期 (both days included)."""
        return (
            self.objection_from is not None
            and self.objection_to is not None
            and self.objection_from <= day <= self.objection_to
        )

    @property
    def is_intact(self) -> bool:
        """Whether the stored payload still matches its hash."""
        return self.hash_of(self.payload) == self.content_hash
