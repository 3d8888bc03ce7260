"""Distribution runs: prepare → approve (by another person) → post (once) → publish → reverse.

The register of the conftest (峰山村 600, 徐家埭村 300, 山塘村 100 units) and 1,000,000.00
yuan of 2023 rent. Amounts below are fen; each example reads like a small ledger.
"""

import hashlib
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import ObjectChange
from core.actors import SYSTEM
from core.roles import Role
from ledger.models import Account, JournalEntry, Posting
from ledger.services import lock_period
from registry.choices import VillageKind
from registry.models import Village, VillageStat
from tests.support import D, make_user
from ventures import selectors, services
from ventures.choices import RunStatus
from ventures.exceptions import (
    LedgerRefused,
    MakerCheckerError,
    NotAllowed,
    RunStateError,
    VentureError,
)
from ventures.models import (
    DistributionLine,
    DistributionRun,
    PublicNotice,
    Stake,
    Venture,
    canonical_json,
)
from ventures.tests.support import FENGSHAN, SHANTANG, XUJIADAI, snapshot

YEAR_2023 = {"period_start": D("2023-01-01"), "period_end": D("2023-12-31")}


def amounts(run) -> dict[str, int]:
    """holder key → amount of a run's lines."""
    return {line.holder_key: line.amount for line in run.lines.all()}


def by_code(values) -> dict[str, int]:
    return {f"village:{code}": amount for code, amount in values.items()}


def prepare(venture, user, policy="pro_rata", **params):
    return services.prepare_run(venture, policy=policy, params=params, actor=user, **YEAR_2023)


def entry_lines(entry) -> list[tuple[str, str, int]]:
    return sorted(
        Posting.objects.filter(entry=entry).values_list("account__kind", "account__name", "amount")
    )


# --- Preparing: the policies ------------------------------------------------------------------


def test_pro_rata_splits_the_years_income_by_stake(venture, finance, income_2023):
    preview = prepare(venture, finance)

    run = preview.run
    assert run.status == RunStatus.PREPARED
    assert (run.total, run.reserve_amount, run.welfare_amount, run.distributed_amount) == (
        100_000_000,
        0,
        0,
        100_000_000,
    )
    assert amounts(run) == by_code(
        {FENGSHAN: 60_000_000, XUJIADAI: 30_000_000, SHANTANG: 10_000_000}
    )
    assert [(r.name, r.units, r.amount) for r in preview.rows] == [
        ("峰山村", 600, 60_000_000),
        ("徐家埭村", 300, 30_000_000),
        ("山塘村", 100, 10_000_000),
    ]
    assert preview.holder_count == run.holder_count == 3
    assert run.prepared_by == finance


def test_prepare_logs_the_run_and_every_line(venture, finance, income_2023):
    run = prepare(venture, finance).run

    logged = ObjectChange.objects.filter(content_type__model="distributionline")
    assert logged.count() == 3
    assert sorted(c.postchange_data["amount"] for c in logged) == [
        10_000_000,
        30_000_000,
        60_000_000,
    ]
    assert (
        ObjectChange.objects.filter(
            content_type__model="distributionrun", object_pk=str(run.pk), action="create"
        ).count()
        == 1
    )


def test_reserve_and_welfare_come_off_first_and_everything_adds_up(venture, finance, register):
    # 公积公益金 15% and 福利费 15% of 1,000,000.01 yuan.
    services.record_income(venture, amount=100_000_001, received_on=D("2023-12-20"), actor=finance)

    run = prepare(venture, finance, reserve_rate="15%", welfare_rate="15%").run

    assert (run.total, run.reserve_amount, run.welfare_amount, run.distributed_amount) == (
        100_000_001,
        15_000_000,
        15_000_000,
        70_000_001,
    )
    assert amounts(run) == by_code(
        {FENGSHAN: 42_000_001, XUJIADAI: 21_000_000, SHANTANG: 7_000_000}
    )


