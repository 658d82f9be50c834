"""Care relations and break-glass: may this member of staff open this client's
clinical record now? (sundhedsloven § 42 a, REG-28)"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from skinchart.journal.models import BreakGlass, CareAssignment, Entry


def care_relation(user: Any, client: Any, *, at: dt.datetime | None = None) -> str:
    """How the user may open the client's clinical record: "care" (a current care
    relation: assigned, a recent own journal entry, or an appointment with the client
    that someone else booked, no more than a day ahead), "break_glass" (an active,
    reasoned break-glass access) or "" (neither)."""
    now = at or timezone.now()
    assigned = CareAssignment.objects.filter(client=client, practitioner=user, since__lte=now).filter(
        Q(until__isnull=True) | Q(until__gt=now)
    )
    recent_entries = Entry.objects.filter(
        client=client, author=user, recorded_at__gte=now - dt.timedelta(days=settings.CARE_RELATION_DAYS)
    )
    from skinchart.scheduling.models import Appointment  # scheduling builds on the journal

    # Booked by someone else for today or tomorrow (or in the recent past): a booking
    # months ahead, or one the practitioner made for themselves, opens nothing
    # (break-glass must not be bypassed by booking, REG-28).
    booked = (
        Appointment.objects.booked()
        .filter(
            client=client,
            practitioner=user,
            start__gte=now - dt.timedelta(days=settings.CARE_RELATION_DAYS),
            start__lte=now + dt.timedelta(days=1),
        )
        .exclude(created_by=user)
    )
    if assigned.exists() or recent_entries.exists() or booked.exists():
        return "care"
    if BreakGlass.objects.active(at=now).filter(client=client, user=user).exists():
        return "break_glass"
    return ""
