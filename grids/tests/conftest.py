"""A shared grid across the border: 山塘村 (平湖 广陈镇, 浙江) ⇄ 山塘村 (金山 廊下镇, 上海),
with a person of each kind who acts on it, and one who must not."""

import datetime as dt

import pytest

from core.actors import SYSTEM
from core.roles import Role
from grids import services
from lib.idcard import check_digit
from registry.choices import RegionLevel, VillageKind
from registry.models import Region, Village
from tests.support import make_user


def make_id(region="330482", born="19700101", seq="001"):
    first = f"{region}{born}{seq}"
    return first + check_digit(first)


@pytest.fixture
def jinshan_shantang(tree):
    for code, name, level, parent in [
        ("31", "上海市", RegionLevel.PROVINCE, None),
        ("3101", "市辖区", RegionLevel.CITY, "31"),
        ("310116", "金山区", RegionLevel.COUNTY, "3101"),
        ("310116107", "廊下镇", RegionLevel.TOWNSHIP, "310116"),
    ]:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    return Village.objects.create(
        code="310116107211",
        name="山塘村村民委员会",
        short_name="山塘村（金山）",
        kind=VillageKind.VILLAGE,
        township_id="310116107",
        county_id="310116",
    )


@pytest.fixture
def shantang(tree):
    return tree["山塘村"]


@pytest.fixture
def st_clerk(shantang):
    return make_user("st_clerk", Role.VILLAGE_CLERK, village=shantang)


@pytest.fixture
def js_partner(jinshan_shantang):
    return make_user("js_partner", Role.PARTNER, village=jinshan_shantang)


@pytest.fixture
def st_member(shantang):
    return make_user("st_member", Role.GRID_MEMBER, village=shantang)


@pytest.fixture
def shared(shantang, jinshan_shantang):
    """The joint grid, a micro-grid on each side, a household in each, leaders of both sides."""
    grid = services.create_grid(
        actor=SYSTEM, village=shantang, name="浙沪毗邻网格", partner_village=jinshan_shantang
    )
    zj = services.add_micro_grid(actor=SYSTEM, grid=grid, name="第二微网格")
    sh = services.add_micro_grid(
        actor=SYSTEM, grid=grid, name="金山第一微网格", side=jinshan_shantang
    )
    services.appoint_leader(actor=SYSTEM, grid=grid, side=shantang, name="浙江网格长")
    services.appoint_leader(actor=SYSTEM, grid=grid, side=jinshan_shantang, name="上海网格长")
    services.assign_member(actor=SYSTEM, micro_grid=zj, side=shantang, name="徐全妹")
    in_grid = services.create_household(actor=SYSTEM, village=shantang, number="001", micro_grid=zj)
    outside = services.create_household(actor=SYSTEM, village=shantang, number="002")
    head = services.add_person(
        actor=SYSTEM,
        household=in_grid,
        name="张三",
        gender="M",
        birth_year=1970,
        relation="head",
        id_number=make_id(),
        phone="13812345678",
        is_party_member=True,
    )
    services.add_person(
        actor=SYSTEM,
        household=outside,
        name="李四",
        gender="F",
        birth_year=1980,
        relation="head",
        id_number=make_id(born="19800202", seq="002"),
    )
    return {
        "grid": grid,
        "zj": zj,
        "sh": sh,
        "in_grid": in_grid,
        "outside": outside,
        "head": head,
        "today": dt.date(2022, 3, 1),
    }