def test_an_explicit_total_is_distributed_instead_of_all_income(venture, finance, income_2023):
    run = prepare(venture, finance, total=100).run

    assert amounts(run) == by_code({FENGSHAN: 60, XUJIADAI: 30, SHANTANG: 10})
    # The rest stays undistributed; the prepared run has claimed its 100 fen.
    assert selectors.undistributed(venture, D("2023-12-31")) == 100_000_000 - 100


def test_equal_split_gives_the_extra_fen_to_the_earliest_stake(venture, finance, income_2023):
    run = prepare(venture, finance, "equal", total=100).run

    assert amounts(run) == by_code({FENGSHAN: 34, XUJIADAI: 33, SHANTANG: 33})


def test_by_population_uses_the_latest_population_up_to_the_year(venture, finance, income_2023):
    for code, year, population in [
        (FENGSHAN, 2022, 800),
        (XUJIADAI, 2023, 3200),
        (SHANTANG, 2021, 4000),
        (SHANTANG, 2024, 1),  # after the period: not used
    ]:
        VillageStat.objects.create(
            village_id=code, year=year, total_income=0, population=population
        )

    run = prepare(venture, finance, "population").run

    assert amounts(run) == by_code(
        {FENGSHAN: 10_000_000, XUJIADAI: 40_000_000, SHANTANG: 50_000_000}
    )
    assert [line.weight for line in run.lines.order_by("pk")] == [800, 3200, 4000]


def test_by_population_refuses_holders_without_a_population(venture, finance, income_2023):
    VillageStat.objects.create(village_id=FENGSHAN, year=2023, total_income=0, population=800)
    before = snapshot()

    with pytest.raises(
        VentureError, match="No population recorded up to 2023 for: 徐家埭村, 山塘村"
    ):
        prepare(venture, finance, "population")

    assert snapshot() == before


def test_floor_then_pro_rata_pays_floors_then_shares_the_surplus(venture, finance, income_2023):
    # 保底 200,000 yuan each (600,000), surplus 400,000 by 6:3:1.
    run = prepare(venture, finance, "floor_pro_rata", floor=20_000_000).run

    assert amounts(run) == by_code(
        {FENGSHAN: 44_000_000, XUJIADAI: 32_000_000, SHANTANG: 24_000_000}
    )
    assert [line.floor for line in run.lines.order_by("pk")] == [20_000_000] * 3


def test_floor_then_pro_rata_splits_by_floors_when_income_is_short(venture, finance, income_2023):
    run = prepare(venture, finance, "floor_pro_rata", floor=20_000_000, total=30_000_000).run

    assert amounts(run) == by_code(
        {FENGSHAN: 10_000_000, XUJIADAI: 10_000_000, SHANTANG: 10_000_000}
    )


@pytest.fixture
def capital(venture, finance, register):
    """峰山村 1,500,000 yuan (1,000,000 cash + 500,000 land quota), 徐家埭村 500,000 cash."""
    for code, kind, amount in [
        (FENGSHAN, "cash", 100_000_000),
        (FENGSHAN, "land_quota", 50_000_000),
        (XUJIADAI, "cash", 50_000_000),
    ]:
        services.record_contribution(
            venture,
            holder=f"village:{code}",
            kind=kind,
            amount=amount,
            contributed_on=D("2018-01-10"),
            actor=finance,
        )


def test_floor_rate_is_a_yearly_rate_on_capital(venture, finance, capital, income_2023):
    # 8% a year on 1,500,000 / 500,000 / 0 → floors 120,000 / 40,000 / 0; surplus 840,000 6:3:1.
    run = prepare(venture, finance, "floor_pro_rata", floor_rate="8%").run

    assert [line.floor for line in run.lines.order_by("pk")] == [12_000_000, 4_000_000, 0]
    assert amounts(run) == by_code(
        {FENGSHAN: 62_400_000, XUJIADAI: 29_200_000, SHANTANG: 8_400_000}
    )


