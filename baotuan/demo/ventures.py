"""Demo ventures, told by the ledger: the 平湖—青田 enclave park and 山塘村强村股份公司.

Every amount of money goes through `ventures.services` (stakes, contributions, income, runs
prepared by one person, approved by another, posted, published), so the figures on screen
are what the ledger holds; nothing here writes a money row directly. Assets and tenants
(descriptions of the park, no postings) are plain rows.

The published facts and the illustrative (示例) choices are in `baotuan.demo.facts`
(ENCLAVE_FACTS / ENCLAVE_DEMO, SHANTANG_FACTS / SHANTANG_DEMO), with the timeline. In short:
265 青田 villages pay in 162,000,000 yuan in 2018; the three buildings are let from
2020-01-01 at 10% of their cost a year; the joint company pays the villages 10% a year on
their capital (包租固定回报) in one run for 2020 and one for 2021, 16,200,000 yuan each, so
32,400,000 yuan is returned by 2021-12-31, 61,132 yuan per village a year on average.

Idempotent: each step looks for what it would create (venture, stakes, contributions,
receipts, runs by period, locked months) and only adds what is missing, so a second load
posts nothing. A run found half-way (prepared, approved, posted) is taken to its end.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from accounts.models import Grant, User
from baotuan.demo import facts
from core.actors import SYSTEM
from core.roles import Role
from ledger.choices import AccountKind
from ledger.models import Account, JournalEntry, Period
from ledger.selectors import balances, locked_through
from ledger.services import lock_period
from registry.choices import OrganisationKind, VillageKind
from registry.models import Organisation, Village, VillageStat
from ventures import services
from ventures.choices import (
    ContributionKind,
    DistributionPolicy,
    IncomeKind,
    RunStatus,
    VentureKind,
)
from ventures.models import (
    Asset,
    Contribution,
    DistributionRun,
    IncomeReceipt,
    Stake,
    Tenant,
    Venture,
)

__all__ = ["EnclaveFigures", "enclave_figures", "enclave_villages", "load", "village_capital"]

D = date.fromisoformat
FEN = 100
WAN = 10_000  # yuan

E, EF = facts.ENCLAVE_DEMO, facts.ENCLAVE_FACTS
S, SF = facts.SHANTANG_DEMO, facts.SHANTANG_FACTS

# The 山塘 company's own finance officer and approver (maker-checker), each with their own
# demo password (baotuan.demo.passwords); (username, display name, role).
SHANTANG_USERS = [
    ("stfinance", "山塘村强村股份公司财务", Role.FINANCE),
    ("stapprover", "山塘村强村股份公司审批人", Role.APPROVER),
]


# ---------------------------------------------------------------------------------------------
# Who holds the enclave park, and with how much


def enclave_villages() -> list[Village]:
    """The 265 holders: 青田's village committees with the lowest 2018 total income.

    The rule (ENCLAVE_DEMO["selection_rule"]): village committees (kind "village", not
    communities) of county 331121, ordered by their 2018 total collective income in the
    demo statistics (illustrative), then by code; villages without a 2018 figure last.
    """
    candidates = list(
        Village.objects.filter(county_id=facts.QINGTIAN, kind=VillageKind.VILLAGE).order_by("code")
    )
    income = dict(
        VillageStat.objects.filter(
            village__county_id=facts.QINGTIAN, year=2018, total_income__isnull=False
        ).values_list("village_id", "total_income")
    )
    candidates.sort(key=lambda v: (v.code not in income, income.get(v.code, 0), v.code))
    count = EF["villages"]
    if len(candidates) < count:
        raise RuntimeError(
            f"青田县 has {len(candidates)} village committees loaded; the enclave needs {count}."
        )
    return sorted(candidates[:count], key=lambda v: v.code)


def village_capital(codes: list[str]) -> dict[str, dict[str, int]]:
    """Each village's contributions by kind, in yuan, summing to the total investment.

    Per village (a generator seeded by its code): subsidy-funded equity 20–30 万, land quota
    8–20 万 for one village in three, cash the rest of a capital of 54–68 万; the capitals
    are then moved by 1 万 at a time, in code order, until they sum to 162,000,000 exactly
    (only the cash part moves, and every capital stays in its range).
    """
    low, high = E["capital_wan_range"]
    drawn = {}
    for code in sorted(codes):
        rng = random.Random(int(code))
        capital = rng.randint(low, high)
        subsidy = rng.randint(*E["subsidy_wan_range"])
        land = (
            rng.randint(*E["land_quota_wan_range"])
            if rng.randrange(E["land_quota_share"]) == 0
            else 0
        )
        drawn[code] = [capital, subsidy, land]
    target = E["total_investment_yuan"] // WAN
    gap = target - sum(c for c, _s, _l in drawn.values())
    order = sorted(drawn)
    while gap:
        moved = False
        for code in order:
            if gap == 0:
                break
            step = 1 if gap > 0 else -1
            if low <= drawn[code][0] + step <= high:
                drawn[code][0] += step
                gap -= step
                moved = True
        if not moved:
            raise RuntimeError("the capital range cannot reach the total investment")
    result = {}
    for code, (capital, subsidy, land) in drawn.items():
        result[code] = {
            ContributionKind.SUBSIDY_EQUITY: subsidy * WAN,
            ContributionKind.LAND_QUOTA: land * WAN,
            ContributionKind.CASH: (capital - subsidy - land) * WAN,
        }
    return result


# ---------------------------------------------------------------------------------------------
# Helpers


def _user(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise RuntimeError(
            f"demo user {username!r} is missing: load the registry demo first"
        ) from None


def _organisation(name: str) -> Organisation:
    try:
        return Organisation.objects.get(name=name)
    except Organisation.DoesNotExist:
        raise RuntimeError(
            f"organisation {name!r} is missing: load the registry demo first"
        ) from None


# Who answers objections to a notice (printed on it): an office and a telephone, both
# illustrative (the number is all zeros on purpose).
ENCLAVE_CONTACT = "青田强村联合投资发展有限责任公司办公室 0578-0000000（示例）"
SHANTANG_CONTACT = "山塘村村务监督委员会 0573-0000000（示例）"


def _give_contact(venture: Venture, contact: str) -> None:
    """Set the venture's contact for objections once (a later load keeps an edited one)."""
    if not venture.notice_contact:
        venture.notice_contact = contact
        venture.save(update_fields=["notice_contact"])


