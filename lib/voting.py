"""Voting and quorum rules for meetings: pure functions, no Django.

A decision passes under a rule given the votes and two head counts: the members present
(`present`: attended in person or by a delegate) and the members of the group on the
meeting day (`members`). Abstentions count as present, so under the "of present" rules an
abstention weighs like a vote against; under the "of votes cast" rule it does not count.
All comparisons are on integers (no float thresholds), so two thirds is exactly two thirds.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "DecisionRule",
    "QuorumRule",
    "Result",
    "Tally",
    "outcome",
    "passes",
    "quorum_met",
    "quorum_needed",
    "votes_needed",
]


class DecisionRule(StrEnum):
    SIMPLE_CAST = "simple_cast"  # more for than against among the votes cast
    SIMPLE_PRESENT = "simple_present"  # more than half of the members present
    TWO_THIRDS_PRESENT = "two_thirds_present"  # at least two thirds of the members present
    MAJORITY_MEMBERS = "majority_members"  # more than half of all members


class QuorumRule(StrEnum):
    NONE = "none"  # any attendance is enough
    MAJORITY = "majority"  # more than half of the members present
    TWO_THIRDS = "two_thirds"  # at least two thirds of the members present


class Result(StrEnum):
    PASSED = "passed"
    REJECTED = "rejected"
    NO_QUORUM = "no_quorum"


@dataclass(frozen=True)
class Tally:
    for_: int = 0
    against: int = 0
    abstain: int = 0

    def __post_init__(self):
        if min(self.for_, self.against, self.abstain) < 0:
            raise ValueError("vote counts cannot be negative")

    @property
    def cast(self) -> int:
        return self.for_ + self.against + self.abstain


def _check_counts(tally: Tally, present: int, members: int) -> None:
    if present < 0 or members < 0:
        raise ValueError("head counts cannot be negative")
    if present > members:
        raise ValueError(f"{present} present but only {members} members")
    if tally.cast > present:
        raise ValueError(f"{tally.cast} votes from {present} members present")


def quorum_needed(rule: QuorumRule | str, members: int) -> int:
    """The fewest members present that make a quorum."""
    rule = QuorumRule(rule)
    if rule is QuorumRule.NONE:
        return 0
    if rule is QuorumRule.MAJORITY:
        return members // 2 + 1
    return max(1, -(-2 * members // 3))  # ceil(2m/3); a group of nobody has no quorum


def quorum_met(rule: QuorumRule | str, present: int, members: int) -> bool:
    if present > members:
        raise ValueError(f"{present} present but only {members} members")
    return present >= quorum_needed(rule, members)


def votes_needed(rule: DecisionRule | str, present: int, members: int, against: int = 0) -> int:
    """The fewest votes for that pass (for SIMPLE_CAST: given `against` votes against)."""
    rule = DecisionRule(rule)
    if rule is DecisionRule.SIMPLE_CAST:
        return against + 1
    if rule is DecisionRule.SIMPLE_PRESENT:
        return present // 2 + 1
    if rule is DecisionRule.TWO_THIRDS_PRESENT:
        return max(1, -(-2 * present // 3))
    return members // 2 + 1


def passes(rule: DecisionRule | str, tally: Tally, present: int, members: int) -> bool:
    """Whether the votes pass under `rule` (quorum is judged separately: `outcome`)."""
    _check_counts(tally, present, members)
    return tally.for_ >= votes_needed(rule, present, members, tally.against)


def outcome(
    rule: DecisionRule | str,
    quorum: QuorumRule | str,
    tally: Tally,
    present: int,
    members: int,
) -> Result:
    """The result of a closed decision: no quorum, else passed or rejected."""
    _check_counts(tally, present, members)
    if not quorum_met(quorum, present, members):
        return Result.NO_QUORUM
    return Result.PASSED if passes(rule, tally, present, members) else Result.REJECTED
