"""Consent (samtykke): treatment consent per plan, bound to the guide version the client
was informed by (REG-7, REG-8), and the separate, optional consent to use photos in
marketing (REG-18). Both are journaled when given and when withdrawn; withdrawal never
deletes anything (REG-25)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", _("Treatment")
    PHOTO_MARKETING = "photo_marketing", _("Photos in marketing")


class ConsentMode(models.TextChoices):
    ORAL = "oral", pgettext_lazy("consent given", "Oral")
    WRITTEN = "written", pgettext_lazy("consent given", "Written")


class ConsentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConsentQuerySet(models.QuerySet["Consent"]):
    def active(self) -> ConsentQuerySet:
        return self.filter(status=ConsentStatus.ACTIVE)

    def for_plan(self, plan: object) -> ConsentQuerySet:
        return self.filter(kind=ConsentKind.TREATMENT, plan=plan)


class Consent(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(_("kind"), max_length=20, choices=ConsentKind.choices)
    mode = models.CharField(_("how"), max_length=10, choices=ConsentMode.choices)
    status = models.CharField(_("status"), max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.ACTIVE)
    plan = models.ForeignKey(
        "consultations.TreatmentPlan", on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    guide_version = models.ForeignKey(
        "guides.GuideVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    written_information = models.ForeignKey(
        "guides.InformationRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    oral_information = models.ForeignKey(
        "guides.InformationRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=5, default="da")
    # Exactly what the client was shown (written) or what was said (oral), and its SHA-256.
    text = models.TextField(_("consent text"))
    text_hash = models.CharField(max_length=64)
    discussed = models.TextField(_("what was discussed"), blank=True)
    signer_name = models.CharField(_("name typed by the client"), max_length=200, blank=True)
    # The drawn signature as strokes: [[[x, y], ...], ...] in a 600 × 200 box.
    signature = models.JSONField(null=True, blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)
    entry = models.ForeignKey("journal.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["client", "kind", "-given_at"], name="consent_client_kind_time")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ConsentKind.values), name="consent_kind_valid"),
            models.CheckConstraint(condition=Q(mode__in=ConsentMode.values), name="consent_mode_valid"),
            models.CheckConstraint(condition=Q(status__in=ConsentStatus.values), name="consent_status_valid"),
            models.CheckConstraint(
                condition=~Q(kind=ConsentKind.TREATMENT)
                | (Q(plan__isnull=False) & Q(guide_version__isnull=False) & Q(oral_information__isnull=False)),
                name="consent_treatment_bound_to_plan_and_guide",
            ),
            models.CheckConstraint(
                condition=~Q(mode=ConsentMode.WRITTEN) | (~Q(signer_name="") & Q(signature__isnull=False)),
                name="consent_written_is_signed",
            ),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(kind="treatment", status="active"),
                name="consent_one_active_per_plan",
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(kind="photo_marketing", status="active"),
                name="consent_one_active_photo_per_client",
            ),
            models.CheckConstraint(
                condition=Q(status=ConsentStatus.ACTIVE, withdrawn_at__isnull=True)
                | Q(status=ConsentStatus.WITHDRAWN, withdrawn_at__isnull=False, withdrawn_by__isnull=False),
                name="consent_withdrawal_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} consent {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("consent:detail", kwargs={"code": self.code})

    @property
    def is_active(self) -> bool:
        return self.status == ConsentStatus.ACTIVE
