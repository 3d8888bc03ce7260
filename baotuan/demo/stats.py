"""Illustrative (示例) statistics for 平湖, 青田, 文成 and 龙泉, 2018–2022, generated deterministically.

Each village's series comes from its own RNG seeded by its code, so the numbers do not depend
on load order. Levels are chosen to be plausible, not to be facts: 平湖's villages are rich
(嘉兴: every village ≥ 1.2 million yuan recurring income in 2021), 青田's are mountain
villages near the weak-village lines. Facts replace generated values where FACTS.md has them.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import numpy as np

from baotuan.demo import facts
from registry.models import Village

HEADERS = [
    "统计用区划代码",
    "村名",
    "年度",
    "集体经济总收入（元）",
    "经营性收入（元）",
    "经常性收入（元）",
    "户籍人口（人）",
    "户数（户）",
    "农村居民人均可支配收入（元）",
    "示例",
]

# (median total income 2018, spread, yearly growth, operating share range,
#  per-capita disposable income 2018, its growth)
PROFILES = {
    facts.PINGHU: (3_000_000, 0.45, 0.08, (0.55, 0.80), 36_500, 0.075),
    facts.QINGTIAN: (180_000, 0.70, 0.14, (0.20, 0.60), 22_500, 0.09),
    # The other two mountain counties with a Pinghu enclave park (the programme page).
    facts.WENCHENG: (200_000, 0.65, 0.13, (0.20, 0.60), 23_000, 0.09),
    facts.LONGQUAN: (220_000, 0.65, 0.12, (0.25, 0.60), 24_000, 0.09),
}


def _yuan(value: float) -> str:
    return str(Decimal(round(value * 100)) / 100)


def village_series(code: str, county: str) -> list[dict[str, str]]:
    """Five years of statistics for one village, as template rows (money in yuan)."""
    median, spread, growth, op_share, per_capita, pc_growth = PROFILES[county]
    rng = np.random.default_rng(int(code))
    total = median * float(rng.lognormal(0.0, spread))
    if code == facts.VILLAGES["徐家埭村"]:
        total, growth = 2_000_000.0, 0.50  # "collective income growing over 50% a year"
    elif code == facts.VILLAGES["峰山村"]:
        # Anchored on the fact (300,000 yuan a year before the aid), then growing with the
        # homestays and farm restaurants Pinghu's aid paid for.
        total, growth = float(facts.FENGSHAN_INCOME_BEFORE_AID_YUAN), 0.18
    operating_share = float(rng.uniform(*op_share))
    population = int(rng.integers(600, 4200 if county == facts.PINGHU else 2600))
    households = max(1, round(population / float(rng.uniform(2.6, 3.2))))
    pc = per_capita * float(rng.uniform(0.9, 1.1))
    rows = []
    for i, year in enumerate(facts.STATS_YEARS):
        year_total = total * (1 + growth + float(rng.normal(0, 0.04))) ** i
        operating = year_total * min(0.95, operating_share + 0.02 * i)
        recurring = min(year_total, operating + year_total * float(rng.uniform(0.05, 0.2)))
        rows.append(
            {
                "统计用区划代码": code,
                "年度": str(year),
                "集体经济总收入（元）": _yuan(year_total),
                "经营性收入（元）": _yuan(operating),
                "经常性收入（元）": _yuan(recurring),
                "户籍人口（人）": str(population + 7 * i),
                "户数（户）": str(households + 2 * i),
                "农村居民人均可支配收入（元）": _yuan(pc * (1 + pc_growth) ** i),
                "示例": "是",
            }
        )
    if code == facts.VILLAGES["峰山村"]:
        # The fact: 300,000 yuan a year before Pinghu's aid. Only that figure is known.
        rows[0] = {
            "统计用区划代码": code,
            "年度": str(facts.STATS_YEARS[0]),
            "集体经济总收入（元）": str(facts.FENGSHAN_INCOME_BEFORE_AID_YUAN),
            "示例": "否",
        }
    return rows


def write_demo_stats(path: Path) -> int:
    """Write the demo statistics file (the import template's format); returns its row count."""
    villages = Village.objects.filter(county_id__in=list(PROFILES)).values_list(
        "code", "short_name", "county_id"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=HEADERS)
        writer.writeheader()
        for code, name, county in villages.iterator():
            for row in village_series(code, county):
                writer.writerow({**row, "村名": name})
                count += 1
    return count
