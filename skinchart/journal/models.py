"""The journal: the client record. Append-only once signed (REG-20); hash-chained per
client (tamper evidence); every later part writes through `actions.record_entry`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skinchart.lib.dates import start_of_local_day

GENESIS_HASH = "0" * 64


class EntryKind(models.TextChoices):
    CLINICAL_NOTE = "clinical_note", _("Clinical note")
    CONSULTATION = "consultation", _("Pre-consultation")
    SCREENING = "screening", _("Screening")
    INFORMATION = "information", _("Information given")
    CONSENT = "consent", _("Consent")
    PHOTO = "photo", _("Photo")
    SESSION = "session", _("Treatment session")
    MESSAGE = "message", _("Message")
    ADVERSE_EVENT = "adverse_event", _("Adverse event")
    DOCTOR_ASSESSMENT = "doctor_assessment", _("Doctor's assessment")
    CORRECTION = "correction", _("Correction")


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")


class CorrectionKind(models.TextChoices):
    AMENDMENT = "amendment", _("Amendment")
    ENTERED_IN_ERROR = "entered_in_error", _("Entered in error")
    ADDENDUM = "addendum", _("Addendum")


class ClientJournal(models.Model):
    """One per client: the head of the hash chain and the retention facts (REG-21)."""

    client = models.OneToOneField("clients.Client", on_delete=models.PROTECT, related_name="journal")
    last_seq = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    last_entry_at = models.DateTimeField(null=True, blank=True)
    retention_until = models.DateField(null=True, blank=True)
    legal_hold = models.BooleanField(default=False)
    legal_hold_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"journal of {self.client_id}"


class EntryQuerySet(models.QuerySet["Entry"]):
    def signed(self) -> EntryQuerySet:
        return self.filter(status=EntryStatus.SIGNED)

    def visible_to(self, user: Any) -> EntryQuerySet:
        """Signed entries, and the user's own drafts (nobody sees another's draft)."""
        return self.filter(Q(status=EntryStatus.SIGNED) | Q(author_id=user.pk))

    def filtered(
        self, *, kind: str = "", date_from: dt.date | None = None, date_to: dt.date | None = None
    ) -> EntryQuerySet:
        """By kind and by days in the clinic's time zone, both ends included."""
        result = self.filter(kind=kind) if kind else self
        start = start_of_local_day(date_from) if date_from else None
        end = start_of_local_day(date_to, days_later=1) if date_to else None
        if start is not None:
            result = result.filter(occurred_at__gte=start)
        if end is not None:
            result = result.filter(occurred_at__lt=end)
        return result

    def for_timeline(self) -> EntryQuerySet:
        """With everything a timeline row shows, in a fixed number of queries."""
        corrections = Entry.objects.filter(corrects=models.OuterRef("pk"), status=EntryStatus.SIGNED)
        latest_kind = corrections.order_by("-recorded_at").values("correction_kind")[:1]
        return (
            self.select_related("author", "on_behalf_of", "site", "corrects")
            .annotate(is_corrected=models.Exists(corrections), corrected_as=models.Subquery(latest_kind))
            .order_by("-occurred_at", "-recorded_at", "-pk")
        )


class Entry(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="journal_entries")
    kind = models.CharField(_("kind"), max_length=30, choices=EntryKind.choices)
    status = models.CharField(max_length=10, choices=EntryStatus.choices, default=EntryStatus.DRAFT)
    # Always the authenticated user who wrote it (REG-19); never taken from input.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_roles = models.CharField(max_length=100, blank=True)
    # The responsible doctor a helper acts for (REG-11, REG-46).
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    occurred_at = models.DateTimeField(_("time of the event"))
    recorded_at = models.DateTimeField(_("time of entry"), default=timezone.now)
    text = models.TextField(_("text"))
    content = models.JSONField(default=dict, blank=True)
    subject_type = models.CharField(max_length=64, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections")
    correction_kind = models.CharField(max_length=20, choices=CorrectionKind.choices, blank=True)
    correction_reason = models.TextField(blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    seq = models.PositiveIntegerField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-recorded_at"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        indexes = [
            models.Index(fields=["client", "-occurred_at", "-recorded_at", "-id"], name="journal_entry_timeline_v2")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EntryKind.values), name="journal_entry_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=EntryStatus.values), name="journal_entry_status_valid"),
            models.CheckConstraint(
                condition=Q(correction_kind="") | Q(correction_kind__in=CorrectionKind.values),
                name="journal_entry_correction_kind_valid",
            ),
            models.CheckConstraint(
                condition=(Q(corrects__isnull=True) & Q(correction_kind=""))
                | (Q(corrects__isnull=False) & ~Q(correction_kind="")),
                name="journal_entry_correction_has_kind",
            ),
            models.CheckConstraint(
                condition=Q(status=EntryStatus.DRAFT) | (Q(seq__isnull=False) & Q(signed_at__isnull=False)),
                name="journal_entry_signed_is_chained",
            ),
            models.UniqueConstraint(fields=["client", "seq"], name="journal_entry_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("journal:entry", kwargs={"code": self.code})

    @property
    def is_signed(self) -> bool:
        return self.status == EntryStatus.SIGNED

    def chain_payload(self) -> dict[str, Any]:
        """What the hash covers: every stored fact of the entry."""
        return {
            "code": str(self.code),
            "client": self.client_id,
            "kind": self.kind,
            "author": self.author_id,
            "author_roles": self.author_roles,
            "on_behalf_of": self.on_behalf_of_id,
            "site": self.site_id,
            "occurred_at": self.occurred_at.astimezone(dt.UTC).isoformat(),
            "recorded_at": self.recorded_at.astimezone(dt.UTC).isoformat(),
            "signed_at": self.signed_at.astimezone(dt.UTC).isoformat() if self.signed_at else None,
            "text": self.text,
            "content": self.content,
            "subject": [self.subject_type, self.subject_id],
            "corrects": self.corrects_id,
            "correction": [self.correction_kind, self.correction_reason],
            "seq": self.seq,
        }


class CareAssignment(models.Model):
    """A practitioner is this client's practitioner (a care relation, REG-28)."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="care_assignments")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["practitioner", "client"], name="journal_care_lookup")]

    def __str__(self) -> str:
        return f"{self.practitioner_id} cares for {self.client_id}"


class BreakGlassQuerySet(models.QuerySet["BreakGlass"]):
    def active(self, *, at: dt.datetime | None = None) -> BreakGlassQuerySet:
        return self.filter(expires_at__gt=at or timezone.now())

    def awaiting_review(self) -> BreakGlassQuerySet:
        return self.filter(reviewed_at__isnull=True)


class BreakGlass(models.Model):
    """Access without a care relation, with a stated reason, for later review (REG-28)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    objects = BreakGlassQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["user", "client", "expires_at"], name="journal_breakglass_lookup")]

    def __str__(self) -> str:
        return f"break-glass {self.user_id} → {self.client_id}"
