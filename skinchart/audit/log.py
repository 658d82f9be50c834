"""Write audit events. Actions call `record` explicitly, in their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from skinchart.audit.models import AuditEvent, Outcome
from skinchart.lib.request_meta import client_ip


def record(
    *,
    action: str,
    actor: Any = None,
    request: HttpRequest | None = None,
    client: Any = None,
    target: models.Model | None = None,
    outcome: str = Outcome.SUCCESS,
    via: str | None = None,
    on_behalf_of: Any = None,
    **data: Any,
) -> AuditEvent:
    """Append one audit event. `actor` defaults to the request's user; `data` holds
    identifiers and short facts only — never clinical text, passwords or CPR numbers."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    target_type = target_id = ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(getattr(target, "code", target.pk))
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_roles=",".join(sorted(getattr(actor, "role_set", ()))),
        on_behalf_of=on_behalf_of,
        client=client,
        target_type=target_type,
        target_id=target_id,
        outcome=outcome,
        source_ip=client_ip(request) if request is not None else None,
        via=via or (str(getattr(request, "audit_via", "web")) if request is not None else "cli"),
        data=data,
    )
