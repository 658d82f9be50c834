"""Fetching a photo for a user: through the client's clinical access check (capability,
care relation or break-glass, one access event per call, whatever the outcome)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from skinchart.accounts.permissions import Capability, user_can
from skinchart.audit.log import record
from skinchart.audit.models import Outcome
from skinchart.clients.access import authorise_client
from skinchart.photos.models import Photo


def get_photo_for_user(request: HttpRequest, code: UUID, *, action: str = "photo.viewed", client: Any = None) -> Photo:
    """The photo with this code, for a user who may see the client's clinical record.

    No such photo — or, when `client` is given, a photo of another client — answers
    404, never 403, so a code reveals nothing; the attempt is logged as denied."""
    if not user_can(request.user, Capability.VIEW_CLINICAL):
        record(action=action, request=request, outcome=Outcome.DENIED, reason="capability", photo_code=str(code))
        raise PermissionDenied
    photo = Photo.objects.select_related("client").filter(code=code).first()
    if photo is None or (client is not None and photo.client_id != client.pk):
        record(
            action=action,
            request=request,
            client=client,
            outcome=Outcome.DENIED,
            reason="not_found" if photo is None else "other_client",
            photo_code=str(code),
        )
        raise Http404
    authorise_client(request, photo.client, capability=Capability.VIEW_CLINICAL, action=action, target=photo)
    return photo
