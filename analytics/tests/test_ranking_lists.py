"""The dashboard's village ranking of 11–19 villages lists each village once (top and
bottom, and in the workbook), and tied villages share a competition rank there and on the
village page."""

import io

import openpyxl
import pytest

from analytics import reports, selectors
from analytics.tests.conftest import add_stats
from registry.choices import VillageKind
from registry.models import Village

pytestmark = pytest.mark.usefixtures("empty_cache")


# The ranking of 11–19 villages lists each once; ties share a competition rank.


@pytest.fixture
def fifteen(tree):
    for i in range(15):
        code = f"330482107{300 + i:03d}"
        Village.objects.create(
            code=code,
            name=f"测试{i}村村民委员会",
            short_name=f"测试{i}村",
            kind=VillageKind.VILLAGE,
            township_id="330482107",
            county_id="330482",
        )
        # two villages tie at the top, two tie further down
        add_stats(code, 2022, {0: 1_000_000, 1: 1_000_000, 7: 600_000}.get(i, 500_000 + i))
    return "330482107"


def test_a_village_is_listed_once_in_the_top_and_bottom(fifteen):
    ranking = selectors.indicators("330482", 2022, detail=True)["detail"]["ranking"]
    codes = [row["code"] for row in ranking["top"] + ranking["bottom"]]
    assert len(codes) == len(set(codes)) == 15
    assert len(ranking["top"]) == 10
    assert len(ranking["bottom"]) == 5

    data = selectors.indicators("330482", 2022, detail=True)
    book = openpyxl.load_workbook(io.BytesIO(reports.workbook(data, selectors.trend("330482"))))
    sheet = book[reports.sheet_names()["ranking"]]
    listed = [sheet.cell(row=r, column=2).value for r in range(4, sheet.max_row + 1)]
    assert len(listed) == len(set(listed)) == 15


def test_tied_villages_share_a_competition_rank_on_the_dashboard_and_village_page(fifteen):
    ranking = selectors.indicators("330482", 2022, detail=True)["detail"]["ranking"]
    rows = ranking["top"] + ranking["bottom"][::-1]
    assert [row["rank"] for row in rows[:3]] == [1, 1, 3]
    for row in rows:
        peers = selectors.peers(row["code"], "330482107", "330482", 2022)
        assert peers["county"]["rank"] == row["rank"], row["code"]
