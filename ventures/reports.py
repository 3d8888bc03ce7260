"""Read-only views of a venture's money: returns by year and holder, holder statements (对账单).

Everything here is computed from the stored lines of posted runs, the contributions and the
income receipts (themselves posted to the ledger), never typed in. A reversed run counts
for nothing: its posting and its reversal cancel out. Each function runs a fixed number of
queries, whatever the number of holders or runs.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db.models import Q, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from ledger.choices import AccountKind
from ledger.models import Account
from ledger.selectors import balances
from lib.distribution import as_rate
from registry.models import Organisation, Village
from ventures.choices import ContributionKind, DistributionPolicy, DistributionSource, RunStatus
from ventures.models import (
    Contribution,
    DistributionLine,
    DistributionRun,
    IncomeReceipt,
    Stake,
    Venture,
    holder_key,
)
from ventures.policies import CAPITAL_KINDS, COMMON, POLICIES

__all__ = [
    "ACTIVE",
    "HolderStatement",
    "LedgerReturns",
    "ReturnRow",
    "StatementYear",
    "VentureReturns",
    "holder_statement",
    "ledger_returns",
    "params_display",
    "policy_label",
    "statement_xlsx",
    "venture_returns",
]

#: Run statuses whose lines are money owed to holders (posted and not reversed).
ACTIVE = (RunStatus.POSTED, RunStatus.PUBLISHED)
RATE_PARAMS = (
    "rate", "reserve_rate", "welfare_rate", "floor_rate", "share_ratio", "low_income_rate"
)


def _percent(value: Fraction) -> str:
    percent = value * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    return f"{float(percent):.4g}%"


def _param_labels(policy: str | None) -> dict[str, str]:
    """Each parameter's label, as the prepare page shows it (the run's policy first)."""
    declared = [*COMMON, CAPITAL_KINDS]
    for code, each in POLICIES.items():
        if code != policy:
            declared.extend(each.params)
    if policy in POLICIES:
        declared.extend(POLICIES[policy].params)  # last: the run's own labels win
    labels = {param.name: str(param.label) for param in declared}
    # Runs prepared before the points app kept their holders' points as a parameter.
    labels.setdefault("points", str(_("Points per holder")))
    return labels


def policy_label(policy: str) -> str:
    """A policy's label ("Fixed return on capital (包租固定回报)"), never its code."""
    try:
        return str(DistributionPolicy(policy).label)
    except ValueError:
        return policy


def params_display(params: dict, policy: str | None = None) -> list[tuple[str, str]]:
    """A run's parameters as (label, text) pairs, in the prepare page's words: rates in
    percent, amounts in yuan, choices by their labels, points as a count. No parameter's
    internal name ("fixed_return", "rate") reaches the page."""
    labels = _param_labels(policy)
    pairs = []
    for name, value in sorted(params.items()):
        if name == "points":
            text = _("{n} holders").format(n=len(value))
        elif name in RATE_PARAMS:
            text = _percent(as_rate(value))
        elif name == "total" or name == "floor":
            text = f"{Decimal(value) / 100:,.2f}"
        elif name == "source" and value in DistributionSource.values:
            text = str(DistributionSource(value).label)
        elif name == "capital_kinds" and isinstance(value, list):
            text = "、".join(
                str(ContributionKind(kind).label) if kind in ContributionKind.values else kind
                for kind in value
            )
        else:
            text = str(value)
        pairs.append((labels.get(name, name), text))
    return pairs


# ---------------------------------------------------------------------------------------------
# A venture's returns


