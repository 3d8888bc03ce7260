"""Distribution runs: prepare (with its preview), discard, approve, post, reverse.

A run is prepared by finance staff, approved by another person (maker-checker), posted to
the ledger as ONE entry, published (`ventures.services.notices`) and, if need be, reversed.
Its policy and parameters are checked and split by the registry in `ventures.policies`.

A run posts ONE entry: Dr source (the run total); Cr reserve, Cr welfare, Cr each holder's
payable (zero amounts are left out). Its idempotency key is "distribution-run:<pk>", and
the run row is locked (`select_for_update`) while it is posted, so concurrent or repeated
posting posts once. Paying the payables out of cash is a later entry (not this app's yet).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import ObjectChange
from audit.services import log_bulk
from core.actors import as_user, is_system, require_actor
from core.db import bulk_insert
from ledger.books import books_language
from ledger.choices import AccountKind
from ledger.services import get_accounts, post_entry, reverse_entry
from lib.money import format_yuan
from ventures.checks import day as as_day
from ventures.choices import DistributionPolicy, DistributionSource, NoticeKind, RunStatus
from ventures.exceptions import MakerCheckerError, RunStateError, Shortfall, VentureError
from ventures.models import DistributionLine, DistributionRun, Venture
from ventures.policies import clean_params, compute
from ventures.selectors import (
    APPROVE_ROLES,
    POST_ROLES,
    PREPARE_ROLES,
    REVERSE_ROLES,
    PreviewRow,
    RunPreview,
    holder_label,
    household_numbers,
    register_at,
    undistributed,
)
from ventures.services._base import (
    _holder_account_name,
    _ledger,
    _lock_run,
    _lock_venture,
    _require,
    _venture_account,
)
from ventures.services.notices import _notice

__all__ = ["approve_run", "discard_run", "post_run", "prepare_run", "reverse_run"]

LINE_FIELDS = [
    "run_id",
    "village_id",
    "organisation_id",
    "stake_id",
    "units",
    "basis",
    "weight",
    "floor",
    "points",
    "amount",
    "household_id",
    "account_id",
]


def _refuse_the_system(actor) -> None:
    """Four eyes are two people: the system neither prepares nor approves a run."""
    if is_system(actor):
        raise MakerCheckerError(
            _("A person prepares a distribution run and another approves it, not the system.")
        )


def _refuse_shortfall(venture: Venture, total: int, source: str, day, *, excluding=None) -> None:
    """Refuse a run taking more than the venture received and has not distributed by `day`.

    What is left is `ventures.selectors.undistributed` (the ledger's source account, less
    what other runs claim). The caller holds the venture row lock, so two runs checked one
    after the other see each other's claims: they cannot both take the same money.
    """
    available = undistributed(venture, day, source, excluding=excluding)
    if total > available:
        raise Shortfall(
            _(
                "{venture} has {available} yuan of {source} on {day} (received and not yet "
                "distributed); this run would take {total} yuan: {shortfall} yuan short. "
                "Record the income received first."
            ).format(
                venture=venture,
                available=format_yuan(max(available, 0)),
                source=DistributionSource(source).label.lower(),
                day=day,
                total=format_yuan(total),
                shortfall=format_yuan(total - max(available, 0)),
            )
        )


def prepare_run(
    venture: Venture,
    *,
    period_start,
    period_end,
    policy: str,
    params: Mapping | None = None,
    actor,
) -> RunPreview:
    """Declare a distribution: read the register on the period end, split, store the lines.

    The total is `params["total"]` if given, else the venture's undistributed money in the
    source account on the period end (`ventures.selectors.undistributed`); for a fixed
    return it is the return owed on capital. Reserve and welfare rates come off it first
    (`deduct_reserves`). The run is stored "prepared" with one line per holder (bulk-written,
    change-logged in bulk).

    Args:
      venture: The venture.
      period_start / period_end: The period (dates or ISO text).
      policy: A `DistributionPolicy` value.
      params: The policy's parameters, as `ventures.policies.POLICIES` declares them (rates
        as text such as "10%", amounts in fen). Common: total, source ("income" /
        "equity"), reserve_rate, welfare_rate. floor_pro_rata: floor (fen per holder) or
        floor_rate (a year, on capital). fixed_return: rate, fixed_years, term_start
        (defaults to the venture's start), capital_kinds. shares_points: share_ratio (the
        points come from the points app). low_income: low_income_rate, flag_year.
        population: population_year.
      actor: The preparer (finance staff for the venture; a person, not the system).
    Returns:
      The RunPreview: the run, and each holder's stake, weight and amount.
    Raises:
      Shortfall: the total (a given total or a fixed return owed) is more than the venture
        has received and not distributed by the period end; the message names the gap.
      VentureError: an empty register, zero total stake, nothing to distribute, a period
        overlapping another run that is not reversed, bad parameters.
      NotAllowed: the actor may not prepare runs for this venture.
    """
    actor = require_actor(actor)
    _refuse_the_system(actor)
    if policy not in DistributionPolicy.values:
        raise VentureError(_("Unknown distribution policy: {policy}.").format(policy=policy))
    start = as_day(period_start, _("The period start"))
    end = as_day(period_end, _("The period end"))
    if end < start:
        raise VentureError(_("The period ends before it starts."))
    with transaction.atomic():
        venture = _lock_venture(venture)
        _require(actor, venture, PREPARE_ROLES, _("prepare distributions"))
        params = clean_params(policy, params, venture)
        clash = (
            DistributionRun.objects.filter(
                venture=venture, period_start__lte=end, period_end__gte=start
            )
            .exclude(status=RunStatus.REVERSED)
            .first()
        )
        if clash is not None:
            raise VentureError(
                _("Run {pk} already covers {start}–{end}; reverse or discard it first.").format(
                    pk=clash.pk, start=clash.period_start, end=clash.period_end
                )
            )
        # Only what the policies and the preview read: at 20,000 holders, building full model
        # instances was two thirds of preparing a run.
        stakes = list(
            register_at(venture, end).only(
                "pk",
                "units",
                "village_id",
                "organisation_id",
                "village__short_name",
                "organisation__name",
            )
        )
        if not stakes:
            raise VentureError(
                _("The share register of {venture} is empty on {day}.").format(
                    venture=venture, day=end
                )
            )
        computed = compute(venture, stakes, policy, params, start, end)
        _refuse_shortfall(
            venture, computed.total, params.get("source", DistributionSource.INCOME), end
        )
        rows, names, labels = [], [], []
        for i, (stake, weight, amount) in enumerate(
            zip(stakes, computed.weights, computed.amounts, strict=True)
        ):
            if amount is None:  # paid to its households below
                continue
            rows.append(
                (
                    None,
                    stake.village_id,
                    stake.organisation_id,
                    stake.pk,
                    stake.units,
                    computed.basis,
                    weight,
                    None if computed.floors is None else computed.floors[i],
                    None if computed.points is None else computed.points[i],
                    amount,
                    None,
                )
            )
            name, code = holder_label(stake)
            names.append(name)
            labels.append((stake.holder_key, name, code))
        numbers = household_numbers([p.household for p in computed.households])
        for part in computed.households:
            stake = stakes[part.stake]
            rows.append(
                (
                    None,
                    part.village,
                    None,
                    stake.pk,
                    part.weight,
                    part.basis,
                    part.weight,
                    None,
                    part.points,
                    part.amount,
                    part.household,
                )
            )
            number = numbers.get(part.household, "")
            name = _("{village} household {number}").format(
                village=stake.village.short_name, number=number
            )
            names.append(name)
            labels.append((f"household:{part.household}", name, number))
        run = DistributionRun.objects.create(
            venture=venture,
            period_start=start,
            period_end=end,
            policy=policy,
            params=params,
            source=params.get("source", DistributionSource.INCOME),
            total=computed.total,
            reserve_amount=computed.reserve,
            welfare_amount=computed.welfare,
            distributed_amount=sum(row[9] for row in rows),
            holder_count=len(rows),
            prepared_by=as_user(actor),
            prepared_at=timezone.now(),
        )
        # Each paid holder's payable account (a village's, an organisation's or a
        # household's), opened now under the venture's lock, so the line records the account
        # its amount will be booked to.
        paid = {(row[1], row[2], row[10]) for row in rows if row[9]}
        with _ledger():
            payables = _payable_accounts(venture, paid, actor=actor)
        rows = [
            (run.pk, *row[1:], payables[(row[1], row[2], row[10])] if row[9] else None)
            for row in rows
        ]
        _write_lines(run, rows, names)
    preview_rows = [
        PreviewRow(key, name, code, row[4], row[5], row[6], row[7], row[8], row[9])
        for (key, name, code), row in zip(labels, rows, strict=True)
    ]
    return RunPreview(run, preview_rows)


def _write_lines(run: DistributionRun, rows: list[tuple], names: list[str]) -> None:
    """Bulk-insert the lines and log each as created (two statements, whatever the size);
    the change log names each line by its holder's name and amount in yuan, never by key."""
    bulk_insert(DistributionLine, LINE_FIELDS, rows)
    pks = list(DistributionLine.objects.filter(run=run).order_by("pk").values_list("pk", flat=True))
    fields = ["id", *LINE_FIELDS]
    log_bulk(
        DistributionLine,
        (
            (
                ObjectChange.Action.CREATE,
                pk,
                f"{name} · {format_yuan(row[9])}",
                None,
                dict(zip(fields, (pk, *row), strict=True)),
            )
            for pk, row, name in zip(pks, rows, names, strict=True)
        ),
    )


