"""Citizen ID numbers (GB 11643-1999) and phone numbers: checking and masking. Pure code.

An 18-character ID number is 6 digits of the issuing region, 8 of the birth date, 3 of a
sequence (odd for men, even for women) and a check character computed with ISO 7064
MOD 11-2 (weights 2^(17-i) mod 11; the remainder maps to "10X98765432").
"""

from __future__ import annotations

import datetime as dt
import operator
import re

__all__ = [
    "PROVINCES",
    "IdNumberError",
    "check_digit",
    "gender_of",
    "mask_id",
    "mask_name",
    "mask_phone",
    "normalise_id",
    "normalise_phone",
    "validate_id",
]

_CHINA = dt.timezone(dt.timedelta(hours=8))
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK = "10X98765432"
# The province-level codes of GB/T 2260 (71 台湾, 81 香港, 82 澳门 included).
PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)
_ID = re.compile(r"[0-9]{17}[0-9X]")
_PHONE = re.compile(r"1[3-9][0-9]{9}")


class IdNumberError(ValueError):
    """An ID number that GB 11643 refuses; the message says which part is wrong."""


def normalise_id(text: str) -> str:
    """Upper-case, without spaces (people type a lower-case x and spaces)."""
    return re.sub(r"\s+", "", str(text)).upper()


def check_digit(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError("the check digit is of 17 characters")
    return _CHECK[sum(map(operator.mul, map(int, first17), _WEIGHTS)) % 11]


def validate_id(text: str, *, today: dt.date | None = None) -> str:
    """The normalised ID number, or IdNumberError naming what is wrong."""
    number = normalise_id(text)
    if len(number) != 18:
        raise IdNumberError(f"an ID number has 18 characters, not {len(number)}")
    if not _ID.fullmatch(number):
        raise IdNumberError("an ID number is 17 digits and a digit or X")
    if number[:2] not in PROVINCES:
        raise IdNumberError(f"no province has the code {number[:2]}")
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(f"{number[6:14]} is not a date of birth") from None
    today = today or dt.datetime.now(_CHINA).date()
    if born > today or born.year < 1880:
        raise IdNumberError(f"{born.isoformat()} is not a possible date of birth")
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise IdNumberError(f"the check character should be {expected}, not {number[17]}")
    return number


def gender_of(number: str) -> str:
    """'M' or 'F' from the sequence digit (odd for men)."""
    return "M" if int(number[16]) % 2 else "F"


def normalise_phone(text: str) -> str:
    """Digits only, without a +86 / 0086 prefix; a mobile number must be 11 digits."""
    digits = re.sub(r"[\s\-()]", "", str(text))
    digits = re.sub(r"^(\+86|0086)", "", digits)
    if not digits.isdigit():
        raise ValueError("a phone number is digits only")
    if len(digits) == 11 and not _PHONE.fullmatch(digits):
        raise ValueError("a mobile number starts 13-19")
    if not 7 <= len(digits) <= 12:
        raise ValueError("a phone number has 7 to 12 digits")
    return digits


def mask_id(number: str) -> str:
    """330482********1234: the region and the last four, nothing of the birth date."""
    return number[:6] + "*" * (len(number) - 10) + number[-4:] if len(number) > 10 else "****"


def mask_phone(number: str) -> str:
    """138****5678."""
    return number[:3] + "*" * (len(number) - 7) + number[-4:] if len(number) > 7 else "****"


def mask_name(name: str) -> str:
    """徐*妹 (first and last character kept; a two-character name keeps the first)."""
    name = str(name)
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