def test_fixed_return_is_ten_percent_a_year_of_capital(venture, finance, capital, income_2023):
    run = prepare(venture, finance, "fixed_return", rate="10%").run

    assert run.total == 20_000_000
    assert amounts(run) == by_code({FENGSHAN: 15_000_000, XUJIADAI: 5_000_000, SHANTANG: 0})
    assert [(line.basis, line.weight) for line in run.lines.order_by("pk")] == [
        ("capital", 150_000_000),
        ("capital", 50_000_000),
        ("capital", 0),
    ]


def test_fixed_return_for_half_a_year_is_exact(venture, finance, capital):
    # 2,000,000 yuan × 10% × 181/365 = 99,178.082… yuan → 9,917,808 fen, split 3:1.
    services.record_income(venture, amount=9_917_808, received_on=D("2023-06-20"), actor=finance)
    run = services.prepare_run(
        venture,
        period_start=D("2023-01-01"),
        period_end=D("2023-06-30"),
        policy="fixed_return",
        params={"rate": "10%"},
        actor=finance,
    ).run

    assert run.total == 9_917_808
    assert amounts(run) == by_code({FENGSHAN: 7_438_356, XUJIADAI: 2_479_452, SHANTANG: 0})


def test_fixed_return_switches_to_actual_income_after_the_term(
    venture, finance, capital, income_2023
):
    # Five fixed years from 2018-01-01; 2023 shares the actual income by capital (3:1).
    run = prepare(venture, finance, "fixed_return", rate="10%", fixed_years=5).run

    assert run.total == 100_000_000
    assert amounts(run) == by_code({FENGSHAN: 75_000_000, XUJIADAI: 25_000_000, SHANTANG: 0})


def test_fixed_return_inside_the_term_pays_the_fixed_rate(venture, finance, capital, income_2023):
    run = prepare(venture, finance, "fixed_return", rate="10%", fixed_years=6).run

    assert run.total == 20_000_000


def test_fixed_return_refuses_a_period_straddling_the_end_of_the_term(venture, finance, capital):
    before = snapshot()

    with pytest.raises(VentureError, match="straddles"):
        services.prepare_run(
            venture,
            period_start=D("2022-07-01"),
            period_end=D("2023-06-30"),
            policy="fixed_return",
            params={"rate": "10%", "fixed_years": 5},
            actor=finance,
        )

    assert snapshot() == before


def test_fixed_return_takes_no_total(venture, finance, capital):
    with pytest.raises(VentureError, match="owed in full"):
        prepare(venture, finance, "fixed_return", rate="10%", total=100)


def test_shares_and_points_without_households_keeps_each_holders_part(
    venture, finance, income_2023
):
    # No shareholder households in the holder villages: each holder keeps its pro rata part
    # (the households' shares and points: points/tests/test_payouts.py).
    run = prepare(venture, finance, "shares_points", share_ratio="70%").run

    assert amounts(run) == by_code(
        {FENGSHAN: 60_000_000, XUJIADAI: 30_000_000, SHANTANG: 10_000_000}
    )


# --- Preparing: refusals ----------------------------------------------------------------------


def test_an_empty_register_is_refused(venture, finance):
    before = snapshot()

    with pytest.raises(VentureError, match="share register .* is empty on 2023-12-31"):
        prepare(venture, finance, total=100)

    assert snapshot() == before


def test_zero_total_stake_is_refused(venture, finance, tree):
    for code in (FENGSHAN, XUJIADAI):
        services.add_stake(
            venture,
            holder=f"village:{code}",
            units=0,
            effective_from=D("2018-01-01"),
            actor=finance,
        )
    before = snapshot()

    with pytest.raises(VentureError, match="total stake is zero"):
        prepare(venture, finance, total=100)

    assert snapshot() == before