def discard_run(run: DistributionRun, *, actor) -> None:
    """Delete a run that has not been posted, with its lines (both change-logged)."""
    actor = require_actor(actor)
    with transaction.atomic():
        run = _lock_run(run)
        _require(actor, run.venture, PREPARE_ROLES | APPROVE_ROLES, _("discard distributions"))
        if run.status not in (RunStatus.PREPARED, RunStatus.APPROVED):
            raise RunStateError(
                _("Run {pk} is {status}: a posted run is reversed, not discarded.").format(
                    pk=run.pk, status=run.get_status_display().lower()
                )
            )
        lines = DistributionLine.objects.filter(run=run)
        log_bulk(
            DistributionLine,
            (
                (
                    ObjectChange.Action.DELETE,
                    row["id"],
                    f"{row['village__short_name'] or row['organisation__name']} · "
                    f"{format_yuan(row['amount'])}",
                    {k: v for k, v in row.items() if "__" not in k},
                    None,
                )
                for row in lines.order_by("pk").values(
                    "id", *LINE_FIELDS, "village__short_name", "organisation__name"
                )
            ),
        )
        lines._raw_delete(connection.alias)
        run.delete()


def approve_run(run: DistributionRun, *, actor) -> DistributionRun:
    """Approve a prepared run: another person than its preparer, with the approver role.

    Raises:
      MakerCheckerError: the actor prepared the run (or is the system, not a person).
      NotAllowed: the actor is not an approver for the venture.
      RunStateError: the run is not prepared (approved already, posted, …).
    """
    actor = require_actor(actor)
    with transaction.atomic():
        run = _lock_run(run)
        if run.status != RunStatus.PREPARED:
            raise RunStateError(
                _("Run {pk} is {status}; only a prepared run can be approved.").format(
                    pk=run.pk, status=run.get_status_display().lower()
                )
            )
        _refuse_the_system(actor)
        if actor.pk == run.prepared_by_id:
            raise MakerCheckerError(
                _("You prepared run {pk}: another person must approve it.").format(pk=run.pk)
            )
        _require(actor, run.venture, APPROVE_ROLES, _("approve distributions"))
        run.status = RunStatus.APPROVED
        run.approved_by = actor
        run.approved_at = timezone.now()
        run.save()
        return run


