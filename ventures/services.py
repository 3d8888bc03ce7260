"""The ventures app's operations: registers, contributions, income, distribution runs.

Every function owns its transaction (a savepoint inside the caller's), checks the user's
role and scope (`ventures.permissions`), and leaves the database as it was when it refuses:
every refusal is a `VentureError` with a message a person can act on.

Ledger accounts (all through `ledger.services`; amounts + debit, − credit). They are the
operating organisation's books, so every account is owned by the venture's organisation and
named after the venture ("Venture-<pk>", a valid beancount component), with the holder
appended where the account is per holder ("Venture-<pk>-Village-<code>",
"Venture-<pk>-Organisation-<pk>"):

| account | kind | name | moved by |
|---|---|---|---|
| venture cash | cash | Venture-<pk> | Dr cash and subsidy-fund contributions, Dr income received |
| in-kind capital | cash | Venture-<pk>-LandQuota | Dr land-quota contributions (LAND_QUOTA_ACCOUNT_SUFFIX) |
| holder's capital | capital | Venture-<pk>-<holder> | Cr contributions |
| venture income | income | Venture-<pk> | Cr income received; Dr distributions (source "income") |
| retained earnings | equity | Venture-<pk> | Dr distributions (source "equity") |
| reserve fund 公积公益金 | reserve | Venture-<pk> | Cr the run's reserve amount |
| welfare fund 福利费 | welfare | Venture-<pk> | Cr the run's welfare amount |
| holder's payable | distribution_payable | Venture-<pk>-<holder> | Cr each holder's amount |

A run posts ONE entry: Dr source (the run total); Cr reserve, Cr welfare, Cr each holder's
payable (zero amounts are left out). Its idempotency key is "distribution-run:<pk>", and
the run row is locked (`select_for_update`) while it is posted, so concurrent or repeated
posting posts once. Paying the payables out of cash is a later entry (not this app's yet).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import ObjectChange
from audit.services import log_bulk
from core.db import bulk_insert
from ledger.books import books_language
from ledger.choices import AccountKind
from ledger.exceptions import LedgerError
from ledger.models import Account
from ledger.selectors import balances
from ledger.services import get_account, get_accounts, post_entry, reverse_entry
from lib.distribution import (
    DistributionError,
    as_rate,
    by_population,
    deduct_reserves,
    equal,
    fixed_return,
    fixed_return_total,
    fixed_term_applies,
    floor_then_pro_rata,
    pro_rata,
    shares_and_points,
    year_fraction,
)
from registry.models import Organisation, Village, VillageStat
from ventures.choices import (
    ContributionKind,
    DistributionPolicy,
    DistributionSource,
    IncomeKind,
    LineBasis,
    NoticeKind,
    RunStatus,
)
from ventures.exceptions import (
    LedgerRefused,
    MakerCheckerError,
    NotAllowed,
    OverlappingStake,
    RunStateError,
    VentureError,
)
from ventures.models import (
    Contribution,
    DistributionLine,
    DistributionRun,
    IncomeReceipt,
    PublicNotice,
    Stake,
    Venture,
    holder_key,
    parse_holder_key,
)
from ventures.permissions import (
    APPROVE_ROLES,
    POST_ROLES,
    PREPARE_ROLES,
    PUBLISH_ROLES,
    REGISTER_ROLES,
    REVERSE_ROLES,
    has_role,
)

__all__ = [
    "PARAMS_BY_POLICY",
    "PreviewRow",
    "RunPreview",
    "add_stake",
    "approve_run",
    "discard_run",
    "end_stake",
    "notice_payload",
    "post_run",
    "prepare_run",
    "publish_run",
    "record_contribution",
    "record_income",
    "register_at",
    "reverse_run",
    "run_preview",
    "undistributed",
]

#: Land quota (土地指标) is capital in kind, not money in the bank; the ledger has no
#: non-cash asset kind yet, so it sits in a cash-kind account of its own name, apart from
#: the venture's real cash. Subsidy-funded equity (补助资金入股) arrives as money: cash.
LAND_QUOTA_ACCOUNT_SUFFIX = "-LandQuota"
#: Ledger lookups of many holder accounts are chunked to stay under parameter limits.
CHUNK = 5000

# Parameters every policy takes, and those of each policy (anything else is refused).
COMMON_PARAMS = {"total", "source", "reserve_rate", "welfare_rate"}
PARAMS_BY_POLICY = {
    DistributionPolicy.PRO_RATA: set(),
    DistributionPolicy.EQUAL: set(),
    DistributionPolicy.POPULATION: {"population_year"},
    DistributionPolicy.FLOOR_PRO_RATA: {"floor", "floor_rate", "capital_kinds"},
    DistributionPolicy.FIXED_RETURN: {"rate", "fixed_years", "term_start", "capital_kinds"},
    DistributionPolicy.SHARES_POINTS: {"share_ratio", "points"},
}


# ---------------------------------------------------------------------------------------------
# Helpers


def _require(user, venture: Venture, roles: frozenset[str], action: str) -> None:
    if not has_role(user, venture.organisation, roles):
        raise NotAllowed(
            _("You may not {action} for {venture}.").format(action=action, venture=venture)
        )


@contextmanager
def _ledger() -> Iterator[None]:
    """Turn the ledger's refusals (locked period, …) into a VentureError, message kept."""
    try:
        yield
    except LedgerError as error:
        raise LedgerRefused(str(error)) from error


