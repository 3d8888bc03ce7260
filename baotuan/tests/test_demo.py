"""The demo ventures (baotuan.demo.ventures) on a reduced registry: 平湖, 青田 and 金山 only.

The figures the article publishes must come out of the ledger: 32,400,000 yuan returned to
the 265 青田 villages by 2021-12-31, about 60,000 yuan per village a year; the ledger checks
clean, and a second load posts nothing.
"""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from baotuan.demo import facts, registry
from baotuan.demo import ventures as demo
from baotuan.demo.stats import write_demo_stats
from core.actors import SYSTEM
from ledger.models import JournalEntry, Period, Posting
from ledger.selectors import check_ledger, locked_through
from registry.models import Organisation
from registry.services.divisions import load_divisions
from registry.services.stats_io import import_stats
from ventures.choices import ContributionKind, DistributionPolicy, RunStatus
from ventures.models import (
    Contribution,
    DistributionLine,
    DistributionRun,
    IncomeReceipt,
    PublicNotice,
    Stake,
    Venture,
)

YUAN = 100
END_2021 = date(2021, 12, 31)


@pytest.fixture
def demo_registry(db, tmp_path):
    """The registry demo on three counties instead of the whole province."""
    load_divisions(areas=[facts.PINGHU, facts.QINGTIAN, facts.JINSHAN], actor=SYSTEM)
    registry.load_organisations()
    path = tmp_path / "stats.csv"
    write_demo_stats(path)
    assert not import_stats(path, actor=SYSTEM).errors
    registry.load_users()


@pytest.fixture
def loaded(demo_registry):
    accounts = demo.load()
    return Venture.objects.get(name=facts.ENCLAVE_FACTS["venture"]), accounts


def test_village_capital_is_deterministic_and_sums_to_the_investment():
    codes = [f"331121{n:06d}" for n in range(100, 365)]
    capital = demo.village_capital(codes)
    assert capital == demo.village_capital(list(reversed(codes)))
    totals = [sum(parts.values()) for parts in capital.values()]
    assert sum(totals) == facts.ENCLAVE_DEMO["total_investment_yuan"] == 162_000_000
    assert all(540_000 <= t <= 680_000 for t in totals)
    assert all(parts[ContributionKind.CASH] > 0 for parts in capital.values())
    assert any(parts[ContributionKind.LAND_QUOTA] for parts in capital.values())