def _run_to_the_end(
    venture, period, policy, params, preparer, approver
) -> tuple[DistributionRun, bool]:
    """Find the run of this period (not reversed) or prepare it; approve, post, publish.

    Returns the run and whether anything was done. Posting is dated on the period's end.
    """
    start, end = D(period[0]), D(period[1])
    run = (
        DistributionRun.objects.filter(venture=venture, period_start=start, period_end=end)
        .exclude(status=RunStatus.REVERSED)
        .first()
    )
    done = False
    if run is None:
        run = services.prepare_run(
            venture,
            period_start=start,
            period_end=end,
            policy=policy,
            params=params,
            actor=preparer,
        ).run
        done = True
    if run.status == RunStatus.PREPARED:
        run = services.approve_run(run, actor=approver)
        done = True
    if run.status == RunStatus.APPROVED:
        run = services.post_run(run, actor=preparer, date=end)
        done = True
    if run.status == RunStatus.POSTED:
        services.publish_run(run, actor=approver)
        run.refresh_from_db()
        done = True
    return run, done


def _contribute(venture, holder, kind, amount_yuan, day, note, user, existing) -> bool:
    """Record one contribution unless (holder, kind) is recorded already."""
    key = (holder.pk, kind)
    if amount_yuan <= 0 or key in existing:
        return False
    services.record_contribution(
        venture,
        holder=holder,
        kind=kind,
        amount=amount_yuan * FEN,
        contributed_on=day,
        note=note,
        actor=user,
    )
    existing.add(key)
    return True


def _existing_contributions(venture) -> set:
    return {
        (village or organisation, kind)
        for village, organisation, kind in Contribution.objects.filter(venture=venture).values_list(
            "village_id", "organisation_id", "kind"
        )
    }


