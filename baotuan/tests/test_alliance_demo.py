"""The demo alliance (baotuan.demo.alliances) on a reduced registry (平湖, 青田, 金山).

16 member villages (2 cores, 2 named members, 12 illustrative), six mechanisms, 8 consortia
(4 named, 4 示例) with 景区村庄's four villages; a second load changes nothing.
"""

from io import StringIO

import pytest
from django.utils import timezone

from alliances.models import (
    Alliance,
    Consortium,
    Decision,
    Duty,
    DutyUpdate,
    Mechanism,
    Meeting,
    Membership,
    Minutes,
    Vote,
)
from baotuan.demo import alliances as demo
from baotuan.demo import facts, registry
from core.actors import SYSTEM
from registry.services.divisions import load_divisions


@pytest.fixture
def loaded(db):
    # The demo organisations sit in 平湖, 青田 and 金山, so all three are loaded.
    load_divisions(areas=[facts.PINGHU, facts.QINGTIAN, facts.JINSHAN], actor=SYSTEM)
    registry.load_organisations()
    registry.load_users()  # minutes are signed off and duties verified by the demo admin
    demo.load()
    return Alliance.objects.get(name=facts.ALLIANCE_FACTS["name"])


def _snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (
            Alliance,
            Consortium,
            Mechanism,
            Membership,
            Meeting,
            Decision,
            Vote,
            Minutes,
            Duty,
            DutyUpdate,
        )
    }


def test_the_alliance_has_16_villages_two_cores_and_six_mechanisms(loaded):
    members = Membership.objects.filter(alliance=loaded).select_related("village")
    assert members.count() == 16
    assert all(m.village is not None and m.village.code.startswith("330482") for m in members)
    cores = {m.village.short_name for m in members if m.role == "core"}
    assert cores == {"徐家埭村", "山塘村"}
    named = {m.village.code for m in members if not m.is_illustrative}
    assert named == {facts.VILLAGES[n] for n in ("徐家埭村", "山塘村", "赵家桥村", "马厩村")}
    assert sum(m.is_illustrative for m in members) == 12
    assert list(loaded.mechanisms.values_list("name", flat=True)) == [
        "联盟责任清单制",
        "联席会议共商制",
        "共富项目合伙制",
        "圆桌会",
        "专家授课与外出考察",
        "比拼晾晒",
    ]


def test_eight_consortia_four_named_and_the_scenic_villages(loaded):
    consortia = loaded.consortia.select_related("type")
    assert consortia.count() == 8
    named = {c.type.name for c in consortia if not c.is_illustrative}
    assert named == {"飞地抱团", "众筹经营", "农房盘活", "景区村庄"}
    assert all("示例" in c.name for c in consortia if c.is_illustrative)
    scenic = Consortium.objects.get(type__name="景区村庄")
    assert set(scenic.memberships.values_list("village__short_name", flat=True)) == {
        "徐家埭村",
        "山塘村",
        "赵家桥村",
        "马厩村",
    }


def test_a_second_load_changes_nothing(loaded):
    before = _snapshot()
    out = StringIO()
    demo.load(stdout=out)
    assert _snapshot() == before
    assert "本次新增 0 条成员关系, 0 个共富体" in out.getvalue()
    assert "本次新增 0 次会议的记录, 0 项责任事项" in out.getvalue()


def test_the_illustrative_members_are_picked_deterministically(loaded):
    picked = [v.code for v in demo.other_members(12)]
    illustrative = sorted(
        Membership.objects.filter(alliance=loaded, is_illustrative=True).values_list(
            "village_id", flat=True
        )
    )
    assert sorted(picked) == illustrative
    assert picked == [v.code for v in demo.other_members(12)]


def test_2022_meetings_decided_duties_some_done_some_overdue(loaded):
    meetings = Meeting.objects.filter(alliance=loaded)
    roundtables = meetings.filter(series__isnull=False).order_by("starts_at")
    assert [m.starts_at.astimezone(timezone.get_current_timezone()).month for m in roundtables] == [
        3,
        6,
        9,
        12,
    ]
    assert meetings.filter(kind="joint").count() == 1
    assert all(m.is_illustrative for m in meetings)  # the dates are not published
    recorded = meetings.exclude(kind="study_tour")
    assert Minutes.objects.filter(meeting__in=recorded, signed_off_at__isnull=False).count() == 5
    results = sorted(Decision.objects.values_list("result", flat=True))
    assert results == ["passed"] * 5 + ["rejected"]
    duties = Duty.objects.filter(alliance=loaded)
    assert not duties.filter(decision__isnull=True).exists()
    assert all(d.decision.result == "passed" for d in duties)
    statuses = set(duties.values_list("status", flat=True))
    assert statuses == {"planned", "in_progress", "done", "verified"}
    assert duties.overdue().count() >= 3
    assert duties.filter(status="verified").count() >= 3
    xujiadai = duties.filter(owner_village_id=facts.VILLAGES["徐家埭村"])
    assert xujiadai.overdue().exists()  # the demo clerk sees overdue duties at home
    # Progress histories: more than one update on some duties, all append-only.
    assert max(d.updates.count() for d in duties) >= 2
