"""The demo alliance: 金平湖"抱团富"联盟, its 16 villages, six mechanisms and 8 consortia;
its 2022 meetings (a 联席会议, the four quarterly 圆桌会, an e-commerce study tour) with
agenda, attendance, decisions, votes and signed-off minutes, and the duties the decisions
created with their progress histories.

What the meetings decided follows the article (the responsibility list, the two tourism
routes of 景区村庄, the e-commerce study tour, 共富学院, 比拼晾晒); the dates, attendance,
votes, owners' progress and the one rejected motion are illustrative (示例).

Named facts come from `baotuan.demo.facts`. The 12 unnamed member villages are real 平湖
village committees, picked deterministically (highest 2022 total income in the demo
statistics, then by code) and marked illustrative (示例). Idempotent: a second load
changes nothing.
"""

from __future__ import annotations

import datetime as dt
from datetime import date

from django.db import transaction
from django.db.models import F, OuterRef, Subquery

from accounts.models import User
from alliances import services
from alliances.choices import MembershipRole
from alliances.models import (
    Alliance,
    Consortium,
    ConsortiumType,
    Mechanism,
    Meeting,
    MeetingSeries,
    Membership,
    Minutes,
)
from baotuan.demo import facts
from core.actors import SYSTEM
from registry.choices import VillageKind
from registry.models import Village, VillageStat

__all__ = ["load", "load_alliance", "load_meetings", "other_members"]

STATS_YEAR = 2022


def other_members(count: int) -> list[Village]:
    """The `count` 平湖 villages (村委会) the demo adds to the alliance, best 2022 income first."""
    named = {
        facts.VILLAGES[n] for n in facts.ALLIANCE_FACTS["cores"] + facts.ALLIANCE_FACTS["members"]
    }
    income = VillageStat.objects.filter(village=OuterRef("pk"), year=STATS_YEAR).values(
        "total_income"
    )[:1]
    return list(
        Village.objects.in_region(facts.PINGHU)
        .filter(kind=VillageKind.VILLAGE)
        .exclude(pk__in=named)
        .annotate(income=Subquery(income))
        .order_by(F("income").desc(nulls_last=True), "code")[:count]
    )


def _join_once(group, village, role, joined_on, *, is_illustrative, note) -> bool:
    """Join unless the village already has a membership of the group; True if it joined."""
    if Membership.objects.filter(
        **{"alliance" if isinstance(group, Alliance) else "consortium": group}, village=village
    ).exists():
        return False
    services.join(
        group, village, role, joined_on, actor=SYSTEM, is_illustrative=is_illustrative, note=note
    )
    return True


@transaction.atomic
def load_alliance() -> dict[str, int]:
    """Create or complete the demo alliance; returns counts of what it added."""
    af, demo = facts.ALLIANCE_FACTS, facts.ALLIANCE_DEMO
    joined_on = date.fromisoformat(demo["joined_on"])
    added = {"alliances": 0, "mechanisms": 0, "consortia": 0, "memberships": 0}
    alliance, created = Alliance.objects.get_or_create(
        name=af["name"],
        defaults={
            "region_id": af["region"],
            "description": af["description"],
            "agreement": af["agreement"],
        },
    )
    added["alliances"] += created
    for order, (name, description) in enumerate(facts.ALLIANCE_MECHANISMS, start=1):
        _mechanism, created = Mechanism.objects.get_or_create(
            alliance=alliance, name=name, defaults={"description": description, "order": order}
        )
        added["mechanisms"] += created

    named = [(n, MembershipRole.CORE) for n in af["cores"]]
    named += [(n, MembershipRole.MEMBER) for n in af["members"]]
    for name, role in named:
        village = Village.objects.get(pk=facts.VILLAGES[name])
        added["memberships"] += _join_once(
            alliance, village, role, joined_on, is_illustrative=False, note=demo["date_note"]
        )
    current = Membership.objects.filter(alliance=alliance).count()
    if current < af["size"]:
        for village in other_members(af["size"] - len(named)):
            added["memberships"] += _join_once(
                alliance,
                village,
                MembershipRole.MEMBER,
                joined_on,
                is_illustrative=True,
                note=demo["illustrative_note"],
            )

    for name, type_name, illustrative in facts.CONSORTIA:
        kind, _created = ConsortiumType.objects.get_or_create(name=type_name)
        consortium, created = Consortium.objects.get_or_create(
            alliance=alliance, name=name, defaults={"type": kind, "is_illustrative": illustrative}
        )
        added["consortia"] += created
        for member in facts.CONSORTIUM_MEMBERS.get(name, []):
            village = Village.objects.get(pk=facts.VILLAGES[member])
            added["memberships"] += _join_once(
                consortium,
                village,
                MembershipRole.MEMBER,
                joined_on,
                is_illustrative=False,
                note=demo["date_note"],
            )
    return added