@dataclass
class VentureReturns:
    """Yearly and cumulative figures of a venture, and the top holders' yearly returns.

    years: ascending years with income or distributions; the lists below align with it.
    """

    years: list[int]
    income: list[int]
    distributed: list[int]
    reserve: list[int]
    welfare: list[int]
    cumulative: list[int]
    top_holders: list[dict] = field(default_factory=list)

    @property
    def total_distributed(self) -> int:
        return self.cumulative[-1] if self.cumulative else 0

    @property
    def rows(self) -> list[dict]:
        return [
            {
                "year": year,
                "income": income,
                "distributed": distributed,
                "reserve": reserve,
                "welfare": welfare,
                "cumulative": cumulative,
            }
            for year, income, distributed, reserve, welfare, cumulative in zip(
                self.years,
                self.income,
                self.distributed,
                self.reserve,
                self.welfare,
                self.cumulative,
                strict=True,
            )
        ]


def venture_returns(venture: Venture, *, top: int = 10) -> VentureReturns:
    """Income and distributions by year (by the run's period end), and the top holders.

    Four queries: income by year, runs by year, the top holders by cumulative amount, and
    those holders' amounts by year.
    """
    income = dict(
        IncomeReceipt.objects.filter(venture=venture)
        .annotate(year=ExtractYear("received_on"))
        .order_by()
        .values("year")
        .annotate(amount=Sum("amount"))
        .values_list("year", "amount")
    )
    runs = {
        row["year"]: row
        for row in DistributionRun.objects.filter(venture=venture, status__in=ACTIVE)
        .annotate(year=ExtractYear("period_end"))
        .order_by()
        .values("year")
        .annotate(
            distributed=Sum("distributed_amount"),
            reserve=Sum("reserve_amount"),
            welfare=Sum("welfare_amount"),
        )
    }
    years = sorted(set(income) | set(runs))
    distributed = [int(runs[y]["distributed"]) if y in runs else 0 for y in years]
    cumulative, running = [], 0
    for amount in distributed:
        running += amount
        cumulative.append(running)
    result = VentureReturns(
        years=years,
        income=[int(income.get(y, 0)) for y in years],
        distributed=distributed,
        reserve=[int(runs[y]["reserve"]) if y in runs else 0 for y in years],
        welfare=[int(runs[y]["welfare"]) if y in runs else 0 for y in years],
        cumulative=cumulative,
    )
    lines = DistributionLine.objects.filter(run__venture=venture, run__status__in=ACTIVE)
    leaders = list(
        lines.order_by()
        .values("village_id", "organisation_id", "village__short_name", "organisation__name")
        .annotate(total=Sum("amount"))
        .order_by("-total", "village_id", "organisation_id")[:top]
    )
    if not leaders:
        return result
    clause = Q(pk__in=[])
    villages = [row["village_id"] for row in leaders if row["village_id"] is not None]
    organisations = [
        row["organisation_id"] for row in leaders if row["organisation_id"] is not None
    ]
    if villages:
        clause |= Q(village_id__in=villages)
    if organisations:
        clause |= Q(organisation_id__in=organisations)
    by_year: dict[str, dict[int, int]] = defaultdict(dict)
    for village_id, organisation_id, year, amount in (
        lines.filter(clause)
        .annotate(year=ExtractYear("run__period_end"))
        .order_by()
        .values("village_id", "organisation_id", "year")
        .annotate(amount=Sum("amount"))
        .values_list("village_id", "organisation_id", "year", "amount")
    ):
        by_year[holder_key(village_id, organisation_id)][year] = int(amount)
    for row in leaders:
        key = holder_key(row["village_id"], row["organisation_id"])
        yearly = [by_year[key].get(y, 0) for y in years]
        running, cumulative = 0, []
        for amount in yearly:
            running += amount
            cumulative.append(running)
        result.top_holders.append(
            {
                "key": key,
                "name": row["village__short_name"] or row["organisation__name"],
                "total": int(row["total"]),
                "yearly": yearly,
                "cumulative": cumulative,
            }
        )
    return result


# ---------------------------------------------------------------------------------------------
# A holder's statement (对账单)


@dataclass
class ReturnRow:
    """One run's amount for the holder; a reversed run shows its amount and nets to zero."""

    run: DistributionRun
    units: int
    amount: int

    @property
    def net(self) -> int:
        return 0 if self.run.status == RunStatus.REVERSED else self.amount


