from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from skinchart.lib.cpr import century_for, mask_cpr_in_text, parse_cpr


@pytest.mark.parametrize(
    ("text", "birth"),
    [
        ("150685-1234", dt.date(1985, 6, 15)),  # 7th digit 1: 1900s
        ("1506851234", dt.date(1985, 6, 15)),
        ("150685 1234", dt.date(1985, 6, 15)),
        ("010136-4000", dt.date(2036, 1, 1)),  # 4 with 00–36: 2000s
        ("010137-4000", dt.date(1937, 1, 1)),  # 4 with 37–99: 1900s
        ("010157-5000", dt.date(2057, 1, 1)),  # 5–8 with 00–57: 2000s
        ("010158-8000", dt.date(1858, 1, 1)),  # 5–8 with 58–99: 1800s
        ("010199-9000", dt.date(1999, 1, 1)),  # 9 with 37–99: 1900s
        ("290200-4000", dt.date(2000, 2, 29)),  # leap day in a leap year
        ("010190-1235", dt.date(1990, 1, 1)),  # no modulus-11 check since 2007
    ],
)
def test_it_reads_the_birth_date_and_century(text: str, birth: dt.date) -> None:
    assert parse_cpr(text).birth_date == birth


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("310285-1234", "cpr_date"),  # 31 February
        ("290201-4000", "cpr_date"),  # 29 February 2001
        ("001385-1234", "cpr_date"),
        ("15068-1234", "cpr_format"),
        ("150685-12345", "cpr_format"),
        ("15o685-1234", "cpr_format"),
        ("", "cpr_format"),
    ],
)
def test_it_rejects_impossible_numbers_with_a_reason(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_cpr(text)
    assert error.value.code == code


def test_it_rejects_a_birth_date_in_the_future() -> None:
    with pytest.raises(ValidationError) as error:
        parse_cpr("010150-5000", today=dt.date(2026, 11, 26))  # 2050
    assert error.value.code == "cpr_future"


def test_str_and_repr_never_show_the_full_number() -> None:
    cpr = parse_cpr("150685-1234")
    assert "1234" not in str(cpr)
    assert "1234" not in repr(cpr)
    assert cpr.formatted == "150685-1234"


def test_cpr_shaped_numbers_are_masked_in_text() -> None:
    assert mask_cpr_in_text("search 150685-1234 and 1506851234") == "search 150685-xxxx and 150685-xxxx"


@given(st.integers(0, 9), st.integers(0, 99))
def test_every_seventh_digit_and_year_has_exactly_one_century(seventh: int, yy: int) -> None:
    assert century_for(seventh, yy) in (1800, 1900, 2000)


@given(st.dates(min_value=dt.date(1858, 1, 1), max_value=dt.date(2036, 12, 31)), st.integers(0, 999))
def test_a_number_built_from_a_birth_date_reads_back_as_that_date(birth: dt.date, serial: int) -> None:
    seventh = 4 if birth.year >= 2000 else (5 if birth.year < 1900 else 0)
    text = f"{birth:%d%m}{birth.year % 100:02d}-{seventh}{serial:03d}"
    assert parse_cpr(text).birth_date == birth
