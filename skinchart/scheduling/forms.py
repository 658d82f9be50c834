from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skinchart.accounts.models import Role, User
from skinchart.lib.dates import start_of_local_day
from skinchart.lib.forms import DanishDateField
from skinchart.scheduling.models import SLOT_MINUTES, AppointmentKind, Room

CLINICAL_ROLES = (Role.DOCTOR, Role.NURSE, Role.COSMETOLOGIST)
PRE_CONSULTATION_ROLES = (Role.DOCTOR, Role.NURSE)  # a cosmetologist never does one (REG-2)
# Days a calendar can show; outside them a local midnight does not fit in a datetime.
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(9998, 12, 31)
DEFAULT_MINUTES = {AppointmentKind.SESSION: 60, AppointmentKind.PRE_CONSULTATION: 45}


def practitioners(roles: tuple[str, ...] = CLINICAL_ROLES) -> QuerySet[User]:
    return User.objects.filter(is_active=True, staff_roles__role__in=roles).distinct()


class PractitionerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class RoomChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.site.name})"


class DayForm(forms.Form):
    """Which day and whose calendar: a practitioner's, a room's (or both), or everyone's."""

    date = DanishDateField(
        label=_("Date"),
        required=False,
        validators=[MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)],
    )
    practitioner = PractitionerChoiceField(
        label=_("Practitioner"), queryset=User.objects.none(), to_field_name="code", required=False
    )
    room = RoomChoiceField(label=_("Room"), queryset=Room.objects.none(), to_field_name="code", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = practitioners()  # type: ignore[attr-defined]
        self.fields["room"].queryset = Room.objects.filter(active=True).select_related("site")  # type: ignore[attr-defined]


class BookingForm(forms.Form):
    date = DanishDateField(label=_("Date"), validators=[MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)])
    time = forms.TimeField(
        label=_("Time"),
        input_formats=["%H:%M", "%H.%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"placeholder": "10:00", "inputmode": "numeric"}),
        help_text=_("On whole 5 minutes, e.g. 10:05."),
    )
    duration = forms.IntegerField(
        label=_("Duration in minutes"),
        min_value=SLOT_MINUTES,
        max_value=8 * 60,
        step_size=SLOT_MINUTES,
        widget=forms.NumberInput(attrs={"step": SLOT_MINUTES}),
    )
    practitioner = PractitionerChoiceField(label=_("Practitioner"), queryset=User.objects.none(), to_field_name="code")
    room = RoomChoiceField(label=_("Room"), queryset=Room.objects.none(), to_field_name="code", required=False)
    session_number = forms.IntegerField(label=_("Session number"), min_value=1, max_value=50, required=False)
    override_reason = forms.CharField(
        label=_("Reason to book despite the warnings"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only needed when the booking shows warnings; it is kept with the appointment."),
    )

    def __init__(self, *args: Any, kind: str, rooms: QuerySet[Room], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        roles = CLINICAL_ROLES if kind == AppointmentKind.SESSION else PRE_CONSULTATION_ROLES
        self.fields["practitioner"].queryset = practitioners(roles)  # type: ignore[attr-defined]
        self.fields["room"].queryset = rooms  # type: ignore[attr-defined]
        self.fields["room"].required = kind == AppointmentKind.SESSION
        self.initial.setdefault("duration", DEFAULT_MINUTES[AppointmentKind(kind)])
        if kind != AppointmentKind.SESSION:
            del self.fields["session_number"]

    def start(self) -> dt.datetime:
        """The start in the clinic's time zone (zoneinfo's fold rules settle a local
        time that a DST change skips or repeats)."""
        return timezone.make_aware(dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"]))

    def end(self) -> dt.datetime:
        # Elapsed minutes: counted in UTC, so a booking across a DST change keeps its length.
        return self.start().astimezone(dt.UTC) + dt.timedelta(minutes=self.cleaned_data["duration"])


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[local midnight, next local midnight): 23, 24 or 25 hours."""
    start, end = start_of_local_day(day), start_of_local_day(day, days_later=1)
    if start is None or end is None:  # the form's validators keep days well inside
        raise ValueError("day out of range")
    return start, end
