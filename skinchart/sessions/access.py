"""Fetching a treatment session for a user: sessions are clinical, so through the
client's access check (capability, care relation or break-glass, one access event)."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest

from skinchart.accounts.permissions import Capability
from skinchart.clients.access import authorise_client
from skinchart.sessions.models import TreatmentSession


def get_session_for_user(request: HttpRequest, code: UUID, *, action: str) -> TreatmentSession:
    """The session with this code, if the user may see the client's clinical record.
    404 for an unknown code; `PermissionDenied` (or `BreakGlassRequired`) otherwise.
    Every call on an existing session writes exactly one access event named `action`."""
    session = (
        TreatmentSession.objects.select_related(
            "client",
            "plan",
            "performer",
            "responsible_doctor",
            "site",
            "definition_version",
            "treatment",
            "appointment",
        )
        .filter(code=code)
        .first()
    )
    if session is None:
        raise Http404
    authorise_client(request, session.client, capability=Capability.VIEW_CLINICAL, action=action, target=session)
    return session
