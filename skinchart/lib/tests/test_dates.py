from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skinchart.lib.dates import age_on, is_adult_on


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (dt.date(2008, 11, 26), dt.date(2026, 11, 25), 17),  # the day before the 18th birthday
        (dt.date(2008, 11, 26), dt.date(2026, 11, 26), 18),  # the 18th birthday
        (dt.date(2008, 2, 29), dt.date(2026, 2, 28), 17),  # leap-day birth, common year
        (dt.date(2008, 2, 29), dt.date(2026, 3, 1), 18),  # … turns 18 on 1 March
        (dt.date(2008, 2, 29), dt.date(2028, 2, 29), 20),  # … and on 29 February in leap years
        (dt.date(1990, 1, 1), dt.date(1990, 1, 1), 0),
    ],
)
def test_age_on_a_given_date(birth: dt.date, on: dt.date, age: int) -> None:
    assert age_on(birth, on) == age


def test_age_is_undefined_before_birth() -> None:
    with pytest.raises(ValueError):
        age_on(dt.date(2000, 1, 2), dt.date(2000, 1, 1))


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2010, 12, 31)), st.integers(0, 40_000))
def test_adulthood_agrees_with_age(birth: dt.date, days: int) -> None:
    on = birth + dt.timedelta(days=days)
    assert is_adult_on(birth, on) == (age_on(birth, on) >= 18)
