"""Taking in a clinical photo: validated and re-encoded before anything is written,
then files, row, journal entry and audit event together or not at all."""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from typing import IO, Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from skinchart.audit.log import record
from skinchart.journal.actions import FUTURE_TOLERANCE, record_entry
from skinchart.journal.models import EntryKind
from skinchart.lib import blob_crypto
from skinchart.photos import pipeline
from skinchart.photos.models import AREA_MAX_LENGTH, Angle, Photo, PhotoContext, Variant
from skinchart.photos.pipeline import PhotoRejected


def normalise_area(area: str) -> str:
    """Spaces collapsed, the first letter upper-case ("kinder " → "Kinder"), so one
    area makes one timeline; refused when empty, too long or holding control characters."""
    text = " ".join(unicodedata.normalize("NFC", area or "").split())
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in text):
        raise PhotoRejected(_("The area may only contain letters, digits, spaces and punctuation."))
    if not text:
        raise PhotoRejected(_("Give the area, e.g. Kinder."))
    if len(text) > AREA_MAX_LENGTH:
        raise PhotoRejected(_("The area can be at most %(max)s characters.") % {"max": AREA_MAX_LENGTH})
    return text[:1].upper() + text[1:]


def _validate_tags(angle: str, context: str, taken_at: dt.datetime) -> None:
    if angle not in Angle.values:
        raise PhotoRejected(_("Choose one of the standard angles."))
    if context not in PhotoContext.values:
        raise PhotoRejected(_("Choose when the photo was taken."))
    if timezone.is_naive(taken_at):
        raise PhotoRejected(_("The time the photo was taken needs a time zone."))
    if taken_at > timezone.now() + FUTURE_TOLERANCE:
        raise PhotoRejected(_("The time the photo was taken cannot be in the future."))


def _subject_fields(subject: models.Model | None) -> tuple[str, str]:
    if subject is None:
        return "", ""
    return subject._meta.label_lower, str(getattr(subject, "code", subject.pk))


def ingest_photo(
    *,
    actor: Any,
    client: Any,
    upload: IO[bytes] | Any,
    area: str,
    angle: str,
    context: str,
    taken_at: dt.datetime | None = None,
    site: Any = None,
    subject: models.Model | None = None,
    request: HttpRequest | None = None,
) -> Photo:
    """Store a clinical photo of `client`, taken by `actor`, and journal it.

    Everything that can refuse the file runs first (PhotoRejected, nothing written).
    Then, in one durable transaction: the encrypted files, the row, the signed journal
    entry and the audit event. Durable because the files live outside the database: if
    an enclosing transaction could still roll the row back, nothing would delete the
    files. When anything fails after the first file was saved, the saved files are
    deleted before the error goes on.
    """
    area = normalise_area(area)
    taken_at = taken_at or timezone.now()
    _validate_tags(angle, context, taken_at)
    processed = pipeline.process_upload(upload)
    key_id = blob_crypto.current_key_id()
    code = uuid.uuid4()
    subject_type, subject_id = _subject_fields(subject)
    saved: list[str] = []
    try:
        with transaction.atomic(durable=True):
            names = pipeline.store_variants(
                client_code=client.code, photo_code=code, variants=processed.variants, key_id=key_id, saved=saved
            )
            photo = Photo.objects.create(
                code=code,
                client=client,
                area=area,
                angle=angle,
                context=context,
                taken_at=taken_at,
                taken_by=actor,
                site=site,
                subject_type=subject_type,
                subject_id=subject_id,
                sha256_original=processed.sha256,
                original_bytes=processed.size,
                width=processed.width,
                height=processed.height,
                content_type=pipeline.CONTENT_TYPE,
                key_id=key_id,
                original_path=names[Variant.ORIGINAL],
                display_path=names[Variant.DISPLAY],
                thumb_path=names[Variant.THUMB],
            )
            photo.entry = record_entry(
                actor=actor,
                client=client,
                kind=EntryKind.PHOTO,
                text=_("Photo: %(area)s, %(angle)s (%(context)s).")
                % {"area": area, "angle": photo.get_angle_display(), "context": photo.get_context_display()},
                content={
                    "area": area,
                    "angle": angle,
                    "context": context,
                    "sha256": processed.sha256,
                    "size": processed.size,
                    "width": processed.width,
                    "height": processed.height,
                    "format": processed.source_format,
                },
                occurred_at=taken_at,
                site=site,
                subject=photo,
                request=request,
            )
            photo.save(update_fields=["entry"])
            record(
                action="photo.ingested",
                actor=actor,
                request=request,
                client=client,
                target=photo,
                sha256=processed.sha256,
                size=processed.size,
                key_id=key_id,
            )
    except BaseException:
        pipeline.delete_files(saved)
        raise
    return photo
