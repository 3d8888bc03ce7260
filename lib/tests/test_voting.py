"""lib/voting.py and lib/recurrence.py: exact cases and properties (hypothesis)."""

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.recurrence import add_months, occurrences
from lib.voting import (
    DecisionRule,
    QuorumRule,
    Result,
    Tally,
    outcome,
    passes,
    quorum_met,
    quorum_needed,
    votes_needed,
)


@st.composite
def meetings(draw):
    """(tally, present, members) with votes only from members present."""
    members = draw(st.integers(min_value=0, max_value=60))
    present = draw(st.integers(min_value=0, max_value=members))
    for_ = draw(st.integers(min_value=0, max_value=present))
    against = draw(st.integers(min_value=0, max_value=present - for_))
    abstain = draw(st.integers(min_value=0, max_value=present - for_ - against))
    return Tally(for_, against, abstain), present, members


@pytest.mark.parametrize(
    ("rule", "tally", "present", "members", "expected"),
    [
        ("simple_present", Tally(8, 7, 0), 15, 16, True),
        ("simple_present", Tally(7, 1, 7), 15, 16, False),  # abstentions weigh against
        ("simple_cast", Tally(7, 1, 7), 15, 16, True),  # …but not among votes cast
        ("simple_cast", Tally(4, 4, 0), 8, 16, False),  # a tie fails
        ("two_thirds_present", Tally(10, 5, 0), 15, 16, True),  # exactly 2/3
        ("two_thirds_present", Tally(9, 6, 0), 15, 16, False),
        ("two_thirds_present", Tally(8, 4, 0), 12, 16, True),
        ("majority_members", Tally(8, 0, 0), 8, 16, False),  # half of 16 is not a majority
        ("majority_members", Tally(9, 0, 0), 10, 16, True),
    ],
)
def test_rules_on_exact_cases(rule, tally, present, members, expected):
    assert passes(rule, tally, present, members) is expected


@pytest.mark.parametrize(
    ("rule", "members", "needed"),
    [
        ("none", 16, 0),
        ("majority", 16, 9),
        ("majority", 15, 8),
        ("two_thirds", 16, 11),
        ("two_thirds", 15, 10),
        ("majority", 0, 1),
    ],
)
def test_quorum_needed(rule, members, needed):
    assert quorum_needed(rule, members) == needed


def test_outcome_without_quorum_is_no_quorum_whatever_the_votes():
    assert outcome("simple_present", "majority", Tally(8, 0, 0), 8, 16) is Result.NO_QUORUM
    assert outcome("simple_present", "majority", Tally(9, 0, 0), 9, 16) is Result.PASSED
    assert outcome("simple_present", "majority", Tally(4, 5, 0), 9, 16) is Result.REJECTED


@pytest.mark.parametrize(
    ("tally", "present", "members"),
    [(Tally(5, 0, 0), 4, 16), (Tally(1, 1, 1), 2, 16), (Tally(), 17, 16), (Tally(), -1, 3)],
)
def test_impossible_counts_are_refused(tally, present, members):
    with pytest.raises(ValueError):
        passes("simple_present", tally, present, members)


def test_negative_votes_and_unknown_rules_are_refused():
    with pytest.raises(ValueError):
        Tally(-1, 0, 0)
    with pytest.raises(ValueError):
        votes_needed("unanimity", 3, 3)


@given(meetings(), st.sampled_from(list(DecisionRule)))
def test_votes_needed_is_the_exact_threshold(case, rule):
    tally, present, members = case
    needed = votes_needed(rule, present, members, tally.against)
    assert passes(rule, tally, present, members) is (tally.for_ >= needed)


@given(meetings())
def test_the_rules_match_their_rational_definitions(case):
    tally, present, members = case
    assert passes("simple_present", tally, present, members) is (tally.for_ > Fraction(present, 2))
    assert passes("two_thirds_present", tally, present, members) is (
        tally.for_ >= Fraction(2 * present, 3) and tally.for_ > 0
    )
    assert passes("majority_members", tally, present, members) is (
        tally.for_ > Fraction(members, 2)
    )
    assert passes("simple_cast", tally, present, members) is (tally.for_ > tally.against)


@given(meetings())
def test_stricter_rules_imply_weaker_ones(case):
    tally, present, members = case
    if passes("two_thirds_present", tally, present, members):
        assert passes("simple_present", tally, present, members)
    if passes("simple_present", tally, present, members):
        assert passes("simple_cast", tally, present, members)
    if passes("majority_members", tally, present, members):
        assert passes("simple_present", tally, present, members)


@given(meetings(), st.sampled_from(list(DecisionRule)))
def test_turning_a_vote_into_for_never_loses(case, rule):
    tally, present, members = case
    if tally.against:
        better = Tally(tally.for_ + 1, tally.against - 1, tally.abstain)
        assert passes(rule, better, present, members) >= passes(rule, tally, present, members)
    if tally.abstain:
        better = Tally(tally.for_ + 1, tally.against, tally.abstain - 1)
        assert passes(rule, better, present, members) >= passes(rule, tally, present, members)


@given(st.integers(min_value=0, max_value=200), st.sampled_from(list(QuorumRule)))
def test_quorum_is_monotone_in_attendance(members, rule):
    met = [quorum_met(rule, present, members) for present in range(members + 1)]
    assert met == sorted(met)  # once met, more attendance keeps it met
    if rule != QuorumRule.NONE:
        assert quorum_met(rule, members, members) is (members > 0)


# ---------------------------------------------------------------------------------------------
# recurrence


def test_quarterly_occurrences_of_2022():
    assert occurrences(date(2022, 3, 25), 3, date(2022, 12, 31)) == [
        date(2022, 3, 25),
        date(2022, 6, 25),
        date(2022, 9, 25),
        date(2022, 12, 25),
    ]


def test_month_end_is_clamped_but_not_lost():
    assert occurrences(date(2022, 1, 31), 1, date(2022, 4, 30)) == [
        date(2022, 1, 31),
        date(2022, 2, 28),
        date(2022, 3, 31),
        date(2022, 4, 30),
    ]
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_a_series_must_recur():
    with pytest.raises(ValueError):
        occurrences(date(2022, 1, 1), 0, date(2022, 12, 31))


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)),
    st.integers(min_value=1, max_value=24),
    st.integers(min_value=0, max_value=3000),
)
def test_occurrences_are_increasing_within_bounds(first, every, span):
    until = date.fromordinal(first.toordinal() + span)
    days = occurrences(first, every, until)
    assert days[0] == first
    assert all(a < b for a, b in zip(days, days[1:], strict=False))
    assert days[-1] <= until < add_months(first, len(days) * every)
    assert all(d.day <= first.day for d in days)
