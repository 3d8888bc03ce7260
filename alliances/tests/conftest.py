"""Fixtures: one alliance and one consortium over the small tree of the root conftest."""

from datetime import date

import pytest

from alliances.models import Alliance, Consortium, ConsortiumType, Mechanism
from core.actors import SYSTEM

D = date.fromisoformat


@pytest.fixture
def alliance(tree):
    alliance = Alliance.objects.create(name="金平湖“抱团富”联盟", region_id="330482")
    for order, name in enumerate(["联盟责任清单制", "联席会议共商制", "共富项目合伙制"], 1):
        Mechanism.objects.create(alliance=alliance, name=name, order=order)
    return alliance


@pytest.fixture
def consortium(alliance):
    kind = ConsortiumType.objects.create(name="景区村庄")
    return Consortium.objects.create(alliance=alliance, name="景区村庄共富体", type=kind)


@pytest.fixture
def members(alliance, tree, enclave_company):
    """Four members: three villages and an organisation (quorum by majority: 3)."""
    from alliances import services

    for name in ("徐家埭村", "山塘村", "峰山村"):
        services.join(alliance, tree[name], "core", D("2022-01-01"), actor=SYSTEM)
    services.join(alliance, enclave_company, "member", D("2022-01-01"), actor=SYSTEM)
    return [tree["徐家埭村"], tree["山塘村"], tree["峰山村"], enclave_company]


@pytest.fixture
def meeting(alliance, members):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from alliances.models import Meeting

    return Meeting.objects.create(
        alliance=alliance,
        kind="roundtable",
        title="第一季度圆桌会",
        starts_at=datetime(2022, 3, 25, 14, tzinfo=ZoneInfo("Asia/Shanghai")),
    )


@pytest.fixture
def all_present(meeting, members):
    from alliances import services

    for member in members:
        services.record_attendance(meeting, member, "present", actor=SYSTEM)
    return meeting


@pytest.fixture
def passed_decision(all_present, members):
    from alliances import services

    decision = services.add_decision(all_present, "建立联盟责任清单", actor=SYSTEM)
    for member in members:
        services.cast_vote(decision, member, "for", actor=SYSTEM)
    return services.close_decision(decision, actor=SYSTEM)
