"""The demo's 山塘积分: 山塘村's scheme and the 浙沪山塘 joint grid's, on the grids demo's
households.

What is published (FACTS.md, domain.md §5.2–5.3): 平湖's villages run 积分制 (通界村's
"股份分红+善治积分" pays up to 20% of the dividend pool by points), and 南北山塘 run 山塘积分
across the border. The item list, the points, caps, entries, appeals, the store and the
dividend are illustrative (示例). Idempotent: a second load adds nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import Grant, User
from baotuan.demo import facts
from baotuan.demo.passwords import give_password
from core.actors import SYSTEM
from core.errors import Invalid
from core.roles import Role
from grids.models import Grid, Household
from points import selectors, services
from points.choices import AppealOutcome, EntryState
from points.models import Entry, Scheme
from registry.models import Organisation, Village
from ventures import services as ventures
from ventures.choices import RunStatus, VentureKind
from ventures.models import DistributionRun, IncomeReceipt, Stake, Venture

ZJ = facts.VILLAGES["山塘村"]
SCHEME = "山塘积分（示例）"
GRID_SCHEME = "浙沪山塘毗邻网格积分（示例）"
VENTURE = "山塘村股份经济合作社 股份+积分分红（示例）"
USERS = [("stscorer", "山塘村积分评议员（示例）", Role.VILLAGE_CLERK, ZJ)]
ITEMS = [
    # 示例: the headings of DB3304/T 070—2021; the points are not a published rule.
    {
        "code": "PA01",
        "name": "参与平安巡逻",
        "category": "safety",
        "points": 3,
        "cap": 12,
        "cap_period": "month",
    },
    {
        "code": "PA02",
        "name": "调解邻里纠纷",
        "category": "safety",
        "points": 5,
        "cap": 20,
        "cap_period": "quarter",
    },
    {
        "code": "CW01",
        "name": "参加村民代表大会",
        "category": "affairs",
        "points": 2,
        "cap": 4,
        "cap_period": "month",
    },
    {
        "code": "CW02",
        "name": "按时缴纳医保",
        "category": "affairs",
        "points": 5,
        "cap": 5,
        "cap_period": "year",
    },
    {
        "code": "ZY01",
        "name": "志愿服务（每次）",
        "category": "volunteer",
        "points": 4,
        "cap": 40,
        "cap_period": "quarter",
    },
    {
        "code": "GY01",
        "name": "孝老爱亲、好人好事",
        "category": "virtue",
        "points": 10,
        "evidence_required": True,
    },
    {
        "code": "ST01",
        "name": "垃圾分类示范户",
        "category": "ecology",
        "points": 3,
        "cap": 9,
        "cap_period": "quarter",
    },
    {
        "code": "ST02",
        "name": "庭院整洁（美丽庭院）",
        "category": "ecology",
        "points": 5,
        "cap": 10,
        "cap_period": "year",
    },
    {"code": "KF01", "name": "垃圾乱倒、违规焚烧", "category": "ecology", "points": -5},
    {"code": "KF02", "name": "违章搭建", "category": "safety", "points": -10},
]
GRID_ITEMS = [
    {
        "code": "LF01",
        "name": "联防联控值守",
        "category": "safety",
        "points": 4,
        "cap": 16,
        "cap_period": "month",
    },
    {
        "code": "LF02",
        "name": "毗邻河道保洁",
        "category": "ecology",
        "points": 3,
        "cap": 12,
        "cap_period": "month",
    },
    {
        "code": "LF03",
        "name": "跨界志愿服务",
        "category": "volunteer",
        "points": 5,
        "cap": 30,
        "cap_period": "quarter",
    },
    {"code": "LK01", "name": "向毗邻河道倾倒垃圾", "category": "ecology", "points": -5},
]
STORE = [
    ("毛巾（示例）", 10, 60),
    ("洗衣液（示例）", 20, 40),
    ("食用油（示例）", 40, 30),
    ("大米 5kg（示例）", 50, 20),
]


def _users() -> list[tuple[str, str | None, str]]:
    accounts = []
    for username, display, role, village in USERS:
        user, _created = User.objects.get_or_create(username=username)
        user.display_name = display
        password = give_password(user)
        user.save()
        Grant.objects.get_or_create(user=user, role=role, village_id=village)
        accounts.append((username, password, str(Role(role).label)))
    return accounts


def _months(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _score(scheme, households, items, rng, proposer, scorer, reviewer, first, last, per_month):
    """Entries month by month, verified (a deduction twice) and published on the 5th."""
    positive = [i for i in items if i["points"] > 0]
    negative = [i for i in items if i["points"] < 0]
    for month in _months(first, last):
        for _n in range(per_month):
            item = rng.choice(negative) if rng.random() < 0.08 else rng.choice(positive)
            household = rng.choice(households)
            day = month.replace(day=rng.randint(1, 27))
            try:
                entry = services.propose_entry(
                    actor=proposer,
                    scheme=scheme,
                    household=household,
                    item_code=item["code"],
                    occurred_on=day,
                    evidence_note="照片、签到表（示例）"
                    if item.get("evidence_required") or item["points"] < 0
                    else "",
                )
            except Invalid:  # a cap reached: the sheet would refuse it too
                continue
            services.verify_entry(actor=scorer, entry=entry)
            if entry.points < 0:
                services.verify_entry(actor=reviewer, entry=entry)
        publish_on = (month.replace(day=28) + dt.timedelta(days=8)).replace(day=5)
        if (
            publish_on <= timezone.localdate()
            and Entry.objects.filter(scheme=scheme, state=EntryState.VERIFIED).exists()
        ):
            services.publish_notice(actor=scorer, scheme=scheme, published_on=publish_on)


def _appeals(scheme, scorer, reviewer) -> None:
    """One appeal upheld and one rejected, on the notice of June 2025."""
    notice = scheme.notices.filter(published_on__year=2025, published_on__month=7).first()
    if notice is None:
        return
    entries = list(notice.entries.filter(points__gt=0).order_by("pk")[:2])
    for entry, outcome, why, answer in zip(
        entries,
        (AppealOutcome.UPHELD, AppealOutcome.REJECTED),
        ("当天未参加，记错户（示例）", "认为应加分更多（示例）"),
        ("核实属实，撤销该条积分（示例）", "按规则计分，维持（示例）"),
        strict=False,
    ):
        appeal = services.file_appeal(
            actor=scorer,
            entry=entry,
            reason=why,
            filed_on=notice.published_on + dt.timedelta(days=2),
        )
        services.decide_appeal(
            actor=reviewer,
            appeal=appeal,
            outcome=outcome,
            reason=answer,
            decided_on=notice.published_on + dt.timedelta(days=6),
        )


def _now_in_every_state(scheme, households, proposer, scorer, reviewer, rng) -> None:
    """This month: proposed, awaiting second review, verified, rejected, in notice, held."""
    today = timezone.localdate()
    day = today - dt.timedelta(days=3)
    made = []
    for code in ("ZY01", "CW01", "PA01", "ST01"):
        with contextlib.suppress(Invalid):
            made.append(
                services.propose_entry(
                    actor=proposer,
                    scheme=scheme,
                    household=rng.choice(households),
                    item_code=code,
                    occurred_on=day,
                )
            )
    if len(made) >= 3:
        services.verify_entry(actor=scorer, entry=made[0])
        services.verify_entry(actor=scorer, entry=made[1])
        notice = services.publish_notice(
            actor=scorer, scheme=scheme, published_on=today - dt.timedelta(days=1)
        )
        services.file_appeal(
            actor=scorer, entry=notice.entries.order_by("pk").first(), reason="户主称未参加（示例）"
        )
        services.reject_entry(actor=scorer, entry=made[2], reason="无签到记录（示例）")
    deduction = services.propose_entry(
        actor=proposer,
        scheme=scheme,
        household=rng.choice(households),
        item_code="KF01",
        occurred_on=day,
        evidence_note="现场照片（示例）",
    )
    services.verify_entry(actor=scorer, entry=deduction)  # waits for its second reviewer
    for code in ("CW02", "ST02"):
        try:
            e = services.propose_entry(
                actor=proposer,
                scheme=scheme,
                household=rng.choice(households),
                item_code=code,
                occurred_on=day,
            )
        except Invalid:
            continue
        services.verify_entry(actor=scorer, entry=e)  # verified, for the next notice
        break


def _store(scheme, households, storekeeper) -> None:
    items = [
        services.add_store_item(actor=SYSTEM, scheme=scheme, name=n, price=p, stock=s)
        for n, p, s in STORE
    ]
    day = dt.date(2025, 12, 20)
    balances = {b.household_id: b for b in selectors.balances(scheme, day)}
    by_pk = {h.pk: h for h in households}
    for pk, balance in sorted(balances.items(), key=lambda kv: -kv[1].redeemable)[:12]:
        left = balance.redeemable
        for item in sorted(items, key=lambda i: -i.price):
            if item.price <= left:
                services.redeem(
                    actor=storekeeper,
                    household=by_pk[pk],
                    item=item,
                    redeemed_on=day,
                    handed_out_name="徐全妹",
                )
                left -= item.price
                item.refresh_from_db()


def _dividend(say) -> None:
    """股份+积分: 山塘村's shareholder households, 80% by shares, 20% by 2025's points."""
    company = Organisation.objects.filter(name=facts.SHANTANG_FACTS["company"]).first()
    finance = User.objects.filter(username="stfinance").first()
    approver = User.objects.filter(username="stapprover").first()
    if company is None or finance is None or approver is None:
        say("  股份+积分分红: 未载入项目演示（山塘村强村股份公司），跳过")
        return
    village = Village.objects.get(code=ZJ)
    venture, _created = Venture.objects.get_or_create(
        name=VENTURE,
        defaults={
            "kind": VentureKind.VILLAGE_COMPANY,
            "organisation": company,
            "is_illustrative": True,
            "notice_contact": "山塘村股份经济合作社 0573-0000000（示例）",
            "description": "示例：村集体经营收入的 20% 按户积分分配、80% 按股份分配（参照通界村“股份分红+善治积分”）。",
        },
    )
    if not Stake.objects.filter(venture=venture).exists():
        ventures.add_stake(
            venture, holder=village, units=100, effective_from=dt.date(2025, 1, 1), actor=finance
        )
    if not IncomeReceipt.objects.filter(venture=venture).exists():
        ventures.record_income(
            venture,
            amount=30_000_000,
            received_on=dt.date(2025, 12, 20),
            note="示例：村集体经营性收入",
            actor=finance,
        )
    run = DistributionRun.objects.filter(venture=venture).exclude(status=RunStatus.REVERSED).first()
    if run is None:
        run = ventures.prepare_run(
            venture,
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
            policy="shares_points",
            params={"share_ratio": "80%"},
            actor=finance,
        ).run
    if run.status == RunStatus.PREPARED:
        run = ventures.approve_run(run, actor=approver)
    if run.status == RunStatus.APPROVED:
        run = ventures.post_run(run, actor=finance, date=dt.date(2025, 12, 31))
    if run.status == RunStatus.POSTED:
        ventures.publish_run(run, actor=approver, starts_on=dt.date(2026, 1, 5))
        run.refresh_from_db()
    say(
        f"  股份+积分分红 2025: 分配单 #{run.pk} {run.get_status_display()}, {run.holder_count} 户, "
        f"{run.distributed_amount / 100:,.2f} 元"
    )


def load(stdout=None) -> list[tuple[str, str | None, str]]:
    def say(text):
        if stdout is not None:
            stdout.write(text)

    accounts = _users()
    if Scheme.objects.filter(name=SCHEME).exists():
        with transaction.atomic():
            _dividend(say)
        return accounts
    zj = Village.objects.get(code=ZJ)
    grid = Grid.objects.get(village=zj, name="浙沪山塘毗邻网格")
    proposer = User.objects.get(username="grid")
    scorer = User.objects.get(username="stclerk")
    reviewer = User.objects.get(username="stscorer")
    rng = random.Random(20250101)
    with transaction.atomic():
        scheme = services.create_scheme(
            actor=SYSTEM, village=zj, name=SCHEME, rate_fen=10, is_illustrative=True
        )
        services.adopt_version(
            actor=SYSTEM,
            scheme=scheme,
            effective_from=dt.date(2025, 1, 1),
            adopted_on=dt.date(2024, 12, 20),
            document_no="山塘村村民代表大会决议〔2024〕12号（示例）",
            base_points=50,
            items=ITEMS,
        )
        grid_scheme = services.create_scheme(
            actor=SYSTEM, village=zj, name=GRID_SCHEME, grid=grid, rate_fen=10, is_illustrative=True
        )
        services.adopt_version(
            actor=SYSTEM,
            scheme=grid_scheme,
            effective_from=dt.date(2025, 1, 1),
            adopted_on=dt.date(2024, 12, 26),
            document_no="浙沪山塘联席会议纪要〔2024〕3号（示例）",
            year_close="carry",
            items=GRID_ITEMS,
        )
        own = list(Household.objects.filter(village=zj).order_by("number"))
        shared = list(selectors.scheme_households(grid_scheme).order_by("village_id", "number"))
        last = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
        _score(scheme, own, ITEMS, rng, proposer, scorer, reviewer, dt.date(2025, 1, 1), last, 14)
        _score(
            grid_scheme,
            shared,
            GRID_ITEMS,
            rng,
            proposer,
            scorer,
            reviewer,
            dt.date(2025, 1, 1),
            last,
            5,
        )
        _appeals(scheme, scorer, reviewer)
        _store(scheme, own, proposer)
        _now_in_every_state(scheme, own, proposer, scorer, reviewer, rng)
        settled = services.settle(actor=SYSTEM)
        _dividend(say)
    say(
        f"山塘积分: {Entry.objects.filter(scheme=scheme).count()} 条积分, "
        f"毗邻网格 {Entry.objects.filter(scheme=grid_scheme).count()} 条, 生效 {settled} 条"
    )
    return accounts
