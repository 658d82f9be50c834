"""A client's consents (treatment and photos in marketing), through the same clinical
access check as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema

from skinchart.accounts.permissions import Capability
from skinchart.api.auth import requires
from skinchart.api.schemas import ErrorOut, ForbiddenOut
from skinchart.clients.access import get_client_for_user
from skinchart.consent.models import Consent

router = Router(tags=["consent"])


class ConsentOut(Schema):
    code: UUID
    kind: str
    mode: str
    status: str
    plan: UUID | None
    guide_version: UUID | None
    guide_version_number: int | None
    guide_content_hash: str | None
    text: str
    text_hash: str
    signer_name: str
    given_at: dt.datetime
    recorded_by: str
    withdrawn_at: dt.datetime | None

    @staticmethod
    def resolve_plan(obj: Consent) -> UUID | None:
        return obj.plan.code if obj.plan is not None else None

    @staticmethod
    def resolve_guide_version(obj: Consent) -> UUID | None:
        return obj.guide_version.code if obj.guide_version is not None else None

    @staticmethod
    def resolve_guide_version_number(obj: Consent) -> int | None:
        return obj.guide_version.number if obj.guide_version is not None else None

    @staticmethod
    def resolve_guide_content_hash(obj: Consent) -> str | None:
        return obj.guide_version.content_hash if obj.guide_version is not None else None

    @staticmethod
    def resolve_recorded_by(obj: Consent) -> str:
        return str(obj.recorded_by)


@router.get(
    "/clients/{code}/consents",
    auth=requires(Capability.VIEW_CLINICAL),
    response={200: list[ConsentOut], 403: ForbiddenOut, 404: ErrorOut},
)
def list_consents(request: HttpRequest, code: UUID) -> Any:
    """Every consent of the client, newest first, each bound to the guide version it was
    given on (with that version's content hash), and withdrawn ones too."""
    client = get_client_for_user(request, code, capability=Capability.VIEW_CLINICAL, action="consent.api_listed")
    return list(
        Consent.objects.filter(client=client)
        .select_related("plan", "guide_version", "recorded_by")
        .order_by("-given_at")
    )
