"""Photo pages and the one way an image leaves storage: `image`, access-checked and
logged per view, decrypted in memory, with headers that keep it an image."""

from __future__ import annotations

import contextlib
import itertools
import logging
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from skinchart.accounts.access import acting_user, require_capability, staff_member_required
from skinchart.accounts.permissions import Capability
from skinchart.clients.access import get_client_for_user
from skinchart.clients.models import Client
from skinchart.lib.blob_crypto import BlobCorrupt
from skinchart.photos.access import get_photo_for_user
from skinchart.photos.actions import ingest_photo, normalise_area
from skinchart.photos.forms import CaptureForm, PhotoUploadForm
from skinchart.photos.models import Angle, Photo, PhotoContext, Variant
from skinchart.photos.pipeline import CONTENT_TYPE, PhotoRejected, read_variant

logger = logging.getLogger(__name__)

clinical = require_capability(Capability.VIEW_CLINICAL)
ANGLE_ORDER = {value: index for index, value in enumerate(Angle.values)}


class PhotoUnreadable(Exception):
    """A stored file is missing or fails its integrity check (logged as an error)."""


def decrypted_image(photo: Photo, variant: str) -> bytes:
    try:
        return read_variant(photo, variant)
    except (BlobCorrupt, OSError) as exc:
        logger.error("stored photo %s (%s) cannot be read: %s", photo.code, variant, type(exc).__name__)
        raise PhotoUnreadable from exc


