"""Payouts through the money core: the shares + points dividend reads the households'
effective points from points, and a low-income policy pays the flagged households; both
split exactly, prepared → approved → posted → published, and reconciled by check_ledger."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.actors import SYSTEM
from grids import services as grids
from ledger.checks import check_ledger
from ledger.models import Account, Posting
from points import services
from tests.support import D
from ventures import services as ventures
from ventures.choices import RunStatus
from ventures.exceptions import VentureError
from ventures.models import DistributionLine
from ventures.policies import RunInputs, _low_income, _shares_and_points
from ventures.tests.conftest import income_2023, register, venture  # noqa: F401
from ventures.tests.support import SHANTANG

ITEMS = [{"code": "B01", "name": "志愿服务", "category": "volunteer", "points": 10}]


@pytest.fixture
def households(tree):
    village = tree["山塘村"]
    made = []
    for number, shares in (("101", 2), ("102", 1), ("103", 1)):
        h = grids.create_household(actor=SYSTEM, village=village, number=number)
        grids.add_person(
            actor=SYSTEM,
            household=h,
            name=f"户主{number}",
            gender="M",
            birth_year=1960,
            relation="head",
            is_shareholder=True,
            shares=shares,
        )
        made.append(h)
    scheme = services.create_scheme(actor=SYSTEM, village=village, name="山塘积分")
    services.adopt_version(
        actor=SYSTEM,
        scheme=scheme,
        effective_from=dt.date(2023, 1, 1),
        adopted_on=dt.date(2022, 12, 1),
        document_no="〔2022〕9号",
        items=ITEMS,
    )
    from core.roles import Role
    from tests.support import make_user

    scorer = make_user("scorer", Role.VILLAGE_CLERK, village=village)
    # 101: 10 points, 102: 30 points, 103: none.
    for h, times in ((made[0], 1), (made[1], 3)):
        for i in range(times):
            e = services.propose_entry(
                actor=SYSTEM,
                scheme=scheme,
                household=h,
                item_code="B01",
                occurred_on=dt.date(2023, 6, 1 + i),
            )
            services.verify_entry(actor=scorer, entry=e)
    services.publish_notice(actor=scorer, scheme=scheme, published_on=dt.date(2023, 12, 1))
    # A proposal that is not effective counts for nothing.
    services.propose_entry(
        actor=SYSTEM,
        scheme=scheme,
        household=made[2],
        item_code="B01",
        occurred_on=dt.date(2023, 7, 1),
    )
    return made


def test_shares_and_points_pay_the_households(venture, finance, approver, income_2023, households):  # noqa: F811
    preview = ventures.prepare_run(
        venture,
        period_start=D("2023-01-01"),
        period_end=D("2023-12-31"),
        policy="shares_points",
        params={"share_ratio": "80%"},
        actor=finance,
    )
    run = preview.run
    lines = {
        (line.household.number if line.household_id else line.village_id): (
            line.amount,
            line.points,
        )
        for line in run.lines.select_related("household")
    }
    # 山塘村's 10,000,000 fen: 8,000,000 by shares 2:1:1, 2,000,000 by points 10:30:0.
    assert lines["101"] == (4_000_000 + 500_000, 10)
    assert lines["102"] == (2_000_000 + 1_500_000, 30)
    assert lines["103"] == (2_000_000, 0)
    assert SHANTANG not in lines
    assert sum(a for a, _p in lines.values()) == run.distributed_amount == 100_000_000
    ventures.approve_run(run, actor=approver)
    ventures.post_run(run, actor=finance, date=D("2024-01-10"))
    notice = ventures.publish_run(run, actor=finance, starts_on=D("2024-01-10"))
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED
    household = households[0]
    account = Account.objects.get(name=f"Venture-{venture.pk}-Household-{household.pk}")
    assert Posting.objects.get(account=account).amount == -4_500_000
    payees = {p["code"]: p for p in notice.payload["payees"]}
    keys = [p["holder"] for p in notice.payload["payees"]]
    assert len(set(keys)) == len(keys)
    assert f"household:{households[0].pk}" in keys
    assert payees["101"]["amount"] == 4_500_000
    assert "户主" not in str(notice.payload)
    assert check_ledger() == []


def test_low_income_households_get_their_share(venture, finance, approver, income_2023, households):  # noqa: F811
    for h in households[:2]:
        grids.set_flag(actor=SYSTEM, household=h, year=2023, kind="low_income")
    run = ventures.prepare_run(
        venture,
        period_start=D("2023-01-01"),
        period_end=D("2023-12-31"),
        policy="low_income",
        params={"low_income_rate": "10%"},
        actor=finance,
    ).run
    household_lines = list(DistributionLine.objects.filter(run=run, household__isnull=False))
    assert sorted(line.amount for line in household_lines) == [5_000_000, 5_000_000]
    assert sum(run.lines.values_list("amount", flat=True)) == 100_000_000
    ventures.approve_run(run, actor=approver)
    ventures.post_run(run, actor=finance, date=D("2024-01-10"))
    ventures.publish_run(run, actor=finance, starts_on=D("2024-01-10"))
    assert check_ledger() == []


def test_low_income_without_flags_is_refused(venture, finance, income_2023, households):  # noqa: F811
    with pytest.raises(VentureError, match="低收入|low-income"):
        ventures.prepare_run(
            venture,
            period_start=D("2023-01-01"),
            period_end=D("2023-12-31"),
            policy="low_income",
            params={"low_income_rate": "10%"},
            actor=finance,
        )


class _Stake:
    def __init__(self, pk, village_id, units):
        self.pk, self.village_id, self.organisation_id, self.units = pk, village_id, None, units


@settings(max_examples=60, deadline=None)
@given(
    amount=st.integers(0, 10**12),
    units=st.lists(st.integers(1, 10_000), min_size=1, max_size=4),
    households=st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 500)), min_size=1, max_size=30
    ),
    ratio=st.integers(0, 100),
)
def test_lines_sum_to_the_pool(amount, units, households, ratio):
    stakes = [_Stake(i + 1, f"33048210620{i}", u) for i, u in enumerate(units)]
    members = {"330482106200": [(100 + i, s) for i, (s, _p) in enumerate(households) if s or _p]}
    points = {100 + i: p for i, (_s, p) in enumerate(households)}
    if not any(s for s, _p in households):
        members = {}
    run = RunInputs(
        None,
        stakes,
        {"share_ratio": f"{ratio}%", "low_income_rate": f"{max(ratio, 1)}%"},
        D("2023-01-01"),
        D("2023-12-31"),
    )
    for policy in (_shares_and_points, _low_income):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("ventures.selectors.shareholder_households", lambda ids: members)
            patch.setattr("points.selectors.effective_points", lambda ids, s, e: points)
            patch.setattr(
                "ventures.selectors.low_income_households",
                lambda ids, year: [(100 + i, "330482106200") for i in range(len(households))],
            )
            split = policy(amount, run)
        total = sum(a for a in split.amounts if a is not None) + sum(
            h.amount for h in split.households
        )
        assert total == amount
        assert all(h.amount >= 0 for h in split.households)
