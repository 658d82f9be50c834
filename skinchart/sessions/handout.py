"""The client's aftercare after a signed session, as a printable handout (PDF) and as
calendar entries (.ics): every rule with its real local date and time ("until Sunday
25.10.2026 at 13:30: don't wear makeup"), what is normal and for how long, the warning
signs and whom to call, practical advice and the course (PRODUCT.md §2 steps 8–11).

The times are read from the aftercare stored on the session at signing (the source of
truth: what the client was given), the texts from the session's definition version in
the language asked for. Everything is shown in the clinic's time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from icalendar import TRANSP, Calendar, Event

from skinchart.accounts.models import Site
from skinchart.lib.pdf import html_to_pdf
from skinchart.sessions.models import TreatmentSession
from skinchart.sessions.progress import Window, maintenance_window, next_session_window, plan_progress

LANGUAGES = ("da", "en")
NEXT_SESSION_EVENT_TIME = dt.time(9, 0)  # the window-opens entry: a morning, not an all-day event
TEMPLATE = "sessions/aftercare_handout.html"


def handout_language(language: str | None) -> str:
    return "en" if (language or "").startswith("en") else "da"


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, timezone.get_default_timezone())


def day_text(day: dt.date) -> str:
    """'lørdag 31.10.2026' / 'Saturday 31.10.2026' in the active language."""
    return pgettext("weekday and date", "%(weekday)s %(date)s") % {
        "weekday": date_format(day, "l"),
        "date": date_format(day, "SHORT_DATE_FORMAT"),
    }


def moment_text(moment: dt.datetime) -> str:
    """'lørdag 31.10.2026 kl. 14:30' / 'Saturday 31.10.2026 at 14:30', local time."""
    when = local(moment)
    return pgettext("weekday, date and time", "%(weekday)s %(date)s at %(time)s") % {
        "weekday": date_format(when, "l"),
        "date": date_format(when, "SHORT_DATE_FORMAT"),
        "time": date_format(when, "H:i"),
    }


@dataclass(frozen=True)
class AdviceLine:
    key: str
    kind: str  # "avoid" or "do"
    text: str
    starts_at: dt.datetime  # local
    ends_at: dt.datetime | None  # local; None: no end
    starts_later: bool  # not at once when the session ended
    when: str  # "Until lørdag 31.10.2026 kl. 14:30", "From …", "From … until …"

    @property
    def sentence(self) -> str:
        return pgettext("aftercare rule", "%(when)s: %(text)s") % {"when": self.when, "text": self.text}


@dataclass(frozen=True)
class TimelineGroup:
    when: str
    items: tuple[AdviceLine, ...]


@dataclass(frozen=True)
class ReactionLine:
    key: str
    text: str
    gone_from: dt.datetime  # local
    gone_by: dt.datetime  # local
    window: str  # "Usually gone between … and …"


@dataclass(frozen=True)
class NextSession:
    """The next key date of the course after this session: the next session's window,
    or maintenance after the last session."""

    maintenance: bool
    number: int | None
    window: Window
    booked_at: dt.datetime | None  # local
    text: str


@dataclass(frozen=True)
class Handout:
    language: str
    session: TreatmentSession
    client_name: str
    site: Site
    phone: str
    treatment: str
    session_number: int
    sessions_total: int
    performer: str
    ended_at: dt.datetime  # local
    session_when: str
    advice: tuple[AdviceLine, ...]
    timeline: tuple[TimelineGroup, ...]
    reactions: tuple[ReactionLine, ...]
    warning_signs: tuple[str, ...]
    when_to_call: str
    call_line: str
    practical_advice: tuple[str, ...]
    course_notes: tuple[str, ...]
    next_session: NextSession | None


def _moment(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        raise ValueError("the stored aftercare has a time without a time zone")
    return local(moment)


def _advice(session: TreatmentSession, ended_at: dt.datetime, language: str) -> tuple[AdviceLine, ...]:
    texts = {rule.key: rule.text.get(language) for rule in session.definition.aftercare.rules}
    lines = []
    for item in session.aftercare.get("advice", []):
        starts_at = _moment(item["starts_at"])
        ends_at = _moment(item["ends_at"]) if item.get("ends_at") else None
        starts_later = starts_at > ended_at
        if starts_later and ends_at is not None:
            when = _("From %(start)s until %(end)s") % {"start": moment_text(starts_at), "end": moment_text(ends_at)}
        elif starts_later:
            when = _("From %(start)s") % {"start": moment_text(starts_at)}
        elif ends_at is not None:
            when = _("Until %(end)s") % {"end": moment_text(ends_at)}
        else:
            when = _("From now on")
        lines.append(
            AdviceLine(
                key=item["key"],
                kind=item["kind"],
                text=texts.get(item["key"], item["key"]),
                starts_at=starts_at,
                ends_at=ends_at,
                starts_later=starts_later,
                when=when,
            )
        )
    return tuple(lines)


def _timeline(advice: tuple[AdviceLine, ...]) -> tuple[TimelineGroup, ...]:
    """The rules in the order the client meets them: each "until" at its end, each
    "from" at its start; rules with the same wording of time share one heading."""

    def order(line: AdviceLine) -> tuple[dt.datetime, int]:
        if line.starts_later or line.ends_at is None:
            return (line.starts_at, 1)
        return (line.ends_at, 0)

    groups: dict[str, list[AdviceLine]] = {}
    for line in sorted(advice, key=order):  # sorted() is stable: the definition's order within a time
        groups.setdefault(line.when, []).append(line)
    return tuple(TimelineGroup(when=when, items=tuple(items)) for when, items in groups.items())


def _reactions(session: TreatmentSession, language: str) -> tuple[ReactionLine, ...]:
    texts = {reaction.key: reaction.text.get(language) for reaction in session.definition.aftercare.normal_reactions}
    lines = []
    for item in session.aftercare.get("reactions", []):
        gone_from = _moment(item["usually_gone_from"])
        gone_by = _moment(item["usually_gone_by"])
        if gone_from == gone_by:
            window = _("Usually gone by %(by)s") % {"by": moment_text(gone_by)}
        else:
            window = _("Usually gone between %(from)s and %(by)s") % {
                "from": moment_text(gone_from),
                "by": moment_text(gone_by),
            }
        lines.append(
            ReactionLine(
                key=item["key"],
                text=texts.get(item["key"], item["key"]),
                gone_from=gone_from,
                gone_by=gone_by,
                window=window,
            )
        )
    return tuple(lines)


def _next_session(session: TreatmentSession, ended_at: dt.datetime) -> NextSession | None:
    """What comes after this session, if it is the plan's latest signed one (an older
    session's handout does not promise a window the course has moved past)."""
    plan = session.plan
    progress = plan_progress(plan)
    last = progress.last_signed
    if last is None or last.pk != session.pk:
        return None
    day = ended_at.date()
    if progress.complete:
        window = maintenance_window(plan, day)
        if window is None:
            return None
        text = _("Maintenance is recommended between %(earliest)s and %(latest)s.") % {
            "earliest": day_text(window.earliest),
            "latest": day_text(window.latest),
        }
        return NextSession(maintenance=True, number=None, window=window, booked_at=None, text=text)
    if progress.next_number is None:  # the plan was withdrawn
        return None
    window = next_session_window(plan, day)
    text = _("Session %(number)s of %(total)s can take place between %(earliest)s and %(latest)s.") % {
        "number": progress.next_number,
        "total": progress.total,
        "earliest": day_text(window.earliest),
        "latest": day_text(window.latest),
    }
    booked_at = local(progress.next_appointment.start) if progress.next_appointment else None
    if booked_at is not None:
        text += " " + _("It is booked for %(when)s.") % {"when": moment_text(booked_at)}
    return NextSession(maintenance=False, number=progress.next_number, window=window, booked_at=booked_at, text=text)