@contextmanager
def _policy_errors() -> Iterator[None]:
    try:
        yield
    except DistributionError as error:
        raise VentureError(str(error)) from error


def _fen(value: Any, what: str, *, positive: bool = True) -> int:
    """An amount in integer fen; floats, text and booleans are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise VentureError(
            _("{what} must be a whole number of fen, got {value!r}.").format(what=what, value=value)
        )
    value = int(value)
    if positive and value <= 0:
        raise VentureError(
            _("{what} must be more than zero, got {value} fen.").format(what=what, value=value)
        )
    return value


def _day(value: Any, what: str) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise VentureError(
                _("{what} is not a date: {value!r}.").format(what=what, value=value)
            ) from None
    if not isinstance(value, date) or hasattr(value, "hour"):
        raise VentureError(
            _("{what} must be a date, got {value!r}.").format(what=what, value=value)
        )
    return value


def _holder(holder) -> Village | Organisation:
    """A Village or Organisation from itself or its holder key; refuses unknown holders."""
    if isinstance(holder, Village | Organisation):
        if holder.pk is None:
            raise VentureError(_("The holder has not been saved."))
        return holder
    village_id, organisation_id = parse_holder_key(holder)
    if village_id is not None:
        found = Village.objects.filter(pk=village_id).first()
    else:
        found = Organisation.objects.filter(pk=organisation_id).first()
    if found is None:
        raise VentureError(_("No such holder: {key}.").format(key=holder))
    return found


def _owner(holder: Village | Organisation) -> dict:
    if isinstance(holder, Village):
        return {"village": holder}
    return {"organisation": holder}


def _holder_ids(holder: Village | Organisation) -> tuple[str | None, int | None]:
    if isinstance(holder, Village):
        return holder.pk, None
    return None, holder.pk


def _lock_venture(venture: Venture | int) -> Venture:
    pk = venture.pk if isinstance(venture, Venture) else venture
    return Venture.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=pk)


def _lock_run(run: DistributionRun | int) -> DistributionRun:
    pk = run.pk if isinstance(run, DistributionRun) else run
    return (
        DistributionRun.objects.select_for_update(of=("self",))
        .select_related("venture__organisation")
        .get(pk=pk)
    )


def _venture_account(venture: Venture, kind: str, suffix: str = "", *, actor) -> Account:
    return get_account(
        kind=kind,
        organisation=venture.organisation,
        name=venture.ledger_name + suffix,
        currency=venture.currency,
        actor=actor,
    )


# ---------------------------------------------------------------------------------------------
# The share register


def register_at(venture: Venture, day: date):
    """The stakes in force on `day` (one per holder), holders loaded, in pk order."""
    return (
        Stake.objects.filter(venture=venture, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .select_related("village", "organisation")
        .order_by("pk")
    )


def _refuse_overlap(venture, holder, start: date, end: date | None, exclude: int | None) -> None:
    village_id, organisation_id = _holder_ids(holder)
    clash = Stake.objects.filter(
        venture=venture, village_id=village_id, organisation_id=organisation_id
    ).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
    if end is not None:
        clash = clash.filter(effective_from__lte=end)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    other = clash.order_by("effective_from").first()
    if other is not None:
        raise OverlappingStake(
            _(
                "{holder} already holds a stake in {venture} from {start} to {end}; end that "
                "stake before this one starts."
            ).format(
                holder=holder,
                venture=venture,
                start=other.effective_from,
                end=other.effective_to or _("now"),
            )
        )


def add_stake(
    venture: Venture,
    *,
    holder,
    units: int,
    effective_from,
    effective_to=None,
    note: str = "",
    user,
) -> Stake:
    """Register a holder's share units in a venture from a day (to a day, both included).

    Refuses a stake overlapping another of the same holder in the same venture (checked
    under a lock on the venture row; on PostgreSQL the database refuses it too).

    Args:
      venture: The venture.
      holder: A Village, an Organisation, or a holder key ("village:<code>").
      units: Share units, an int ≥ 0.
      effective_from / effective_to: Dates (or ISO text); effective_to None means open.
      note: Free text.
      user: Who registers it (finance staff of the operating organisation).
    Returns:
      The new Stake.
    """
    if isinstance(units, bool) or not isinstance(units, numbers.Integral) or units < 0:
        raise VentureError(
            _("Share units are a whole number, zero or more: {units!r}.").format(units=units)
        )
    start = _day(effective_from, _("The start date"))
    end = None if effective_to is None else _day(effective_to, _("The end date"))
    if end is not None and end < start:
        raise VentureError(_("A stake cannot end before it starts."))
    with transaction.atomic():
        venture = _lock_venture(venture)
        _require(user, venture, REGISTER_ROLES, _("register stakes"))
        holder = _holder(holder)
        _refuse_overlap(venture, holder, start, end, exclude=None)
        return Stake.objects.create(
            venture=venture,
            units=int(units),
            effective_from=start,
            effective_to=end,
            note=note,
            **_owner(holder),
        )


def end_stake(stake: Stake, *, effective_to, user) -> Stake:
    """Set the last day of a stake (e.g. when its units change: end it, add a new one)."""
    end = _day(effective_to, _("The end date"))
    with transaction.atomic():
        venture = _lock_venture(stake.venture_id)
        _require(user, venture, REGISTER_ROLES, _("change stakes"))
        stake = Stake.objects.select_related("village", "organisation").get(pk=stake.pk)
        if end < stake.effective_from:
            raise VentureError(_("A stake cannot end before it starts."))
        _refuse_overlap(venture, stake.holder, stake.effective_from, end, exclude=stake.pk)
        stake.effective_to = end
        stake.save()
        return stake


# ---------------------------------------------------------------------------------------------
# Money in: contributions and income


def record_contribution(
    venture: Venture,
    *,
    holder,
    kind: str,
    amount: int,
    contributed_on,
    note: str = "",
    user,
) -> Contribution:
    """Record a holder's capital contribution and post it to the ledger.

    Entry: Dr venture cash (land quota: the venture's in-kind capital account), Cr the
    holder's capital account in the venture. Cash, land quota (土地指标) and subsidy-funded
    equity (补助资金入股) are kept apart by `kind`.

    Raises:
      VentureError: a non-positive or non-integer amount, an unknown kind or holder.
      LedgerRefused: the ledger refused the entry (e.g. the date is in a locked period).
      NotAllowed: the user is not finance staff for the venture.
    """
    if kind not in ContributionKind.values:
        raise VentureError(_("Unknown contribution kind: {kind}.").format(kind=kind))
    amount = _fen(amount, _("A contribution"))
    day = _day(contributed_on, _("The contribution date"))
    with transaction.atomic():
        venture = Venture.objects.select_related("organisation").get(pk=venture.pk)
        _require(user, venture, REGISTER_ROLES, _("record contributions"))
        holder = _holder(holder)
        suffix = LAND_QUOTA_ACCOUNT_SUFFIX if kind == ContributionKind.LAND_QUOTA else ""
        with _ledger():
            debit = _venture_account(venture, AccountKind.CASH, suffix, actor=user)
            credit = get_account(
                kind=AccountKind.CAPITAL,
                organisation=venture.organisation,
                name=_holder_account_name(venture, *_holder_ids(holder)),
                currency=venture.currency,
                actor=user,
            )
            with books_language():
                description = _("{venture}: {kind} contribution of {holder}").format(
                    venture=venture, kind=ContributionKind(kind).label, holder=holder
                )[:500]
            entry = post_entry(
                date=day,
                description=description,
                lines=[(debit, amount), (credit, -amount)],
                actor=user,
                source=f"ventures.venture:{venture.pk}",
            )
        return Contribution.objects.create(
            venture=venture,
            kind=kind,
            amount=amount,
            contributed_on=day,
            note=note,
            entry=entry,
            **_owner(holder),
        )


def record_income(
    venture: Venture,
    *,
    amount: int,
    received_on,
    kind: str = IncomeKind.RENT,
    payer: Organisation | None = None,
    period_start=None,
    period_end=None,
    note: str = "",
    user,
) -> IncomeReceipt:
    """Record income the venture received and post it: Dr venture cash, Cr venture income.

    Raises:
      VentureError: a zero, negative or non-integer amount (a refund is a reversal, not
        negative income), an unknown kind, a backwards period.
      LedgerRefused: the ledger refused the entry (e.g. a locked period).
      NotAllowed: the user is not finance staff for the venture.
    """
    if kind not in IncomeKind.values:
        raise VentureError(_("Unknown income kind: {kind}.").format(kind=kind))
    amount = _fen(amount, _("Income"))
    day = _day(received_on, _("The date received"))
    start = None if period_start is None else _day(period_start, _("The period start"))
    end = None if period_end is None else _day(period_end, _("The period end"))
    if start is not None and end is not None and end < start:
        raise VentureError(_("The period ends before it starts."))
    with transaction.atomic():
        venture = Venture.objects.select_related("organisation").get(pk=venture.pk)
        _require(user, venture, REGISTER_ROLES, _("record income"))
        with _ledger():
            with books_language():
                description = _("{venture}: {kind} received").format(
                    venture=venture, kind=IncomeKind(kind).label
                )[:500]
            entry = post_entry(
                date=day,
                description=description + (f" ({payer})" if payer is not None else ""),
                lines=[
                    (_venture_account(venture, AccountKind.CASH, actor=user), amount),
                    (_venture_account(venture, AccountKind.INCOME, actor=user), -amount),
                ],
                actor=user,
                source=f"ventures.venture:{venture.pk}",
            )
        return IncomeReceipt.objects.create(
            venture=venture,
            payer=payer,
            kind=kind,
            amount=amount,
            received_on=day,
            period_start=start,
            period_end=end,
            note=note,
            entry=entry,
        )


def undistributed(venture: Venture, day: date, source: str = DistributionSource.INCOME) -> int:
    """Money of the source account not yet claimed by a run, at the end of `day`.

    The account's credit balance on `day`, less the totals of runs not reversed whose
    entries that balance does not contain yet (prepared, approved, or posted after `day`).
    """
    kind = AccountKind.INCOME if source == DistributionSource.INCOME else AccountKind.EQUITY
    account = Account.objects.filter(
        kind=kind,
        organisation_id=venture.organisation_id,
        name=venture.ledger_name,
        currency=venture.currency,
    ).first()
    balance = 0 if account is None else -balances(as_of=day, accounts=[account])[account.pk]
    pending = DistributionRun.objects.filter(venture=venture, source=source).filter(
        Q(status__in=(RunStatus.PREPARED, RunStatus.APPROVED))
        | Q(status__in=(RunStatus.POSTED, RunStatus.PUBLISHED), posted_on__gt=day)
    )
    claimed = pending.aggregate(total=Sum("total"))["total"] or 0
    return balance - claimed


# ---------------------------------------------------------------------------------------------
# Preparing a run


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """One holder in a run's preview (and its public notice)."""

    holder_key: str
    name: str
    code: str
    units: int
    basis: str
    weight: int
    floor: int | None
    points: int | None
    amount: int


@dataclass(frozen=True)
class RunPreview:
    """What a run will pay: each holder and the totals (reserve + welfare + Σ == total)."""

    run: DistributionRun
    rows: list[PreviewRow] = field(repr=False)

    @property
    def total(self) -> int:
        return self.run.total

    @property
    def reserve(self) -> int:
        return self.run.reserve_amount

    @property
    def welfare(self) -> int:
        return self.run.welfare_amount

    @property
    def distributed(self) -> int:
        return self.run.distributed_amount

    @property
    def holder_count(self) -> int:
        return len(self.rows)


@dataclass
class _Computed:
    total: int
    reserve: int
    welfare: int
    basis: str
    weights: list[int]
    amounts: list[int]
    floors: list[int] | None = None
    points: list[int] | None = None


def _clean_params(policy: str, params: Mapping | None, venture: Venture) -> dict:
    """Check the run's parameters for its policy; returns a JSON-safe copy."""
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise VentureError(_("The parameters must be a mapping of names to values."))
    allowed = COMMON_PARAMS | PARAMS_BY_POLICY[policy]
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise VentureError(
            _("Unknown parameters for this policy: {names} (allowed: {allowed}).").format(
                names=", ".join(unknown), allowed=", ".join(sorted(allowed))
            )
        )
    cleaned = dict(params)
    if "total" in cleaned:
        cleaned["total"] = _fen(cleaned["total"], _("The total"))
    source = cleaned.get("source", DistributionSource.INCOME)
    if source not in DistributionSource.values:
        raise VentureError(_("Unknown source: {source}.").format(source=source))
    with _policy_errors():
        for name in ("reserve_rate", "welfare_rate", "rate", "floor_rate", "share_ratio"):
            if name in cleaned:
                rate = as_rate(_text_rate(cleaned[name], name), name)
                if rate < 0:
                    raise DistributionError(_("{name} cannot be negative.").format(name=name))
                cleaned[name] = _text_rate(cleaned[name], name)
    for name in ("fixed_years", "population_year", "floor"):
        if name in cleaned:
            value = cleaned[name]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise VentureError(
                    _("{name} must be a whole number, zero or more.").format(name=name)
                )
    if "term_start" in cleaned:
        cleaned["term_start"] = _day(cleaned["term_start"], "term_start").isoformat()
    if "capital_kinds" in cleaned:
        kinds = cleaned["capital_kinds"]
        if not isinstance(kinds, list) or not kinds or set(kinds) - set(ContributionKind.values):
            raise VentureError(
                _("capital_kinds is a list of contribution kinds: {kinds}.").format(
                    kinds=", ".join(ContributionKind.values)
                )
            )
    if "points" in cleaned:
        points = cleaned["points"]
        if not isinstance(points, Mapping):
            raise VentureError(_("points maps holder keys to whole numbers of points."))
        for key, value in points.items():
            parse_holder_key(key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise VentureError(
                    _("Points are whole numbers, zero or more ({key}).").format(key=key)
                )
    if policy == DistributionPolicy.FIXED_RETURN and "rate" not in cleaned:
        raise VentureError(_('A fixed return needs a rate, e.g. "10%".'))
    if (
        policy == DistributionPolicy.FIXED_RETURN
        and "fixed_years" in cleaned
        and "term_start" not in cleaned
        and venture.started_on is None
    ):
        raise VentureError(_("A fixed-return term needs term_start (or the venture's start date)."))
    if policy == DistributionPolicy.FLOOR_PRO_RATA and ("floor" in cleaned) == (
        "floor_rate" in cleaned
    ):
        raise VentureError(_("A floor policy needs exactly one of floor (fen) or floor_rate."))
    if policy == DistributionPolicy.SHARES_POINTS and "share_ratio" not in cleaned:
        raise VentureError(_('Shares + points needs share_ratio, e.g. "70%".'))
    return cleaned


def _text_rate(value: Any, name: str) -> str:
    """Rates are stored as text ("10%", "0.15") so the JSON keeps them exact."""
    if isinstance(value, float):
        raise VentureError(
            _('{name} must be written as text, e.g. "10%", not a float.').format(name=name)
        )
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise VentureError(_('{name} must be text such as "10%".').format(name=name))
    return str(value)


def _capitals(venture: Venture, stakes: Sequence[Stake], day: date, kinds) -> list[int]:
    """Each holder's contributed capital up to `day` (one grouped query)."""
    rows = Contribution.objects.filter(venture=venture, contributed_on__lte=day)
    if kinds:
        rows = rows.filter(kind__in=kinds)
    totals = {
        holder_key(village_id, organisation_id): int(total)
        for village_id, organisation_id, total in rows.order_by()
        .values_list("village_id", "organisation_id")
        .annotate(total=Sum("amount"))
        .values_list("village_id", "organisation_id", "total")
    }
    return [totals.get(stake.holder_key, 0) for stake in stakes]


def _populations(stakes: Sequence[Stake], year: int) -> list[int]:
    """Each village holder's population in the latest year up to `year` with one."""
    if any(stake.village_id is None for stake in stakes):
        names = [str(s.organisation) for s in stakes if s.village_id is None][:5]
        raise VentureError(
            _("Only villages have a population; these holders are organisations: {names}.").format(
                names=", ".join(names)
            )
        )
    codes = [stake.village_id for stake in stakes]
    found: dict[str, int] = {}
    for start in range(0, len(codes), CHUNK):
        rows = (
            VillageStat.objects.filter(
                village_id__in=codes[start : start + CHUNK],
                year__lte=year,
                population__isnull=False,
            )
            .order_by("village_id", "-year")
            .values_list("village_id", "population")
        )
        for code, population in rows:
            found.setdefault(code, population)
    missing = [stake.village for stake in stakes if stake.village_id not in found]
    if missing:
        raise VentureError(
            _("No population recorded up to {year} for: {names}.").format(
                year=year,
                names=", ".join(str(v) for v in missing[:5]) + ("…" if len(missing) > 5 else ""),
            )
        )
    return [found[code] for code in codes]


def _compute(
    venture: Venture, stakes: list[Stake], policy: str, params: dict, start: date, end: date
) -> _Computed:
    keys = [stake.pk for stake in stakes]
    units = [stake.units for stake in stakes]
    source = params.get("source", DistributionSource.INCOME)
    fixed_phase = False
    if policy == DistributionPolicy.FIXED_RETURN:
        years = params.get("fixed_years")
        if years is None:
            fixed_phase = True
        else:
            term_start = (
                date.fromisoformat(params["term_start"])
                if "term_start" in params
                else venture.started_on
            )
            fixed_phase = fixed_term_applies(term_start, years, start, end)
    if fixed_phase:
        if "total" in params or "reserve_rate" in params or "welfare_rate" in params:
            raise VentureError(
                _(
                    "A fixed return is owed in full on the capital: it takes no total and no "
                    "reserve or welfare rate."
                )
            )
        capitals = _capitals(venture, stakes, end, params.get("capital_kinds"))
        amounts = fixed_return(capitals, params["rate"], year_fraction(start, end), keys=keys)
        total = sum(amounts)
        if total <= 0:
            raise VentureError(_("Nothing to distribute: the holders have no contributed capital."))
        return _Computed(total, 0, 0, LineBasis.CAPITAL, capitals, amounts)

    total = params.get("total")
    if total is None:
        total = undistributed(venture, end, source)
    if total <= 0:
        raise VentureError(
            _("Nothing to distribute: {venture} has no {source} on {day}.").format(
                venture=venture, source=DistributionSource(source).label.lower(), day=end
            )
        )
    deductions = deduct_reserves(
        total, params.get("reserve_rate", 0), params.get("welfare_rate", 0)
    )
    amount = deductions.distributable
    floors = points = None
    if policy == DistributionPolicy.PRO_RATA:
        basis, weights = LineBasis.UNITS, units
        amounts = pro_rata(amount, units, keys=keys)
    elif policy == DistributionPolicy.EQUAL:
        basis, weights = LineBasis.EQUAL, [1] * len(stakes)
        amounts = equal(amount, len(stakes), keys=keys)
    elif policy == DistributionPolicy.POPULATION:
        basis = LineBasis.POPULATION
        weights = _populations(stakes, params.get("population_year", end.year))
        amounts = by_population(amount, weights, keys=keys)
    elif policy == DistributionPolicy.FLOOR_PRO_RATA:
        basis, weights = LineBasis.UNITS, units
        if "floor" in params:
            floors = [params["floor"]] * len(stakes)
        else:
            fraction = year_fraction(start, end)
            capitals = _capitals(venture, stakes, end, params.get("capital_kinds"))
            floors = [fixed_return_total([c], params["floor_rate"], fraction) for c in capitals]
        amounts = floor_then_pro_rata(amount, units, floors, keys=keys)
    elif policy == DistributionPolicy.FIXED_RETURN:  # after the fixed term: actual income
        basis = LineBasis.CAPITAL
        weights = _capitals(venture, stakes, end, params.get("capital_kinds"))
        amounts = pro_rata(amount, weights, keys=keys)
    else:  # shares + points; the points app will supply `points` (holder key → points)
        basis, weights = LineBasis.UNITS, units
        given = params.get("points", {})
        points = [given.get(stake.holder_key, 0) for stake in stakes]
        amounts = shares_and_points(amount, units, points, params["share_ratio"], keys=keys)
    return _Computed(
        total, deductions.reserve, deductions.welfare, basis, weights, amounts, floors, points
    )


def _holder_label(stake) -> tuple[str, str]:
    """(name, code) of a line's or stake's holder for previews and notices."""
    if stake.village_id is not None:
        return stake.village.short_name, stake.village_id
    return stake.organisation.name, str(stake.organisation_id)


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
]


def prepare_run(
    venture: Venture,
    *,
    period_start,
    period_end,
    policy: str,
    params: Mapping | None = None,
    user,
) -> RunPreview:
    """Declare a distribution: read the register on the period end, split, store the lines.

    The total is `params["total"]` if given, else the venture's undistributed money in the
    source account on the period end (`undistributed`); for a fixed return it is the return
    owed on capital. Reserve and welfare rates come off it first (`deduct_reserves`). The
    run is stored "prepared" with one line per holder (bulk-written, change-logged in bulk).

    Args:
      venture: The venture.
      period_start / period_end: The period (dates or ISO text).
      policy: A `DistributionPolicy` value.
      params: The policy's parameters (see PARAMS_BY_POLICY; rates as text such as "10%",
        amounts in fen). Common: total, source ("income" / "equity"), reserve_rate,
        welfare_rate. floor_pro_rata: floor (fen per holder) or floor_rate (a year, on
        capital). fixed_return: rate, fixed_years, term_start (defaults to the venture's
        start), capital_kinds. shares_points: share_ratio, points {holder key: points}.
        population: population_year.
      user: The preparer (finance staff for the venture).
    Returns:
      The RunPreview: the run, and each holder's stake, weight and amount.
    Raises:
      VentureError: an empty register, zero total stake, nothing to distribute, a period
        overlapping another run that is not reversed, bad parameters.
      NotAllowed: the user may not prepare runs for this venture.
    """
    if policy not in DistributionPolicy.values:
        raise VentureError(_("Unknown distribution policy: {policy}.").format(policy=policy))
    start = _day(period_start, _("The period start"))
    end = _day(period_end, _("The period end"))
    if end < start:
        raise VentureError(_("The period ends before it starts."))
    with transaction.atomic():
        venture = _lock_venture(venture)
        _require(user, venture, PREPARE_ROLES, _("prepare distributions"))
        params = _clean_params(policy, params, venture)
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
        with _policy_errors():
            computed = _compute(venture, stakes, policy, params, start, end)
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
            distributed_amount=sum(computed.amounts),
            holder_count=len(stakes),
            prepared_by=user,
            prepared_at=timezone.now(),
        )
        rows = [
            (
                run.pk,
                stake.village_id,
                stake.organisation_id,
                stake.pk,
                stake.units,
                computed.basis,
                weight,
                None if computed.floors is None else computed.floors[i],
                None if computed.points is None else computed.points[i],
                amount,
            )
            for i, (stake, weight, amount) in enumerate(
                zip(stakes, computed.weights, computed.amounts, strict=True)
            )
        ]
        _write_lines(run, rows)
    preview_rows = []
    for stake, row in zip(stakes, rows, strict=True):
        name, code = _holder_label(stake)
        preview_rows.append(
            PreviewRow(stake.holder_key, name, code, row[4], row[5], row[6], row[7], row[8], row[9])
        )
    return RunPreview(run, preview_rows)


