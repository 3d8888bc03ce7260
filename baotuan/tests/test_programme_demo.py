"""The demo's enclave programme (baotuan.demo.programme) on a reduced registry: 平湖, 青田,
文成 and 龙泉. The 青田 park is paired in 山区26县 and the 文成 and 龙泉 parks (示例) pay
their holders through the ledger, so the programme page has figures; a second load adds
nothing."""

import pytest

from analytics import programme
from baotuan.demo import facts, registry
from baotuan.demo import ventures as demo
from baotuan.demo.stats import write_demo_stats
from core.actors import SYSTEM
from ledger.models import JournalEntry
from ledger.selectors import check_ledger
from registry.services.divisions import load_divisions
from registry.services.groups import load_region_groups
from registry.services.stats_io import import_stats
from ventures.models import Venture

YUAN = 100


@pytest.fixture
def loaded(db, tmp_path):
    load_divisions(
        areas=[facts.PINGHU, facts.QINGTIAN, facts.WENCHENG, facts.LONGQUAN, facts.JINSHAN],
        actor=SYSTEM,
    )
    load_region_groups(actor=SYSTEM)
    registry.load_organisations()
    path = tmp_path / "stats.csv"
    write_demo_stats(path)
    assert not import_stats(path, actor=SYSTEM).errors
    registry.load_users()
    demo.load()


def test_the_programme_has_three_parks_and_their_returns(loaded):
    data = programme.programme(facts.PROGRAMME_GROUP)
    parks = {p["name"]: (p["site_county"], p["owner_county"]) for p in data["parks"]}
    assert parks == {
        facts.ENCLAVE_FACTS["venture"]: ("平湖市", "青田县"),
        "平湖—文成山海协作消薄飞地产业园（示例）": ("平湖市", "文成县"),
        "平湖—龙泉山海协作消薄飞地产业园（示例）": ("平湖市", "龙泉市"),
    }
    assert data["years"] == [2020, 2021, 2022]
    rows = {row["code"]: row["paid"] for row in data["by_county"]}
    assert rows[facts.QINGTIAN] == [16_200_000 * YUAN, 16_200_000 * YUAN, 0]
    assert rows[facts.WENCHENG] == [0, 3_000_000 * YUAN, 3_000_000 * YUAN]
    assert rows[facts.LONGQUAN] == [0, 4_000_000 * YUAN, 4_000_000 * YUAN]
    assert data["total"] == (32_400_000 + 6_000_000 + 8_000_000) * YUAN
    assert data["is_illustrative"]
    assert data["villages"] > 0
    assert check_ledger() == []


def test_a_second_load_adds_nothing(loaded):
    entries = JournalEntry.objects.count()
    demo.load()
    assert JournalEntry.objects.count() == entries
    assert Venture.objects.filter(programme_id=facts.PROGRAMME_GROUP).count() == 3