def advice_sentences(session: TreatmentSession, language: str) -> list[str]:
    """Each aftercare rule as one sentence ("Until lørdag 31.10.2026 kl. 14:30: …"),
    from the aftercare stored at signing: the journal entry and the session page say
    exactly what the handout says."""
    language = handout_language(language)
    with translation.override(language):
        ended_at = _moment(session.aftercare["ended_at"])
        return [line.sentence for line in _advice(session, ended_at, language)]


def handout_context(session: TreatmentSession, language: str) -> Handout:
    """What the handout shows, in `language` ("da" or "en"), from the aftercare stored
    at signing. The session needs its client, plan, performer, site and definition
    version (`get_session_for_user` fetches them)."""
    if not session.aftercare:
        raise ValueError("the session has no aftercare (it is not signed)")
    language = handout_language(language)
    definition = session.definition
    care = definition.aftercare
    with translation.override(language):
        ended_at = _moment(session.aftercare["ended_at"])
        advice = _advice(session, ended_at, language)
        site = session.site
        return Handout(
            language=language,
            session=session,
            client_name=session.client.full_name,
            site=site,
            phone=site.phone_display,
            treatment=definition.name.get(language),
            session_number=session.session_number,
            sessions_total=session.plan.sessions,
            performer=str(session.performer),
            ended_at=ended_at,
            session_when=moment_text(ended_at),
            advice=advice,
            timeline=_timeline(advice),
            reactions=_reactions(session, language),
            warning_signs=tuple(sign.text.get(language) for sign in care.warning_signs),
            when_to_call=care.when_to_call.get(language),
            call_line=_("Call %(clinic)s on %(phone)s.") % {"clinic": site.name, "phone": site.phone_display},
            practical_advice=tuple(item.get(language) for item in care.practical_advice),
            course_notes=tuple(note.get(language) for note in definition.course.notes),
            next_session=_next_session(session, ended_at),
        )


