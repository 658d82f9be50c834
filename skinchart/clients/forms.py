from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from skinchart.clients.models import Client
from skinchart.lib.cpr import parse_cpr
from skinchart.lib.dates import local_today
from skinchart.lib.forms import DanishDateField
from skinchart.lib.phone import normalise_phone

CLIENT_FIELDS = [
    "first_name",
    "last_name",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "postal_code",
    "city",
    "preferred_language",
    "reception_notes",
]


EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)
SINGLE_LINE_FIELDS = ["first_name", "last_name", "address", "postal_code", "city"]


class ClientForm(forms.ModelForm):
    date_of_birth = DanishDateField(label=_("Date of birth"), required=False)
    cpr = forms.CharField(
        label=_("CPR number"),
        required=False,
        max_length=20,
        help_text=_("Optional. DDMMYY-SSSS. The date of birth is taken from it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    class Meta:
        model = Client
        fields = CLIENT_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.cpr:
            self.fields["cpr"].help_text = _(
                "Stored as %(masked)s. Leave empty to keep it; type a new number to replace it."
            ) % {"masked": self.instance.cpr_masked}
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        self.fields["phone"].help_text = _("Danish numbers without +45; others with their country code.")

    def clean_cpr(self) -> str | None:
        raw = self.cleaned_data.get("cpr", "").strip()
        if not raw:
            return None
        return parse_cpr(raw, today=local_today()).digits

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "").strip()
        return normalise_phone(raw) if raw else ""

    def clean_email(self) -> str:
        return self.cleaned_data.get("email", "").strip().lower()

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        cpr, dob = data.get("cpr"), data.get("date_of_birth")
        if cpr:
            cpr_birth = parse_cpr(cpr).birth_date
            if dob and dob != cpr_birth:
                self.add_error(
                    "date_of_birth",
                    _("The date of birth does not agree with the CPR number (%(date)s).")
                    % {"date": cpr_birth.strftime("%d.%m.%Y")},
                )
            data["date_of_birth"] = cpr_birth
        elif not dob and not self.instance.pk:
            self.add_error("date_of_birth", _("Enter the date of birth or a CPR number."))
        elif not dob:
            data["date_of_birth"] = self.instance.date_of_birth
        if data.get("date_of_birth") and data["date_of_birth"] > local_today():
            self.add_error("date_of_birth", _("The date of birth cannot be in the future."))
        if data.get("date_of_birth") and data["date_of_birth"] < EARLIEST_BIRTH_DATE:
            self.add_error("date_of_birth", _("Check the year: the date of birth is before 1900."))
        for name in SINGLE_LINE_FIELDS:
            if any(unicodedata.category(ch) == "Cc" for ch in str(data.get(name) or "")):
                self.add_error(name, _("Remove the control characters (e.g. tabs or line breaks)."))
        return data


class ClientSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
