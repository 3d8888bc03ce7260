"""Ventures fixtures: the enclave park, its share register and its money.

The enclave park is run by the enclave joint company of the root conftest, whose `finance`
persona prepares and `approver` approves. Three villages hold stakes from 2018:

    峰山村   (331121201201)  600 units
    徐家埭村 (330482107208)  300 units
    山塘村   (330482106209)  100 units

On PostgreSQL the ledger checks that entries balance at COMMIT (deferred triggers); a test's
transaction is rolled back instead, so the root conftest's `deferred_checks_fire` runs those
checks at the end of each test. The village codes and `snapshot` are in
`ventures.tests.support`.
"""

import pytest
from django.core.cache import cache
from django.utils import translation

from tests.support import D
from ventures import services
from ventures.choices import VentureKind
from ventures.models import Venture
from ventures.tests.support import FENGSHAN, SHANTANG, XUJIADAI


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Public notice pages are cached by notice id and data version, and test databases
    reuse ids: every test starts with an empty cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def venture(enclave_company):
    return Venture.objects.create(
        name="平湖—青田山海协作消薄飞地产业园",
        kind=VentureKind.ENCLAVE_PARK,
        organisation=enclave_company,
        started_on=D("2018-01-01"),
        description="平湖经济技术开发区内 3 幢标准厂房",
        notice_contact="青田县强村公司办公室 0578-0000000",
    )


@pytest.fixture
def register(venture, tree, finance):
    """峰山村 600, 徐家埭村 300, 山塘村 100 units from 2018-01-01."""
    return {
        code: services.add_stake(
            venture,
            holder=f"village:{code}",
            units=units,
            effective_from=D("2018-01-01"),
            actor=finance,
        )
        for code, units in ((FENGSHAN, 600), (XUJIADAI, 300), (SHANTANG, 100))
    }


@pytest.fixture
def income_2023(venture, finance, register):
    """1,000,000.00 yuan of rent received on 2023-12-20."""
    return services.record_income(
        venture,
        amount=100_000_000,
        received_on=D("2023-12-20"),
        actor=finance,
        period_start=D("2023-01-01"),
        period_end=D("2023-12-31"),
    )


@pytest.fixture
def prepared(venture, finance, income_2023):
    """A pro-rata run for 2023 over the whole undistributed income."""
    return services.prepare_run(
        venture,
        period_start=D("2023-01-01"),
        period_end=D("2023-12-31"),
        policy="pro_rata",
        params={},
        actor=finance,
    ).run


@pytest.fixture
def approved(prepared, approver):
    return services.approve_run(prepared, actor=approver)


@pytest.fixture
def posted(approved, finance):
    return services.post_run(approved, actor=finance, date=D("2024-01-15"))


@pytest.fixture(autouse=True)
def in_english(default_language):
    """These tests match refusals by their English msgids (the ledger's messages are English
    msgids translated when raised)."""
    with translation.override("en"):
        yield
