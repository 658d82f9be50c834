from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from skinchart.lib.forms import DanishDateField
from skinchart.products.models import LOT_MAX_LENGTH, Batch, Product
from skinchart.products.recall import CONTROL, INVISIBLE, has_characters_of


def danish_dates(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """Model date fields as DanishDateField (dd.mm.yyyy)."""
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return field.formfield(form_class=DanishDateField, **kwargs)
    return field.formfield(**kwargs)


def refuse_control_characters(value: str) -> None:
    if has_characters_of(value, CONTROL):
        raise forms.ValidationError(_("Control characters are not allowed."), code="control_characters")


class ProductForm(forms.ModelForm[Product]):
    class Meta:
        model = Product
        fields = ["name", "manufacturer", "contains_hyaluronic_acid", "unit", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("name", "manufacturer"):
            self.fields[name].validators.append(refuse_control_characters)


class NewProductForm(ProductForm):
    """A new product is in use; the rest as on the edit form."""

    class Meta(ProductForm.Meta):
        fields = ["name", "manufacturer", "contains_hyaluronic_acid", "unit"]


class BatchForm(forms.ModelForm[Batch]):
    """A batch of `product`. With `lot_locked` (a session has recorded the batch) the
    lot is not on the form."""

    class Meta:
        model = Batch
        fields = ["lot", "expires_on", "received_on", "stock", "active"]
        formfield_callback = danish_dates
        widgets = {"lot": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})}

    stock = forms.DecimalField(
        label=capfirst(Batch._meta.get_field("stock").verbose_name),
        required=False,
        min_value=Decimal(0),
        max_digits=9,
        decimal_places=2,
        localize=True,  # 12,5 in Danish (12.5 is read too)
        show_hidden_initial=True,  # so an untouched stock is not written back over a session's use
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, product: Product, lot_locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.product = self.instance.product = product
        if lot_locked:
            del self.fields["lot"]
        self.fields["stock"].help_text = _("Optional, in the product's unit: %(unit)s.") % {
            "unit": product.get_unit_display()
        }

    def clean_lot(self) -> str:
        lot: str = self.cleaned_data["lot"]
        if has_characters_of(lot, INVISIBLE):
            raise forms.ValidationError(
                _("The lot number may not contain control characters or invisible characters."),
                code="invisible_characters",
            )
        duplicates = Batch.objects.filter(product=self.product, lot=lot)
        if self.instance.pk is not None:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            raise forms.ValidationError(_("This product already has a batch with this lot number."), code="duplicate")
        return lot

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        received, expires = data.get("received_on"), data.get("expires_on")
        if received and expires and expires < received:
            self.add_error("expires_on", _("The expiry date is before the date the batch was received."))
        return data


class RecallForm(forms.Form):
    lot = forms.CharField(
        label=_("Batch/lot number"),
        max_length=LOT_MAX_LENGTH,
        validators=[refuse_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "type": "search"}),
        help_text=_("Exactly as on the label; capital and small letters count."),
    )
