"""Batches and recalls: which sessions used a lot. The same query and audit event as
the recall page (skinchart/products/recall.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema
from pydantic import Field

from skinchart.accounts.access import acting_user
from skinchart.accounts.permissions import Capability
from skinchart.api.auth import requires
from skinchart.api.clients import InvalidInput
from skinchart.api.schemas import ErrorOut
from skinchart.products.actions import look_up_lot
from skinchart.products.models import LOT_MAX_LENGTH, Unit
from skinchart.products.recall import CONTROL, has_characters_of
from skinchart.sessions.models import ProductUse, SessionStatus

router = Router(tags=["products"])


class BatchSessionOut(Schema):
    """One product use of the lot: the session, its client and what was applied."""

    session: UUID
    client: UUID
    client_name: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    status: SessionStatus
    performer: str
    responsible_doctor: str | None
    product: str
    manufacturer: str
    lot: str
    expires_on: dt.date
    quantity: str = Field(description='a decimal number as text, e.g. "2.50", in `unit`')
    unit: Unit
    area: str

    @staticmethod
    def resolve_session(obj: ProductUse) -> UUID:
        return obj.session.code

    @staticmethod
    def resolve_client(obj: ProductUse) -> UUID:
        return obj.session.client.code

    @staticmethod
    def resolve_client_name(obj: ProductUse) -> str:
        return obj.session.client.full_name

    @staticmethod
    def resolve_started_at(obj: ProductUse) -> dt.datetime | None:
        return obj.session.started_at

    @staticmethod
    def resolve_ended_at(obj: ProductUse) -> dt.datetime | None:
        return obj.session.ended_at

    @staticmethod
    def resolve_status(obj: ProductUse) -> str:
        return obj.session.status

    @staticmethod
    def resolve_performer(obj: ProductUse) -> str:
        return str(obj.session.performer)

    @staticmethod
    def resolve_responsible_doctor(obj: ProductUse) -> str | None:
        doctor = obj.session.responsible_doctor
        return str(doctor) if doctor is not None else None

    @staticmethod
    def resolve_product(obj: ProductUse) -> str:
        return obj.batch.product.name

    @staticmethod
    def resolve_manufacturer(obj: ProductUse) -> str:
        return obj.batch.product.manufacturer

    @staticmethod
    def resolve_lot(obj: ProductUse) -> str:
        return obj.batch.lot

    @staticmethod
    def resolve_expires_on(obj: ProductUse) -> dt.date:
        return obj.batch.expires_on

    @staticmethod
    def resolve_quantity(obj: ProductUse) -> str:
        return f"{obj.quantity:.2f}"

    @staticmethod
    def resolve_unit(obj: ProductUse) -> str:
        return obj.batch.product.unit


@router.get(
    "/batches/{path:lot}/sessions",
    auth=requires(Capability.RECALL_LOOKUP),
    response={200: list[BatchSessionOut], 403: ErrorOut, 422: ErrorOut},
)
def list_batch_sessions(
    request: HttpRequest,
    lot: str = Path(..., max_length=LOT_MAX_LENGTH, description="the lot number, exactly (URL-encoded)"),
) -> Any:
    """Every product use of batches with exactly this lot (case-sensitive, surrounding
    whitespace ignored), any session status, oldest session first; an unknown lot is an
    empty list. Each call is logged with the clients found."""
    lot = lot.strip()
    if not lot or has_characters_of(lot, CONTROL):
        raise InvalidInput({"lot": [_("Give a lot number without control characters.")]})
    return look_up_lot(actor=acting_user(request), lot=lot, request=request)
