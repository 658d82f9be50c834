"""Dates and ages as the clinic's rules need them."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone


def birthday_in(birth_date: dt.date, year: int) -> dt.date:
    """The birthday in `year`. A 29 February birthday falls on 1 March in common
    years: the later of the two readings, so an age limit is never reached early."""
    try:
        return birth_date.replace(year=year)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 3, 1)


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Completed years of age on the date `on` (the treatment date, not today)."""
    if on < birth_date:
        raise ValueError("the date is before the date of birth")
    years = on.year - birth_date.year
    if on < birthday_in(birth_date, on.year):
        years -= 1
    return years


def is_adult_on(birth_date: dt.date, on: dt.date, *, adult_age: int = 18) -> bool:
    return on >= birthday_in(birth_date, birth_date.year + adult_age)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later; 29 February becomes 1 March (never earlier)."""
    return birthday_in(day, day.year + years)


def start_of_local_day(day: dt.date, *, days_later: int = 0) -> dt.datetime | None:
    """Midnight of `day` (plus `days_later`) in the clinic's time zone, as an aware
    datetime; None when that lies outside what a datetime holds (years 1 and 9999)."""
    try:
        local = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=days_later), dt.time()))
        return local.astimezone(dt.UTC)  # the database stores UTC: overflows show here
    except OverflowError:
        return None


def local_today() -> dt.date:
    """Today in the clinic's time zone (Europe/Copenhagen by default)."""
    return timezone.localdate()


def format_date(day: dt.date | None) -> str:
    """A date as people in Denmark write it (26.11.2026), in either language."""
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day is not None else ""


def format_local_datetime(moment: dt.datetime) -> str:
    """A moment as the clinic reads it: 25.10.2026 12:00, in its time zone (Europe/Copenhagen)."""
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")


def reflection_ends_at(start: dt.datetime, hours: int) -> dt.datetime:
    """The end of a reflection period of `hours` from `start`, DST-safe and on the safe
    side: the later of `hours` of elapsed time and the same local clock time that many
    hours on the calendar (Europe/Copenhagen by default). Across the autumn change the
    calendar end is an hour later than the elapsed one, across the spring change the
    elapsed end is; either way neither reading of "48 hours" is cut short (REG-3)."""
    if timezone.is_naive(start):
        raise ValueError("reflection_ends_at needs an aware datetime")
    # Python adds to an aware datetime on its wall clock, so elapsed time is counted in UTC.
    elapsed = start.astimezone(dt.UTC) + dt.timedelta(hours=hours)
    local = timezone.localtime(start)
    wall = dt.datetime.combine(local.date() + dt.timedelta(days=hours // 24), local.time()) + dt.timedelta(
        hours=hours % 24
    )
    calendar = timezone.make_aware(wall, timezone.get_current_timezone()).astimezone(dt.UTC)
    return max(elapsed, calendar)