def load(stdout=None) -> list[tuple[str, str, str]]:
    """Load the demo alliance and its 2022 meetings (idempotent); makes no demo accounts."""
    added = load_alliance()
    meetings = load_meetings()
    if stdout is not None:
        alliance = Alliance.objects.get(name=facts.ALLIANCE_FACTS["name"])
        stdout.write(
            f"联盟: {alliance.name}: {alliance.memberships.count()} 个成员村, "
            f"{alliance.mechanisms.count()} 项机制, {alliance.consortia.count()} 个共富体; "
            f"本次新增 {added['memberships']} 条成员关系, {added['consortia']} 个共富体"
        )
        stdout.write(
            f"联盟会议: {alliance.meetings.count()} 次会议, {alliance.duties.count()} 项责任事项; "
            f"本次新增 {meetings['meetings']} 次会议的记录, {meetings['duties']} 项责任事项"
        )
    return []


# ---------------------------------------------------------------------------------------------
# 2022 meetings, decisions and duties

ROUNDTABLE = {
    "title": "联盟季度圆桌会",
    "first_on": date(2022, 3, 25),  # 示例: the article says "every quarter", not which day
    "until": date(2022, 12, 31),
    "location": "徐家埭村共富学院（示例）",
}
JOINT_MEETING = ("联盟联席会议：签订联盟协议", date(2022, 2, 18), "平湖市委组织部会议室（示例）")
STUDY_TOUR = ("农业直播电商外出考察", date(2022, 5, 12), "杭州（示例）")

