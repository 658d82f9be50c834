"""The only way a view gets a client: checks the capability, the care relation for
clinical content, and writes the access-log event (REG-28, REG-29)."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from skinchart.accounts.permissions import Capability, user_can
from skinchart.audit.log import record
from skinchart.audit.models import Outcome
from skinchart.clients.models import Client
from skinchart.journal.care import care_relation


class BreakGlassRequired(PermissionDenied):
    """No care relation: the user may state a reason (break-glass) and try again."""

    def __init__(self, client: Client) -> None:
        super().__init__("break-glass required")
        self.client = client


def get_client_for_user(
    request: HttpRequest,
    code: UUID,
    *,
    capability: Capability = Capability.VIEW_CLIENTS,
    action: str = "client.viewed",
) -> Client:
    """The client with this code, if the user holds `capability` and — for clinical
    content — has a care relation or an active break-glass access. Every call writes
    exactly one access event, whatever the outcome."""
    if not user_can(request.user, capability):
        record(action=action, request=request, outcome=Outcome.DENIED, reason="capability", client_code=str(code))
        raise PermissionDenied
    client = get_object_or_404(Client, code=code)
    authorise_client(request, client, capability=capability, action=action)
    return client


def authorise_client(
    request: HttpRequest, client: Client, *, capability: Capability, action: str, target: Model | None = None
) -> None:
    """The checks and the access event of `get_client_for_user`, for a client reached
    through another object (a journal entry, later a photo or a consent)."""
    if not user_can(request.user, capability):
        record(action=action, request=request, client=client, outcome=Outcome.DENIED, reason="capability")
        raise PermissionDenied
    relation = "n/a"
    if capability == Capability.VIEW_CLINICAL:
        relation = care_relation(request.user, client)
        if not relation:
            record(
                action=action,
                request=request,
                client=client,
                target=target,
                outcome=Outcome.DENIED,
                reason="no_care_relation",
            )
            raise BreakGlassRequired(client)
    record(action=action, request=request, client=client, target=target, relation=relation)
