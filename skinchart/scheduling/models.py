"""Rooms and appointments: pre-consultations and treatment sessions, per site.

No practitioner and no room is ever booked twice at the same time: every booked
appointment holds one `SlotClaim` per 5 minutes per resource, and the database's
unique constraint on the claims refuses a second holder (ADR 0009)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from skinchart.clients.models import Client

# Appointments start and end on this grid; a claim covers one step of it.
SLOT_MINUTES = 5


class Room(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="rooms", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["site__name", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="scheduling_room_unique_name")]

    def __str__(self) -> str:
        return self.name


class AppointmentKind(models.TextChoices):
    PRE_CONSULTATION = "pre_consultation", _("Pre-consultation")
    SESSION = "session", _("Treatment session")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


class AppointmentQuerySet(models.QuerySet["Appointment"]):
    def booked(self) -> AppointmentQuerySet:
        return self.filter(status=AppointmentStatus.BOOKED)

    def starting_between(self, start: dt.datetime, end: dt.datetime) -> AppointmentQuerySet:
        """Appointments that start in [start, end) — a local day is [midnight, next midnight)."""
        return self.filter(start__gte=start, start__lt=end)

    def for_listing(self) -> AppointmentQuerySet:
        return self.select_related("client", "practitioner", "room", "treatment", "treatment_session")

    def upcoming_for(self, client: Client) -> AppointmentQuerySet:
        """The client's booked appointments that have not ended, soonest first."""
        return self.booked().filter(client=client, end__gt=timezone.now()).for_listing().order_by("start")


class Appointment(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="appointments")
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("practitioner")
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments", verbose_name=_("room")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AppointmentKind.choices)
    treatment = models.ForeignKey(
        "catalogue.Treatment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    plan = models.ForeignKey(
        "consultations.TreatmentPlan", on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    session_number = models.PositiveSmallIntegerField(_("session number"), null=True, blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"), max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    # The warnings the booking raised (interval window, spacing) and why it went ahead anyway.
    warnings = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(_("reason to book despite the warnings"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [
            models.Index(fields=["practitioner", "start"], name="scheduling_appt_practitioner"),
            models.Index(fields=["room", "start"], name="scheduling_appt_room"),
            models.Index(fields=["client", "start"], name="scheduling_appt_client"),
            models.Index(fields=["start"], name="scheduling_appt_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AppointmentKind.values), name="scheduling_appt_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=AppointmentStatus.values), name="scheduling_appt_status_valid"
            ),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="scheduling_appt_start_before_end"),
            models.CheckConstraint(
                condition=Q(kind=AppointmentKind.PRE_CONSULTATION)
                | (Q(plan__isnull=False) & Q(room__isnull=False) & Q(treatment__isnull=False)),
                name="scheduling_appt_session_complete",
            ),
            models.CheckConstraint(
                condition=Q(status=AppointmentStatus.BOOKED)
                | (Q(cancelled_by__isnull=False) & Q(cancelled_at__isnull=False)),
                name="scheduling_appt_cancellation_complete",
            ),
            # A plan's session n is booked once at a time (cancelling frees the number).
            models.UniqueConstraint(
                fields=["plan", "session_number"],
                condition=Q(status=AppointmentStatus.BOOKED, session_number__isnull=False),
                name="scheduling_appt_one_booking_per_session",
            ),
        ]

    def __str__(self) -> str:
        return f"appointment {self.code}"

    @property
    def is_booked(self) -> bool:
        return self.status == AppointmentStatus.BOOKED

    def slot_starts(self) -> Iterator[dt.datetime]:
        return slot_starts(self.start, self.end)


def slot_starts(start: dt.datetime, end: dt.datetime) -> Iterator[dt.datetime]:
    """The start of every 5-minute slot in [start, end), in UTC (elapsed time)."""
    current, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    step = dt.timedelta(minutes=SLOT_MINUTES)
    while current < end:
        yield current
        current += step


class ResourceKind(models.TextChoices):
    PRACTITIONER = "practitioner", _("Practitioner")
    ROOM = "room", _("Room")


class SlotClaim(models.Model):
    """One 5-minute slot of one practitioner or room, held by a booked appointment.
    The unique constraint is the no-double-booking guarantee on both databases."""

    resource_kind = models.CharField(max_length=12, choices=ResourceKind.choices)
    resource_id = models.BigIntegerField()
    slot_start = models.DateTimeField()
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="claims")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource_kind", "resource_id", "slot_start"], name="scheduling_slot_claimed_once"
            ),
            models.CheckConstraint(
                condition=Q(resource_kind__in=ResourceKind.values), name="scheduling_slot_resource_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_kind} {self.resource_id} at {self.slot_start:%Y-%m-%d %H:%M}"
