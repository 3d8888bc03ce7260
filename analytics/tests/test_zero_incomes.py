"""A year where every income is zero: undefined measures are None ("—"), never an error,
on the indicators, the showcase, the dashboard, its printable page and its workbook."""

import io

import openpyxl
import pytest
from django.urls import reverse

from analytics import selectors
from analytics.tests.conftest import INCOMES, add_stats
from analytics.tests.rankings_setup import get

pytestmark = pytest.mark.usefixtures("empty_cache")


@pytest.fixture
def zero_2023(stats):
    for code in INCOMES:
        add_stats(code, 2023, 0)


def test_indicators_of_a_year_with_all_incomes_zero(zero_2023):
    data = selectors.indicators("330482", 2023, detail=True)

    assert data["villages"] == 4
    assert data["gini"] is None
    assert data["theil_t"] is None
    assert set(data["ratios"].values()) == {None}
    assert data["total_income"]["p10"] == data["total_income"]["p90"] == 0
    assert data["by_township"]["between"] is None
    assert {row["villages"] for row in data["by_township"]["top_groups"]} == {2}
    assert data["detail"]["children"]["within"] is None
    assert set(data["detail"]["lorenz"]["without"]) == {None}
    assert data["growth"]["median"] == -1.0
    trend = {row["year"]: row for row in selectors.trend("330482")}
    assert trend[2023]["gini"] is None


def test_the_showcase_and_dashboards_show_dashes_for_a_zero_year(client_for, zero_2023, admin):
    page = get(client_for(None), reverse("showcase:index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "平湖市 · 2023 年" in html
    assert 'stat-value">—<' in html  # the Gini

    c = client_for(admin)
    dashboard = c.get(reverse("analytics:region", args=["330482", 2023]))
    assert dashboard.status_code == 200  # not a misleading 404
    assert 'data-testid="gini">—<' in dashboard.content.decode()
    assert c.get(reverse("analytics:region_print", args=["330482", 2023])).status_code == 200
    report = c.get(reverse("analytics:region_report", args=["330482", 2023]))
    assert report.status_code == 200
    openpyxl.load_workbook(io.BytesIO(report.content))
