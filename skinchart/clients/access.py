"""The only way a view gets a client: checks the capability, then fetches by code."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from skinchart.accounts.permissions import Capability, user_can
from skinchart.clients.models import Client


def get_client_for_user(
    request: HttpRequest, code: UUID, *, capability: Capability = Capability.VIEW_CLIENTS
) -> Client:
    """The client with this code, if the user holds `capability`.

    The care-relation check and the access log (the journal issue) plug in here.
    """
    if not user_can(request.user, capability):
        raise PermissionDenied
    return get_object_or_404(Client, code=code)
