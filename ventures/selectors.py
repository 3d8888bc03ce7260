"""The ventures app's reads: registers, undistributed money, run previews, notice contents,
and who may take which step. Nothing here writes; the writes are `ventures.services`.

Who may take which step for a venture (maker-checker, ARCHITECTURE.md "Who uses it"): scope
is `core.scope.holds_role` on the venture's operating organisation (a grant on it, on a
region above its region, or unscoped); the role decides the step:

| step | roles |
|---|---|
| register stakes, record contributions and income, prepare or discard a run | finance |
| approve a run (never one's own: `MakerCheckerError`) | approver |
| post and publish an approved run | finance, approver |
| reverse a posted run | approver |

City administrators may take every step in their scope (still never approving their own
run); auditors take none.

Who may read a holder's statement (对账单): `may_read_statement`, by `core.scope.may_read`
(any role, per its grant) on the venture's operating organisation (its company reads every
holder's) or on the holder itself (a village's clerk, a partner over the holder's region, an
organisation's own staff read their own statement only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from core.roles import Role
from core.scope import holds_role, may_read
from grids.choices import HouseholdFlagKind
from grids.models import HouseholdFlag, Person
from ledger.choices import AccountKind
from ledger.models import Account, Posting
from ledger.selectors import balances
from registry.models import Organisation, Village, VillageStat
from ventures.choices import DistributionSource, NoticeKind, RunStatus
from ventures.exceptions import VentureError
from ventures.models import (
    Contribution,
    DistributionLine,
    DistributionRun,
    Stake,
    Venture,
    holder_key,
    parse_holder_key,
)

__all__ = [
    "APPROVE_ROLES",
    "POSTED_STATUSES",
    "POST_ROLES",
    "PREPARE_ROLES",
    "PUBLISH_ROLES",
    "REGISTER_ROLES",
    "REVERSE_ROLES",
    "RUN_CHECKS",
    "PreviewRow",
    "RunPreview",
    "capitals",
    "holder_label",
    "holder_option",
    "holder_options",
    "may_read_statement",
    "notice_payload",
    "populations",
    "reconcile_runs",
    "register_at",
    "run_preview",
    "run_rights",
    "undistributed",
]

REGISTER_ROLES = frozenset({Role.FINANCE})
PREPARE_ROLES = frozenset({Role.FINANCE})
APPROVE_ROLES = frozenset({Role.APPROVER})
POST_ROLES = frozenset({Role.FINANCE, Role.APPROVER})
PUBLISH_ROLES = frozenset({Role.FINANCE, Role.APPROVER})
REVERSE_ROLES = frozenset({Role.APPROVER})
PAIRING_ROLES = frozenset({Role.FINANCE})  # and city admins, as everywhere

#: Village codes per IN (...) lookup: well under the databases' parameter limits.
CHUNK = 5000


def run_rights(user, run) -> dict[str, bool]:
    """Which workflow buttons to show for a run (the services decide again on POST)."""
    organisation = run.venture.organisation
    status = run.status
    is_preparer = user is not None and user.is_authenticated and user.pk == run.prepared_by_id

    def may(roles) -> bool:
        return holds_role(user, roles, organisation=organisation)

    return {
        "approve": status == RunStatus.PREPARED and not is_preparer and may(APPROVE_ROLES),
        "discard": status in (RunStatus.PREPARED, RunStatus.APPROVED)
        and may(PREPARE_ROLES | APPROVE_ROLES),
        "post": status == RunStatus.APPROVED and may(POST_ROLES),
        "publish": status == RunStatus.POSTED and may(PUBLISH_ROLES),
        "reverse": status in (RunStatus.POSTED, RunStatus.PUBLISHED) and may(REVERSE_ROLES),
    }


def may_read_statement(user, venture: Venture, holder) -> bool:
    """Whether `user` may read `holder`'s (a Village or an Organisation) statement in
    `venture`: a grant reaching the venture's organisation or the holder (no query)."""
    village = holder if isinstance(holder, Village) else None
    organisation = None if village is not None else holder
    return may_read(user, villages=[village], organisations=[venture.organisation, organisation])


# ---------------------------------------------------------------------------------------------
# The share register and the money


