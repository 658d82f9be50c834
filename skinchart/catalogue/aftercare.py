"""A definition's aftercare applied to a session's end: each rule with its concrete
start and end in the clinic's time zone ("until Thursday 14:30: no makeup"), and the
normal reactions with the window they usually pass in (PRODUCT.md §2 steps 8–9).

Pure: the session (issue 7) calls it at signing and journals the result. Durations are
read as the definition says: hours are elapsed time; days, weeks and months are steps
on the local calendar, so "7d" from 14:30 ends at 14:30 local time seven days later,
also across a DST change.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from skinchart.catalogue.definition import DURATION, TreatmentDefinition


def after(moment: dt.datetime, duration: str) -> dt.datetime:
    """`moment` plus a definition duration ("24h", "7d", "2w", "1mo"), as an aware UTC time."""
    if timezone.is_naive(moment):
        raise ValueError("aftercare times need an aware datetime")
    match = DURATION.match(duration)
    if match is None:
        raise ValueError(f"not a duration: {duration!r}")
    amount, unit = int(match.group(1)), match.group(2)
    if unit == "h":
        return moment.astimezone(dt.UTC) + dt.timedelta(hours=amount)
    local = timezone.localtime(moment)
    if unit in ("d", "w"):
        day = local.date() + dt.timedelta(days=amount * (7 if unit == "w" else 1))
    else:
        months = local.month - 1 + amount
        year, month = local.year + months // 12, months % 12 + 1
        day = dt.date(year, month, min(local.day, calendar.monthrange(year, month)[1]))
    wall = dt.datetime.combine(day, local.time().replace(tzinfo=None))
    return timezone.make_aware(wall, timezone.get_current_timezone()).astimezone(dt.UTC)


@dataclass(frozen=True)
class AdviceItem:
    key: str
    kind: str  # "avoid" or "do"
    text: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None


@dataclass(frozen=True)
class ReactionItem:
    key: str
    text: str
    usually_gone_from: dt.datetime
    usually_gone_by: dt.datetime


@dataclass(frozen=True)
class AftercarePlan:
    session_ended_at: dt.datetime
    advice: tuple[AdviceItem, ...]
    reactions: tuple[ReactionItem, ...]
    warning_signs: tuple[str, ...]
    when_to_call: str
    practical_advice: tuple[str, ...]


def aftercare_plan(definition: TreatmentDefinition, *, ended_at: dt.datetime, language: str = "da") -> AftercarePlan:
    """The aftercare of `definition` for a session that ended at `ended_at`."""
    care = definition.aftercare
    advice = tuple(
        AdviceItem(
            key=rule.key,
            kind=str(rule.kind),
            text=rule.text.get(language),
            starts_at=after(ended_at, rule.starts_after),
            ends_at=after(ended_at, rule.ends_after) if rule.ends_after else None,
        )
        for rule in care.rules
    )
    reactions = tuple(
        ReactionItem(
            key=reaction.key,
            text=reaction.text.get(language),
            usually_gone_from=after(ended_at, reaction.usually_gone_after[0]),
            usually_gone_by=after(ended_at, reaction.usually_gone_after[-1]),
        )
        for reaction in care.normal_reactions
    )
    return AftercarePlan(
        session_ended_at=ended_at.astimezone(dt.UTC),
        advice=advice,
        reactions=reactions,
        warning_signs=tuple(sign.text.get(language) for sign in care.warning_signs),
        when_to_call=care.when_to_call.get(language),
        practical_advice=tuple(item.get(language) for item in care.practical_advice),
    )