def _write_lines(run: DistributionRun, rows: list[tuple]) -> None:
    """Bulk-insert the lines and log each as created (two statements, whatever the size)."""
    bulk_insert(DistributionLine, LINE_FIELDS, rows)
    pks = list(DistributionLine.objects.filter(run=run).order_by("pk").values_list("pk", flat=True))
    names = ["id", *LINE_FIELDS]
    log_bulk(
        DistributionLine,
        (
            (
                ObjectChange.Action.CREATE,
                pk,
                f"{holder_key(row[1], row[2])} · {row[9]}",
                None,
                dict(zip(names, (pk, *row), strict=True)),
            )
            for pk, row in zip(pks, rows, strict=True)
        ),
    )


def run_preview(run: DistributionRun, *, limit: int | None = None, offset: int = 0) -> RunPreview:
    """The preview of a stored run (a page of its lines when `limit` is given): one query."""
    lines = run.lines.select_related("village", "organisation").order_by("pk")
    if limit is not None:
        lines = lines[offset : offset + limit]
    rows = []
    for line in lines:
        name, code = _holder_label(line)
        rows.append(
            PreviewRow(
                line.holder_key,
                name,
                code,
                line.units,
                line.basis,
                line.weight,
                line.floor,
                line.points,
                line.amount,
            )
        )
    return RunPreview(run, rows)


