"""Fetching a client's guide link for a user: through the client's clinical access check."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest

from skinchart.accounts.permissions import Capability
from skinchart.clients.access import authorise_client
from skinchart.guides.models import GuideLink


def get_link_for_user(request: HttpRequest, code: UUID, *, action: str) -> GuideLink:
    link = GuideLink.objects.select_related("client").filter(code=code).first()
    if link is None:
        raise Http404
    authorise_client(request, link.client, capability=Capability.VIEW_CLINICAL, action=action, target=link)
    return link
