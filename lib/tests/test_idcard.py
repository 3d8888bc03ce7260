import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.idcard import (
    IdNumberError,
    check_digit,
    gender_of,
    mask_id,
    mask_name,
    mask_phone,
    normalise_phone,
    validate_id,
)

TODAY = dt.date(2026, 12, 3)


def test_a_published_example_checks():
    # GB 11643's worked example: 11010519491231002 → X.
    assert check_digit("11010519491231002") == "X"
    assert validate_id("11010519491231002x", today=TODAY) == "11010519491231002X"
    assert gender_of("11010519491231002X") == "F"


@pytest.mark.parametrize(
    ("number", "part"),
    [
        ("1101051949123100", "18 characters"),
        ("11010519491231002A", "17 digits"),
        ("99010519491231002X", "province"),
        ("110105194902300023", "date of birth"),
        ("110105203001010023", "possible date"),
        ("110105194912310021", "check character"),
    ],
)
def test_each_broken_part_is_named(number, part):
    with pytest.raises(IdNumberError, match=part):
        validate_id(number, today=TODAY)


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    st.integers(min_value=0, max_value=999),
    st.sampled_from(["330482", "310116", "110105"]),
)
def test_any_number_with_its_check_character_validates_and_one_digit_off_never(born, seq, region):
    first = f"{region}{born:%Y%m%d}{seq:03d}"
    number = first + check_digit(first)
    assert validate_id(number, today=TODAY) == number
    for wrong in set("0123456789X") - {number[-1]}:
        with pytest.raises(IdNumberError, match="check character"):
            validate_id(first + wrong, today=TODAY)


def test_masks_keep_nothing_of_the_birth_date():
    assert mask_id("33048219700101001X") == "330482********001X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("徐全妹") == "徐*妹"
    assert mask_name("张三") == "张*"


def test_phones_are_normalised_and_checked():
    assert normalise_phone("+86 138-1234-5678") == "13812345678"
    with pytest.raises(ValueError):
        normalise_phone("12812345678")
    with pytest.raises(ValueError):
        normalise_phone("phone")