def discard_run(run: DistributionRun, *, user) -> None:
    """Delete a run that has not been posted, with its lines (both change-logged)."""
    with transaction.atomic():
        run = _lock_run(run)
        _require(user, run.venture, PREPARE_ROLES | APPROVE_ROLES, _("discard distributions"))
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
                    f"{holder_key(row['village_id'], row['organisation_id'])} · {row['amount']}",
                    row,
                    None,
                )
                for row in lines.order_by("pk").values("id", *LINE_FIELDS)
            ),
        )
        lines._raw_delete(connection.alias)
        run.delete()


# ---------------------------------------------------------------------------------------------
# Approving, posting, publishing, reversing


def approve_run(run: DistributionRun, *, user) -> DistributionRun:
    """Approve a prepared run: another person than its preparer, with the approver role.

    Raises:
      MakerCheckerError: the user prepared the run.
      NotAllowed: the user is not an approver for the venture.
      RunStateError: the run is not prepared (approved already, posted, …).
    """
    with transaction.atomic():
        run = _lock_run(run)
        if run.status != RunStatus.PREPARED:
            raise RunStateError(
                _("Run {pk} is {status}; only a prepared run can be approved.").format(
                    pk=run.pk, status=run.get_status_display().lower()
                )
            )
        if user is not None and user.pk == run.prepared_by_id:
            raise MakerCheckerError(
                _("You prepared run {pk}: another person must approve it.").format(pk=run.pk)
            )
        _require(user, run.venture, APPROVE_ROLES, _("approve distributions"))
        run.status = RunStatus.APPROVED
        run.approved_by = user
        run.approved_at = timezone.now()
        run.save()
        return run