def test_a_zero_stake_gets_zero(venture, finance, register, income_2023, enclave_company):
    services.add_stake(
        venture, holder=enclave_company, units=0, effective_from=D("2018-01-01"), actor=finance
    )

    run = prepare(venture, finance).run

    assert amounts(run)[f"organisation:{enclave_company.pk}"] == 0
    assert run.distributed_amount == 100_000_000


def test_nothing_to_distribute_is_refused(venture, finance, register):
    before = snapshot()

    with pytest.raises(VentureError, match="Nothing to distribute"):
        prepare(venture, finance)

    assert snapshot() == before


def test_a_second_run_for_an_overlapping_period_is_refused(venture, finance, prepared):
    before = snapshot()

    with pytest.raises(VentureError, match=f"Run {prepared.pk} already covers"):
        services.prepare_run(
            venture,
            period_start=D("2023-12-01"),
            period_end=D("2024-01-31"),
            policy="pro_rata",
            params={"total": 1},
            actor=finance,
        )

    assert snapshot() == before


@pytest.mark.parametrize(
    ("policy", "params", "message"),
    [
        ("pro_rata", {"rate": "10%"}, "Unknown parameters"),
        ("pro_rata", {"reserve_rate": 0.15}, "not a float"),
        ("pro_rata", {"reserve_rate": "60%", "welfare_rate": "50%"}, "more than the whole"),
        ("pro_rata", {"reserve_rate": "-1%"}, "cannot be negative"),
        ("pro_rata", {"total": -5}, "more than zero"),
        ("pro_rata", {"source": "cash"}, "Unknown source"),
        ("fixed_return", {}, "needs a rate"),
        ("floor_pro_rata", {}, "exactly one of floor"),
        ("shares_points", {}, "needs share_ratio"),
        ("shares_points", {"share_ratio": "70%", "points": {"village:1": 3}}, "Unknown parameters"),
        ("low_income", {}, "needs low_income_rate"),
        ("lottery", {}, "Unknown distribution policy"),
    ],
)
def test_bad_parameters_are_refused_and_nothing_changes(
    venture, finance, income_2023, policy, params, message
):
    before = snapshot()

    with pytest.raises(VentureError, match=message):
        prepare(venture, finance, policy, **params)

    assert snapshot() == before


@pytest.mark.parametrize("persona", ["approver", "auditor", "clerk"])
def test_only_finance_prepares(venture, income_2023, request, persona):
    user = request.getfixturevalue(persona)
    before = snapshot()

    with pytest.raises(NotAllowed):
        prepare(venture, user)

    assert snapshot() == before


# --- Approving (maker-checker) ----------------------------------------------------------------


def test_the_system_neither_prepares_nor_approves_a_run(venture, income_2023, prepared):
    # Four eyes are two people: the system actor (commands, the demo) takes neither step.
    before = snapshot()

    with pytest.raises(MakerCheckerError):
        services.prepare_run(
            venture,
            period_start=D("2024-01-01"),
            period_end=D("2024-12-31"),
            policy="pro_rata",
            params={"total": 100},
            actor=SYSTEM,
        )
    with pytest.raises(MakerCheckerError):
        services.approve_run(prepared, actor=SYSTEM)

    assert snapshot() == before


def test_the_system_posts_an_approved_run_as_nobody(approved):
    run = services.post_run(approved, actor=SYSTEM, date=D("2024-01-15"))

    assert run.status == RunStatus.POSTED
    assert run.posted_by is None
    assert run.posted_entry.created_by is None
    change = ObjectChange.objects.get(
        content_type__app_label="ledger",
        content_type__model="journalentry",
        object_pk=str(run.posted_entry_id),
    )
    assert (change.changeset.user, change.user_name) == (None, "system")


def test_an_approver_approves_a_run_prepared_by_someone_else(prepared, approver):
    run = services.approve_run(prepared, actor=approver)

    assert run.status == RunStatus.APPROVED
    assert run.approved_by == approver
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED


