"""Returns by year and holder statements: computed from posted lines and recorded money."""

import io

import openpyxl
import pytest
from django.utils import translation

from tests.support import D
from ventures import services
from ventures.reports import (
    holder_statement,
    params_display,
    policy_label,
    statement_xlsx,
    venture_returns,
)
from ventures.tests.support import FENGSHAN, SHANTANG, XUJIADAI


@pytest.fixture
def two_years(venture, finance, approver, register):
    """2022: 500,000 yuan income, 10% reserve, posted. 2023: 1,000,000, posted then a 2023
    correction run reversed. 峰山村 contributed 1,500,000 cash in 2018 and 200,000 land
    quota in 2022."""
    services.record_contribution(
        venture,
        holder=f"village:{FENGSHAN}",
        kind="cash",
        amount=150_000_000,
        contributed_on=D("2018-01-10"),
        actor=finance,
    )
    services.record_contribution(
        venture,
        holder=f"village:{FENGSHAN}",
        kind="land_quota",
        amount=20_000_000,
        contributed_on=D("2022-03-01"),
        actor=finance,
    )
    runs = []
    for year, income, params in (
        (2022, 50_000_000, {"reserve_rate": "10%"}),
        (2023, 100_000_000, {}),
    ):
        services.record_income(
            venture, amount=income, received_on=D(f"{year}-12-20"), actor=finance
        )
        run = services.prepare_run(
            venture,
            period_start=D(f"{year}-01-01"),
            period_end=D(f"{year}-12-31"),
            policy="pro_rata",
            params=params,
            actor=finance,
        ).run
        services.approve_run(run, actor=approver)
        runs.append(services.post_run(run, actor=finance, date=D(f"{year + 1}-01-15")))
    services.reverse_run(runs[1], actor=approver, reason="wrong register", date=D("2024-02-01"))
    fixed = services.prepare_run(
        venture,
        period_start=D("2023-01-01"),
        period_end=D("2023-12-31"),
        policy="equal",
        params={"total": 99_000_000},
        actor=finance,
    ).run
    services.approve_run(fixed, actor=approver)
    runs.append(services.post_run(fixed, actor=finance, date=D("2024-02-02")))
    return runs


def test_venture_returns_by_year_count_posted_runs_only(venture, two_years):
    returns = venture_returns(venture)

    assert returns.years == [2022, 2023]
    assert returns.income == [50_000_000, 100_000_000]
    assert returns.reserve == [5_000_000, 0]
    assert returns.distributed == [45_000_000, 99_000_000]
    assert returns.cumulative == [45_000_000, 144_000_000]
    assert returns.total_distributed == 144_000_000


def test_venture_returns_rank_the_top_holders(venture, two_years):
    top = venture_returns(venture).top_holders

    assert [(h["key"], h["total"], h["yearly"], h["cumulative"]) for h in top] == [
        (
            f"village:{FENGSHAN}",
            27_000_000 + 33_000_000,
            [27_000_000, 33_000_000],
            [27_000_000, 60_000_000],
        ),
        (
            f"village:{XUJIADAI}",
            13_500_000 + 33_000_000,
            [13_500_000, 33_000_000],
            [13_500_000, 46_500_000],
        ),
        (
            f"village:{SHANTANG}",
            4_500_000 + 33_000_000,
            [4_500_000, 33_000_000],
            [4_500_000, 37_500_000],
        ),
    ]
    assert [h["name"] for h in top] == ["峰山村", "徐家埭村", "山塘村"]


def test_a_holder_statement_shows_contributions_and_returns_by_year(venture, two_years, fengshan):
    statement = holder_statement(venture, fengshan)

    assert statement.key == f"village:{FENGSHAN}"
    assert statement.total_contributed == 170_000_000
    assert statement.contributed_by_kind == {
        "cash": 150_000_000,
        "land_quota": 20_000_000,
        "subsidy_equity": 0,
    }
    assert [(r.run.pk, r.amount, r.net) for r in statement.returns] == [
        (two_years[0].pk, 27_000_000, 27_000_000),
        (two_years[1].pk, 60_000_000, 0),
        (two_years[2].pk, 33_000_000, 33_000_000),
    ]
    assert statement.total_returned == 60_000_000
    assert [(y.year, y.contributed_total, y.returned) for y in statement.years] == [
        (2018, 150_000_000, 0),
        (2022, 20_000_000, 27_000_000),
        (2023, 0, 33_000_000),
    ]


def test_a_statement_leaves_out_runs_not_yet_posted(venture, finance, prepared, fengshan):
    assert holder_statement(venture, fengshan).returns == []


def test_the_statement_xlsx_adds_up_like_the_page(venture, two_years, fengshan):
    with translation.override("en"):
        data = statement_xlsx(holder_statement(venture, fengshan))

    book = openpyxl.load_workbook(io.BytesIO(data))

    summary = book.worksheets[0]
    rows = [[cell.value for cell in row] for row in summary.iter_rows(min_row=4)]
    assert rows == [
        [2018, 1_500_000, 0, 0, 1_500_000, 0],
        [2022, 0, 200_000, 0, 200_000, 270_000],
        [2023, 0, 0, 0, 0, 330_000],
        ["Total", 1_500_000, 200_000, 0, 1_700_000, 600_000],
    ]
    detail = book.worksheets[1]
    assert detail.max_row == 1 + 2 + 3


@translation.override("en")
def test_params_are_shown_by_label_in_percent_and_yuan():
    """No parameter's internal name or value code reaches the page (issue 10, item 12)."""
    assert params_display(
        {
            "rate": "0.1",
            "reserve_rate": "15%",
            "total": 12_345,
            "points": {"a": 1},
            "fixed_years": 5,
            "source": "income",
        },
        "fixed_return",
    ) == [
        ("Fixed-return years", "5"),
        ("Points per holder", "1 holders"),
        ("Fixed return a year (%)", "10%"),
        ("Reserve fund 公积公益金 (%)", "15%"),
        ("Source", "Undistributed income"),
        ("Amount to distribute (yuan)", "123.45"),
    ]
    assert policy_label("fixed_return") == "Fixed return on capital (包租固定回报)"
