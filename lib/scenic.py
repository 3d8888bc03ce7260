"""The Zhejiang A-level scenic-village assessment (景区村庄), as data, and the grade it gives.

The one place for the sheet: its parts and their maxima (500 points), the bonus (at most
15) and the thresholds (AAA ≥ 450, AA ≥ 375, A ≥ 300). Pure code: the tourism app stores
an assessment's scores and asks `problems` and `grade_for`; the pages print `SHEET`.
Source: 浙江省 A 级景区村庄服务与管理指南 scoring sheet (practice.md, 景区村庄).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

__all__ = [
    "BONUS_MAX",
    "GRADES",
    "SHEET",
    "SHEET_TOTAL",
    "Part",
    "Problem",
    "grade_for",
    "problems",
    "reaches",
    "total",
]


class Part(NamedTuple):
    key: str
    label: str  # the sheet's own heading (Chinese: the sheet is a Zhejiang document)
    maximum: int


SHEET: tuple[Part, ...] = (
    Part("transport", "交通", 80),
    Part("sanitation", "环境卫生", 90),
    Part("facilities", "基础设施与服务", 120),
    Part("activities", "特色活动", 100),
    Part("management", "综合管理", 80),
    Part("satisfaction", "游客满意度", 30),
)
SHEET_TOTAL = sum(part.maximum for part in SHEET)  # 500
BONUS_MAX = 15
# Grades from the highest down: the first whose threshold the total reaches.
GRADES: tuple[tuple[str, int], ...] = (("AAA", 450), ("AA", 375), ("A", 300))
RANK = {"": 0, "A": 1, "AA": 2, "AAA": 3}

assert SHEET_TOTAL == 500


class Problem(NamedTuple):
    """A score that breaks the sheet: the part's key ("bonus" for the bonus), the score and
    the most it may be."""

    key: str
    score: int
    maximum: int


def problems(scores: Mapping[str, int], bonus: int = 0) -> list[Problem]:
    """Scores outside 0..maximum (a missing part counts as 0), in the sheet's order."""
    found = []
    for part in SHEET:
        score = scores.get(part.key, 0)
        if score < 0 or score > part.maximum:
            found.append(Problem(part.key, score, part.maximum))
    if bonus < 0 or bonus > BONUS_MAX:
        found.append(Problem("bonus", bonus, BONUS_MAX))
    return found


def total(scores: Mapping[str, int], bonus: int = 0) -> int:
    """The assessment's total: the parts plus the bonus."""
    return sum(scores.get(part.key, 0) for part in SHEET) + bonus


def grade_for(scores: Mapping[str, int], bonus: int = 0) -> str:
    """The grade the scores reach ("AAA", "AA", "A"), or "" below A. Raises ValueError for
    scores the sheet does not allow (`problems`)."""
    if problems(scores, bonus):
        raise ValueError("scores outside the sheet's maxima")
    points = total(scores, bonus)
    for grade, threshold in GRADES:
        if points >= threshold:
            return grade
    return ""


def reaches(grade: str, claimed: str) -> bool:
    """Whether a derived grade is at least the claimed one."""
    return RANK[grade] >= RANK[claimed]