def test_the_ledger_tells_the_article_figures(loaded, client):
    venture, _accounts = loaded
    villages = demo.enclave_villages()
    assert len(villages) == 265
    assert {v.county_id for v in villages} == {facts.QINGTIAN}
    assert set(Stake.objects.filter(venture=venture).values_list("village_id", flat=True)) == {
        v.code for v in villages
    }
    assert venture.is_illustrative

    # Capital by kind, kept apart, 162,000,000 yuan in all (the stakes are the capital).
    kinds = set(Contribution.objects.filter(venture=venture).values_list("kind", flat=True))
    assert kinds == set(ContributionKind.values)
    capital = sum(Contribution.objects.filter(venture=venture).values_list("amount", flat=True))
    assert capital == 162_000_000 * YUAN
    assert sum(Stake.objects.filter(venture=venture).values_list("units", flat=True)) == 162_000_000

    # The rent covers the fixed return: 16,200,000 yuan a year from the three tenants.
    rent = IncomeReceipt.objects.filter(venture=venture)
    assert rent.count() == 12
    assert sum(rent.values_list("amount", flat=True)) == 32_400_000 * YUAN
    assert set(rent.values_list("payer__name", flat=True)) == set(facts.ENCLAVE_FACTS["tenants"])
    assert venture.assets.count() == 3
    assert venture.tenants.count() == 3

    # From the ledger: what the 265 villages are owed by 2021-12-31.
    figures = demo.enclave_figures(venture, END_2021)
    assert figures.villages == 265
    assert figures.returned == 32_400_000 * YUAN
    assert figures.per_village_year_min >= 50_000 * YUAN
    assert figures.per_village_year_max <= 70_000 * YUAN
    assert figures.per_village_year_mean == 6_113_207  # 61,132.07 yuan

    # And from the posted lines: the same money, two published fixed-return runs.
    runs = DistributionRun.objects.filter(venture=venture).order_by("period_end")
    assert [(r.period_start.year, r.status, r.policy) for r in runs] == [
        (2020, RunStatus.PUBLISHED, DistributionPolicy.FIXED_RETURN),
        (2021, RunStatus.PUBLISHED, DistributionPolicy.FIXED_RETURN),
    ]
    finance, approver = User.objects.get(username="finance"), User.objects.get(username="approver")
    for run in runs:
        assert run.distributed_amount == 16_200_000 * YUAN
        assert run.holder_count == 265
        assert (run.prepared_by, run.approved_by) == (finance, approver)
        assert run.posted_on == run.period_end
        notice = PublicNotice.objects.get(run=run)
        assert notice.is_intact
        assert notice.payload["illustrative"] is True
    lines = DistributionLine.objects.filter(run__venture=venture)
    assert sum(lines.values_list("amount", flat=True)) == 32_400_000 * YUAN

    # 山塘村强村股份公司: 51% village + 49% enterprise, 保底+分红, maker-checker.
    shantang = Venture.objects.get(name=facts.SHANTANG_DEMO["venture"])
    run = DistributionRun.objects.get(venture=shantang)
    assert run.policy == DistributionPolicy.FLOOR_PRO_RATA
    assert run.status == RunStatus.PUBLISHED
    assert run.prepared_by.username == "stfinance"
    assert run.approved_by.username == "stapprover"
    assert (run.total, run.reserve_amount) == (1_500_000 * YUAN, 150_000 * YUAN)
    amounts = {line.units: (line.floor, line.amount) for line in run.lines.all()}
    assert amounts == {
        51: (255_000 * YUAN, 688_500 * YUAN),  # 5% of 5,100,000 + 51% of 850,000
        49: (245_000 * YUAN, 661_500 * YUAN),
    }
    enterprise = Organisation.objects.get(name=facts.SHANTANG_DEMO["enterprise"])
    assert enterprise.is_illustrative

    # Complete months are locked (snapshots), and the ledger checks clean.
    assert locked_through() == END_2021
    assert Period.objects.count() == 43  # 2018-06 … 2021-12
    assert check_ledger() == []

    # The venture page shows what the runs posted: in total, and cumulative at 2021.
    client.force_login(User.objects.get(username="auditor"))
    page = client.get(reverse("ventures:venture_detail", args=[venture.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "32,400,000.00" in text
    assert "16,200,000.00" in text
    # …and what the ledger's balances say at 2021-12-31, with the per-village yearly average
    # (32,400,000 / 265 / 2 = 61,132.08 yuan, rounded half up to the fen).
    booked = page.context["booked"]
    assert (booked.as_of, booked.total, booked.holders, booked.years) == (
        END_2021,
        32_400_000 * YUAN,
        265,
        2,
    )
    assert booked.per_holder_per_year == 6_113_208
    assert re.search(r'data-testid="ledger-per-holder-year">\s*61,132.08', text)


def test_a_second_load_changes_nothing(loaded):
    counts = lambda: (  # noqa: E731
        JournalEntry.objects.count(),
        Posting.objects.count(),
        Stake.objects.count(),
        Contribution.objects.count(),
        IncomeReceipt.objects.count(),
        DistributionRun.objects.count(),
        PublicNotice.objects.count(),
        Period.objects.count(),
        User.objects.count(),
    )
    before = counts()
    _venture, accounts = loaded
    again = demo.load()
    # The same accounts; each keeps the password it got on the first load (None: unchanged).
    assert [(name, role) for name, _pw, role in again] == [
        (name, role) for name, _pw, role in accounts
    ]
    assert [password for _name, password, _role in again] == [None] * len(accounts)
    for name, password, _role in accounts:
        assert User.objects.get(username=name).check_password(password)
    assert counts() == before
    assert check_ledger() == []


def test_the_demo_fixed_return_for_2022_with_nothing_received_is_refused(loaded):
    """Issue 10: a 2022 fixed-return run of 16,200,000 yuan was posted with 0 received.

    The demo records rent for 2020 and 2021 only; the 2022 run would take 10% of the
    162,000,000 yuan capital and must be refused, naming the whole 16,200,000 yuan gap.
    """
    from ventures import services
    from ventures.exceptions import Shortfall

    venture, _accounts = loaded
    runs = DistributionRun.objects.count()

    with translation.override("en"), pytest.raises(Shortfall) as refused:
        services.prepare_run(
            venture,
            period_start=date(2022, 1, 1),
            period_end=date(2022, 12, 31),
            policy=DistributionPolicy.FIXED_RETURN,
            params={"rate": facts.ENCLAVE_FACTS["return_rate"]},
            actor=User.objects.get(username="finance"),
        )

    assert "has 0.00 yuan of undistributed income on 2022-12-31" in str(refused.value)
    assert "would take 16,200,000.00 yuan: 16,200,000.00 yuan short" in str(refused.value)
    assert DistributionRun.objects.count() == runs
