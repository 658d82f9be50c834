from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skinchart.catalogue.actions import default_review_by
from skinchart.catalogue.models import ControlledVersion
from skinchart.lib.forms import DanishDateField


class ApprovalForm(forms.Form):
    in_force_from = DanishDateField(label=_("In force from"))
    review_by = DanishDateField(label=_("Review by"))
    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(
        label=_("I have read this version in full and approve it as the responsible doctor."), required=True
    )

    def __init__(self, *args: Any, version: ControlledVersion, **kwargs: Any) -> None:
        today = timezone.localdate()
        start = max(version.in_force_from or today, today)
        review_by = version.review_by if version.review_by and version.review_by > start else default_review_by(start)
        kwargs.setdefault(
            "initial", {"in_force_from": start, "review_by": review_by, "content_hash": version.content_hash}
        )
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("in_force_from")
        review_by: dt.date | None = data.get("review_by")
        if start and start < timezone.localdate():
            self.add_error("in_force_from", _("A version cannot come into force before the day it is approved."))
        if start and review_by and review_by <= start:
            self.add_error("review_by", _("The review-by date must be after the in-force date."))
        return data


class DiffForm(forms.Form):
    against = forms.UUIDField(required=False)