def _holder_account_name(venture: Venture, village_id, organisation_id) -> str:
    if village_id is not None:
        return f"{venture.ledger_name}-Village-{village_id}"
    return f"{venture.ledger_name}-Organisation-{organisation_id}"


def _payable_accounts(
    venture: Venture, holders: set[tuple[str | None, int | None]], *, actor
) -> dict:
    """(village_id, organisation_id) → pk of the venture's payable account for each holder.

    The accounts are on the operating company's books, found or created in bulk by the
    ledger (`get_accounts`), so a run with 20,000 holders costs a handful of statements. The
    caller holds the venture row lock, which serialises creation of these accounts.
    """
    by_name = {_holder_account_name(venture, v, o): (v, o) for v, o in holders}
    pks = get_accounts(
        kind=AccountKind.DISTRIBUTION_PAYABLE,
        organisation=venture.organisation_id,
        names=by_name,
        currency=venture.currency,
        actor=actor,
    )
    return {holder: pks[name] for name, holder in by_name.items()}


def post_run(run: DistributionRun, *, user, date=None) -> DistributionRun:
    """Post an approved run as one balanced ledger entry, exactly once.

    Dr the source account (income or retained earnings) by the total; Cr the reserve and
    welfare funds; Cr each holder's distribution payable by its amount. The venture and
    run rows are locked for the whole transaction and the entry's idempotency key is
    "distribution-run:<pk>", so concurrent or repeated calls post one entry: the first
    wins, the others find the run posted and are refused.

    Args:
      run: The approved run.
      user: Finance staff or an approver for the venture.
      date: The entry's date (default: today in Asia/Shanghai); not before the period end.
    Raises:
      RunStateError: the run is not approved, or is posted already.
      LedgerRefused: the ledger refused the entry (e.g. the date is in a locked period).
      NotAllowed: the user may not post for this venture.
    """
    day = timezone.localdate() if date is None else _day(date, _("The posting date"))
    with transaction.atomic():
        venture = _lock_venture(run.venture_id)
        run = _lock_run(run)
        _require(user, venture, POST_ROLES, _("post distributions"))
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
        lines = DistributionLine.objects.filter(run=run, amount__gt=0).order_by("pk")
        amounts = list(lines.values_list("village_id", "organisation_id", "amount"))
        with _ledger():
            payables = _payable_accounts(venture, {(v, o) for v, o, _a in amounts}, actor=user)
            source_kind = (
                AccountKind.INCOME
                if run.source == DistributionSource.INCOME
                else AccountKind.EQUITY
            )
            entry_lines: list[tuple] = [(_venture_account(venture, source_kind, actor=user), run.total)]
            if run.reserve_amount:
                entry_lines.append(
                    (_venture_account(venture, AccountKind.RESERVE, actor=user), -run.reserve_amount)
                )
            if run.welfare_amount:
                entry_lines.append(
                    (_venture_account(venture, AccountKind.WELFARE, actor=user), -run.welfare_amount)
                )
            entry_lines.extend((payables[(v, o)], -amount) for v, o, amount in amounts)
            with books_language():
                description = _("{venture}: distribution for {start}–{end} (run {pk})").format(
                    venture=venture, start=run.period_start, end=run.period_end, pk=run.pk
                )[:500]
            entry = post_entry(
                date=day,
                description=description,
                lines=entry_lines,
                actor=user,
                idempotency_key=f"distribution-run:{run.pk}",
                source=f"ventures.distributionrun:{run.pk}",
            )
        run.status = RunStatus.POSTED
        run.posted_by = user
        run.posted_at = timezone.now()
        run.posted_on = day
        run.posted_entry = entry
        run.save()
        return run