# Per meeting (None: the joint meeting, "tour", or the roundtable's number): agenda items,
# decisions (text, rule, fact-based?, duties or a rejected motion) and the minutes.
# A duty: (title, owner village, due day, history); history items are (day, status, percent,
# note); ("verify", day) verifies a done duty.
MEETINGS = {
    "joint": {
        "agenda": ["签订《金平湖“抱团富”联盟协议》", "确立六项运行机制"],
        "decisions": [
            (
                "建立联盟责任清单制：各成员村提交本村强村富民项目清单，由联盟跟踪落实。",
                "two_thirds_present",
                False,
                [
                    (
                        "提交2022年强村富民项目清单",
                        "徐家埭村",
                        date(2022, 3, 31),
                        [
                            (date(2022, 3, 10), "in_progress", 60, "已梳理12个项目（示例）"),
                            (date(2022, 3, 28), "done", 100, "项目表已提交联盟"),
                            ("verify", date(2022, 4, 8)),
                        ],
                    ),
                    (
                        "提交2022年强村富民项目清单",
                        "山塘村",
                        date(2022, 3, 31),
                        [
                            (date(2022, 3, 30), "done", 100, "已提交（示例）"),
                            ("verify", date(2022, 4, 8)),
                        ],
                    ),
                    (
                        "提交2022年强村富民项目清单",
                        "赵家桥村",
                        date(2022, 3, 31),
                        [
                            (date(2022, 3, 25), "done", 100, "已提交（示例）"),
                        ],
                    ),
                    (
                        "提交2022年强村富民项目清单",
                        "马厩村",
                        date(2022, 3, 31),
                        [
                            (date(2022, 3, 20), "in_progress", 50, "（示例）"),
                            (date(2022, 4, 15), "done", 100, "逾期两周后提交（示例）"),
                        ],
                    ),
                ],
            ),
        ],
        "minutes": "16个成员村党组织书记签订《金平湖“抱团富”联盟协议》，建立联盟责任清单制、"
        "联席会议共商制、共富项目合伙制等六项运行机制。会议决定各村提交本村强村富民项目清单。",
    },
    1: {
        "agenda": ["交流强村富民特色做法", "景区村庄共富体旅游线路谋划"],
        "decisions": [
            (
                "景区村庄共富体谋划两条旅游线路：广陈明月山塘＋钟溪棹歌·隐世田园景观线；"
                "俞家浜景区＋中国航天科普馆＋曹桥赛艇中心景观线。",
                "simple_present",
                False,
                [
                    (
                        "规划明月山塘＋钟溪棹歌·隐世田园旅游线路",
                        "山塘村",
                        date(2022, 9, 30),
                        [
                            (date(2022, 5, 20), "in_progress", 40, "完成线路踏勘（示例）"),
                            (date(2022, 9, 15), "done", 100, "线路方案已发布（示例）"),
                            ("verify", date(2022, 10, 10)),
                        ],
                    ),
                    (
                        "规划俞家浜景区＋中国航天科普馆＋曹桥赛艇中心旅游线路",
                        "徐家埭村",
                        date(2022, 9, 30),
                        [
                            (date(2022, 6, 30), "in_progress", 30, "与曹桥街道对接中（示例）"),
                            (date(2022, 11, 30), "in_progress", 60, "赛艇中心段待协调（示例）"),
                        ],
                    ),
                ],
            ),
        ],
        "minutes": "各村书记交流强村富民特色做法。景区村庄共富体提出两条旅游线路，"
        "会议同意并明确责任村。",
    },
    2: {
        "agenda": ["组织农业直播电商考察", "共富项目合作意向"],
        "decisions": [
            (
                "组织成员村赴外地开展农业直播电商考察，考察后分享做法。",
                "simple_present",
                False,
                [
                    (
                        "组织农业直播电商考察",
                        "徐家埭村",
                        date(2022, 5, 31),
                        [
                            (date(2022, 5, 12), "done", 100, "考察已完成（日期为示例）"),
                            ("verify", date(2022, 6, 25)),
                        ],
                    ),
                    ("汇总电商考察成果并在圆桌会分享", "赵家桥村", date(2022, 10, 31), []),
                ],
            ),
            (
                "联盟统一注册区域公共农产品品牌（示例动议）。",
                "two_thirds_present",
                True,
                None,  # rejected: 2/3 not reached
            ),
        ],
        "minutes": "会议决定组织农业直播电商考察；统一注册区域品牌的动议未获三分之二多数通过"
        "（示例）。",
    },
    3: {
        "agenda": ["共富学院培训基地建设", "下半年合作项目"],
        "decisions": [
            (
                "推进徐家埭村共富学院培训基地建设，作为联盟书记培训阵地。",
                "simple_present",
                False,
                [
                    (
                        "共富学院培训基地建设",
                        "徐家埭村",
                        date(2022, 12, 31),
                        [
                            (
                                date(2022, 10, 15),
                                "in_progress",
                                20,
                                "嘉兴职业技术学院授牌乡村振兴实践基地",
                            ),
                            (date(2023, 3, 1), "in_progress", 35, "基地改造方案深化中（示例）"),
                        ],
                    ),
                ],
            ),
        ],
        "minutes": "会议同意推进共富学院培训基地建设。",
    },
    4: {
        "agenda": ["年度比拼晾晒", "2023年工作谋划"],
        "decisions": [
            (
                "开展年度比拼晾晒：各成员村公开本村项目进展与集体经济成效。",
                "simple_present",
                False,
                "illustrative_members",  # four illustrative member villages own these duties
            ),
        ],
        "minutes": "会议决定开展年度比拼晾晒，各村于2023年1月底前提交材料。",
    },
}
BIPIN_HISTORIES = [
    [(date(2023, 1, 20), "done", 100, "已提交（示例）"), ("verify", date(2023, 2, 10))],
    [(date(2023, 1, 31), "done", 100, "已提交（示例）")],
    [(date(2023, 1, 15), "in_progress", 50, "材料整理中（示例）")],
    [],
]


