"""A measure a village did not report is missing for that measure only (issue: the demo's
峰山村 has no operating income for 2018, and the indicators of its county, city and province
failed with "values[232] is NaN"). Its total income still counts; the operating-income figures
stand on the villages that reported it, and say so."""

import io

import openpyxl
import pytest
from django.urls import reverse

from analytics import selectors
from analytics.tests.conftest import INCOMES, add_stats
from registry.models import VillageStat

pytestmark = pytest.mark.usefixtures("empty_cache")


@pytest.fixture
def one_without_operating_income(stats):
    for code, (_y2021, y2022) in INCOMES.items():
        add_stats(code, 2023, y2022)
    VillageStat.objects.filter(village_id="330482107201", year=2023).update(operating_income=None)


def test_the_indicators_leave_the_missing_measure_out_and_state_its_coverage(
    one_without_operating_income,
):
    data = selectors.indicators("330482", 2023, detail=True)

    assert data["villages"] == 4
    assert data["total_income"]["reported"] == data["total_income"]["expected"] == 4
    assert data["operating_income"]["reported"] == 3
    assert data["operating_income"]["expected"] == 4
    # The operating figures are those of the three villages that reported it (half of total).
    assert data["operating_income"]["sum"] == (800_000 + 2_000_000 + 4_000_000) * 100 // 2
    assert data["gini"] is not None  # the total income of all four still counts
    rows = {row["code"]: row for row in data["detail"]["ranking"]["top"]}
    assert rows["330482107201"]["operating_income"] is None
    assert rows["330482107201"]["total_income"] == 1_200_000 * 100


def test_a_measure_nobody_reported_has_no_figures(one_without_operating_income):
    VillageStat.objects.filter(year=2023).update(operating_income=None)

    data = selectors.indicators("330482", 2023)

    assert data["operating_income"]["reported"] == 0
    assert data["operating_income"]["median"] is None
    assert data["total_income"]["median"] is not None


def test_the_pages_and_workbook_show_it(client_for, admin, one_without_operating_income):
    c = client_for(admin)
    assert c.get(reverse("analytics:region", args=["330482", 2023])).status_code == 200
    assert c.get(reverse("analytics:region_print", args=["330482", 2023])).status_code == 200
    report = c.get(reverse("analytics:region_report", args=["330482", 2023]))
    assert report.status_code == 200
    openpyxl.load_workbook(io.BytesIO(report.content))
    api = c.get("/api/v1/indicators/", {"region": "330482", "year": 2023})
    assert api.status_code == 200
    assert api.json()["operating_income"]["reported"] == 3
