"""A points scheme of 山塘村 and one of the shared grid, with the people who work them."""

import datetime as dt

import pytest

from core.actors import SYSTEM
from core.roles import Role
from grids.tests.conftest import (  # noqa: F401
    jinshan_shantang,
    js_partner,
    shantang,
    shared,
    st_clerk,
)
from points import services
from tests.support import make_user

DAY = dt.date(2025, 3, 3)
ITEMS = [
    {
        "code": "A01",
        "name": "参加村民大会",
        "category": "affairs",
        "points": 2,
        "cap": 4,
        "cap_period": "month",
    },
    {"code": "B01", "name": "志愿服务一次", "category": "volunteer", "points": 5, "cap": 50},
    {"code": "C01", "name": "垃圾分类不到位", "category": "ecology", "points": -3},
    {
        "code": "D01",
        "name": "见义勇为",
        "category": "virtue",
        "points": 20,
        "evidence_required": True,
    },
]


@pytest.fixture
def scorer(shantang):  # noqa: F811
    return make_user("st_scorer", Role.VILLAGE_CLERK, village=shantang)


@pytest.fixture
def reviewer(shantang):  # noqa: F811
    return make_user("st_reviewer", Role.VILLAGE_CLERK, village=shantang)


@pytest.fixture
def member(shantang):  # noqa: F811
    return make_user("st_member", Role.GRID_MEMBER, village=shantang)


@pytest.fixture
def scheme(shantang, shared):  # noqa: F811
    scheme = services.create_scheme(actor=SYSTEM, village=shantang, name="山塘积分")
    services.adopt_version(
        actor=SYSTEM,
        scheme=scheme,
        effective_from=dt.date(2025, 1, 1),
        adopted_on=dt.date(2024, 12, 20),
        document_no="山塘村〔2024〕12号",
        base_points=10,
        items=ITEMS,
    )
    return scheme


@pytest.fixture
def grid_scheme(shantang, shared):  # noqa: F811
    scheme = services.create_scheme(
        actor=SYSTEM, village=shantang, name="浙沪山塘积分", grid=shared["grid"]
    )
    services.adopt_version(
        actor=SYSTEM,
        scheme=scheme,
        effective_from=dt.date(2025, 1, 1),
        adopted_on=dt.date(2024, 12, 20),
        document_no="浙沪山塘〔2024〕1号",
        items=ITEMS,
    )
    return scheme


@pytest.fixture
def today(monkeypatch):
    """Pin 'today' for the services and selectors."""
    from django.utils import timezone

    state = {"day": dt.date(2025, 3, 10)}
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: state["day"])
    return state
