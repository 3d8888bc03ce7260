"""Indicators over several provinces and the whole country (region 00): every figure from
the same exact fen as a province's, the provinces as the country's children."""

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import translation

from analytics import selectors
from analytics.tests.conftest import YUAN, add_stats
from lib import inequality
from registry.choices import RegionLevel, VillageKind
from registry.models import Region, Village

SHANDONG = [
    ("37", "山东省", RegionLevel.PROVINCE, None),
    ("3701", "济南市", RegionLevel.CITY, "37"),
    ("370102", "历下区", RegionLevel.COUNTY, "3701"),
    ("370102001", "解放路街道", RegionLevel.TOWNSHIP, "370102"),
    ("370112", "历城区", RegionLevel.COUNTY, "3701"),
    ("370112101", "唐王街道", RegionLevel.TOWNSHIP, "370112"),
]


@pytest.fixture
def nation(stats):
    """The Zhejiang villages of `stats` and four Shandong villages in two counties."""
    for code, name, level, parent in SHANDONG:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    incomes = {
        "370102001001": 5_000_000,
        "370102001002": 10,
        "370112101201": 750_000,
        "370112101202": 1_250_001,
    }
    for code in incomes:
        Village.objects.create(
            code=code,
            name=f"{code}村民委员会",
            short_name=f"{code[-3:]}村",
            kind=VillageKind.VILLAGE,
            township_id=code[:9],
            county_id=code[:6],
        )
    for code, total in incomes.items():
        add_stats(code, 2022, total)
        add_stats(code, 2021, total - 1)
    return incomes


def expected_totals(prefix):
    from registry.models import VillageStat

    return np.array(
        VillageStat.objects.filter(year=2022, village__code__startswith=prefix)
        .order_by("village_id")
        .values_list("total_income", flat=True),
        dtype=np.int64,
    )


@pytest.mark.django_db
def test_the_country_counts_every_province_exactly(nation):
    with translation.override("en"):
        data = selectors.indicators(selectors.NATION, 2022, detail=True)
    totals = expected_totals("")

    assert data["region"] == {"code": "00", "name": "China", "level": 0}
    assert data["villages"] == totals.size == Village.objects.count()
    assert data["coverage"] == {"reported": totals.size, "expected": Village.objects.count()}
    assert data["total_income"]["sum"] == int(totals.sum())  # exact integer fen
    assert data["total_income"]["max"] == 5_000_000 * YUAN == int(totals.max())
    assert data["gini"] == round(float(inequality.gini_exact(totals)), 6)
    children = data["detail"]["children"]
    assert [(row["code"], row["name"], row["villages"]) for row in children["rows"]] == [
        ("33", "浙江省", totals.size - 4),
        ("37", "山东省", 4),
    ]
    assert data["detail"]["ranking"]["top"][0]["code"] == "370102001001"
    assert data["detail"]["ranking"]["top"][0]["name"] == "001村"
    counties = {row["code"] for row in data["by_county"]["top_groups"]}
    assert {"330482", "331121", "370102", "370112"} <= counties


@pytest.mark.django_db
def test_a_province_reads_only_its_own_villages(nation):
    shandong = selectors.indicators("37", 2022, detail=True)
    zhejiang = selectors.indicators("33", 2022)

    assert shandong["villages"] == 4
    assert shandong["total_income"]["sum"] == sum(nation.values()) * YUAN
    assert shandong["total_income"]["min"] == 10 * YUAN
    assert [row["code"] for row in shandong["detail"]["children"]["rows"]] == ["3701"]
    assert (
        zhejiang["villages"] + shandong["villages"] == selectors.indicators("00", 2022)["villages"]
    )
    assert zhejiang["total_income"]["sum"] == int(expected_totals("33").sum())
    assert shandong["growth"]["villages_previous_year"] == 4
    # A county next to a province's code range (3701 < 37011… < 3702): no leak across.
    assert selectors.indicators("370102", 2022)["villages"] == 2


@pytest.mark.django_db
def test_the_command_prints_the_country(nation):
    out = StringIO()
    call_command("indicators", "--region", "00", "--year", "2022", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["villages"] == Village.objects.count()
    assert data["total_income"]["sum"] == int(expected_totals("").sum())


@pytest.mark.django_db
def test_the_api_answers_for_the_country(nation, client_for, clerk):
    response = client_for(clerk).get("/api/v1/indicators/", {"region": "00"})
    assert response.status_code == 200, response.content
    assert response.json()["villages"] == Village.objects.count()


@pytest.mark.django_db
def test_the_country_dashboard_lists_the_provinces(nation, client_for, clerk):
    from django.urls import reverse

    response = client_for(clerk).get(reverse("analytics:region", args=["00", 2022]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "浙江省" in page
    assert "山东省" in page
    assert "<h2>省份</h2>" in page


@pytest.mark.django_db
def test_the_picker_opens_the_country_at_its_latest_year(nation, client_for, clerk):
    response = client_for(clerk).get("/analytics/", {"region": "00"})
    assert response.status_code == 302
    assert response["Location"] == "/analytics/region/00/2022/"