def handout_pdf(session: TreatmentSession, language: str) -> bytes:
    """The handout as an A4 PDF; nothing is fetched (the stylesheet is in the template)."""
    handout = handout_context(session, language)
    with translation.override(handout.language):
        html = render_to_string(TEMPLATE, {"h": handout})
    return html_to_pdf(html)


# --- calendar -------------------------------------------------------------------


@dataclass(frozen=True)
class KeyDate:
    uid: str
    at: dt.datetime  # local, aware
    summary: str
    description: str


def key_dates(handout: Handout) -> list[KeyDate]:
    """One entry per moment something changes: rules that end then (grouped), rules
    that start then, and the day the next session's (or maintenance) window opens.
    Texts in the handout's language; no health details beyond the aftercare."""
    session = handout.session
    with translation.override(handout.language):
        moments: dict[tuple[dt.datetime, str], list[AdviceLine]] = {}
        for line in handout.advice:
            if line.ends_at is not None:
                moments.setdefault((line.ends_at, "end"), []).append(line)
            if line.starts_later:
                moments.setdefault((line.starts_at, "start"), []).append(line)
        dates = []
        for (at, change), lines in sorted(moments.items(), key=lambda kv: (kv[0][0], kv[0][1] == "start")):
            texts = " ".join(line.text for line in lines)
            if change == "end":
                summary = pgettext("calendar entry", "Ends: %(text)s") % {"text": texts}
                body = [_("From %(when)s the following no longer applies:") % {"when": moment_text(at)}]
            else:
                summary = pgettext("calendar entry", "Starts: %(text)s") % {"text": texts}
                body = [_("From %(when)s:") % {"when": moment_text(at)}]
            body += [f"- {line.text}" for line in lines]
            dates.append(
                KeyDate(
                    uid=f"{session.code}-{lines[0].key}-{change}@skinchart",
                    at=at.replace(second=0, microsecond=0),  # to the minute, as the handout shows it
                    summary=summary,
                    description="\n".join([*body, "", handout.call_line]),
                )
            )
        following = handout.next_session
        if following is not None:
            opens = dt.datetime.combine(following.window.earliest, NEXT_SESSION_EVENT_TIME)
            dates.append(
                KeyDate(
                    uid=f"{session.code}-{'maintenance' if following.maintenance else 'next_session'}@skinchart",
                    at=timezone.make_aware(opens, timezone.get_default_timezone()),
                    summary=_("Time for maintenance") if following.maintenance else _("Next session window opens"),
                    description="\n".join([following.text, "", handout.call_line]),
                )
            )
    return dates


def handout_ics(session: TreatmentSession, language: str) -> bytes:
    """The key dates as an iCalendar file with timed (not all-day) events in the
    clinic's time zone, its VTIMEZONE included, and no alarms."""
    handout = handout_context(session, language)
    stamp = (session.signed_at or handout.ended_at).astimezone(dt.UTC)
    dates = key_dates(handout)
    calendar = Calendar.new(
        prodid="-//Skinchart//Aftercare//EN", uid=f"{session.code}-aftercare@skinchart", language=handout.language
    )
    for item in dates:
        calendar.add_component(
            Event.new(
                uid=item.uid,
                stamp=stamp,
                start=item.at,
                summary=item.summary,
                description=item.description,
                transparency=TRANSP.TRANSPARENT,
            )
        )
    first = handout.ended_at.date() - dt.timedelta(days=1)
    last = max((item.at.date() for item in dates), default=first) + dt.timedelta(days=1)
    calendar.add_missing_timezones(first_date=first, last_date=last)
    return bytes(calendar.to_ical())


def handout_filename(session: TreatmentSession, extension: str) -> str:
    """aftercare-2026-10-24.pdf: the session's local date, no name (the file leaves the clinic)."""
    return f"aftercare-{_moment(session.aftercare['ended_at']).date().isoformat()}.{extension}"