def register_at(venture: Venture, day: date):
    """The stakes in force on `day` (one per holder), holders loaded, in pk order."""
    return (
        Stake.objects.filter(venture=venture, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .select_related("village", "organisation")
        .order_by("pk")
    )


def undistributed(
    venture: Venture,
    day: date,
    source: str = DistributionSource.INCOME,
    *,
    excluding: DistributionRun | None = None,
) -> int:
    """Money of the source account received and not yet distributed, at the end of `day`.

    Per the ledger: the account's credit balance on `day` (what was received, less what
    runs posted by then took out), with a reversal counted on its original's date (a run
    or a receipt dated by `day` and reversed later is undone here too), less the totals of
    runs not reversed whose entries that balance does not contain yet (prepared, approved,
    or posted after `day`). `excluding` leaves one run's claim out (the run being posted).
    A run may not take more than this (`ventures.services.runs`); it can be negative when
    runs already claim more than is left (e.g. after a receipt was reversed).
    """
    kind = AccountKind.INCOME if source == DistributionSource.INCOME else AccountKind.EQUITY
    account = Account.objects.filter(
        kind=kind,
        organisation_id=venture.organisation_id,
        name=venture.ledger_name,
        currency=venture.currency,
    ).first()
    balance = 0
    if account is not None:
        undone = Posting.objects.filter(
            account=account, entry__date__gt=day, entry__reverses__date__lte=day
        ).aggregate(total=Sum("amount"))["total"]
        balance = -balances(as_of=day, accounts=[account])[account.pk] - (undone or 0)
    pending = DistributionRun.objects.filter(venture=venture, source=source).filter(
        Q(status__in=(RunStatus.PREPARED, RunStatus.APPROVED))
        | Q(status__in=(RunStatus.POSTED, RunStatus.PUBLISHED), posted_on__gt=day)
    )
    if excluding is not None:
        pending = pending.exclude(pk=excluding.pk)
    claimed = pending.aggregate(total=Sum("total"))["total"] or 0
    return balance - claimed


def capitals(venture: Venture, stakes: Sequence[Stake], day: date, kinds) -> list[int]:
    """Each holder's contributed capital up to `day` (one grouped query), in stake order."""
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


def populations(stakes: Sequence[Stake], year: int) -> list[int]:
    """Each village holder's population in the latest year up to `year` with one.

    Raises:
      VentureError: a holder is an organisation, or a village has no population recorded.
    """
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


def shareholder_households(village_ids) -> dict[str, list[tuple[int, int]]]:
    """village code → [(household pk, shares)] of its shareholder households (股东户: the
    shares of its members who hold them), by household number. One query."""
    rows = (
        Person.objects.filter(household__village_id__in=list(village_ids), is_shareholder=True)
        .values("household_id", "household__village_id", "household__number")
        .annotate(shares=Sum("shares"))
        .filter(shares__gt=0)
        .order_by("household__village_id", "household__number")
    )
    found: dict[str, list[tuple[int, int]]] = {}
    for row in rows:
        found.setdefault(row["household__village_id"], []).append(
            (row["household_id"], int(row["shares"]))
        )
    return found


def household_numbers(pks) -> dict[int, str]:
    from grids.models import Household

    return dict(Household.objects.filter(pk__in=list(pks)).values_list("pk", "number"))


def low_income_households(village_ids, year: int) -> list[tuple[int, str]]:
    """[(household pk, village code)] of the households flagged 低收入农户 in `year` in these
    villages, by village and number. One query."""
    return list(
        HouseholdFlag.objects.filter(
            household__village_id__in=list(village_ids),
            year=year,
            kind=HouseholdFlagKind.LOW_INCOME,
        )
        .order_by("household__village_id", "household__number")
        .values_list("household_id", "household__village_id")
    )


# ---------------------------------------------------------------------------------------------
# Runs and their notices


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


def holder_label(stake) -> tuple[str, str]:
    """(name, code) of a line's or stake's holder for previews and notices; a household's
    line reads "山塘村 012户" with the household number as its code (never a person's name)."""
    if getattr(stake, "household_id", None) is not None:
        number = stake.household.number
        return _("{village} household {number}").format(
            village=stake.village.short_name, number=number
        ), number
    if stake.village_id is not None:
        return stake.village.short_name, stake.village_id
    return stake.organisation.name, str(stake.organisation_id)


#: Holders a picker lists for one search (type more to narrow it).
HOLDER_OPTIONS = 30


def holder_options(venture: Venture, query: str = "") -> list[tuple[str, str]]:
    """(holder key, label) pairs for the holder pickers: with no query, the venture's stake
    holders; else the villages whose name or code, and the organisations whose name, match.
    The key is the option's value, never shown; the label reads "温溪村 331121101200" or
    "青田强村联合投资发展有限责任公司 (joint investment company)". Two queries at most."""
    query = query.strip()
    if not query:
        stakes = (
            Stake.objects.filter(venture=venture)
            .select_related("village", "organisation")
            .order_by("village_id", "organisation__name")
        )
        seen, pairs = set(), []
        for stake in stakes:
            key = holder_key(stake.village_id, stake.organisation_id)
            if key not in seen:
                seen.add(key)
                pairs.append((key, _holder_text(stake.village, stake.organisation)))
        return pairs
    if query.isdigit():
        villages = Village.objects.filter(code__startswith=query)
    else:
        villages = Village.objects.filter(Q(short_name__icontains=query) | Q(name__icontains=query))
    pairs = [
        (holder_key(v.code, None), _holder_text(v, None))
        for v in villages.order_by("code")[:HOLDER_OPTIONS]
    ]
    if not query.isdigit() and len(pairs) < HOLDER_OPTIONS:
        organisations = Organisation.objects.filter(name__icontains=query).order_by("name")
        pairs += [
            (holder_key(None, o.pk), _holder_text(None, o))
            for o in organisations[: HOLDER_OPTIONS - len(pairs)]
        ]
    return pairs


def holder_option(key: str) -> tuple[str, str] | None:
    """The (key, label) of one holder key, or None when it names nobody."""
    try:
        village_id, organisation_id = parse_holder_key(key)
    except VentureError:
        return None
    if village_id is not None:
        village = Village.objects.filter(code=village_id).first()
        return (key, _holder_text(village, None)) if village else None
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    return (key, _holder_text(None, organisation)) if organisation else None


def _holder_text(village, organisation) -> str:
    if village is not None:
        return f"{village.short_name} {village.code}"
    return f"{organisation.name}（{organisation.get_kind_display()}）"


def run_preview(run: DistributionRun, *, limit: int | None = None, offset: int = 0) -> RunPreview:
    """The preview of a stored run (a page of its lines when `limit` is given): one query."""
    lines = run.lines.select_related("village", "organisation", "household").order_by("pk")
    if limit is not None:
        lines = lines[offset : offset + limit]
    rows = []
    for line in lines:
        name, code = holder_label(line)
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


def notice_payload(run: DistributionRun, kind: str, *, reason: str = "") -> dict:
    """The public content of a notice: payees (villages and organisations) and amounts.

    No personal data: payees are collectives and companies; the people who prepared and
    approved are not named. Amounts are integer fen.
    """
    payees = []
    for line in run.lines.select_related("village", "organisation", "household").order_by("pk"):
        name, code = holder_label(line)
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


# ---------------------------------------------------------------------------------------------
# Runs against the ledger (registered with `ledger.checks` by VenturesConfig.ready, so
# `check_ledger` runs them)

#: The run statuses that have posted an entry.
POSTED_STATUSES = (RunStatus.POSTED, RunStatus.PUBLISHED, RunStatus.REVERSED)


def _posted_runs_sql() -> str:
    statuses = ", ".join(f"'{status}'" for status in POSTED_STATUSES)
    return f"r.status IN ({statuses})"


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def _tables() -> dict[str, str]:
    qn = connection.ops.quote_name
    return {
        "run": qn(DistributionRun._meta.db_table),
        "line": qn(DistributionLine._meta.db_table),
        "venture": qn(Venture._meta.db_table),
        "account": qn(Account._meta.db_table),
        "posting": qn(Posting._meta.db_table),
    }


def _line_pass() -> dict[int, tuple[int, int, int]]:
    """Every posted run's lines in one pass: run pk → (Σ amounts, lines with an amount,
    lines whose account does not hold exactly their amount in the run's entry).

    A line's account is on the line (ventures 0005), so each line costs one probe of the
    (account, entry, amount) index, both keys integers; the lines come from their own
    (run, account, amount) index. A line with no account (prepared before the lines kept
    it) counts as not held, so its run is compared in full. CROSS JOIN keeps SQLite to the
    order runs → lines → postings.
    """
    t = _tables()
    sql = (
        f"SELECT r.id, SUM(l.amount), SUM(CASE WHEN l.amount <> 0 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN l.amount <> 0 AND (p.amount IS NULL OR p.amount <> -l.amount) "
        "THEN 1 ELSE 0 END) "
        f"FROM {t['run']} r CROSS JOIN {t['line']} l "
        f"LEFT JOIN {t['posting']} p ON p.account_id = l.account_id "
        "AND p.entry_id = r.posted_entry_id "
        f"WHERE l.run_id = r.id AND {_posted_runs_sql()} GROUP BY r.id"
    )
    return {run: (int(total), int(paid), int(bad)) for run, total, paid, bad in _rows(sql)}


def _venture_accounts_sql() -> str:
    """One row per venture: its own accounts a run books (income, retained earnings,
    reserve, welfare; each may be missing), found once per venture by the unique index."""
    t = _tables()
    kinds = {
        "income": AccountKind.INCOME,
        "equity": AccountKind.EQUITY,
        "reserve": AccountKind.RESERVE,
        "welfare": AccountKind.WELFARE,
    }
    pivot = ", ".join(
        f"MAX(CASE WHEN a.kind = '{kind}' THEN a.id END) AS {column}"
        for column, kind in kinds.items()
    )
    listed = ", ".join(f"'{kind}'" for kind in kinds.values())
    return (
        f"SELECT v.id AS venture_id, {pivot} "
        f"FROM {t['venture']} v CROSS JOIN {t['account']} a "
        f"WHERE a.organisation_id = v.organisation_id AND a.kind IN ({listed}) "
        "AND a.name = 'Venture-' || v.id GROUP BY v.id"
    )


def _posted_runs() -> list[tuple]:
    """Every posted run with what the fast pass needs, in one scan of the runs.

    (pk, status, entry, distributed, total, reserve, welfare, postings in the entry,
    whether the source, reserve and welfare accounts hold in the entry exactly the run's
    amounts). The ventures' accounts are found once per venture (not once per run), one
    row each, their postings in the entry by the (account, entry, amount) index.
    """
    t = _tables()

    def held(account: str) -> str:
        return (
            f"COALESCE((SELECT SUM(p.amount) FROM {t['posting']} p "
            f"WHERE p.account_id = {account} AND p.entry_id = r.posted_entry_id), 0)"
        )

    # A run's source is income or retained earnings, named like the account kinds.
    source = (
        f"CASE r.source WHEN '{AccountKind.INCOME}' THEN va.income "
        f"WHEN '{AccountKind.EQUITY}' THEN va.equity END"
    )
    sql = (
        "SELECT r.id, r.status, r.posted_entry_id, r.distributed_amount, r.total, "
        "r.reserve_amount, r.welfare_amount, "
        f"(SELECT COUNT(*) FROM {t['posting']} p WHERE p.entry_id = r.posted_entry_id), "
        f"CASE WHEN {held(source)} = r.total THEN 1 ELSE 0 END, "
        # A zero reserve or welfare is not posted: nothing to probe (a stray posting there
        # makes the entry longer than the run, which the posting count finds).
        f"CASE WHEN r.reserve_amount = 0 THEN 1 WHEN {held('va.reserve')} = -r.reserve_amount "
        "THEN 1 ELSE 0 END, "
        f"CASE WHEN r.welfare_amount = 0 THEN 1 WHEN {held('va.welfare')} = -r.welfare_amount "
        "THEN 1 ELSE 0 END "
        f"FROM {t['run']} r LEFT JOIN ({_venture_accounts_sql()}) va "
        "ON va.venture_id = r.venture_id "
        f"WHERE {_posted_runs_sql()} ORDER BY r.id"
    )
    return _rows(sql)


def reconcile_runs():
    """Every posted run against its lines and its posted entry, to the fen.

    Reported: a posted run without an entry; lines that do not sum to the run's
    distributed amount; and, account by account (kind, owner, name), an entry that books
    other amounts than the run says (Dr the source by the total; Cr reserve, welfare and
    each holder's payable by their amounts): a holder paid a different amount, left out,
    paid twice or from another account, a posting the run does not explain. Last, a
    reversed run whose reversal entry does not reverse its entry.

    A fast pass finds the runs that may differ. A run is clean when (1) every account it
    should book (its source, reserve and welfare accounts, and each line's payable account,
    recorded on the line) holds, in its entry, exactly its amount, and (2) the entry has
    exactly as many postings as there are such accounts: the accounts are distinct (a line
    account once per run, a database constraint; the venture's own accounts are of other
    kinds), (1) gives each a posting, so with (2) the entry holds nothing else. Two queries
    whatever the size (the runs with their source, reserve and welfare probes and posting
    counts; the lines with their probes and sums by run); only runs the pass flags are
    compared in full, account by account and by the holders' names.
    """
    runs = _posted_runs()
    lines = _line_pass()
    suspects: set[int] = set()
    for pk, status, entry, distributed, total, reserve, welfare, postings, *held in runs:
        if entry is None:
            yield _("Run {pk} is {status} but has no ledger entry.").format(
                pk=pk, status=RunStatus(status).label.lower()
            )
            continue
        summed, counted, unheld = lines.get(pk, (0, 0, 0))
        if summed != distributed:
            yield _(
                "Run {pk}: its lines sum to {lines} fen, but it distributes {distributed} fen."
            ).format(pk=pk, lines=summed, distributed=distributed)
        expected = counted + (total != 0) + (reserve != 0) + (welfare != 0)
        if unheld or postings != expected or not all(held):
            suspects.add(pk)
    yield from _entry_differences(sorted(suspects))
    yield from _reversal_problems()


def _expected_rows_sql(where: str) -> str:
    """What each posted run's entry should book: (run, kind, owner, account name, fen).

    Dr the source by the total; Cr reserve, welfare and each holder's payable by their
    amounts (zero amounts are not posted). `where` narrows the runs (SQL on `r`).
    """
    t = _tables()
    stem = "'Venture-' || r.venture_id"
    holder = (
        "CASE WHEN l.household_id IS NOT NULL THEN '-Household-' || l.household_id "
        "WHEN l.village_id IS NOT NULL THEN '-Village-' || l.village_id "
        "ELSE '-Organisation-' || l.organisation_id END"
    )
    runs = f"FROM {t['run']} r JOIN {t['venture']} v ON v.id = r.venture_id WHERE {where}"
    return (
        f"SELECT r.id AS run_id, r.source AS kind, v.organisation_id AS organisation_id, "
        f"{stem} AS name, r.total AS amount {runs} AND r.total <> 0 "
        "UNION ALL "
        f"SELECT r.id, '{AccountKind.RESERVE}', v.organisation_id, {stem}, -r.reserve_amount "
        f"{runs} AND r.reserve_amount <> 0 "
        "UNION ALL "
        f"SELECT r.id, '{AccountKind.WELFARE}', v.organisation_id, {stem}, -r.welfare_amount "
        f"{runs} AND r.welfare_amount <> 0 "
        "UNION ALL "
        f"SELECT r.id, '{AccountKind.DISTRIBUTION_PAYABLE}', v.organisation_id, "
        f"{stem} || {holder}, -l.amount "
        f"FROM {t['line']} l JOIN {t['run']} r ON r.id = l.run_id "
        f"JOIN {t['venture']} v ON v.id = r.venture_id WHERE {where} AND l.amount <> 0"
    )


def _entry_differences(suspects: list[int]):
    """The runs' expected postings against their entries', grouped by account."""
    t = _tables()
    for start in range(0, len(suspects), CHUNK):
        chunk = suspects[start : start + CHUNK]
        marks = ", ".join(["%s"] * len(chunk))
        where = f"{_posted_runs_sql()} AND r.posted_entry_id IS NOT NULL AND r.id IN ({marks})"
        expected = _expected_rows_sql(where)
        # The runs' filter is written five times: four expected parts, the postings.
        params = chunk * 5
        sql = (
            "SELECT run_id, kind, name, SUM(expected), SUM(booked) FROM ("
            f"SELECT run_id, kind, organisation_id, name, amount AS expected, 0 AS booked "
            f"FROM ({expected}) e "
            "UNION ALL "
            f"SELECT r.id, a.kind, a.organisation_id, a.name, 0, p.amount "
            f"FROM {t['run']} r JOIN {t['posting']} p ON p.entry_id = r.posted_entry_id "
            f"JOIN {t['account']} a ON a.id = p.account_id WHERE {where}"
            ") t GROUP BY run_id, kind, organisation_id, name "
            "HAVING SUM(expected) <> SUM(booked) ORDER BY run_id, kind, name"
        )
        rows = _rows(sql, params)
        entries = dict(
            DistributionRun.objects.filter(pk__in=chunk).values_list("pk", "posted_entry_id")
        )
        for pk, kind, name, expected_fen, booked in rows:
            yield _(
                "Run {pk}: entry {entry} books {booked} fen on {kind} account {name}; the run "
                "says {expected} fen."
            ).format(
                pk=pk,
                entry=entries.get(pk),
                booked=int(booked),
                kind=kind,
                name=name,
                expected=int(expected_fen),
            )


def _reversal_problems():
    """Each reversed run's reversal entry reverses the run's own entry."""
    rows = (
        DistributionRun.objects.filter(status=RunStatus.REVERSED)
        .exclude(reversal_entry__isnull=False, reversal_entry__reverses=F("posted_entry"))
        .order_by("pk")
        .values_list("pk", "reversal_entry_id", "posted_entry_id")
    )
    for pk, reversal, entry in rows:
        yield _(
            "Run {pk} is reversed, but entry {reversal} does not reverse its entry {entry}."
        ).format(pk=pk, reversal=reversal, entry=entry)


#: What `check_ledger` runs for ventures, in order.
RUN_CHECKS = (reconcile_runs,)