@dataclass
class StatementYear:
    year: int
    contributed: dict[str, int]
    returned: int

    @property
    def contributed_total(self) -> int:
        return sum(self.contributed.values())


@dataclass
class HolderStatement:
    venture: Venture
    holder: Village | Organisation
    key: str
    stakes: list[Stake]
    contributions: list[Contribution]
    returns: list[ReturnRow]
    years: list[StatementYear]

    @property
    def name(self) -> str:
        return getattr(self.holder, "short_name", None) or str(self.holder)

    @property
    def label(self) -> str:
        """What names the holder beside its name: a village's statistical code, an
        organisation's kind (never the holder key "village:…" / "organisation:…")."""
        if isinstance(self.holder, Village):
            return self.holder.code
        return str(self.holder.get_kind_display())

    @property
    def total_contributed(self) -> int:
        return sum(c.amount for c in self.contributions)

    @property
    def total_returned(self) -> int:
        return sum(r.net for r in self.returns)

    @property
    def contributed_by_kind(self) -> dict[str, int]:
        totals = dict.fromkeys(ContributionKind.values, 0)
        for contribution in self.contributions:
            totals[contribution.kind] += contribution.amount
        return totals


def holder_statement(venture: Venture, holder: Village | Organisation) -> HolderStatement:
    """Contributions and returns of one holder in one venture, by year (three queries).

    Returns count in the year of the run's period end; contributions in the year made.
    """
    owner = {"village": holder} if isinstance(holder, Village) else {"organisation": holder}
    stakes = list(Stake.objects.filter(venture=venture, **owner).order_by("effective_from"))
    contributions = list(
        Contribution.objects.filter(venture=venture, **owner).order_by("contributed_on", "pk")
    )
    lines = (
        DistributionLine.objects.filter(run__venture=venture, **owner)
        .exclude(run__status__in=(RunStatus.PREPARED, RunStatus.APPROVED))
        .select_related("run")
        .order_by("run__period_end", "run_id")
    )
    returns = [ReturnRow(line.run, line.units, line.amount) for line in lines]
    years: dict[int, StatementYear] = {}

    def year_of(day: date) -> StatementYear:
        if day.year not in years:
            years[day.year] = StatementYear(day.year, dict.fromkeys(ContributionKind.values, 0), 0)
        return years[day.year]

    for contribution in contributions:
        year_of(contribution.contributed_on).contributed[contribution.kind] += contribution.amount
    for row in returns:
        year_of(row.run.period_end).returned += row.net
    key = holder_key(*((holder.pk, None) if isinstance(holder, Village) else (None, holder.pk)))
    return HolderStatement(
        venture=venture,
        holder=holder,
        key=key,
        stakes=stakes,
        contributions=contributions,
        returns=returns,
        years=[years[y] for y in sorted(years)],
    )