def _payable_accounts(
    venture: Venture, holders: set[tuple[str | None, int | None, int | None]], *, actor
) -> dict:
    """(village_id, organisation_id, household_id) → pk of the venture's payable account for each holder.

    The accounts are on the operating company's books, found or created in bulk by the
    ledger (`get_accounts`), so a run with 20,000 holders costs a handful of statements. The
    caller holds the venture row lock, which serialises creation of these accounts.
    """
    by_name = {_holder_account_name(venture, v, o, h): (v, o, h) for v, o, h in holders}
    pks = get_accounts(
        kind=AccountKind.DISTRIBUTION_PAYABLE,
        organisation=venture.organisation_id,
        names=by_name,
        currency=venture.currency,
        actor=actor,
    )
    return {holder: pks[name] for name, holder in by_name.items()}


def post_run(run: DistributionRun, *, actor, date=None) -> DistributionRun:
    """Post an approved run as one balanced ledger entry, exactly once.

    Dr the source account (income or retained earnings) by the total; Cr the reserve and
    welfare funds; Cr each holder's distribution payable by its amount. The venture and
    run rows are locked for the whole transaction and the entry's idempotency key is
    "distribution-run:<pk>", so concurrent or repeated calls post one entry: the first
    wins, the others find the run posted and are refused.

    Args:
      run: The approved run.
      actor: Finance staff or an approver for the venture (or the system).
      date: The entry's date (default: today in Asia/Shanghai); not before the period end.
    Raises:
      RunStateError: the run is not approved, or is posted already.
      Shortfall: the venture no longer has the run's total received and not distributed by
        the period end (checked again here, under the venture's lock).
      LedgerRefused: the ledger refused the entry (e.g. the date is in a locked period).
      NotAllowed: the actor may not post for this venture.
    """
    actor = require_actor(actor)
    day = timezone.localdate() if date is None else as_day(date, _("The posting date"))
    with transaction.atomic():
        venture = _lock_venture(run.venture_id)
        run = _lock_run(run)
        _require(actor, venture, POST_ROLES, _("post distributions"))
        if run.is_posted:
            raise RunStateError(
                _("Run {pk} is posted already (entry {entry}).").format(
                    pk=run.pk, entry=run.posted_entry_id
                )
            )
        if run.status != RunStatus.APPROVED:
            raise RunStateError(
                _(
                    "Run {pk} has not been approved: another person must approve it before it "
                    "is posted."
                ).format(pk=run.pk)
            )
        if day < run.period_end:
            raise VentureError(
                _("A run cannot be posted before its period ends ({day}).").format(
                    day=run.period_end
                )
            )
        # Again, in the posting transaction under the venture's lock: since preparing, a
        # receipt may have been reversed or another run posted.
        _refuse_shortfall(venture, run.total, run.source, run.period_end, excluding=run)
        lines = DistributionLine.objects.filter(run=run, amount__gt=0).order_by("pk")
        amounts = list(
            lines.values_list("village_id", "organisation_id", "household_id", "account_id", "amount")
        )
        with _ledger():
            # Lines prepared before they recorded their account (ventures 0005) find it by
            # the holder's name.
            payables = _payable_accounts(
                venture,
                {(v, o, h) for v, o, h, account, _a in amounts if account is None},
                actor=actor,
            )
            source_kind = (
                AccountKind.INCOME
                if run.source == DistributionSource.INCOME
                else AccountKind.EQUITY
            )
            entry_lines: list[tuple] = [
                (_venture_account(venture, source_kind, actor=actor), run.total)
            ]
            if run.reserve_amount:
                entry_lines.append(
                    (
                        _venture_account(venture, AccountKind.RESERVE, actor=actor),
                        -run.reserve_amount,
                    )
                )
            if run.welfare_amount:
                entry_lines.append(
                    (
                        _venture_account(venture, AccountKind.WELFARE, actor=actor),
                        -run.welfare_amount,
                    )
                )
            entry_lines.extend(
                (payables[(v, o, h)] if account is None else account, -amount)
                for v, o, h, account, amount in amounts
            )
            with books_language():
                description = _("{venture}: distribution for {start}–{end} (run {pk})").format(
                    venture=venture, start=run.period_start, end=run.period_end, pk=run.pk
                )[:500]
            entry = post_entry(
                date=day,
                description=description,
                lines=entry_lines,
                actor=actor,
                idempotency_key=f"distribution-run:{run.pk}",
                source=f"ventures.distributionrun:{run.pk}",
            )
        run.status = RunStatus.POSTED
        run.posted_by = as_user(actor)
        run.posted_at = timezone.now()
        run.posted_on = day
        run.posted_entry = entry
        run.save()
        return run