PINGHU_TZ = dt.timezone(dt.timedelta(hours=8))
# The record of a demo meeting is dated after it: decisions closed during the meeting (one
# every half hour), minutes written the next day and signed off two days after the meeting.
CLOSED_AFTER = dt.timedelta(minutes=30)
MINUTES_AFTER = dt.timedelta(days=1)
SIGNED_OFF_AFTER = dt.timedelta(days=2)


def _attendance_pattern(members: list, number: int) -> list[str]:
    """Deterministic attendance: a few members absent or represented at each meeting."""
    statuses = []
    for index in range(len(members)):
        turn = (index * 7 + number * 3) % 16
        statuses.append("absent" if turn < 2 else "delegated" if turn == 2 else "present")
    return statuses


def _vote(index: int, number: int, rejected: bool) -> str:
    turn = (index * 5 + number) % 8
    if rejected:
        return "for" if turn < 3 else "against" if turn < 7 else "abstain"
    return "against" if turn == 0 else "abstain" if turn == 1 else "for"


def _fill_meeting(meeting, spec, members, number, admin, clerk) -> int:
    """Agenda, attendance, decisions, votes, duties and signed-off minutes; duties made."""
    items = [
        meeting.agenda_items.create(order=order, title=title)
        for order, title in enumerate(spec["agenda"], 1)
    ]
    for member, status in zip(members, _attendance_pattern(members, number), strict=True):
        services.record_attendance(meeting, member.member, status, actor=SYSTEM)
    present = [
        m
        for m, s in zip(members, _attendance_pattern(members, number), strict=True)
        if s != "absent"
    ]
    made = 0
    for index, (text, rule, illustrative, duties) in enumerate(spec["decisions"]):
        decision = services.add_decision(
            meeting,
            text,
            rule,
            items[min(index, len(items) - 1)],
            actor=SYSTEM,
            is_illustrative=illustrative,
        )
        for i, membership in enumerate(present):
            services.cast_vote(
                decision, membership.member, _vote(i, number, duties is None), actor=SYSTEM
            )
        # Recorded as of the meeting, not of the day the demo is loaded.
        services.close_decision(
            decision, actor=SYSTEM, at=meeting.starts_at + CLOSED_AFTER * (index + 1)
        )
        if duties is None:
            continue
        if duties == "illustrative_members":
            others = [m.village for m in members if m.is_illustrative][:4]
            duties = [
                ("提交年度比拼晾晒材料", village, date(2023, 1, 31), history)
                for village, history in zip(others, BIPIN_HISTORIES, strict=True)
            ]
        for title, owner, due_on, history in duties:
            village = (
                owner
                if isinstance(owner, Village)
                else Village.objects.get(pk=facts.VILLAGES[owner])
            )
            duty = services.create_duty(
                meeting.alliance,
                title,
                village,
                due_on,
                actor=SYSTEM,
                decision=decision,
                owner_user=clerk
                if clerk is not None and _is_clerk_village(clerk, village)
                else None,
                is_illustrative=True,
            )
            made += 1
            # The owner's clerk reports their own duty; the rest is recorded by the system.
            # A verification names its person (four eyes): the demo admin.
            author = clerk if duty.owner_user_id else SYSTEM
            for entry in history:
                if entry[0] == "verify":
                    services.verify_duty(
                        duty,
                        "已核实（示例）",
                        actor=admin,
                        on=entry[1],
                        is_illustrative=True,
                        recorded_at=_evening(entry[1]),
                    )
                else:
                    day, status, percent, note = entry
                    services.add_duty_update(
                        duty,
                        status,
                        percent,
                        note,
                        actor=author,
                        on=day,
                        is_illustrative="示例" in note,
                        recorded_at=_evening(day),
                    )
    minutes = services.write_minutes(
        meeting,
        spec["minutes"],
        actor=SYSTEM,
        is_illustrative=True,
        at=meeting.starts_at + MINUTES_AFTER,
    )
    # A sign-off names its person (four eyes): the demo admin, not the system.
    services.sign_off_minutes(minutes, actor=admin, at=meeting.starts_at + SIGNED_OFF_AFTER)
    return made