def statement_xlsx(statement: HolderStatement) -> bytes:
    """The statement as an xlsx workbook: a yearly summary, then every row, amounts in 元.

    Amounts are written as numbers of yuan from exact Decimals (fen / 100) with a two-decimal
    format, so the sheet adds them up exactly as the page shows them.
    """
    import xlsxwriter

    buffer = io.BytesIO()
    # strings_to_formulas off: a name such as "=HYPERLINK(...)" is text, never a live formula.
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    title = book.add_format({"bold": True, "font_size": 14})

    def yuan(fen: int) -> float:
        # xlsxwriter writes IEEE doubles; two-decimal values of this size are exact there.
        return float(Decimal(fen) / 100)

    summary = book.add_worksheet(_("Summary")[:31])
    summary.write(
        0,
        0,
        _("Statement of {holder} in {venture}").format(
            holder=statement.name, venture=statement.venture
        ),
        title,
    )
    kinds = ContributionKind.choices
    headers = [_("Year"), *[str(label) for _v, label in kinds], _("Contributed"), _("Returned")]
    for column, header in enumerate(headers):
        summary.write(2, column, header, bold)
    row = 3
    for year in statement.years:
        summary.write(row, 0, year.year)
        for column, (value, _label) in enumerate(kinds, start=1):
            summary.write_number(row, column, yuan(year.contributed[value]), money)
        summary.write_number(row, len(kinds) + 1, yuan(year.contributed_total), money)
        summary.write_number(row, len(kinds) + 2, yuan(year.returned), money)
        row += 1
    summary.write(row, 0, _("Total"), bold)
    for column, (value, _label) in enumerate(kinds, start=1):
        summary.write_number(row, column, yuan(statement.contributed_by_kind[value]), money)
    summary.write_number(row, len(kinds) + 1, yuan(statement.total_contributed), money)
    summary.write_number(row, len(kinds) + 2, yuan(statement.total_returned), money)
    summary.set_column(0, 0, 10)
    summary.set_column(1, len(kinds) + 2, 18)

    detail = book.add_worksheet(_("Rows")[:31])
    headers = [_("Date"), _("Kind"), _("Period"), _("Units"), _("Amount"), _("Status")]
    for column, header in enumerate(headers):
        detail.write(0, column, header, bold)
    row = 1
    for contribution in statement.contributions:
        detail.write(row, 0, contribution.contributed_on.isoformat())
        detail.write(row, 1, str(contribution.get_kind_display()))
        detail.write_number(row, 4, yuan(contribution.amount), money)
        row += 1
    for item in statement.returns:
        run = item.run
        detail.write(row, 0, run.posted_on.isoformat() if run.posted_on else "")
        detail.write(row, 1, _("Distribution (run {pk})").format(pk=run.pk))
        detail.write(row, 2, f"{run.period_start.isoformat()} – {run.period_end.isoformat()}")
        detail.write_number(row, 3, item.units)
        detail.write_number(row, 4, yuan(item.amount), money)
        detail.write(row, 5, str(run.get_status_display()))
        row += 1
    detail.set_column(0, 0, 12)
    detail.set_column(1, 2, 26)
    detail.set_column(3, 5, 16)
    book.close()
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# What the ledger says the holders were given


@dataclass
class LedgerReturns:
    """Returns owed to a venture's holders as the ledger has them at the end of `as_of`.

    Read from the balances of the holders' distribution-payable accounts (credit balances),
    so the figures on the venture page come from the books, not from the run table.
    """

    as_of: date
    total: int
    holders: int
    years: int

    @property
    def per_holder_per_year(self) -> int | None:
        """Average per holder and per year with distributions, in fen (rounded half up)."""
        if not self.holders or not self.years:
            return None
        denominator = self.holders * self.years
        return (2 * self.total + denominator) // (2 * denominator)


def ledger_returns(venture: Venture, *, as_of: date | None = None) -> LedgerReturns | None:
    """The ledger's cumulative returns to the holders, at `as_of` (default: the date of the
    latest posted run's entry). Three queries plus the ledger's two balance queries."""
    runs = DistributionRun.objects.filter(venture=venture, status__in=ACTIVE)
    if as_of is None:
        as_of = (
            runs.order_by("-posted_entry__date")
            .values_list("posted_entry__date", flat=True)
            .first()
        )
        if as_of is None:
            return None
    accounts = list(
        Account.objects.filter(
            organisation_id=venture.organisation_id,
            kind=AccountKind.DISTRIBUTION_PAYABLE,
            name__startswith=f"{venture.ledger_name}-",
        ).values_list("pk", flat=True)
    )
    owed = {pk: -amount for pk, amount in balances(as_of=as_of, accounts=accounts).items()}
    years = (
        runs.filter(posted_entry__date__lte=as_of)
        .annotate(year=ExtractYear("period_end"))
        .order_by()
        .values("year")
        .distinct()
        .count()
    )
    return LedgerReturns(
        as_of=as_of,
        total=sum(owed.values()),
        holders=sum(1 for amount in owed.values() if amount),
        years=years,
    )