# ---------------------------------------------------------------------------------------------
# The enclave park


def load_enclave(say) -> Venture:
    operator = _organisation(EF["operator"])
    finance, approver = _user("finance"), _user("approver")
    venture, created = Venture.objects.get_or_create(
        name=EF["venture"],
        defaults={
            "kind": VentureKind.ENCLAVE_PARK,
            "organisation": operator,
            "started_on": D(E["term_start"]),
            "is_illustrative": True,
            "description": (
                "全省首个跨县市“飞地”产业园，位于平湖经济技术开发区。“三供三保”：青田供土地指标、"
                "供钱投资、供人管理；平湖保落地、保招商、保收益。由青田 265 个经济薄弱村共同出资的"
                "青田强村联合投资发展有限责任公司投资建设 3 幢高标准厂房，采取包租固定回报：每年按"
                "实际总投资的 10% 返还（2017 年协议）。截至 2021 年底累计返还 3240 万元，每村每年"
                "平均增收约 6 万元（事实）。\n"
                "示例：参股村名单、各村出资额与出资方式、厂房面积与造价、租金、日期为演示数据。"
                f"选村规则：{E['selection_rule']}总投资 16200 万元（示例），2020 年起每年 10%。"
            ),
        },
    )
    _give_contact(venture, ENCLAVE_CONTACT)
    say(f"飞地产业园: {'新建' if created else '已有'}项目 #{venture.pk}")

    # Share register and capital: 265 villages, stakes = contributed capital (yuan).
    held = set(Stake.objects.filter(venture=venture).values_list("village_id", flat=True))
    villages = (
        list(Village.objects.filter(code__in=held).order_by("code")) if held else enclave_villages()
    )
    capital = village_capital([v.code for v in villages])
    paid_on = D(E["capital_paid_on"])
    existing = _existing_contributions(venture)
    stakes = contributions = 0
    for village in villages:
        parts = capital[village.code]
        if village.code not in held:
            services.add_stake(
                venture,
                holder=village,
                units=sum(parts.values()),
                effective_from=paid_on,
                note="示例：单位为出资额（元）",
                actor=finance,
            )
            stakes += 1
        for kind, amount in parts.items():
            contributions += _contribute(
                venture, village, kind, amount, paid_on, "示例出资", finance, existing
            )
    say(
        f"  参股村 {len(villages)} 个（示例名单）: 新增股权 {stakes} 条, 出资入账 {contributions} 笔"
    )

    # The three buildings and their tenants (descriptions; the rent is posted below).
    delivered = D(E["delivered_on"])
    lease_from = D(E["term_start"])
    new_assets = 0
    for name, area, cost, tenant_name in E["buildings"]:
        asset, made = Asset.objects.get_or_create(
            venture=venture,
            name=name,
            defaults={
                "area_m2": Decimal(area),
                "cost": cost * FEN,
                "acquired_on": delivered,
                "is_illustrative": True,
            },
        )
        new_assets += made
        tenant_org = _organisation(tenant_name)
        Tenant.objects.get_or_create(
            venture=venture,
            organisation=tenant_org,
            defaults={
                "asset": asset,
                "lease_from": lease_from,
                "annual_rent": cost * FEN // 10,
                "is_illustrative": True,
            },
        )
    say(f"  厂房 {len(E['buildings'])} 幢（面积、造价为示例）: 新增 {new_assets}")

    # Rent, half-yearly, 10% a year of each building's cost.
    received = set(
        IncomeReceipt.objects.filter(venture=venture).values_list("payer_id", "period_start")
    )
    receipts = 0
    for year in E["return_years"]:
        for on, start, end in E["rent_dates"]:
            period_start = D(f"{year}-{start}")
            for _name, _area, cost, tenant_name in E["buildings"]:
                payer = _organisation(tenant_name)
                if (payer.pk, period_start) in received:
                    continue
                services.record_income(
                    venture,
                    amount=cost * FEN // 20,
                    received_on=D(f"{year}-{on}"),
                    kind=IncomeKind.RENT,
                    payer=payer,
                    period_start=period_start,
                    period_end=D(f"{year}-{end}"),
                    note="示例：半年租金（厂房造价的 5%）",
                    actor=finance,
                )
                receipts += 1
    say(f"  租金入账: 新增 {receipts} 笔")

    # The fixed return, one run a year: finance prepares and posts, approver approves and
    # publishes (公示).
    for year in E["return_years"]:
        run, done = _run_to_the_end(
            venture,
            (f"{year}-01-01", f"{year}-12-31"),
            DistributionPolicy.FIXED_RETURN,
            {"rate": EF["return_rate"]},
            finance,
            approver,
        )
        say(
            f"  {year} 年固定回报: 分配单 #{run.pk} {run.get_status_display()}, "
            f"{run.distributed_amount / FEN:,.2f} 元{'' if done else '（已有）'}"
        )
    return venture


