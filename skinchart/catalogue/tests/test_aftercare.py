"""The aftercare timeline's dates: elapsed hours, local calendar days and months,
and the DST change (issue 7 acceptance: a session ending the day before the change)."""

from __future__ import annotations

import datetime as dt
import tomllib
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from skinchart.catalogue.aftercare import after, aftercare_plan
from skinchart.catalogue.definition import TreatmentDefinition, parse_definition

COPENHAGEN = zoneinfo.ZoneInfo("Europe/Copenhagen")


def local(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=COPENHAGEN)


def shipped() -> TreatmentDefinition:
    path = Path(settings.CATALOGUE_DIR) / "treatments" / "mesotherapy.toml"
    return parse_definition(tomllib.loads(path.read_text(encoding="utf-8")))


def ends(plan: object, key: str) -> dt.datetime | None:
    item = next(a for a in plan.advice if a.key == key)  # type: ignore[attr-defined]
    return item.ends_at


def test_a_session_ending_the_day_before_the_autumn_change() -> None:
    # The clocks go back at 03:00 on Sunday 25.10.2026; the session ends Saturday 14:30.
    plan = aftercare_plan(shipped(), ended_at=local(2026, 10, 24, 14, 30))
    assert ends(plan, "no_makeup") == local(2026, 10, 25, 13, 30)  # 24 elapsed hours: 13:30 after the change
    assert ends(plan, "no_direct_sun") == local(2026, 10, 31, 14, 30)  # 7 calendar days: same clock time
    assert ends(plan, "no_retinol_aha_peels") == local(2026, 11, 7, 14, 30)
    assert ends(plan, "spf30") == local(2026, 11, 24, 14, 30)  # one calendar month


def test_a_session_ending_the_day_before_the_spring_change() -> None:
    plan = aftercare_plan(shipped(), ended_at=local(2026, 3, 28, 14, 30))
    assert ends(plan, "no_makeup") == local(2026, 3, 29, 15, 30)
    assert ends(plan, "no_direct_sun") == local(2026, 4, 4, 14, 30)


def test_months_end_on_the_last_day_of_a_shorter_month() -> None:
    assert after(local(2027, 1, 31, 10, 0), "1mo") == local(2027, 2, 28, 10, 0)


def test_advice_without_an_end_starts_after_its_delay() -> None:
    plan = aftercare_plan(shipped(), ended_at=local(2026, 11, 26, 9, 0))
    cleanser = next(a for a in plan.advice if a.key == "mild_cleanser_moisturiser")
    assert (cleanser.starts_at, cleanser.ends_at) == (local(2026, 11, 27, 9, 0), None)
    peeling = next(r for r in plan.reactions if r.key == "peeling")
    assert (peeling.usually_gone_from, peeling.usually_gone_by) == (local(2026, 11, 29, 9, 0), local(2026, 12, 1, 9, 0))
    assert plan.warning_signs
    assert plan.when_to_call


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        after(dt.datetime(2026, 11, 26, 9, 0), "24h")  # noqa: DTZ001 — the case under test


@hypothesis_settings(max_examples=50)
@given(
    # Naive bounds: hypothesis draws wall-clock times, which the test places in Copenhagen.
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2090, 12, 31)),  # noqa: DTZ001
    st.integers(min_value=1, max_value=60),
)
def test_calendar_days_keep_the_clock_time(start: dt.datetime, days: int) -> None:
    ended = start.replace(tzinfo=COPENHAGEN, second=0, microsecond=0)
    ended = ended.astimezone(dt.UTC).astimezone(COPENHAGEN)  # a real local time (none in the spring gap)
    result = after(ended, f"{days}d").astimezone(COPENHAGEN)
    assert result.date() == ended.date() + dt.timedelta(days=days)
    # The same clock time, except when that time does not exist that day (the spring gap).
    assert abs((result.hour * 60 + result.minute) - (ended.hour * 60 + ended.minute)) in (0, 60)
    assert result > ended
