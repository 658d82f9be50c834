"""Products, batches and recall look-ups. Each change and each look-up writes one
audit event in the same transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from skinchart.accounts.models import User
from skinchart.audit.log import record
from skinchart.products.models import Batch, Product
from skinchart.products.recall import client_codes, uses_of_lot
from skinchart.sessions.models import ProductUse

PRODUCT_FIELDS = ("name", "manufacturer", "contains_hyaluronic_acid", "unit", "active")
BATCH_FIELDS = ("lot", "expires_on", "received_on", "stock", "active")


class ProductError(Exception):
    """A change the rules refuse; the message is for the user."""


def _plain(value: Any) -> Any:
    """A value as the audit log's JSON keeps it."""
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


def _apply(instance: Product | Batch, data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, list[Any]]:
    """Set the fields in `data` that differ; {field: [old, new]} of those."""
    changes: dict[str, list[Any]] = {}
    for name in fields:
        if name in data and getattr(instance, name) != data[name]:
            changes[name] = [_plain(getattr(instance, name)), _plain(data[name])]
            setattr(instance, name, data[name])
    return changes


def _save(instance: Product | Batch, *, update_fields: list[str] | None = None) -> None:
    """Save in a savepoint: a duplicate that slipped past the form (two people adding
    the same thing at once) is refused with a message, not an error page."""
    try:
        with transaction.atomic():
            if update_fields is None:
                instance.save()
            else:
                instance.save(update_fields=update_fields)
    except IntegrityError as exc:
        if isinstance(instance, Batch):
            raise ProductError(_("This product already has a batch with lot %(lot)s.") % {"lot": instance.lot}) from exc
        raise ProductError(_("A product with this name and manufacturer already exists.")) from exc


@transaction.atomic
def create_product(*, actor: User, data: dict[str, Any], request: HttpRequest | None = None) -> Product:
    product = Product(**{name: data[name] for name in PRODUCT_FIELDS if name in data})
    _save(product)
    record(
        action="products.product_created",
        actor=actor,
        request=request,
        target=product,
        name=product.name,
        manufacturer=product.manufacturer,
    )
    return product


@transaction.atomic
def update_product(
    *, actor: User, product: Product, data: dict[str, Any], request: HttpRequest | None = None
) -> Product:
    product = Product.objects.select_for_update().get(pk=product.pk)
    if "unit" in data and data["unit"] != product.unit and product.batches.filter(uses__isnull=False).exists():
        # Recorded quantities are read in the product's unit: "2 ml" must never become "2 vials".
        raise ProductError(_("The unit cannot be changed: treatment sessions have recorded amounts in it."))
    changes = _apply(product, data, PRODUCT_FIELDS)
    if changes:
        _save(product, update_fields=sorted(changes))
        record(action="products.product_changed", actor=actor, request=request, target=product, changes=changes)
    return product


@transaction.atomic
def add_batch(*, actor: User, product: Product, data: dict[str, Any], request: HttpRequest | None = None) -> Batch:
    batch = Batch(product=product, **{name: data[name] for name in BATCH_FIELDS if name in data})
    _save(batch)
    record(
        action="products.batch_created",
        actor=actor,
        request=request,
        target=batch,
        product=str(product.code),
        lot=batch.lot,
        expires_on=_plain(batch.expires_on),
    )
    return batch


@transaction.atomic
def update_batch(*, actor: User, batch: Batch, data: dict[str, Any], request: HttpRequest | None = None) -> Batch:
    """Change a batch. Its lot is fixed once a session has recorded it: a recall
    searches by the lot the session saw."""
    batch = Batch.objects.select_for_update(of=("self",)).select_related("product").get(pk=batch.pk)
    if "lot" in data and data["lot"] != batch.lot and batch.uses.exists():
        raise ProductError(_("The lot number cannot be changed: a treatment session has recorded this batch."))
    changes = _apply(batch, data, BATCH_FIELDS)
    if changes:
        _save(batch, update_fields=sorted(changes))
        record(
            action="products.batch_changed",
            actor=actor,
            request=request,
            target=batch,
            product=str(batch.product.code),
            lot=batch.lot,
            changes=changes,
        )
    return batch


def _recall(*, actor: User, lot: str, action: str, request: HttpRequest | None) -> list[ProductUse]:
    uses = list(uses_of_lot(lot))
    clients = client_codes(uses)
    record(
        action=action, actor=actor, request=request, lot=lot, rows=len(uses), client_count=len(clients), clients=clients
    )
    return uses


@transaction.atomic
def look_up_lot(*, actor: User, lot: str, request: HttpRequest | None = None) -> list[ProductUse]:
    """Every use of the lot (page and API); the look-up is logged with the clients found."""
    return _recall(actor=actor, lot=lot, action="products.recall_lookup", request=request)


@transaction.atomic
def export_lot(*, actor: User, lot: str, request: HttpRequest | None = None) -> list[ProductUse]:
    """The same rows for the CSV export, logged as an export."""
    return _recall(actor=actor, lot=lot, action="products.recall_exported", request=request)