# ---------------------------------------------------------------------------------------------
# 山塘村强村股份公司: 保底+分红


def _shantang_users(company) -> list[tuple[str, str | None, str]]:
    from baotuan.demo.passwords import give_password

    accounts = []
    for username, display, role in SHANTANG_USERS:
        user, _created = User.objects.get_or_create(username=username)
        password = give_password(user)  # None: an existing user keeps theirs
        if password or user.display_name != display:
            user.display_name = display
            user.save()
        Grant.objects.get_or_create(user=user, role=role, organisation=company)
        accounts.append((username, password, f"{Role(role).label}（{SF['company']}）"))
    return accounts


def load_shantang(say) -> tuple[Venture, list[tuple[str, str, str]]]:
    company = _organisation(SF["company"])
    village = Village.objects.get(code=facts.VILLAGES[SF["village"]])
    enterprise, _made = Organisation.objects.update_or_create(
        name=S["enterprise"],
        defaults={
            "kind": OrganisationKind.ENTERPRISE,
            "region_id": facts.PINGHU,
            "description": S["enterprise_description"],
            "is_illustrative": True,
        },
    )
    accounts = _shantang_users(company)
    finance, approver = _user(SHANTANG_USERS[0][0]), _user(SHANTANG_USERS[1][0])
    paid_on = D(S["capital_paid_on"])
    venture, created = Venture.objects.get_or_create(
        name=S["venture"],
        defaults={
            "kind": VentureKind.VILLAGE_COMPANY,
            "organisation": company,
            "started_on": paid_on,
            "is_illustrative": True,
            "description": (
                "山塘村强村股份公司：村集体占股 51%、企业占股 49%，实行“保底收益+分红”（事实）。\n"
                f"示例：合作企业名称、出资额、经营收入、保底率 {S['floor_rate']}（按出资额）、"
                f"提取法定公积金 {S['reserve_rate']}、日期为演示数据。"
            ),
        },
    )
    _give_contact(venture, SHANTANG_CONTACT)
    say(f"山塘村强村股份公司: {'新建' if created else '已有'}项目 #{venture.pk}")
    holders = {"village": village, "enterprise": enterprise}
    shares = {"village": SF["village_share_percent"], "enterprise": SF["enterprise_share_percent"]}
    registered = {
        (v or o)
        for v, o in Stake.objects.filter(venture=venture).values_list(
            "village_id", "organisation_id"
        )
    }
    for role, holder in holders.items():
        if holder.pk not in registered:
            services.add_stake(
                venture,
                holder=holder,
                units=shares[role],
                effective_from=paid_on,
                note=f"占股 {shares[role]}%",
                actor=finance,
            )
    existing = _existing_contributions(venture)
    for role, kind, amount in S["contributions"]:
        _contribute(venture, holders[role], kind, amount, paid_on, "示例出资", finance, existing)
    received = set(
        IncomeReceipt.objects.filter(venture=venture).values_list("received_on", flat=True)
    )
    for on, amount in S["income"]:
        if D(on) not in received:
            services.record_income(
                venture,
                amount=amount * FEN,
                received_on=D(on),
                kind=IncomeKind.OTHER,
                note="示例：明月山塘景区经营收入",
                actor=finance,
            )
    run, done = _run_to_the_end(
        venture,
        S["period"],
        DistributionPolicy.FLOOR_PRO_RATA,
        {"floor_rate": S["floor_rate"], "reserve_rate": S["reserve_rate"]},
        finance,
        approver,
    )
    say(
        f"  保底+分红 {S['period'][0][:4]} 年: 分配单 #{run.pk} {run.get_status_display()}, "
        f"提取公积金 {run.reserve_amount / FEN:,.2f} 元, 分配 {run.distributed_amount / FEN:,.2f} 元"
        f"{'' if done else '（已有）'}"
    )
    return venture, accounts