def test_the_preparer_can_never_approve_their_own_run(prepared, finance, enclave_company):
    # Even holding the approver role as well.
    from accounts.models import Grant

    Grant.objects.create(user=finance, role=Role.APPROVER, organisation=enclave_company)
    before = snapshot()

    with pytest.raises(MakerCheckerError, match="another person must approve"):
        services.approve_run(prepared, actor=finance)

    assert snapshot() == before


def test_a_city_admin_cannot_approve_their_own_run_but_another_admin_can(
    venture, income_2023, admin
):
    run = prepare(venture, admin).run
    with pytest.raises(MakerCheckerError):
        services.approve_run(run, actor=admin)

    second_admin = make_user("admin2", Role.CITY_ADMIN)
    assert services.approve_run(run, actor=second_admin).status == RunStatus.APPROVED


@pytest.mark.parametrize("persona", ["second_finance", "auditor", "clerk", "outside_approver"])
def test_only_approvers_in_scope_approve(prepared, request, persona):
    if persona == "second_finance":
        user = make_user("finance2", Role.FINANCE, organisation=prepared.venture.organisation)
    elif persona == "outside_approver":
        user = make_user("approver2", Role.APPROVER, region_id="330482")  # 平湖, not 青田
    else:
        user = request.getfixturevalue(persona)
    before = snapshot()

    with pytest.raises(NotAllowed):
        services.approve_run(prepared, actor=user)

    assert snapshot() == before


def test_an_approver_of_the_region_approves(prepared):
    user = make_user("qingtian_approver", Role.APPROVER, region_id="331121")

    assert services.approve_run(prepared, actor=user).approved_by == user


def test_approving_twice_is_refused(approved, approver):
    before = snapshot()

    with pytest.raises(RunStateError, match="only a prepared run can be approved"):
        services.approve_run(approved, actor=approver)

    assert snapshot() == before


# --- Posting ----------------------------------------------------------------------------------


def test_posting_writes_one_balanced_entry_to_holders_payables(approved, finance):
    run = services.post_run(approved, actor=finance, date=D("2024-01-15"))

    v = run.venture_id
    entry = run.posted_entry
    assert (run.status, run.posted_on, run.posted_by) == (
        RunStatus.POSTED,
        D("2024-01-15"),
        finance,
    )
    assert (entry.date, entry.idempotency_key, entry.source) == (
        D("2024-01-15"),
        f"distribution-run:{run.pk}",
        f"ventures.distributionrun:{run.pk}",
    )
    assert entry_lines(entry) == [
        ("distribution_payable", f"Venture-{v}-Village-{SHANTANG}", -10_000_000),
        ("distribution_payable", f"Venture-{v}-Village-{XUJIADAI}", -30_000_000),
        ("distribution_payable", f"Venture-{v}-Village-{FENGSHAN}", -60_000_000),
        ("income", f"Venture-{v}", 100_000_000),
    ]
    # The income is distributed: nothing left, then or later.
    assert selectors.undistributed(run.venture, D("2023-12-31")) == 0
    assert selectors.undistributed(run.venture, D("2024-12-31")) == 0


def test_posting_credits_the_reserve_and_welfare_funds(venture, finance, approver, register):
    services.record_income(venture, amount=100_000_001, received_on=D("2023-12-20"), actor=finance)
    run = prepare(venture, finance, reserve_rate="15%", welfare_rate="15%").run
    services.approve_run(run, actor=approver)

    run = services.post_run(run, actor=approver, date=D("2024-01-15"))

    v = venture.pk
    assert entry_lines(run.posted_entry) == [
        ("distribution_payable", f"Venture-{v}-Village-{SHANTANG}", -7_000_000),
        ("distribution_payable", f"Venture-{v}-Village-{XUJIADAI}", -21_000_000),
        ("distribution_payable", f"Venture-{v}-Village-{FENGSHAN}", -42_000_001),
        ("income", f"Venture-{v}", 100_000_001),
        ("reserve", f"Venture-{v}", -15_000_000),
        ("welfare", f"Venture-{v}", -15_000_000),
    ]


