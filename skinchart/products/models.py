"""Products applied in treatments and their batches (lots). A session records the batch
it used, so a recall or a reaction report can find every client who received a lot
(REG-16, REG-40). Batches are never deleted while a session points to them."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LOT_MAX_LENGTH = 60


class Unit(models.TextChoices):
    ML = "ml", _("ml")
    VIAL = "vial", _("vials")
    UNIT = "unit", _("units")


class Product(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    manufacturer = models.CharField(_("manufacturer"), max_length=200)
    contains_hyaluronic_acid = models.BooleanField(_("contains hyaluronic acid"), default=False)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.ML)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "manufacturer"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["name", "manufacturer"], name="products_product_unique_name"),
            models.CheckConstraint(condition=Q(unit__in=Unit.values), name="products_product_unit_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="products_product_name_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.manufacturer})"

    def get_absolute_url(self) -> str:
        return reverse("products:detail", kwargs={"code": self.code})


class BatchQuerySet(models.QuerySet["Batch"]):
    def usable_on(self, day: dt.date) -> BatchQuerySet:
        """Batches of active products that have not expired on `day` (a batch may be
        used up to and including its expiry date)."""
        return self.filter(product__active=True, active=True, expires_on__gte=day)


class Batch(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="batches", verbose_name=_("product"))
    lot = models.CharField(_("batch/lot number"), max_length=LOT_MAX_LENGTH)
    expires_on = models.DateField(_("expiry date"))
    received_on = models.DateField(_("received"), null=True, blank=True)
    # Optional stock count in the product's unit; signing a session subtracts what it used.
    stock = models.DecimalField(_("in stock"), max_digits=9, decimal_places=2, null=True, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["product__name", "expires_on", "lot"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        indexes = [models.Index(fields=["lot"], name="products_batch_lot")]
        constraints = [
            models.UniqueConstraint(fields=["product", "lot"], name="products_batch_unique_lot"),
            models.CheckConstraint(condition=~Q(lot=""), name="products_batch_lot_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} · {self.lot}"

    def is_expired_on(self, day: dt.date) -> bool:
        return self.expires_on < day
