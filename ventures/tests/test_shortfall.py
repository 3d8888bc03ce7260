"""A run distributes no more than the venture received and has not distributed yet (issue 10).

What is left is read from the ledger (`ventures.selectors.undistributed`): the source
account's credit balance on the period end, less what other runs claim. It is checked when
a run is prepared and again when it is posted, under the venture's row lock. The register
of the conftest (峰山村 600, 徐家埭村 300, 山塘村 100 units); amounts are fen.
"""

import threading

import pytest
from django.db import connection

from core.actors import SYSTEM
from core.roles import Role
from ledger.services import reverse_entry
from tests.support import D, make_user
from ventures import selectors, services
from ventures.choices import RunStatus, VentureKind
from ventures.exceptions import Shortfall
from ventures.models import DistributionRun, Venture
from ventures.tests.support import FENGSHAN, SHANTANG, XUJIADAI, snapshot

YEAR_2023 = {"period_start": D("2023-01-01"), "period_end": D("2023-12-31")}


@pytest.fixture
def capital(venture, finance, register):
    """峰山村 1,500,000 yuan and 徐家埭村 500,000 yuan of cash capital: 10% is 200,000 yuan."""
    for code, amount in ((FENGSHAN, 150_000_000), (XUJIADAI, 50_000_000)):
        services.record_contribution(
            venture,
            holder=f"village:{code}",
            kind="cash",
            amount=amount,
            contributed_on=D("2018-01-10"),
            actor=finance,
        )


def test_a_fixed_return_with_nothing_received_is_refused_naming_the_shortfall(
    venture, finance, capital
):
    before = snapshot()

    with pytest.raises(Shortfall) as refused:
        services.prepare_run(
            venture, policy="fixed_return", params={"rate": "10%"}, actor=finance, **YEAR_2023
        )

    assert str(refused.value) == (
        "平湖—青田山海协作消薄飞地产业园 has 0.00 yuan of undistributed income on 2023-12-31 "
        "(received and not yet distributed); this run would take 200,000.00 yuan: "
        "200,000.00 yuan short. Record the income received first."
    )
    assert snapshot() == before


def test_a_fixed_return_partly_received_names_the_exact_gap(venture, finance, capital):
    services.record_income(venture, amount=19_999_999, received_on=D("2023-12-20"), actor=finance)

    with pytest.raises(Shortfall, match=r"has 199,999\.99 yuan .* would take 200,000\.00 yuan: 0\.01 yuan short"):
        services.prepare_run(
            venture, policy="fixed_return", params={"rate": "10%"}, actor=finance, **YEAR_2023
        )


def test_exactly_what_was_received_may_be_distributed(venture, finance, capital):
    services.record_income(venture, amount=20_000_000, received_on=D("2023-12-20"), actor=finance)

    run = services.prepare_run(
        venture, policy="fixed_return", params={"rate": "10%"}, actor=finance, **YEAR_2023
    ).run

    assert run.total == 20_000_000
    assert selectors.undistributed(venture, D("2023-12-31")) == 0


def test_a_given_total_above_the_income_is_refused(venture, finance, income_2023):
    with pytest.raises(Shortfall, match=r"would take 1,000,000\.01 yuan: 0\.01 yuan short"):
        services.prepare_run(
            venture, policy="equal", params={"total": 100_000_001}, actor=finance, **YEAR_2023
        )


def test_income_received_after_the_period_end_does_not_count(venture, finance, register):
    services.record_income(venture, amount=100_000_000, received_on=D("2024-01-05"), actor=finance)

    with pytest.raises(Shortfall, match=r"has 0\.00 yuan .* on 2023-12-31"):
        services.prepare_run(
            venture, policy="equal", params={"total": 300}, actor=finance, **YEAR_2023
        )


def test_an_earlier_run_claims_its_money(venture, finance, income_2023):
    """600,000 yuan claimed for late 2023 leaves 400,000 for the first quarter of 2024."""
    services.prepare_run(
        venture,
        period_start=D("2023-07-01"),
        period_end=D("2023-12-31"),
        policy="pro_rata",
        params={"total": 60_000_000},
        actor=finance,
    )

    with pytest.raises(
        Shortfall, match=r"has 400,000\.00 yuan .* would take 600,000\.00 yuan: 200,000\.00 yuan short"
    ):
        services.prepare_run(
            venture,
            period_start=D("2024-01-01"),
            period_end=D("2024-03-31"),
            policy="pro_rata",
            params={"total": 60_000_000},
            actor=finance,
        )


def test_posting_checks_again_when_the_income_was_reversed_since(
    venture, finance, approver, income_2023, prepared
):
    services.approve_run(prepared, actor=approver)
    reverse_entry(income_2023.entry, date=D("2024-01-10"), actor=SYSTEM)
    before = snapshot()

    with pytest.raises(Shortfall, match=r"has 0\.00 yuan .* 1,000,000\.00 yuan short"):
        services.post_run(prepared, actor=finance, date=D("2024-01-15"))

    assert snapshot() == before
    assert DistributionRun.objects.get(pk=prepared.pk).status == RunStatus.APPROVED


def test_a_run_posted_on_its_period_end_and_reversed_gives_its_money_back(
    venture, finance, approver, prepared
):
    """The reversal (2024) undoes the posting (2023-12-31) on the posting's own date."""
    services.approve_run(prepared, actor=approver)
    services.post_run(prepared, actor=finance, date=D("2023-12-31"))
    services.reverse_run(prepared, actor=approver, reason="wrong register", date=D("2024-02-01"))

    assert selectors.undistributed(venture, D("2023-12-31")) == 100_000_000
    again = services.prepare_run(
        venture, policy="pro_rata", params={}, actor=finance, **YEAR_2023
    ).run
    assert again.total == 100_000_000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_prepared_at_once_cannot_both_take_the_same_money(tree, enclave_company):
    """8 threads each prepare a 600,000-yuan run (other periods) against 1,000,000 received:
    the venture's row lock lets exactly one pass."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")
    finance = make_user("finance", Role.FINANCE, organisation=enclave_company)
    venture = Venture.objects.create(
        name="飞地产业园", kind=VentureKind.ENCLAVE_PARK, organisation=enclave_company
    )
    for code, units in ((FENGSHAN, 600), (XUJIADAI, 300), (SHANTANG, 100)):
        services.add_stake(
            venture, holder=f"village:{code}", units=units, effective_from=D("2018-01-01"),
            actor=finance,
        )
    services.record_income(venture, amount=100_000_000, received_on=D("2023-12-20"), actor=finance)
    threads = 8
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def prepare(month: int) -> None:
        try:
            barrier.wait()
            services.prepare_run(
                venture,
                period_start=D(f"2024-{month:02d}-01"),
                period_end=D(f"2024-{month:02d}-28"),
                policy="pro_rata",
                params={"total": 60_000_000},
                actor=finance,
            )
            result = "prepared"
        except Shortfall:
            result = "refused"
        except Exception as error:  # reported by the assertion below
            result = f"error: {error!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    workers = [threading.Thread(target=prepare, args=(m + 1,)) for m in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sorted(outcomes) == ["prepared"] + ["refused"] * (threads - 1)
    assert DistributionRun.objects.filter(venture=venture).count() == 1
