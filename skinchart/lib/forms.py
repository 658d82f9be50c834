"""Form fields that speak the way people in Denmark write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# 24.12.1990, 24-12-1990, 24/12/1990, 24.12.90 is deliberately not accepted (century guess).
DANISH_DATE_INPUT_FORMATS = ["%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"]


class DanishDateField(forms.DateField):
    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("input_formats", DANISH_DATE_INPUT_FORMATS)
        kwargs.setdefault("widget", forms.DateInput(format="%d.%m.%Y", attrs={"placeholder": _("dd.mm.yyyy")}))
        super().__init__(**kwargs)  # type: ignore[arg-type]
