from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skinchart.accounts.models import Role, User
from skinchart.journal.models import CorrectionKind, EntryKind
from skinchart.lib.forms import DanishDateField


def active_doctors() -> Any:
    return User.objects.filter(is_active=True, staff_roles__role=Role.DOCTOR).distinct()


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)
    # A floor keeps the time storable in UTC (year 1 overflows) and catches typos.
    occurred_on = DanishDateField(label=_("Date of the event"), validators=[MinValueValidator(dt.date(1900, 1, 1))])
    occurred_time = forms.TimeField(
        label=_("Time of the event"), input_formats=["%H:%M", "%H.%M"], widget=forms.TimeInput(format="%H:%M")
    )
    on_behalf_of = forms.ModelChoiceField(
        label=_("On behalf of (responsible doctor)"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("For a helper acting under a doctor's responsibility."),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on_behalf_of"].queryset = active_doctors().exclude(pk=actor.pk)  # type: ignore[attr-defined]
        now = timezone.localtime()
        self.initial.setdefault("occurred_on", now.date())
        self.initial.setdefault("occurred_time", now.time().replace(second=0, microsecond=0))

    def occurred_at(self) -> dt.datetime:
        """The event time in the clinic's time zone (DST-safe: an ambiguous or missing
        local time is resolved by zoneinfo's fold rules)."""
        naive = dt.datetime.combine(self.cleaned_data["occurred_on"], self.cleaned_data["occurred_time"])
        return timezone.make_aware(naive)


class CorrectionForm(forms.Form):
    correction_kind = forms.ChoiceField(
        label=_("Kind of correction"), choices=CorrectionKind.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    text = forms.CharField(
        label=_("Corrected or added text"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Leave empty only for 'entered in error'."),
    )


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to open this record?"),
        min_length=10,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your access and reason are logged and reviewed by the responsible doctor."),
    )


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("Review note"), required=False, max_length=1000)


class TimelineFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *EntryKind.choices], required=False)
    date_from = DanishDateField(label=_("From"), required=False)
    date_to = DanishDateField(label=_("To"), required=False)
