from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skinchart.lib.dates import age_on, is_adult_on, reflection_ends_at


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


COPENHAGEN = zoneinfo.ZoneInfo("Europe/Copenhagen")


def local(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=COPENHAGEN)


@pytest.mark.parametrize(
    ("informed", "earliest"),
    [
        (local(2026, 11, 20, 12, 0), local(2026, 11, 22, 12, 0)),  # an ordinary week
        (local(2026, 10, 23, 12, 0), local(2026, 10, 25, 12, 0)),  # across the autumn change: 49 h elapsed
        (local(2026, 3, 27, 12, 0), local(2026, 3, 29, 13, 0)),  # across the spring change: 48 h elapsed
    ],
)
def test_the_reflection_period_ends_no_earlier_than_either_reading_of_48_hours(
    informed: dt.datetime, earliest: dt.datetime
) -> None:
    ends = reflection_ends_at(informed, 48)
    assert ends == earliest
    assert ends - informed.astimezone(dt.UTC) >= dt.timedelta(hours=48)
    assert earliest - dt.timedelta(minutes=1) < ends  # 47:59 (or the hour before it) is too early


def test_the_reflection_period_boundary_is_exact_to_the_minute() -> None:
    informed = local(2026, 11, 20, 9, 30)
    ends = reflection_ends_at(informed, 48)
    assert informed + dt.timedelta(hours=47, minutes=59) < ends
    assert informed + dt.timedelta(hours=48) == ends


@settings(max_examples=50)
@given(
    # Naive bounds: hypothesis draws wall-clock times, which the test places in Copenhagen.
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2090, 12, 31)),  # noqa: DTZ001
    st.integers(min_value=0, max_value=24 * 30),
)
def test_the_reflection_period_is_never_shorter_than_its_hours(start: dt.datetime, hours: int) -> None:
    informed = start.replace(tzinfo=COPENHAGEN)
    assert reflection_ends_at(informed, hours) - informed.astimezone(dt.UTC) >= dt.timedelta(hours=hours)