def notice_payload(run: DistributionRun, kind: str, *, reason: str = "") -> dict:
    """The public content of a notice: payees (villages and organisations) and amounts.

    No personal data: payees are collectives and companies; the people who prepared and
    approved are not named. Amounts are integer fen.
    """
    payees = []
    for line in run.lines.select_related("village", "organisation").order_by("pk"):
        name, code = _holder_label(line)
        payees.append(
            {
                "holder": line.holder_key,
                "name": name,
                "code": code,
                "units": line.units,
                "amount": line.amount,
            }
        )
    venture = run.venture
    payload = {
        "notice": kind,
        "run": run.pk,
        "venture": venture.name,
        "operator": venture.organisation.name,
        "currency": venture.currency,
        "illustrative": venture.is_illustrative,
        "period": {"start": run.period_start.isoformat(), "end": run.period_end.isoformat()},
        "policy": run.policy,
        "params": {k: v for k, v in run.params.items() if k != "points"},
        "posted_on": run.posted_on.isoformat() if run.posted_on else None,
        "totals": {
            "total": run.total,
            "reserve": run.reserve_amount,
            "welfare": run.welfare_amount,
            "distributed": run.distributed_amount,
            "payees": len(payees),
        },
        "payees": payees,
    }
    if kind == NoticeKind.REVERSAL:
        payload["reason"] = reason
        payload["reversed_on"] = run.reversed_on.isoformat() if run.reversed_on else None
    return payload


