"""The demo's villagers' layer: the 浙沪山塘 joint grid across the border.

What is published (FACTS.md): 山塘村 (平湖 广陈镇) and 山塘村 (金山 廊下镇) run one grid with
a grid leader from each side; 徐全妹 is a grid member of 浙沪毗邻网格第二微网格; party members
link households; in 2022 the two sides screened commuters together. Everything else here is
illustrative (示例): generated names, ID numbers of a valid format that belong to nobody
(sequence numbers 9xx), matters and visits. Idempotent: a second load adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from accounts.models import Grant, User
from baotuan.demo import facts
from baotuan.demo.passwords import give_password
from core.actors import SYSTEM
from core.roles import Role
from grids import services
from grids.models import Grid
from lib.idcard import check_digit
from registry.models import Village

ZJ = facts.VILLAGES["山塘村"]
SH = "310116107211"
GRID = "浙沪山塘毗邻网格"
SURNAMES = "徐沈陆张王李陈顾朱金钱周吴姚蒋郁潘"
GIVEN = [
    "建国",
    "秀英",
    "志明",
    "桂芳",
    "海林",
    "美华",
    "卫东",
    "玉兰",
    "小龙",
    "雪芬",
    "国庆",
    "丽娟",
    "永林",
    "春燕",
    "伟",
    "敏",
    "杰",
    "芳",
]
USERS = [
    # (username, display name, role, village)
    ("stclerk", "山塘村（浙江）村务填报员", Role.VILLAGE_CLERK, ZJ),
    ("grid", "徐全妹（第二微网格网格员）", Role.GRID_MEMBER, ZJ),
]


def fictitious_id(rng: random.Random, region: str, year: int, seq: int) -> str:
    born = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    first = f"{region}{born:%Y%m%d}{seq:03d}"
    return first + check_digit(first)


def fictitious_phone(rng: random.Random) -> str:
    return "1" + rng.choice("3589") + "".join(str(rng.randint(0, 9)) for _ in range(9))


def _users() -> list[tuple[str, str | None, str]]:
    accounts = []
    for username, display, role, village in USERS:
        user, _created = User.objects.get_or_create(username=username)
        user.display_name = display
        password = give_password(user)
        user.save()
        Grant.objects.filter(user=user).exclude(role=role).delete()
        Grant.objects.get_or_create(user=user, role=role, village_id=village)
        accounts.append((username, password, str(Role(role).label)))
    return accounts


def _households(rng, village, micro_grids, count, region, start_seq):
    """`count` illustrative households of 2–4 people; returns (households, party members)."""
    households, members = [], []
    seq = start_seq
    for n in range(1, count + 1):
        micro = micro_grids[(n - 1) % len(micro_grids)]
        household = services.create_household(
            actor=SYSTEM,
            village=village,
            number=f"{n:03d}",
            group_name=f"第{(n - 1) // 10 + 1}村民小组",
            micro_grid=micro,
            is_illustrative=True,
        )
        surname = SURNAMES[n % len(SURNAMES)]
        head_year = rng.randint(1950, 1985)
        people = [("head", head_year, "M" if n % 3 else "F")]
        people += [("spouse", head_year + rng.randint(-3, 3), "F" if n % 3 else "M")]
        if n % 2:
            people.append(("child", head_year + rng.randint(22, 30), rng.choice("MF")))
        for relation, year, gender in people:
            seq += 1
            # The sequence digit's parity is the gender (odd for men), as GB 11643 says.
            sequence = 900 + (seq % 50) * 2 + (1 if gender == "M" else 0)
            person = services.add_person(
                actor=SYSTEM,
                household=household,
                name=surname + rng.choice(GIVEN)
                if relation != "spouse"
                else rng.choice(SURNAMES) + rng.choice(GIVEN),
                gender=gender,
                birth_year=year,
                relation=relation,
                id_number=fictitious_id(rng, region, year, sequence),
                phone=fictitious_phone(rng) if relation == "head" else "",
                is_party_member=relation == "head" and n % 6 == 1,
                is_shareholder=relation == "head",
                shares=rng.randint(1, 5) if relation == "head" else 0,
            )
            if person.is_party_member:
                members.append(person)
        households.append(household)
    return households, members


@transaction.atomic
def load(stdout=None) -> list[tuple[str, str | None, str]]:
    accounts = _users()
    zj = Village.objects.get(code=ZJ)
    sh = Village.objects.get(code=SH)
    if Grid.objects.filter(village=zj, name=GRID).exists():
        return accounts
    rng = random.Random(20220401)
    grid = services.create_grid(actor=SYSTEM, village=zj, name=GRID, partner_village=sh)
    first = services.add_micro_grid(actor=SYSTEM, grid=grid, name="第一微网格")
    second = services.add_micro_grid(actor=SYSTEM, grid=grid, name="浙沪毗邻网格第二微网格")
    jinshan = services.add_micro_grid(actor=SYSTEM, grid=grid, name="金山山塘第一微网格", side=sh)
    services.appoint_leader(actor=SYSTEM, grid=grid, side=zj, name="沈建国（示例）")
    services.appoint_leader(actor=SYSTEM, grid=grid, side=sh, name="陆永林（示例）")
    grid_user = User.objects.get(username="grid")
    services.assign_member(actor=SYSTEM, micro_grid=second, side=zj, name="徐全妹", user=grid_user)
    services.assign_member(actor=SYSTEM, micro_grid=first, side=zj, name="顾海林（示例）")
    services.assign_member(actor=SYSTEM, micro_grid=jinshan, side=sh, name="金美华（示例）")

    zj_households, members = _households(rng, zj, [first, second], 36, "330482", 0)
    sh_households, _ = _households(rng, sh, [jinshan], 12, "310116", 500)

    # 党员联户: each member links up to 8 households of the village, visited since 2022.
    free = list(zj_households)
    for member in members:
        for household in free[:8]:
            link = services.link_household(
                actor=SYSTEM, member=member, household=household, linked_on=dt.date(2022, 1, 10)
            )
            services.record_visit(
                actor=SYSTEM,
                link=link,
                visited_on=dt.date(2022, 2, 15),
                kind="routine",
                note="走访了解生产生活情况（示例）",
            )
            if household is free[0]:  # 四必评: the member's word on a hardship-aid request
                services.evaluate(
                    actor=SYSTEM,
                    link=link,
                    year=2022,
                    kind="hardship_aid",
                    verdict="support",
                    note="家庭情况属实，同意申请困难帮扶（示例）",
                )
        free = free[8:]

    # Matters in every state of the loop (示例).
    t0 = dt.datetime(2022, 6, 1, 9, tzinfo=dt.UTC)
    member = grid_user
    plans = [
        ("safety", "山塘河护栏松动", second, ["handle", "feed_back", "evaluate"]),
        ("environment", "毗邻桥头垃圾堆放", second, ["transfer_other", "handle", "feed_back"]),
        ("dispute", "两户宅基地边界纠纷", first, ["transfer_village", "handle"]),
        ("service", "独居老人代办医保", first, ["transfer_township"]),
        ("infrastructure", "村道路灯不亮", second, []),
    ]
    for days, (category, place, micro, steps) in enumerate(plans):
        at = t0 + dt.timedelta(days=days * 7)
        matter = services.report_matter(
            actor=member,
            grid=grid,
            category=category,
            place=place,
            description=f"{place}（示例）",
            micro_grid=micro,
            reported_at=at,
        )
        for hour, step in enumerate(steps, start=2):
            when = at + dt.timedelta(hours=hour * 6)
            if step.startswith("transfer"):
                level = step.split("_")[1].replace("other", "other_side")
                services.step_matter(
                    actor=SYSTEM,
                    matter=matter,
                    kind="transfer",
                    level=level,
                    note="转交处理（示例）",
                    at=when,
                )
            elif step == "evaluate":
                services.step_matter(
                    actor=SYSTEM, matter=matter, kind="evaluate", satisfaction="satisfied", at=when
                )
            else:
                services.step_matter(
                    actor=SYSTEM,
                    matter=matter,
                    kind=step,
                    note="已处置（示例）" if step == "handle" else "",
                    at=when,
                )

    # 2022: the two sides screened commuters together (roster illustrative), all done.
    roster = []
    for n in range(24):
        micro = [first, second, jinshan][n % 3]
        region = "310116" if micro is jinshan else "330482"
        year = rng.randint(1965, 2000)
        roster.append(
            {
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                "id_number": fictitious_id(rng, region, year, 800 + n),
                "phone": fictitious_phone(rng),
                "micro_grid": micro.name,
            }
        )
    task = services.create_screening(
        actor=SYSTEM,
        grid=grid,
        name="2022年浙沪通勤人员联合排查",
        held_on=dt.date(2022, 4, 6),
        roster=roster,
    )
    for entry in task.entries.all():
        services.check_off(actor=SYSTEM, entry=entry)
    if stdout is not None:
        stdout.write(
            f"网格: {GRID}（浙沪两侧各一名网格长）, {len(zj_households) + len(sh_households)} 户示例家庭, "
            f"{len(members)} 名联户党员, {len(plans)} 件网格事件, 1 项联合排查"
        )
    return accounts
