"""The 景区村庄 consortium in small: 山塘村 (广陈镇) and 徐家埭村 (林埭镇) with a spot each,
a route through them, and the people who may and may not write."""

import datetime as dt

import pytest

from alliances.models import Alliance, Consortium, ConsortiumType, Membership
from core.actors import SYSTEM
from core.roles import Role
from tests.support import make_user
from tourism import services
from tourism.choices import SpotKind


@pytest.fixture
def shantang(tree):
    return tree["山塘村"]


@pytest.fixture
def consortium(tree, shantang, xujiadai):
    alliance = Alliance.objects.create(name='金平湖"抱团富"联盟')
    kind = ConsortiumType.objects.create(name="景区村庄")
    consortium = Consortium.objects.create(alliance=alliance, name="景区村庄共富体", type=kind)
    for village in (shantang, xujiadai):
        Membership.objects.create(
            consortium=consortium, village=village, joined_on=dt.date(2022, 1, 1)
        )
    return consortium


@pytest.fixture
def mingyue(shantang):
    return services.create_spot(
        actor=SYSTEM,
        village=shantang,
        name="明月山塘",
        kind=SpotKind.SCENIC_AREA,
        latitude="30.79410",
        longitude="121.11220",
    )


@pytest.fixture
def yujiabang(xujiadai):
    return services.create_spot(
        actor=SYSTEM,
        village=xujiadai,
        name="俞家浜景区",
        kind=SpotKind.SCENIC_AREA,
        latitude="30.78300",
        longitude="121.02100",
    )


@pytest.fixture
def route(consortium, mingyue, yujiabang):
    return services.create_route(
        actor=SYSTEM, consortium=consortium, name="示例线路", stops=[mingyue, yujiabang]
    )


@pytest.fixture
def st_clerk(shantang):
    return make_user("st_clerk", Role.VILLAGE_CLERK, village=shantang)


@pytest.fixture
def partner(shantang):
    return make_user("partner", Role.PARTNER, village=shantang)
