"""The treatment session (behandling): one booked session of a plan, from the checks on
the day to the signed record (PRODUCT.md §2 step 7, §7; REG-44).

    preparing ──start (every gate holds)──▶ in_progress ──sign──▶ signed
        └──────────────stop (with a reason)──────┴──▶ stopped

A session can only start through `actions.start_session`, which evaluates the gates
(`gates.py`) and keeps what it saw; once signed, database triggers refuse any change
(corrections go through the journal, REG-20)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skinchart.catalogue.definition import TreatmentDefinition


class SessionStatus(models.TextChoices):
    PREPARING = "preparing", _("Being prepared")
    IN_PROGRESS = "in_progress", _("In progress")
    SIGNED = "signed", _("Signed")
    STOPPED = "stopped", _("Stopped")


class TreatmentSessionQuerySet(models.QuerySet["TreatmentSession"]):
    def signed(self) -> TreatmentSessionQuerySet:
        return self.filter(status=SessionStatus.SIGNED)

    def for_listing(self) -> TreatmentSessionQuerySet:
        return self.select_related("client", "performer", "plan", "treatment")


class TreatmentSession(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="treatment_sessions")
    appointment = models.OneToOneField(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="treatment_session"
    )
    plan = models.ForeignKey("consultations.TreatmentPlan", on_delete=models.PROTECT, related_name="treatment_sessions")
    treatment = models.ForeignKey("catalogue.Treatment", on_delete=models.PROTECT, related_name="+")
    definition_version = models.ForeignKey("catalogue.DefinitionVersion", on_delete=models.PROTECT, related_name="+")
    session_number = models.PositiveSmallIntegerField(_("session number"))
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=SessionStatus.choices, default=SessionStatus.PREPARING
    )
    # Who treats: the booked practitioner until someone starts it, then whoever started it.
    performer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("performed by")
    )
    # REG-11: the doctor responsible for a helper's treatment (the performer when a doctor).
    responsible_doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible doctor"),
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    # Re-confirmation on the day: {question key: "yes" | "no"} for the definition's
    # questions marked reconfirm_each_session.
    reconfirmation = models.JSONField(default=dict, blank=True)
    reconfirmed_at = models.DateTimeField(null=True, blank=True)
    reconfirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A doctor's recorded decision to treat although the guide gate fails (e.g. a new
    # version came into force after the consent and changes nothing material).
    guide_override_reason = models.TextField(_("reason to go ahead with this guide version"), blank=True)
    guide_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    guide_override_at = models.DateTimeField(null=True, blank=True)
    spacing_reason = models.TextField(_("reason to go ahead despite the spacing warnings"), blank=True)
    # At the start: when, what every gate said, and what the session rests on.
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    gates = models.JSONField(default=list, blank=True)
    consent = models.ForeignKey(
        "consent.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="treatment_sessions"
    )
    guide_version = models.ForeignKey(
        "guides.GuideVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The checklist: {step key: true} for the definition's session steps done, the
    # method per area with its settings, and free notes.
    steps_done = models.JSONField(default=dict, blank=True)
    areas = models.JSONField(default=list, blank=True)  # [{"area", "method", "settings"}]
    notes = models.TextField(_("notes"), blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    entry = models.ForeignKey("journal.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The aftercare given at signing: language, and each rule and reaction with its times.
    aftercare = models.JSONField(default=dict, blank=True)
    aftercare_entry = models.ForeignKey(
        "journal.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stop_reason = models.TextField(_("why the session was stopped"), blank=True)

    objects = TreatmentSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("treatment session")
        verbose_name_plural = _("treatment sessions")
        indexes = [
            models.Index(fields=["client", "-opened_at"], name="tsessions_client_time"),
            models.Index(fields=["plan", "status"], name="tsessions_plan_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SessionStatus.values), name="tsessions_status_valid"),
            models.CheckConstraint(
                condition=Q(status=SessionStatus.PREPARING)
                | Q(status=SessionStatus.STOPPED)
                | (
                    Q(started_at__isnull=False)
                    & Q(responsible_doctor__isnull=False)
                    & Q(consent__isnull=False)
                    & Q(guide_version__isnull=False)
                ),
                name="tsessions_started_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status=SessionStatus.SIGNED)
                | (
                    Q(ended_at__isnull=False)
                    & Q(signed_at__isnull=False)
                    & Q(entry__isnull=False)
                    & Q(ended_at__gte=models.F("started_at"))
                ),
                name="tsessions_signed_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status=SessionStatus.STOPPED)
                | (Q(stopped_at__isnull=False) & Q(stopped_by__isnull=False) & ~Q(stop_reason="")),
                name="tsessions_stop_complete",
            ),
            # A plan's session n is treated at most once.
            models.UniqueConstraint(
                fields=["plan", "session_number"],
                condition=Q(status__in=[SessionStatus.IN_PROGRESS, SessionStatus.SIGNED]),
                name="tsessions_one_per_plan_number",
            ),
        ]

    def __str__(self) -> str:
        return f"session {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("treatment_sessions:detail", kwargs={"code": self.code})

    @property
    def definition(self) -> TreatmentDefinition:
        return self.definition_version.definition

    @property
    def is_preparing(self) -> bool:
        return self.status == SessionStatus.PREPARING

    @property
    def is_in_progress(self) -> bool:
        return self.status == SessionStatus.IN_PROGRESS

    @property
    def is_signed(self) -> bool:
        return self.status == SessionStatus.SIGNED

    @property
    def language(self) -> str:
        return str(self.aftercare.get("language") or self.client.preferred_language or "da")


class ProductUse(models.Model):
    """One product applied in a session: which batch, how much, where (REG-16). Sealed at
    signing; a trigger then refuses changes, and a recall finds the session by its lot."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="product_uses")
    batch = models.ForeignKey("products.Batch", on_delete=models.PROTECT, related_name="uses")
    quantity = models.DecimalField(
        _("quantity"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    area = models.CharField(_("area"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    sealed = models.BooleanField(default=False)

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("product used")
        verbose_name_plural = _("products used")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="tsessions_product_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.batch} × {self.quantity}"
