from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_SIGNATURE_JSON = 200_000


class OralConsentForm(forms.Form):
    discussed = forms.CharField(
        label=_("What was discussed and agreed"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PhotoConsentForm(forms.Form):
    discussed = forms.CharField(
        label=_("What the client agrees to (which photos, where they may be used)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=2000, required=False)


class KioskSignForm(forms.Form):
    name = forms.CharField(label=_("Your full name"), max_length=200)
    signature = forms.CharField(widget=forms.HiddenInput, max_length=MAX_SIGNATURE_JSON)
    text_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_signature(self) -> Any:
        raw = self.cleaned_data["signature"]
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):  # deeply nested brackets are refused too
            raise forms.ValidationError(_("Draw the signature in the box.")) from None


class KioskUnlockForm(forms.Form):
    password = forms.CharField(
        label=_("Staff password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not right."))
        return password
