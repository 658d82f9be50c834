"""Clinical photos. The image files are encrypted in storage (`skinchart.lib.blob_crypto`)
and leave it only through the access-checked image view; a row holds where they are,
which key encrypted them, and the facts the journal entry records. ADR 0010."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from skinchart.clients.models import Client

AREA_MAX_LENGTH = 60
DISPLAY_MAX_SIDE = 2048
THUMB_MAX_SIDE = 320


class Angle(models.TextChoices):
    FRONT = "front", _("Front")
    LEFT_45 = "left_45", _("Left 45°")
    RIGHT_45 = "right_45", _("Right 45°")
    LEFT_90 = "left_90", _("Left 90°")
    RIGHT_90 = "right_90", _("Right 90°")
    CLOSE_UP = "close_up", _("Close-up")


class PhotoContext(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    BEFORE_SESSION = "before_session", _("Before session")
    AFTER_SESSION = "after_session", _("After session")
    FOLLOW_UP = "follow_up", _("Follow-up")


class Variant(models.TextChoices):
    """The stored images of a photo: all re-encoded JPEGs, never the uploaded bytes."""

    ORIGINAL = "original", _("Full size")
    DISPLAY = "display", _("Display")
    THUMB = "thumb", _("Thumbnail")


class PhotoQuerySet(models.QuerySet["Photo"]):
    def for_timeline(self) -> PhotoQuerySet:
        """Per area, per angle, newest first (the index `photos_photo_timeline`)."""
        return self.select_related("taken_by").order_by("area", "angle", "-taken_at", "-pk")

    def clear_marketing_for(self, client: Client) -> int:
        """Withdrawal of photo consent: no photo of the client may be used for
        marketing any more. Returns how many photos were changed."""
        return self.filter(client=client, marketing_allowed=True).update(marketing_allowed=False)


class Photo(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="photos")
    area = models.CharField(_("area"), max_length=AREA_MAX_LENGTH)
    angle = models.CharField(_("angle"), max_length=20, choices=Angle.choices)
    context = models.CharField(_("context"), max_length=20, choices=PhotoContext.choices)
    # Set only through the consent app (separate, withdrawable photo consent).
    marketing_allowed = models.BooleanField(_("may be used for marketing"), default=False)
    taken_at = models.DateTimeField(_("taken at"))
    recorded_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # What the photo documents, e.g. a consultation or a treatment session (label and code).
    subject_type = models.CharField(max_length=64, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    sha256_original = models.CharField(_("SHA-256 of the uploaded file"), max_length=64)
    original_bytes = models.PositiveIntegerField(_("size of the uploaded file"))
    width = models.PositiveIntegerField()  # of the display image
    height = models.PositiveIntegerField()
    content_type = models.CharField(max_length=30, default="image/jpeg")
    key_id = models.CharField(max_length=32)
    original_path = models.CharField(max_length=255)
    display_path = models.CharField(max_length=255)
    thumb_path = models.CharField(max_length=255)
    entry = models.ForeignKey(
        "journal.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("entry")
    )

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_at", "-pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        indexes = [models.Index(fields=["client", "area", "angle", "-taken_at"], name="photos_photo_timeline")]
        constraints = [
            models.CheckConstraint(condition=Q(angle__in=Angle.values), name="photos_photo_angle_valid"),
            models.CheckConstraint(condition=Q(context__in=PhotoContext.values), name="photos_photo_context_valid"),
            models.CheckConstraint(condition=~Q(area=""), name="photos_photo_area_not_empty"),
            models.CheckConstraint(condition=Q(content_type="image/jpeg"), name="photos_photo_content_type_jpeg"),
        ]

    def __str__(self) -> str:
        return f"{self.area}, {self.get_angle_display()}"

    def get_absolute_url(self) -> str:
        return self.image_url(Variant.DISPLAY)

    def image_url(self, variant: str) -> str:
        return reverse("photos:image", kwargs={"code": self.code, "variant": variant})

    def storage_path(self, variant: str) -> str:
        return {
            Variant.ORIGINAL: self.original_path,
            Variant.DISPLAY: self.display_path,
            Variant.THUMB: self.thumb_path,
        }[Variant(variant)]

    @property
    def description(self) -> str:
        """The text alternative: area, angle and day, e.g. "Kinder, Front, 26.11.2026"."""
        day = date_format(timezone.localtime(self.taken_at), "SHORT_DATE_FORMAT")
        return f"{self.area}, {self.get_angle_display()}, {day}"

    @property
    def thumb_size(self) -> tuple[int, int]:
        """The thumbnail's width and height (it keeps the display image's proportions)."""
        scale = min(1.0, THUMB_MAX_SIDE / max(self.width, self.height, 1))
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))
