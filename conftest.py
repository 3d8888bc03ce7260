"""Shared fixtures: a small real division tree and the personas of ARCHITECTURE.md.

Personas (as healthchecks' alice/bob/charlie): `admin` (unscoped city admin), `clerk`
(village clerk of 徐家埭村), `other_clerk` (clerk of 峰山村, another county), `auditor`,
`finance` and `approver` of the enclave joint company.
"""

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import translation

from core.roles import Role
from registry.choices import OrganisationKind, RegionLevel, VillageKind
from registry.models import Organisation, Region, Village
from tests.support import make_user

TREE = [
    ("33", "浙江省", RegionLevel.PROVINCE, None),
    ("3304", "嘉兴市", RegionLevel.CITY, "33"),
    ("330482", "平湖市", RegionLevel.COUNTY, "3304"),
    ("330482107", "林埭镇", RegionLevel.TOWNSHIP, "330482"),
    ("330482106", "广陈镇", RegionLevel.TOWNSHIP, "330482"),
    ("3311", "丽水市", RegionLevel.CITY, "33"),
    ("331121", "青田县", RegionLevel.COUNTY, "3311"),
    ("331121201", "黄垟乡", RegionLevel.TOWNSHIP, "331121"),
]
VILLAGES = [
    ("330482107208", "徐家埭村村民委员会", "徐家埭村", "330482107"),
    ("330482106209", "山塘村村民委员会", "山塘村", "330482106"),
    ("331121201201", "峰山村村委会", "峰山村", "331121201"),
]


@pytest.fixture
def tree(db):
    """A small slice of the real tree: 平湖 (2 towns, 2 villages) and 青田 (1 village)."""
    for code, name, level, parent in TREE:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    villages = {}
    for code, name, short, township in VILLAGES:
        villages[short] = Village.objects.create(
            code=code,
            name=name,
            short_name=short,
            kind=VillageKind.VILLAGE,
            township_id=township,
            county_id=code[:6],
        )
    return villages


@pytest.fixture
def xujiadai(tree):
    return tree["徐家埭村"]


@pytest.fixture
def fengshan(tree):
    return tree["峰山村"]


@pytest.fixture
def enclave_company(tree):
    return Organisation.objects.create(
        name="青田强村联合投资发展有限责任公司",
        kind=OrganisationKind.JOINT_INVESTMENT,
        region_id="331121",
    )


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the site's language (Chinese): a request or test that switched the
    thread to another language must not decide what the next test sees."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def deferred_checks_fire(request):
    """On PostgreSQL, run the deferred (COMMIT-time) checks at the end of every test that used
    the database: a test's transaction is rolled back, never committed, so without this the
    ledger's balance triggers (SET CONSTRAINTS ALL IMMEDIATE) would never check its entries."""
    yield
    uses_db = "db" in request.fixturenames or "transactional_db" in request.fixturenames
    if not uses_db or connection.vendor != "postgresql" or connection.connection is None:
        return
    if not connection.in_atomic_block or connection.needs_rollback:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture
def admin(db):
    return make_user("admin", Role.CITY_ADMIN)


@pytest.fixture
def clerk(xujiadai):
    return make_user("clerk", Role.VILLAGE_CLERK, village=xujiadai)


@pytest.fixture
def other_clerk(fengshan):
    return make_user("other_clerk", Role.VILLAGE_CLERK, village=fengshan)


@pytest.fixture
def auditor(db):
    return make_user("auditor", Role.AUDITOR)


@pytest.fixture
def finance(enclave_company):
    return make_user("finance", Role.FINANCE, organisation=enclave_company)


@pytest.fixture
def approver(enclave_company):
    return make_user("approver", Role.APPROVER, organisation=enclave_company)


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as that user (None: anonymous)."""

    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login
