"""Fetching an appointment for a user: through the client's access check."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest

from skinchart.accounts.permissions import Capability
from skinchart.clients.access import authorise_client
from skinchart.scheduling.models import Appointment


def get_appointment_for_user(
    request: HttpRequest, code: UUID, *, capability: Capability = Capability.EDIT_CLIENTS, action: str
) -> Appointment:
    """The appointment with this code, if the user may act on its client with
    `capability`; one access event either way (as `get_client_for_user`)."""
    appointment = Appointment.objects.select_related("client").filter(code=code).first()
    if appointment is None:
        raise Http404
    authorise_client(request, appointment.client, capability=capability, action=action, target=appointment)
    return appointment