def _notice(run: DistributionRun, kind: str, *, reason: str = "") -> PublicNotice:
    payload = notice_payload(run, kind, reason=reason)
    start, end = run.period_start.isoformat(), run.period_end.isoformat()
    return PublicNotice.objects.create(
        run=run,
        kind=kind,
        title=f"{run.venture.name} · {start} – {end}",
        payload=payload,
        content_hash=PublicNotice.hash_of(payload),
        published_at=timezone.now(),
    )


def publish_run(run: DistributionRun, *, user) -> PublicNotice:
    """Publish a posted run (公示): freeze its payees and amounts in a public notice.

    Raises:
      RunStateError: the run is not posted, is published already, or is reversed.
      NotAllowed: the user may not publish for this venture.
    """
    with transaction.atomic():
        run = _lock_run(run)
        _require(user, run.venture, PUBLISH_ROLES, _("publish distributions"))
        if run.status != RunStatus.POSTED:
            raise RunStateError(
                _("Run {pk} is {status}; only a posted run can be published.").format(
                    pk=run.pk, status=run.get_status_display().lower()
                )
            )
        notice = _notice(run, NoticeKind.DISTRIBUTION)
        run.status = RunStatus.PUBLISHED
        run.published_by = user
        run.published_at = notice.published_at
        run.save()
        return notice


