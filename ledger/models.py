"""The ledger: double-entry accounts, journal entries and postings in integer fen.

Rules (ARCHITECTURE.md, "ledger"; beancount's semantics on an append-only table):

- An account belongs to exactly one village or organisation and holds one currency.
- A journal entry is posted when it is created (there are no drafts). Its postings sum to
  zero in every currency; a positive amount is a debit, a negative one a credit.
- Entries, postings, period locks and balance snapshots are never updated or deleted.
  A mistake is corrected by a reversal: another entry with the mirror postings, linked by
  `reverses`. The model and queryset refuse edits (`LedgerImmutable`); on PostgreSQL
  triggers refuse UPDATE and DELETE of these rows for raw SQL too and check at COMMIT that
  every entry balances (migration 0002).
- Months are locked in order. Locking a month writes a `BalanceSnapshot` of every account
  used up to its last day, and nothing can be posted on or before that day afterwards.

Write through `ledger.services`; these models only hold the rows and refuse edits.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import ChangeLoggedModel
from core.roles import Role
from core.scope import RestrictedQuerySet, ScopePolicy
from ledger.choices import BEANCOUNT_ROOT, AccountKind
from ledger.exceptions import LedgerImmutable
from registry.models import Organisation, Village

__all__ = [
    "MONEY_HELP",
    "Account",
    "BalanceSnapshot",
    "JournalEntry",
    "Period",
    "Posting",
]

MONEY_HELP = _("In fen (1/100 yuan); positive is a debit, negative a credit.")
CURRENCY_HELP = _("ISO 4217 code, e.g. CNY.")
# A beancount account-name component that is safe everywhere: ASCII, starts with a capital
# letter or a digit (beancount accepts more; some tools do not).
_BEANCOUNT_COMPONENT = re.compile(r"[A-Z0-9][A-Za-z0-9-]*\Z")

#: Who may write accounts and post (through the services): finance staff in their scope.
LEDGER_WRITE_ROLES = frozenset({Role.FINANCE})


class AccountQuerySet(RestrictedQuerySet):
    def owned_by(self, owner) -> AccountQuerySet:
        """Accounts of a Village or an Organisation."""
        if isinstance(owner, Village):
            return self.filter(village=owner)
        return self.filter(organisation=owner)


class Account(ChangeLoggedModel):
    """A ledger account of one village or one organisation, in one currency.

    Accounts are found or created with `ledger.services.get_account`. The balance is the
    sum of the postings: debits positive, credits negative (so income and liability accounts
    usually show negative balances, as in beancount).
    """

    name = models.CharField(
        _("name"),
        max_length=100,
        blank=True,
        default="",
        help_text=_("Distinguishes accounts of the same kind and owner (e.g. a holder)."),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=AccountKind.choices)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", help_text=CURRENCY_HELP)
    village = models.ForeignKey(
        Village,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
        verbose_name=_("village"),
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
        verbose_name=_("organisation"),
    )

    objects = AccountQuerySet.as_manager()
    scope_policy = ScopePolicy(
        write_roles=LEDGER_WRITE_ROLES, village_path="village", organisation_path="organisation"
    )

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                name="ledger_account_one_owner",
                condition=(Q(village__isnull=False) & Q(organisation__isnull=True))
                | (Q(village__isnull=True) & Q(organisation__isnull=False)),
            ),
            models.CheckConstraint(
                name="ledger_account_kind_known", condition=Q(kind__in=AccountKind.values)
            ),
            # One constraint per owner column: NULLs are distinct in a plain unique
            # constraint, so (village, NULL, …) would never collide with itself.
            models.UniqueConstraint(
                fields=["village", "kind", "name", "currency"],
                condition=Q(village__isnull=False),
                name="ledger_account_unique_village",
            ),
            models.UniqueConstraint(
                fields=["organisation", "kind", "name", "currency"],
                condition=Q(organisation__isnull=False),
                name="ledger_account_unique_organisation",
            ),
        ]

    def __str__(self) -> str:
        owner = self.village_id or self.organisation_id
        label = self.get_kind_display()
        return f"{owner} {label} {self.name}".rstrip() + (
            f" ({self.currency})" if self.currency != "CNY" else ""
        )

    @property
    def owner(self) -> Village | Organisation:
        return self.village if self.village_id else self.organisation

    @property
    def beancount_name(self) -> str:
        """The account's name in a beancount export, e.g. Assets:Village:330482107208:Cash.

        Root by kind (Assets, Liabilities, Equity, Income, Expenses), then the owner
        (Village:<12-digit code> or Organisation:<pk>), the kind in CamelCase (with the
        currency appended for non-CNY accounts: Cash-USD), and the name when there is one.
        A name that is not a valid ASCII component (Chinese, spaces, …) becomes Account-<pk>;
        the export shows the real name as metadata on the `open` directive.
        """
        owner = (
            f"Village:{self.village_id}"
            if self.village_id
            else f"Organisation:{self.organisation_id}"
        )
        kind = "".join(part.capitalize() for part in self.kind.split("_"))
        if self.currency != "CNY":
            kind = f"{kind}-{self.currency}"
        parts = [BEANCOUNT_ROOT[self.kind], owner, kind]
        if self.name:
            parts.append(
                self.name if _BEANCOUNT_COMPONENT.match(self.name) else f"Account-{self.pk}"
            )
        return ":".join(parts)

    def save(self, **kwargs):
        if not self._state.adding and self.pk is not None:
            # Postings carry the account's currency; changing it would orphan them.
            old = type(self)._base_manager.filter(pk=self.pk).values_list("currency", flat=True)
            old_currency = next(iter(old), self.currency)
            if old_currency != self.currency and Posting.objects.filter(account=self).exists():
                raise LedgerImmutable(
                    message=_("The currency of an account with postings cannot be changed.")
                )
        super().save(**kwargs)


class ImmutableQuerySet(RestrictedQuerySet):
    """Refuses every bulk edit and delete; rows are only ever inserted."""

    def _refuse(self, *args, **kwargs):
        raise LedgerImmutable(str(self.model._meta.verbose_name_plural))

    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    _update = _refuse

    def _raw_delete(self, using):
        raise LedgerImmutable(str(self.model._meta.verbose_name_plural))


class InsertOnlyModel(models.Model):
    """save() inserts a new row and never updates one; delete() is refused."""

    class Meta:
        abstract = True

    def save(self, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise LedgerImmutable(str(self._meta.verbose_name))
        # An instance built with an existing pk must not turn into an UPDATE.
        kwargs["force_insert"] = True
        super().save(**kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutable(str(self._meta.verbose_name))


class JournalEntry(InsertOnlyModel):
    """A dated, posted transaction: two or more postings that sum to zero per currency.

    Created only by `ledger.services.post_entry` / `reverse_entry`, in one transaction
    with its postings and its change-log row. A reversal points at the entry it undoes
    (`reverses`); an entry is reversed at most once (the one-to-one link is unique).
    """

    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
        help_text=_("Empty for entries posted by the system."),
    )
    idempotency_key = models.CharField(
        _("idempotency key"),
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Posting again with the same key returns this entry instead."),
    )
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("What posted this entry, as app.model:pk (e.g. ventures.distributionrun:12)."),
    )

    objects = ImmutableQuerySet.as_manager()
    # Entries span owners; anyone signed in may read them, finance staff post (services).
    scope_policy = ScopePolicy(write_roles=LEDGER_WRITE_ROLES)

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["date", "pk"]
        indexes = [
            # balances(): entries after the latest snapshot, up to the date asked for.
            models.Index(fields=["date", "id"], name="ledger_entry_date"),
            models.Index(fields=["source"], name="ledger_entry_source"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.date} {self.description}"[:200]


class PostingQuerySet(ImmutableQuerySet):
    def bulk_create(self, *args, **kwargs):
        raise LedgerImmutable(
            message=_("Postings are written by ledger.services.post_entry only and never changed.")
        )


class Posting(models.Model):
    """One line of an entry: an amount in fen on one account (+ debit, − credit).

    The currency is the account's. Written in bulk by `post_entry` (a distribution can
    have 20,000 lines), never saved one by one and never changed.
    """

    entry = models.ForeignKey(
        JournalEntry,
        on_delete=models.PROTECT,
        related_name="postings",
        verbose_name=_("entry"),
        db_index=False,  # covered by ledger_posting_entry
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="postings",
        verbose_name=_("account"),
        db_index=False,  # covered by ledger_posting_account
    )
    amount = models.BigIntegerField(_("amount"), help_text=MONEY_HELP)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", help_text=CURRENCY_HELP)

    objects = PostingQuerySet.as_manager()
    scope_policy = ScopePolicy(write_roles=LEDGER_WRITE_ROLES)

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        constraints = [
            models.CheckConstraint(name="ledger_posting_not_zero", condition=~Q(amount=0)),
        ]
        indexes = [
            # The entry's lines in order; the COMMIT-time balance trigger (PostgreSQL) asks
            # "is there a later posting of this entry?" with it once per inserted row.
            # It carries the amount so that check_ledger's grouped pass over every entry
            # reads the index alone, never the table.
            models.Index(fields=["entry", "id", "amount"], name="ledger_posting_entry"),
            # One account's history (statements, per-account balances); with the amount, an
            # account's postings in one entry (a distribution run's reconciliation) are
            # summed from the index.
            models.Index(fields=["account", "entry", "amount"], name="ledger_posting_account"),
            # The (usually absent) postings in another currency than the main one, so that
            # check_ledger finds there are none without a scan.
            models.Index(
                fields=["entry"], name="ledger_posting_foreign", condition=~Q(currency="CNY")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.account_id} {self.amount} {self.currency}"

    def save(self, **kwargs):
        raise LedgerImmutable(
            message=_("Postings are written by ledger.services.post_entry only and never changed.")
        )

    def delete(self, *args, **kwargs):
        raise LedgerImmutable(str(self._meta.verbose_name))


class Period(InsertOnlyModel):
    """A locked month. The row exists only once the month is locked; there is no unlock.

    Months are locked in order, so a lock also covers every earlier month: nothing may be
    posted on or before `ends_on` of the latest locked period.
    """

    #: The change log's names for what a lock logs beside the fields (ledger.services).
    change_log_labels = {"as_of": _("balances as of"), "snapshots": _("balance snapshots")}

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    locked_at = models.DateTimeField(_("locked at"), default=timezone.now)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("locked by"),
    )

    objects = ImmutableQuerySet.as_manager()
    scope_policy = ScopePolicy(write_roles=LEDGER_WRITE_ROLES)

    class Meta:
        verbose_name = _("locked period")
        verbose_name_plural = _("locked periods")
        ordering = ["year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="ledger_period_month"),
            models.CheckConstraint(
                name="ledger_period_month_valid", condition=Q(month__gte=1, month__lte=12)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def starts_on(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def ends_on(self) -> date:
        return month_end(self.year, self.month)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


class BalanceSnapshot(models.Model):
    """An account's balance at the end of a locked month (`as_of` is its last day).

    Written by `lock_period` for every account with postings up to that day, in one
    INSERT … SELECT. A balance as of any date is the latest snapshot on or before it plus
    the postings after it (`ledger.selectors.balances`).
    """

    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="snapshots",
        verbose_name=_("account"),
        db_index=False,  # covered by ledger_snapshot_account
    )
    as_of = models.DateField(_("as of"))
    balance = models.BigIntegerField(_("balance"), help_text=MONEY_HELP)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", help_text=CURRENCY_HELP)

    objects = ImmutableQuerySet.as_manager()
    scope_policy = ScopePolicy(write_roles=LEDGER_WRITE_ROLES)

    class Meta:
        verbose_name = _("balance snapshot")
        verbose_name_plural = _("balance snapshots")
        ordering = ["as_of", "account_id"]
        constraints = [
            # Also serves balances(): MAX(as_of) and all rows of one as_of.
            models.UniqueConstraint(fields=["as_of", "account"], name="ledger_snapshot_as_of"),
        ]
        indexes = [models.Index(fields=["account", "as_of"], name="ledger_snapshot_account")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.as_of} {self.balance} {self.currency}"

    def save(self, **kwargs):
        raise LedgerImmutable(
            message=_("Balance snapshots are written by locking a period only and never changed.")
        )

    def delete(self, *args, **kwargs):
        raise LedgerImmutable(str(self._meta.verbose_name))