def reverse_run(run: DistributionRun, *, actor, reason: str, date=None) -> DistributionRun:
    """Reverse a posted run: the mirror entry (ledger `reverse_entry`) and a reversal notice.

    Args:
      run: A posted or published run.
      actor: An approver for the venture (or the system).
      reason: Why (required; shown on the public reversal notice).
      date: The reversal's date (default today); not before the posting.
    Raises:
      RunStateError: the run is not posted, or is reversed already.
      LedgerRefused: the ledger refused (e.g. a locked period, a date before the posting).
      VentureError: no reason given.
      NotAllowed: the actor may not reverse distributions of this venture.
    """
    actor = require_actor(actor)
    reason = (reason or "").strip()
    if not reason:
        raise VentureError(_("Say why the run is reversed."))
    day = timezone.localdate() if date is None else as_day(date, _("The reversal date"))
    with transaction.atomic():
        run = _lock_run(run)
        _require(actor, run.venture, REVERSE_ROLES, _("reverse distributions"))
        if run.status == RunStatus.REVERSED:
            raise RunStateError(_("Run {pk} is reversed already.").format(pk=run.pk))
        if run.status not in (RunStatus.POSTED, RunStatus.PUBLISHED):
            raise RunStateError(
                _("Run {pk} has not been posted; discard it instead.").format(pk=run.pk)
            )
        with _ledger():
            with books_language():
                description = _("Reversal of distribution run {pk}: {reason}").format(
                    pk=run.pk, reason=reason
                )[:500]
            reversal = reverse_entry(
                run.posted_entry,
                date=day,
                description=description,
                actor=actor,
                idempotency_key=f"distribution-run-reversal:{run.pk}",
            )
        run.status = RunStatus.REVERSED
        run.reversed_by = as_user(actor)
        run.reversed_at = timezone.now()
        run.reversed_on = day
        run.reversal_entry = reversal
        run.reversal_reason = reason
        run.save()
        _notice(run, NoticeKind.REVERSAL, reason=reason)
        return run
