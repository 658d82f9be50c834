"""The photo endpoints: upload (multipart), a client's photos, and an image. The same
form, pipeline, action and access functions as the HTML pages; refusals are 4xx JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import Field

from skinchart.accounts.access import acting_user
from skinchart.accounts.permissions import Capability
from skinchart.api.auth import requires
from skinchart.api.clients import InvalidInput
from skinchart.api.schemas import ErrorOut, ForbiddenOut, StrictInput
from skinchart.clients.access import get_client_for_user
from skinchart.photos.access import get_photo_for_user
from skinchart.photos.actions import ingest_photo
from skinchart.photos.forms import PhotoUploadForm
from skinchart.photos.models import AREA_MAX_LENGTH, Angle, Photo, PhotoContext, Variant
from skinchart.photos.pipeline import PhotoRejected
from skinchart.photos.views import PhotoUnreadable, decrypted_image, image_response

router = Router(tags=["photos"])


class PhotoUrlsOut(Schema):
    thumb: str
    display: str
    original: str


class PhotoOut(Schema):
    code: UUID
    area: str
    angle: Angle
    context: PhotoContext
    taken_at: dt.datetime
    sha256_original: str = Field(description="SHA-256 (hex) of the file as uploaded")
    width: int = Field(description="of the display image")
    height: int
    urls: PhotoUrlsOut

    @staticmethod
    def resolve_urls(obj: Photo) -> dict[str, str]:
        path = reverse("api:photo_image", kwargs={"code": obj.code})
        return {variant: f"{path}?size={variant}" for variant in Variant.values}


class PhotoFilters(StrictInput):
    area: str | None = Field(default=None, max_length=AREA_MAX_LENGTH, description="only this area")
    angle: Angle | None = Field(default=None, description="only this angle")


def _rejected(exc: PhotoRejected) -> Status[dict[str, Any]]:
    return Status(exc.status, {"detail": exc.message, "errors": {"file": [exc.message]}})


@router.post(
    "/clients/{code}/photos",
    auth=requires(Capability.VIEW_CLINICAL),
    response={201: PhotoOut, 403: ForbiddenOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut},
)
def create_photo(
    request: HttpRequest,
    code: UUID,
    file: File[UploadedFile],
    area: Form[str],
    angle: Form[str],
    context: Form[str],
) -> Status[Any]:
    """Upload a clinical photo (JPEG, PNG, WebP or HEIC, at most PHOTO_MAX_BYTES). It is
    checked by content, re-encoded without metadata, encrypted and journaled. A file
    that is not a usable image answers 422 (413 when too large) and leaves nothing."""
    client = get_client_for_user(request, code, capability=Capability.VIEW_CLINICAL, action="photo.upload_submitted")
    form = PhotoUploadForm({"area": area, "angle": angle, "context": context}, MultiValueDict({"file": [file]}))
    if not form.is_valid():
        raise InvalidInput({field: [str(message) for message in messages] for field, messages in form.errors.items()})
    try:
        photo = ingest_photo(
            actor=acting_user(request), client=client, upload=form.cleaned_data["file"], request=request, **form.tags()
        )
    except PhotoRejected as exc:
        return _rejected(exc)
    return Status(201, photo)


@router.get(
    "/clients/{code}/photos",
    auth=requires(Capability.VIEW_CLINICAL),
    response={200: list[PhotoOut], 403: ForbiddenOut, 404: ErrorOut, 422: ErrorOut},
)
def list_photos(request: HttpRequest, code: UUID, filters: Query[PhotoFilters]) -> list[Photo]:
    """The client's photos, newest first; optionally of one area (as shown) and angle."""
    client = get_client_for_user(request, code, capability=Capability.VIEW_CLINICAL, action="photo.list_viewed")
    photos = Photo.objects.filter(client=client).order_by("-taken_at", "-pk")
    if filters.area:
        photos = photos.filter(area__iexact=filters.area.strip())
    if filters.angle:
        photos = photos.filter(angle=filters.angle)
    return list(photos)


@router.get(
    "/photos/{code}/image",
    auth=requires(Capability.VIEW_CLINICAL),
    response={403: ForbiddenOut, 404: ErrorOut, 422: ErrorOut, 500: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "The image, a JPEG re-encoded without metadata",
                "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def photo_image(
    request: HttpRequest, code: UUID, size: Query[Literal["thumb", "display", "original"]] = "display"
) -> HttpResponse:
    """One size of a photo: `thumb` (at most 320 px), `display` (2048 px) or
    `original` (full size). Every request is access-checked and logged."""
    photo = get_photo_for_user(request, code, action="photo.viewed")
    try:
        data = decrypted_image(photo, size)
    except PhotoUnreadable as exc:
        raise HttpError(500, _("The stored photo cannot be read; the error is logged.")) from exc
    return image_response(photo, size, data)