def image_response(photo: Photo, variant: str, data: bytes) -> HttpResponse:
    """Bytes that are a re-encoded JPEG, labelled so that no browser treats them as
    anything else, keeps them, or lets another site embed them (V3.2.1, V5.4.1, V14.3.2)."""
    response = HttpResponse(data, content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="photo-{photo.code}-{variant}.jpg"'
    response["Content-Security-Policy"] = "sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@require_GET
@staff_member_required
def image(request: HttpRequest, code: UUID, variant: str) -> HttpResponse:
    if variant not in Variant.values:
        raise Http404
    # The capability is checked (and a refusal logged) by the access function.
    photo = get_photo_for_user(request, code, action="photo.viewed")
    return image_response(photo, variant, decrypted_image(photo, variant))


@dataclass
class AngleSeries:
    angle: str
    label: str
    photos: list[Photo]  # newest first

    @property
    def latest(self) -> Photo:
        return self.photos[0]

    @property
    def oldest(self) -> Photo:
        return self.photos[-1]


@dataclass
class AreaTimeline:
    area: str
    series: list[AngleSeries]


def timelines(photos: list[Photo]) -> list[AreaTimeline]:
    """Per area (alphabetical), per standard angle (in the order of the choices),
    newest first."""
    by_area = sorted(
        photos, key=lambda photo: (photo.area.casefold(), ANGLE_ORDER[photo.angle], -photo.taken_at.timestamp())
    )
    result = []
    for _area_key, area_photos in itertools.groupby(by_area, key=lambda photo: photo.area.casefold()):
        area_list = list(area_photos)
        series = [
            AngleSeries(angle=angle, label=str(Angle(angle).label), photos=list(group))
            for angle, group in itertools.groupby(area_list, key=lambda photo: photo.angle)
        ]
        result.append(AreaTimeline(area=area_list[0].area, series=series))
    return result


@clinical
def client_photos(request: HttpRequest, code: UUID) -> HttpResponse:
    client = get_client_for_user(request, code, capability=Capability.VIEW_CLINICAL, action="photo.list_viewed")
    photos = list(Photo.objects.filter(client=client).for_timeline())
    context = {"client": client, "timelines": timelines(photos), "count": len(photos)}
    return render(request, "photos/client_photos.html", context)


@clinical
def upload(request: HttpRequest, code: UUID) -> HttpResponse:
    action = "photo.upload_form_viewed" if request.method == "GET" else "photo.upload_submitted"
    client = get_client_for_user(request, code, capability=Capability.VIEW_CLINICAL, action=action)
    form = PhotoUploadForm(request.POST, request.FILES) if request.method == "POST" else PhotoUploadForm()
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            ingest_photo(
                actor=acting_user(request),
                client=client,
                upload=form.cleaned_data["file"],
                request=request,
                **form.tags(),
            )
        except PhotoRejected as exc:
            form.add_error("file", exc.message)
            status = exc.status
        else:
            messages.success(request, _("The photo is saved."))
            if request.POST.get("then") == "capture":
                # From the camera page: back to it, ready for the next photo of the session.
                query = urlencode(form.tags())
                return redirect(f"{reverse('photos:capture', kwargs={'code': client.code})}?{query}")
            return redirect("photos:client", code=client.code)
    if form.errors and status == 200:
        status = 422
    return render(request, "photos/upload.html", {"client": client, "form": form}, status=status)


def area_key(area: str) -> str:
    """One key per area as a person reads it ("kinder  venstre" is "Kinder venstre");
    the camera page's script makes the same key from what is typed."""
    return " ".join(unicodedata.normalize("NFC", area).split()).lower()


def ghost_key(area: str, angle: str) -> str:
    return f"{area_key(area)}|{angle}"


def latest_per_series(client: Client) -> tuple[dict[str, dict[str, str]], list[str]]:
    """For the camera page's overlay: the newest photo of each area and angle (key
    "area|angle", the display image's access-checked URL and its description), and the
    client's areas (one spelling each, alphabetical) as suggestions."""
    latest: dict[str, dict[str, str]] = {}
    areas: dict[str, str] = {}
    photos = Photo.objects.filter(client=client).only("code", "area", "angle", "taken_at").order_by("-taken_at", "-pk")
    for photo in photos:
        latest.setdefault(
            ghost_key(photo.area, photo.angle),
            {"url": photo.image_url(Variant.DISPLAY), "description": photo.description},
        )
        areas.setdefault(area_key(photo.area), photo.area)
    return latest, sorted(areas.values(), key=str.casefold)


def _initial_tags(request: HttpRequest) -> dict[str, str]:
    """Tags given in the address (from the timeline, or after the previous capture)."""
    initial = {}
    # No area, or one the form would refuse: the field starts empty.
    with contextlib.suppress(PhotoRejected):
        initial["area"] = normalise_area(request.GET.get("area", ""))
    if request.GET.get("angle") in Angle.values:
        initial["angle"] = request.GET["angle"]
    if request.GET.get("context") in PhotoContext.values:
        initial["context"] = request.GET["context"]
    return initial


@require_GET
@clinical
def capture(request: HttpRequest, code: UUID) -> HttpResponse:
    """The tablet's camera with the previous photo of the same area and angle as a
    see-through overlay; the taken photo is posted to `upload`, like a chosen file."""
    client = get_client_for_user(request, code, capability=Capability.VIEW_CLINICAL, action="photo.capture_opened")
    ghosts, areas = latest_per_series(client)
    form = CaptureForm(initial=_initial_tags(request), areas_list_id="capture-areas")
    context = {"client": client, "form": form, "ghosts": ghosts, "areas": areas}
    return render(request, "photos/capture.html", context)


def _same_series(first: Photo, second: Photo) -> bool:
    return (first.area.casefold(), first.angle) == (second.area.casefold(), second.angle)


def _compare_message(request: HttpRequest, client: Client, message: str, status: int) -> HttpResponse:
    return render(request, "photos/compare.html", {"client": client, "message": message}, status=status)


@require_GET
@clinical
def compare(request: HttpRequest, code: UUID) -> HttpResponse:
    """Two photos of one area and angle, older first: side by side and as a slider.
    Each photo is fetched through the access check (another client's answers 404)."""
    action = "photo.compare_viewed"
    client = get_client_for_user(request, code, capability=Capability.VIEW_CLINICAL, action=action)
    raw = [request.GET.get("a", "").strip(), request.GET.get("b", "").strip()]
    if not all(raw):
        message = _("Choose two photos of the same area and angle on the photos page to compare them.")
        return _compare_message(request, client, message, 200)
    try:
        codes = [UUID(value) for value in raw]
    except ValueError as exc:
        raise Http404 from exc
    chosen = [get_photo_for_user(request, photo_code, action=action, client=client) for photo_code in codes]
    if chosen[0].pk == chosen[1].pk:
        return _compare_message(request, client, _("Choose two different photos to compare."), 400)
    if not _same_series(*chosen):
        message = _("Only photos of the same area and angle can be compared; these are %(first)s and %(second)s.") % {
            "first": chosen[0],
            "second": chosen[1],
        }
        return _compare_message(request, client, message, 400)
    area = chosen[0].area.casefold()
    series = [
        photo
        for photo in Photo.objects.filter(client=client, angle=chosen[0].angle)
        .select_related("taken_by")
        .order_by("taken_at", "pk")
        if photo.area.casefold() == area
    ]
    by_pk = {photo.pk: photo for photo in series}
    before, after = sorted((by_pk[photo.pk] for photo in chosen), key=lambda photo: (photo.taken_at, photo.pk))
    context: dict[str, Any] = {
        "client": client,
        "before": before,
        "after": after,
        "pair": [before, after],
        "series": series,
        "title": str(before),
    }
    return render(request, "photos/compare.html", context)
