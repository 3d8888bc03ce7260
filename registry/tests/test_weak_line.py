"""The weak-village line in force: one rule (VillageStat.objects.with_weak_status), which
weak_in, the village page, the village list and analytics all ask."""

import pytest

from registry.choices import ThresholdRule
from registry.models import Village, VillageStat, WeakVillageThreshold

XUJIADAI, SHANTANG, FENGSHAN = "330482107208", "330482106209", "331121201201"


@pytest.fixture
def lines(tree):
    """The province from 2021 (total < 200,000 元); 平湖 2022–2023, two lines at once
    (recurring < 300,000 元, or operating and total both below 1,000,000 元)."""
    WeakVillageThreshold.objects.create(
        name="浙江省", region_id="33", valid_from=2021, total_income_below=200_000_00
    )
    WeakVillageThreshold.objects.create(
        name="平湖市 a",
        region_id="330482",
        valid_from=2022,
        valid_to=2023,
        recurring_income_below=300_000_00,
    )
    WeakVillageThreshold.objects.create(
        name="平湖市 b",
        region_id="330482",
        valid_from=2022,
        valid_to=2023,
        total_income_below=1_000_000_00,
        operating_income_below=1_000_000_00,
        rule=ThresholdRule.ALL,
    )


def _stat(code, year, total, operating=None, recurring=None):
    return VillageStat.objects.create(
        village_id=code,
        year=year,
        total_income=total,
        operating_income=operating,
        recurring_income=recurring,
    )


def test_each_row_is_judged_by_the_most_specific_line_in_force(lines):
    _stat(XUJIADAI, 2020, 100)  # no line yet
    _stat(XUJIADAI, 2021, 150_000_00)  # province: weak
    _stat(XUJIADAI, 2022, 150_000_00, 900_000_00, 400_000_00)  # 平湖 b: both below → weak
    _stat(XUJIADAI, 2023, 150_000_00, 1_500_000_00, 400_000_00)  # 平湖 overrides: not weak
    _stat(XUJIADAI, 2024, 150_000_00)  # 平湖's lines lapsed: the province's again → weak
    _stat(FENGSHAN, 2023, 150_000_00, None, None)  # outside 平湖: the province's line → weak

    judged = VillageStat.objects.with_weak_status()
    status = dict(judged.filter(village_id=XUJIADAI).values_list("year", "is_weak"))

    assert status == {2020: None, 2021: True, 2022: True, 2023: False, 2024: True}
    assert VillageStat.objects.with_weak_status().get(village_id=FENGSHAN).is_weak is True


def test_a_missing_figure_never_makes_a_village_weak(lines):
    _stat(SHANTANG, 2022, 150_000_00, None, None)  # 平湖 a and b need figures it lacks

    assert VillageStat.objects.with_weak_status().get().is_weak is False
    assert not VillageStat.objects.weak_in(2022).exists()


def test_weak_in_and_the_village_querysets_agree_with_the_status(lines):
    for year in (2021, 2022, 2023):
        _stat(XUJIADAI, year, 150_000_00, 1_500_000_00, 400_000_00 if year != 2022 else 1)
        _stat(SHANTANG, year, 5_000_000_00, 2_000_000_00, 2_000_000_00)

    for year in (2021, 2022, 2023):
        judged = dict(
            VillageStat.objects.with_weak_status(years=[year]).values_list("village_id", "is_weak")
        )
        weak = {code for code, is_weak in judged.items() if is_weak}
        assert set(VillageStat.objects.weak_in(year).values_list("village_id", flat=True)) == weak
        assert set(Village.objects.weak_in(year).values_list("code", flat=True)) == weak
        assert set(Village.objects.not_weak_in(year).values_list("code", flat=True)) == (
            set(judged) - weak
        )


def test_years_and_under_narrow_the_rows(lines):
    _stat(XUJIADAI, 2021, 150_000_00)
    _stat(XUJIADAI, 2022, 150_000_00)
    _stat(FENGSHAN, 2022, 150_000_00)

    rows = VillageStat.objects.with_weak_status(years=[2022], under="330482")

    assert list(rows.values_list("village_id", "year", "is_weak")) == [(XUJIADAI, 2022, False)]


def test_without_lines_nobody_is_weak(tree, django_assert_num_queries):
    _stat(XUJIADAI, 2022, 1)

    assert VillageStat.objects.with_weak_status().get().is_weak is None
    with django_assert_num_queries(1):  # the thresholds; no rows to look at then
        assert list(VillageStat.objects.weak_in(2022)) == []


# --- the weak margin: the same lines read as "how much may the figures fall" -----------------


@pytest.mark.parametrize(
    ("code", "year", "figures", "margin"),
    [
        # Province only: total − 200,000.
        (FENGSHAN, 2022, (250_000_00, None, None), 50_000_00),
        (FENGSHAN, 2022, (150_000_00, None, None), -50_000_00),
        # 平湖 2022: line a (recurring − 300,000) or line b (the greater of total − 1M and
        # operating − 1M: both must be below); the least of the two lines.
        (XUJIADAI, 2022, (1_500_000_00, 900_000_00, 700_000_00), 400_000_00),
        (XUJIADAI, 2022, (1_500_000_00, 1_200_000_00, 2_000_000_00), 500_000_00),
        # Recurring missing: line a never judges; operating missing: line b never judges.
        (XUJIADAI, 2022, (1_500_000_00, 1_200_000_00, None), 500_000_00),
        (XUJIADAI, 2022, (100_000_00, None, None), None),
        # No line in force (2020): no margin.
        (FENGSHAN, 2020, (100_000_00, None, None), None),
    ],
)
def test_the_weak_margin_reads_the_same_lines(lines, code, year, figures, margin):
    _stat(code, year, *figures)
    row = VillageStat.objects.with_weak_margin(years=[year]).values("is_weak", "weak_margin").get()
    if margin is None:
        assert row["weak_margin"] is None or row["weak_margin"] >= 10**17
    else:
        assert row["weak_margin"] == margin
    if row["is_weak"] is not None:
        # The same rule: weak exactly when the margin is below zero …
        assert row["is_weak"] == (row["weak_margin"] < 0)
        # … and weak after every figure falls by r exactly when r > margin.
        if row["weak_margin"] < 10**17:
            m = row["weak_margin"]
            for r, weak in ((m, False), (m + 1, True)):
                VillageStat.objects.filter(village_id=code, year=year).update(
                    **{
                        f: v - r
                        for f, v in zip(
                            ("total_income", "operating_income", "recurring_income"),
                            figures, strict=True,
                        )
                        if v is not None
                    }
                )
                status = VillageStat.objects.with_weak_status(years=[year]).get().is_weak
                assert status is weak
                VillageStat.objects.filter(village_id=code, year=year).update(
                    **{
                        f: v
                        for f, v in zip(
                            ("total_income", "operating_income", "recurring_income"),
                            figures, strict=True,
                        )
                        if v is not None
                    }
                )