# ---------------------------------------------------------------------------------------------
# Locking and the figures


def lock_complete_periods(say) -> int:
    """Lock every month from the first open one through ENCLAVE_DEMO["lock_through"]."""
    year, month = E["lock_through"]
    through = locked_through()
    target_end = date(year, month, 28)
    if through is not None and through >= target_end:
        return 0
    last = Period.objects.order_by("-year", "-month").first()
    if last is not None:
        y, m = last.year + last.month // 12, last.month % 12 + 1
    else:
        first = JournalEntry.objects.order_by("date").values_list("date", flat=True).first()
        if first is None:
            return 0
        y, m = first.year, first.month
    locked = 0
    while (y, m) <= (year, month):
        lock_period(y, m, actor=SYSTEM)
        locked += 1
        y, m = y + m // 12, m % 12 + 1
    return locked


@dataclass(frozen=True)
class EnclaveFigures:
    """The enclave's returns as the ledger holds them (villages' payable balances)."""

    as_of: date
    villages: int
    returned: int  # fen, Σ of the villages' distribution-payable balances
    per_village_year_min: int  # fen
    per_village_year_max: int
    per_village_year_mean: int
    years: int


def enclave_figures(venture: Venture, as_of: date | None = None) -> EnclaveFigures:
    """What the villages are owed by `as_of` (default 2021-12-31), from ledger balances."""
    as_of = as_of or D(EF["returned_by"])
    accounts = Account.objects.filter(
        kind=AccountKind.DISTRIBUTION_PAYABLE,
        organisation_id=venture.organisation_id,
        name__startswith=f"{venture.ledger_name}-Village-",
    )
    owed = [-amount for amount in balances(as_of=as_of, accounts=list(accounts)).values()]
    years = len([y for y in E["return_years"] if y <= as_of.year])
    per_year = [amount // max(years, 1) for amount in owed] or [0]
    return EnclaveFigures(
        as_of=as_of,
        villages=len(owed),
        returned=sum(owed),
        per_village_year_min=min(per_year),
        per_village_year_max=max(per_year),
        per_village_year_mean=sum(owed) // max(len(owed), 1) // max(years, 1),
        years=years,
    )


def load(stdout=None) -> list[tuple[str, str, str]]:
    """Load both demo ventures (idempotent); returns the extra demo accounts it made."""

    def say(text):
        if stdout is not None:
            stdout.write(text)

    entries_before = JournalEntry.objects.count()
    with transaction.atomic():
        venture = load_enclave(say)
        _shantang, accounts = load_shantang(say)
        from baotuan.demo import programme  # it reuses this module's run helper

        programme.load(say)  # the 文成 and 龙泉 parks' runs post before the months lock
        locked = lock_complete_periods(say)
    say(f"账期锁定: 新增 {locked} 个月, 已锁至 {locked_through()}")
    figures = enclave_figures(venture)
    distributed = (
        DistributionRun.objects.filter(venture=venture, status=RunStatus.PUBLISHED).aggregate(
            total=Sum("distributed_amount")
        )["total"]
        or 0
    )
    say(
        f"飞地产业园（账本）: 截至 {figures.as_of} 累计返还 {figures.returned / FEN:,.2f} 元 "
        f"（已公示分配 {distributed / FEN:,.2f} 元）, {figures.villages} 个村, "
        f"每村每年平均 {figures.per_village_year_mean / FEN:,.2f} 元 "
        f"（{figures.per_village_year_min / FEN:,.2f}—{figures.per_village_year_max / FEN:,.2f}）; "
        f"本次新增分录 {JournalEntry.objects.count() - entries_before} 笔"
    )
    return accounts