def test_zero_amounts_are_not_posted(venture, finance, approver, capital, income_2023):
    run = prepare(venture, finance, "fixed_return", rate="10%").run
    services.approve_run(run, actor=approver)

    run = services.post_run(run, actor=finance, date=D("2024-01-15"))

    assert Posting.objects.filter(entry=run.posted_entry).count() == 3  # source + 2 holders


def test_posting_creates_payable_accounts_once_and_logs_them(approved, finance, venture):
    services.post_run(approved, actor=finance, date=D("2024-01-15"))

    payables = Account.objects.filter(
        kind="distribution_payable", organisation=venture.organisation
    )
    assert payables.count() == 3
    assert (
        ObjectChange.objects.filter(
            content_type__model="account",
            object_pk__in=[str(pk) for pk in payables.values_list("pk", flat=True)],
        ).count()
        == 3
    )


def test_posting_twice_posts_once(approved, finance, approver):
    services.post_run(approved, actor=finance, date=D("2024-01-15"))
    before = snapshot()

    with pytest.raises(RunStateError, match="posted already"):
        services.post_run(approved, actor=approver, date=D("2024-01-16"))

    assert snapshot() == before
    assert (
        JournalEntry.objects.filter(source=f"ventures.distributionrun:{approved.pk}").count() == 1
    )


def test_posting_an_unapproved_run_is_refused(prepared, finance):
    before = snapshot()

    with pytest.raises(RunStateError, match="has not been approved"):
        services.post_run(prepared, actor=finance, date=D("2024-01-15"))

    assert snapshot() == before


def test_posting_before_the_period_ends_is_refused(approved, finance):
    before = snapshot()

    with pytest.raises(VentureError, match="before its period ends"):
        services.post_run(approved, actor=finance, date=D("2023-12-30"))

    assert snapshot() == before


def test_posting_into_a_locked_period_is_refused(approved, finance):
    lock_period(2023, 12, actor=SYSTEM)
    before = snapshot()

    with pytest.raises(LedgerRefused, match="locked"):
        services.post_run(approved, actor=finance, date=D("2023-12-31"))

    assert snapshot() == before
    approved.refresh_from_db()
    assert approved.status == RunStatus.APPROVED


@pytest.mark.parametrize("persona", ["auditor", "clerk"])
def test_auditors_and_clerks_cannot_post(approved, request, persona):
    user = request.getfixturevalue(persona)
    before = snapshot()

    with pytest.raises(NotAllowed):
        services.post_run(approved, actor=user, date=D("2024-01-15"))

    assert snapshot() == before


# --- Publishing -------------------------------------------------------------------------------