def reverse_run(run: DistributionRun, *, user, reason: str, date=None) -> DistributionRun:
    """Reverse a posted run: the mirror entry (ledger `reverse_entry`) and a reversal notice.

    Args:
      run: A posted or published run.
      user: An approver for the venture.
      reason: Why (required; shown on the public reversal notice).
      date: The reversal's date (default today); not before the posting.
    Raises:
      RunStateError: the run is not posted, or is reversed already.
      LedgerRefused: the ledger refused (e.g. a locked period, a date before the posting).
      VentureError: no reason given.
      NotAllowed: the user may not reverse distributions of this venture.
    """
    reason = (reason or "").strip()
    if not reason:
        raise VentureError(_("Say why the run is reversed."))
    day = timezone.localdate() if date is None else _day(date, _("The reversal date"))
    with transaction.atomic():
        run = _lock_run(run)
        _require(user, run.venture, REVERSE_ROLES, _("reverse distributions"))
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
                actor=user,
                idempotency_key=f"distribution-run-reversal:{run.pk}",
            )
        run.status = RunStatus.REVERSED
        run.reversed_by = user
        run.reversed_at = timezone.now()
        run.reversed_on = day
        run.reversal_entry = reversal
        run.reversal_reason = reason
        run.save()
        _notice(run, NoticeKind.REVERSAL, reason=reason)
        return run
