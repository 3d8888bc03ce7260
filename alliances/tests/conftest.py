"""Fixtures: one alliance and one consortium over the small tree of the root conftest."""

from datetime import date

import pytest

from alliances.models import Alliance, Consortium, ConsortiumType, Mechanism

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