def test_publishing_freezes_a_notice_of_payees_and_amounts(posted, finance, venture):
    notice = services.publish_run(
        posted, actor=finance, starts_on=D("2024-01-20"), ends_on=D("2024-01-26")
    )

    posted.refresh_from_db()
    assert posted.status == RunStatus.PUBLISHED
    assert notice.kind == "distribution"
    assert notice.payload == {
        "notice": "distribution",
        "run": posted.pk,
        "venture": "平湖—青田山海协作消薄飞地产业园",
        "operator": "青田强村联合投资发展有限责任公司",
        "currency": "CNY",
        "illustrative": False,
        "period": {"start": "2023-01-01", "end": "2023-12-31"},
        "policy": "pro_rata",
        "params": {},
        "posted_on": "2024-01-15",
        "notice_period": {"from": "2024-01-20", "to": "2024-01-26"},
        "issuer": "青田强村联合投资发展有限责任公司",
        "contact": "青田县强村公司办公室 0578-0000000",
        "totals": {
            "total": 100_000_000,
            "reserve": 0,
            "welfare": 0,
            "distributed": 100_000_000,
            "payees": 3,
        },
        "payees": [
            {
                "holder": f"village:{FENGSHAN}",
                "name": "峰山村",
                "code": FENGSHAN,
                "units": 600,
                "amount": 60_000_000,
            },
            {
                "holder": f"village:{XUJIADAI}",
                "name": "徐家埭村",
                "code": XUJIADAI,
                "units": 300,
                "amount": 30_000_000,
            },
            {
                "holder": f"village:{SHANTANG}",
                "name": "山塘村",
                "code": SHANTANG,
                "units": 100,
                "amount": 10_000_000,
            },
        ],
    }
    expected = hashlib.sha256(
        json.dumps(
            notice.payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode()
    ).hexdigest()
    assert (
        notice.content_hash
        == expected
        == hashlib.sha256(canonical_json(notice.payload)).hexdigest()
    )
    assert notice.is_intact


def test_a_notice_names_no_person(posted, finance, approver):
    notice = services.publish_run(posted, actor=finance)

    text = json.dumps(notice.payload, ensure_ascii=False)
    for user in (finance, approver):
        assert user.username not in text


def test_publishing_twice_or_before_posting_is_refused(posted, prepared, finance):
    services.publish_run(posted, actor=finance)
    before = snapshot()

    with pytest.raises(RunStateError, match="only a posted run can be published"):
        services.publish_run(posted, actor=finance)

    assert snapshot() == before


def test_publishing_an_unposted_run_is_refused(prepared, finance):
    with pytest.raises(RunStateError):
        services.publish_run(prepared, actor=finance)

    assert PublicNotice.objects.count() == 0


# --- Reversing --------------------------------------------------------------------------------


def test_reversing_posts_the_mirror_entry_and_a_reversal_notice(posted, finance, approver):
    services.publish_run(posted, actor=finance)

    run = services.reverse_run(posted, actor=approver, reason="登记册有误", date=D("2024-02-01"))

    assert run.status == RunStatus.REVERSED
    assert (run.reversed_by, run.reversed_on, run.reversal_reason) == (
        approver,
        D("2024-02-01"),
        "登记册有误",
    )
    reversal = run.reversal_entry
    assert reversal.reverses_id == run.posted_entry_id
    original = dict(
        Posting.objects.filter(entry=run.posted_entry).values_list("account_id", "amount")
    )
    mirrored = dict(Posting.objects.filter(entry=reversal).values_list("account_id", "amount"))
    assert mirrored == {account: -amount for account, amount in original.items()}
    notices = list(run.notices.order_by("pk").values_list("kind", flat=True))
    assert notices == ["distribution", "reversal"]
    reversal_notice = run.notices.get(kind="reversal")
    assert (reversal_notice.payload["reason"], reversal_notice.payload["reversed_on"]) == (
        "登记册有误",
        "2024-02-01",
    )
    # The income is back, and the period can be distributed again.
    assert selectors.undistributed(run.venture, D("2024-02-01")) == 100_000_000


def test_after_a_reversal_the_period_can_be_prepared_again(posted, approver, finance, venture):
    services.reverse_run(posted, actor=approver, reason="wrong register", date=D("2024-02-01"))

    again = services.prepare_run(
        venture,
        period_start=D("2023-01-01"),
        period_end=D("2023-12-31"),
        policy="equal",
        params={"total": 300},
        actor=finance,
    ).run

    assert again.distributed_amount == 300


def test_reversing_twice_is_refused(posted, approver):
    services.reverse_run(posted, actor=approver, reason="wrong", date=D("2024-02-01"))
    before = snapshot()

    with pytest.raises(RunStateError, match="reversed already"):
        services.reverse_run(posted, actor=approver, reason="again", date=D("2024-02-02"))

    assert snapshot() == before


def test_reversing_an_unposted_run_is_refused(approved, approver):
    with pytest.raises(RunStateError, match="discard it instead"):
        services.reverse_run(approved, actor=approver, reason="x")


def test_a_reversal_needs_a_reason_and_an_approver(posted, approver, finance):
    before = snapshot()

    with pytest.raises(VentureError, match="Say why"):
        services.reverse_run(posted, actor=approver, reason="  ")
    with pytest.raises(NotAllowed):
        services.reverse_run(posted, actor=finance, reason="mine", date=D("2024-02-01"))

    assert snapshot() == before


def test_a_reversal_dated_before_the_posting_is_refused_by_the_ledger(posted, approver):
    before = snapshot()

    with pytest.raises(LedgerRefused, match="before the entry it reverses"):
        services.reverse_run(posted, actor=approver, reason="x", date=D("2024-01-01"))

    assert snapshot() == before


# --- Discarding -------------------------------------------------------------------------------


def test_a_prepared_run_can_be_discarded_with_its_lines(prepared, finance):
    pk = prepared.pk

    services.discard_run(prepared, actor=finance)

    assert not DistributionRun.objects.filter(pk=pk).exists()
    assert DistributionLine.objects.count() == 0
    assert (
        ObjectChange.objects.filter(content_type__model="distributionline", action="delete").count()
        == 3
    )
    assert (
        ObjectChange.objects.filter(
            content_type__model="distributionrun", object_pk=str(pk), action="delete"
        ).count()
        == 1
    )


def test_a_posted_run_cannot_be_discarded(posted, finance):
    before = snapshot()

    with pytest.raises(RunStateError, match="reversed, not discarded"):
        services.discard_run(posted, actor=finance)

    assert snapshot() == before


# --- Scale: no per-holder queries -------------------------------------------------------------


def _holders(venture, count: int) -> None:
    """`count` villages (in two townships) holding 1..count units, written in bulk."""
    villages = [
        Village(
            code=f"{township}{n:03d}",
            name=f"测试{township}{n}村",
            short_name=f"测试{n}村",
            kind=VillageKind.VILLAGE,
            township_id=township,
            county_id=township[:6],
        )
        for township in ("330482107", "330482106")
        for n in range(300, 300 + count // 2)
    ]
    Village.objects.bulk_create(villages)
    Stake.objects.bulk_create(
        Stake(venture=venture, village=v, units=i + 1, effective_from=D("2018-01-01"))
        for i, v in enumerate(villages)
    )


def _workflow_queries(venture, finance, approver) -> tuple[int, int]:
    services.record_income(venture, amount=123_456_789, received_on=D("2023-12-20"), actor=finance)
    with CaptureQueriesContext(connection) as prepared_queries:
        run = prepare(venture, finance, reserve_rate="10%").run
    services.approve_run(run, actor=approver)
    with CaptureQueriesContext(connection) as posted_queries:
        run = services.post_run(run, actor=finance, date=D("2024-01-15"))
    assert run.distributed_amount + run.reserve_amount == 123_456_789
    assert sum(run.lines.values_list("amount", flat=True)) == run.distributed_amount
    return len(prepared_queries), len(posted_queries)


def test_preparing_and_posting_cost_the_same_queries_for_3_or_1400_holders(
    enclave_company, tree, finance, approver
):
    small = Venture.objects.create(
        name="small", kind="village_company", organisation=enclave_company
    )
    large = Venture.objects.create(
        name="large", kind="village_company", organisation=enclave_company
    )
    for code in (FENGSHAN, XUJIADAI, SHANTANG):
        Stake.objects.create(
            venture=small, village_id=code, units=5, effective_from=D("2018-01-01")
        )
    _holders(large, 1400)

    small_counts = _workflow_queries(small, finance, approver)
    large_counts = _workflow_queries(large, finance, approver)

    assert large.runs.get().holder_count == 1400
    assert large_counts == small_counts