def _evening(day: date) -> dt.datetime:
    """When a progress update of `day` is taken to have been recorded (17:00 in Pinghu)."""
    return dt.datetime.combine(day, dt.time(17), PINGHU_TZ)


def _is_clerk_village(user, village) -> bool:
    return any(grant.village_id == village.pk for grant in user.grant_list)


@transaction.atomic
def load_meetings() -> dict[str, int]:
    """The 2022 meetings with their records; a meeting already recorded is left alone."""
    alliance = Alliance.objects.get(name=facts.ALLIANCE_FACTS["name"])
    admin = User.objects.filter(username="admin").first()
    clerk = User.objects.filter(username="clerk").first()
    if admin is None:
        raise RuntimeError("load the registry demo (its users) before the alliance meetings")
    members = list(
        Membership.objects.filter(alliance=alliance)
        .members_on(date(2022, 2, 18))
        .select_related("village", "organisation")
        .order_by("-role", "village_id")
    )
    added = {"meetings": 0, "duties": 0}
    tz = dt.timezone(dt.timedelta(hours=8))

    series, _created = MeetingSeries.objects.get_or_create(
        alliance=alliance,
        title=ROUNDTABLE["title"],
        defaults={
            "kind": "roundtable",
            "first_on": ROUNDTABLE["first_on"],
            "every_months": 3,
            "until": ROUNDTABLE["until"],
            "location": ROUNDTABLE["location"],
            "is_illustrative": True,
        },
    )
    services.schedule_series(series, actor=SYSTEM)
    planned = [("joint", *JOINT_MEETING, "joint")]
    planned += [(number, None, None, None, "roundtable") for number in range(1, 5)]
    for key, title, day, location, kind in planned:
        if key == "joint":
            meeting, _created = Meeting.objects.get_or_create(
                alliance=alliance,
                title=title,
                defaults={
                    "kind": kind,
                    "starts_at": dt.datetime.combine(day, dt.time(9), tz),
                    "location": location,
                    "is_illustrative": True,
                    "description": "16位村党组织书记签订联盟协议。",
                },
            )
        else:
            meeting = Meeting.objects.get(series=series, sequence=key)
        if Minutes.objects.filter(meeting=meeting).exists():
            continue
        number = 0 if key == "joint" else key
        added["duties"] += _fill_meeting(meeting, MEETINGS[key], members, number, admin, clerk)
        added["meetings"] += 1

    tour_title, tour_day, tour_place = STUDY_TOUR
    tour, created = Meeting.objects.get_or_create(
        alliance=alliance,
        title=tour_title,
        defaults={
            "kind": "study_tour",
            "starts_at": dt.datetime.combine(tour_day, dt.time(8), tz),
            "location": tour_place,
            "quorum_rule": "none",
            "is_illustrative": True,
            "description": "联盟组织的农业直播电商考察；新埭镇旧埭村参加后组建花卉产业共富联合体。",
        },
    )
    if created:
        for membership in members[:6]:
            services.record_attendance(tour, membership.member, "present", actor=SYSTEM)
        added["meetings"] += 1
    return added
