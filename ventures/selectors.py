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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from core.roles import Role
from core.scope import holds_role
from ledger.choices import AccountKind
from ledger.models import Account
from ledger.selectors import balances
from registry.models import Organisation, Village, VillageStat
from ventures.choices import DistributionSource, NoticeKind, RunStatus
from ventures.exceptions import VentureError
from ventures.models import (
    Contribution,
    DistributionRun,
    Stake,
    Venture,
    holder_key,
    parse_holder_key,
)

__all__ = [
    "APPROVE_ROLES",
    "POST_ROLES",
    "PREPARE_ROLES",
    "PUBLISH_ROLES",
    "REGISTER_ROLES",
    "REVERSE_ROLES",
    "PreviewRow",
    "RunPreview",
    "capitals",
    "holder_label",
    "holder_option",
    "holder_options",
    "notice_payload",
    "populations",
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
    """(name, code) of a line's or stake's holder for previews and notices."""
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
    lines = run.lines.select_related("village", "organisation").order_by("pk")
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
    for line in run.lines.select_related("village", "organisation").order_by("pk"):
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
