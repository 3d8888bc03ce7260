"""The enclave programme of the 26 mountain counties in the demo: the 青田 park (baotuan.demo.
ventures) is paired 平湖 ↔ 青田 in 山区26县, and two more parks, 平湖—文成 and 平湖—龙泉, are
added with illustrative (示例) companies, holders and rents, their runs posted through the
ledger like the 青田 park's (prepared by finance, approved by the approver, posted,
published), so that the programme page (analytics:programme) has figures.

Idempotent: the ventures, stakes, receipts and runs are looked up before they are made. A
year whose period end is already in a locked month is skipped (a demo database loaded before
these parks existed), and so are the parks of a county that is not loaded (the reduced
registries of the tests).
"""

from __future__ import annotations

from datetime import date

from accounts.models import Grant, User
from baotuan.demo import facts
from baotuan.demo.ventures import _run_to_the_end
from core.actors import SYSTEM
from core.roles import Role
from ledger.selectors import locked_through
from registry.choices import OrganisationKind, VillageKind
from registry.models import Organisation, Region, RegionGroup, Village
from ventures import services
from ventures.choices import DistributionPolicy, IncomeKind, RunStatus, VentureKind
from ventures.models import DistributionRun, IncomeReceipt, Stake, Venture

__all__ = ["load"]

P = facts.PROGRAMME_DEMO
FEN = 100


def _pair(venture: Venture, owner: str) -> None:
    if venture.owner_county_id != owner or venture.programme_id != facts.PROGRAMME_GROUP:
        services.set_pairing(
            venture,
            site_county=P["site"],
            owner_county=owner,
            programme=facts.PROGRAMME_GROUP,
            actor=SYSTEM,
        )


def _operator(spec) -> Organisation:
    operator, _ = Organisation.objects.get_or_create(
        name=spec["operator"],
        defaults={
            "kind": OrganisationKind.JOINT_INVESTMENT,
            "region_id": spec["owner"],
            "is_illustrative": True,
            "description": "示例：由参股村共同出资的强村联合发展公司（名称为演示）。",
        },
    )
    # The demo's finance officer and approver act for the illustrative companies too.
    for username, role in (("finance", Role.FINANCE), ("approver", Role.APPROVER)):
        Grant.objects.get_or_create(
            user=User.objects.get(username=username), role=role, organisation=operator
        )
    return operator


def _park(spec, operator: Organisation, finance: User, approver: User, say) -> None:
    venture, created = Venture.objects.get_or_create(
        name=spec["venture"],
        defaults={
            "kind": VentureKind.ENCLAVE_PARK,
            "organisation": operator,
            "started_on": date(P["years"][0], 1, 1),
            "is_illustrative": True,
            "notice_contact": f"{spec['operator']}办公室 0577-0000000（示例）",
            "description": "平湖市后来又与文成、龙泉共建“飞地”产业园（事实）。\n"
            "示例：公司、参股村、租金、年份均为演示数据；每年租金全部平均分配给参股村。",
        },
    )
    _pair(venture, spec["owner"])
    held = set(Stake.objects.filter(venture=venture).values_list("village_id", flat=True))
    villages = list(
        Village.objects.filter(county_id=spec["owner"], kind=VillageKind.VILLAGE)
        .order_by("code")
        .values_list("code", flat=True)[: spec["villages"]]
    )
    start = date(P["years"][0], 1, 1)
    for code in villages:
        if code not in held:
            services.add_stake(
                venture,
                holder=f"village:{code}",
                units=1,
                effective_from=start,
                note="示例：每村 1 股",
                actor=finance,
            )
    locked = locked_through()
    received = set(
        IncomeReceipt.objects.filter(venture=venture).values_list("period_start", flat=True)
    )
    runs = 0
    for year in P["years"]:
        end = date(year, 12, 31)
        if locked is not None and end <= locked:
            has_run = DistributionRun.objects.filter(venture=venture, period_end=end).exclude(
                status=RunStatus.REVERSED
            )
            if not has_run.exists():
                say(f"  {spec['venture']} {year}: 账期已锁定，跳过")
            continue
        if date(year, 1, 1) not in received:
            services.record_income(
                venture,
                amount=spec["rent_yuan"] * FEN,
                received_on=date(year, 12, 20),
                kind=IncomeKind.RENT,
                period_start=date(year, 1, 1),
                period_end=end,
                note="示例：全年租金",
                actor=finance,
            )
        _run, done = _run_to_the_end(
            venture,
            (f"{year}-01-01", f"{year}-12-31"),
            DistributionPolicy.EQUAL,
            {},
            finance,
            approver,
        )
        runs += done
    say(
        f"  {spec['venture']}: {'新建' if created else '已有'}, 参股村 {len(villages)} 个, "
        f"新处理分配 {runs} 次"
    )


def load(say) -> None:
    """Pair the 青田 park and add the 文成 and 龙泉 parks (inside the ventures demo's
    transaction, before its months are locked)."""
    if not RegionGroup.objects.filter(code=facts.PROGRAMME_GROUP).exists():
        say("山区26县计划: 区域组未载入，跳过")
        return
    qingtian = Venture.objects.filter(name=facts.ENCLAVE_FACTS["venture"]).first()
    if qingtian is not None and Region.objects.filter(code=facts.QINGTIAN).exists():
        _pair(qingtian, facts.QINGTIAN)
    say("山区26县飞地计划（示例）:")
    parks = []
    for spec in P["parks"]:
        if not Region.objects.filter(code=spec["owner"]).exists():
            say(f"  {spec['venture']}: 县 {spec['owner']} 未载入，跳过")
            continue
        parks.append((spec, _operator(spec)))
    # Read after the grants are made: a user caches its grants on first use.
    finance, approver = User.objects.get(username="finance"), User.objects.get(username="approver")
    for spec, operator in parks:
        _park(spec, operator, finance, approver, say)
