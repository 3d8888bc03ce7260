"""Concurrent posting of one run posts it once (PostgreSQL: real row locks, real threads).

N threads call post_run on the same approved run at the same moment. The run row is locked
with SELECT … FOR UPDATE and the entry carries the idempotency key "distribution-run:<pk>",
so exactly one thread posts; the others wait for the lock, find the run posted, and are
refused. Each thread closes its own database connection.
"""

import threading

import pytest
from django.db import connection

from core.roles import Role
from ledger.models import JournalEntry
from tests.support import D, make_user
from ventures import services
from ventures.choices import RunStatus, VentureKind
from ventures.exceptions import RunStateError
from ventures.models import DistributionRun, Venture
from ventures.tests.support import FENGSHAN, SHANTANG, XUJIADAI

THREADS = 8

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def approved_run(tree, enclave_company):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")
    finance = make_user("finance", Role.FINANCE, organisation=enclave_company)
    approver = make_user("approver", Role.APPROVER, organisation=enclave_company)
    venture = Venture.objects.create(
        name="飞地产业园", kind=VentureKind.ENCLAVE_PARK, organisation=enclave_company
    )
    for code, units in ((FENGSHAN, 600), (XUJIADAI, 300), (SHANTANG, 100)):
        services.add_stake(
            venture,
            holder=f"village:{code}",
            units=units,
            effective_from=D("2018-01-01"),
            actor=finance,
        )
    services.record_income(venture, amount=100_000_000, received_on=D("2023-12-20"), actor=finance)
    run = services.prepare_run(
        venture,
        period_start=D("2023-01-01"),
        period_end=D("2023-12-31"),
        policy="pro_rata",
        params={},
        actor=finance,
    ).run
    services.approve_run(run, actor=approver)
    return run, [finance, approver]


def test_concurrent_posting_posts_exactly_once(approved_run):
    run, users = approved_run
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def post(index: int) -> None:
        try:
            barrier.wait()
            services.post_run(
                DistributionRun.objects.get(pk=run.pk),
                actor=users[index % 2],
                date=D("2024-01-15"),
            )
            result = "posted"
        except RunStateError:
            result = "refused"
        except Exception as error:  # reported by the assertion below
            result = f"error: {error!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["posted"] + ["refused"] * (THREADS - 1)
    entries = JournalEntry.objects.filter(source=f"ventures.distributionrun:{run.pk}")
    assert entries.count() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.POSTED
    assert run.posted_entry_id == entries.get().pk
