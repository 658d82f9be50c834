"""Client workflows: register and update. Each writes its audit event."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from skinchart.accounts.permissions import Capability, user_can
from skinchart.audit.log import record
from skinchart.clients.models import Client
from skinchart.journal.actions import assign_practitioner


class DuplicateCprError(Exception):
    def __init__(self) -> None:
        super().__init__(_("Another client is already registered with this CPR number."))


def _check_cpr_free(cpr: str | None, *, exclude_pk: int | None = None) -> None:
    if not cpr:
        return
    others = Client.objects.filter(cpr=cpr)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise DuplicateCprError()


@transaction.atomic
def register_client(*, actor: Any, data: dict[str, Any], request: HttpRequest | None = None) -> Client:
    """Create a client from validated data (ClientForm.cleaned_data or the API schema)."""
    _check_cpr_free(data.get("cpr"))
    client = Client(created_by=actor, **data)
    client.refresh_name_key()
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError as exc:  # a concurrent registration won the race
        raise DuplicateCprError() from exc
    record(action="client.registered", actor=actor, request=request, client=client, target=client)
    if user_can(actor, Capability.VIEW_CLINICAL):
        # The clinician who registers a client is about to see them: a care relation.
        assign_practitioner(actor=actor, client=client, practitioner=actor, request=request)
    return client


@transaction.atomic
def update_client(*, actor: Any, client: Client, data: dict[str, Any], request: HttpRequest | None = None) -> Client:
    """Change contact data. Only the names of changed fields go to the audit log."""
    if data.get("cpr") is None:
        data = {k: v for k, v in data.items() if k != "cpr"}
    _check_cpr_free(data.get("cpr"), exclude_pk=client.pk)
    changed = sorted(name for name, value in data.items() if getattr(client, name) != value)
    for name in changed:
        setattr(client, name, data[name])
    client.refresh_name_key()
    client.updated_at = timezone.now()
    client.save(update_fields=[*changed, "name_key", "updated_at"])
    record(action="client.updated", actor=actor, request=request, client=client, target=client, fields=changed)
    return client


def reveal_cpr(*, actor: Any, client: Client, request: HttpRequest | None = None) -> str:
    """The full CPR number, shown on purpose; the showing is logged."""
    record(action="client.cpr_revealed", actor=actor, request=request, client=client, target=client)
    return client.cpr_value.formatted if client.cpr_value else ""
