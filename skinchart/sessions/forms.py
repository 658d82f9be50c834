"""The treatment-room forms. Each builds its fields from the session's definition and
plan (the re-confirmation questions, the checklist steps, the plan's areas), so a new
definition version changes the forms without code."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from skinchart.catalogue.definition import StepKind
from skinchart.photos.forms import ACCEPT
from skinchart.photos.models import Angle, PhotoContext
from skinchart.products.models import Batch
from skinchart.sessions.actions import planned_steps, reconfirm_questions
from skinchart.sessions.models import TreatmentSession

YES_NO = [("no", _("No")), ("yes", _("Yes"))]
REASON_MAX = 4000


def _language() -> str:
    return translation.get_language() or "da"


def plan_areas(session: TreatmentSession) -> list[str]:
    return list(dict.fromkeys(item["area"] for item in session.plan.areas))


class ReconfirmForm(forms.Form):
    """Today's answers to the questions that can change between sessions."""

    def __init__(self, *args: Any, session: TreatmentSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in reconfirm_questions(session.definition):
            self.fields[question.key] = forms.ChoiceField(
                label=question.text.get(_language()), choices=YES_NO, widget=forms.RadioSelect
            )
            if session.reconfirmation.get(question.key) in ("yes", "no") and not self.is_bound:
                self.initial[question.key] = session.reconfirmation[question.key]

    def answers(self) -> dict[str, str]:
        return {key: str(value) for key, value in self.cleaned_data.items()}


class SessionPhotoForm(forms.Form):
    """A photo of one of the plan's areas, before (the start gate) or after the session."""

    file = forms.FileField(
        label=_("Photo"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT, "capture": "environment"}),
    )
    area = forms.ChoiceField(label=_("Area"))
    angle = forms.ChoiceField(label=_("Angle"), choices=Angle.choices)
    context = forms.ChoiceField(
        label=_("When"),
        choices=[
            (PhotoContext.BEFORE_SESSION, PhotoContext.BEFORE_SESSION.label),
            (PhotoContext.AFTER_SESSION, PhotoContext.AFTER_SESSION.label),
        ],
    )

    def __init__(self, *args: Any, session: TreatmentSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_field = self.fields["area"]
        if isinstance(area_field, forms.ChoiceField):
            area_field.choices = [(area, area) for area in plan_areas(session)]
        if not session.is_preparing:
            self.fields["context"].initial = PhotoContext.AFTER_SESSION


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class StartForm(forms.Form):
    spacing_reason = forms.CharField(
        label=_("Reason to go ahead despite the spacing warnings"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ChecklistForm(forms.Form):
    """The definition's steps (peel and numbing cream only when the plan agreed them),
    the method's settings per area, and notes."""

    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, session: TreatmentSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = _language()
        self.step_keys: list[str] = []
        self.area_fields: dict[str, str] = {}
        fields: dict[str, forms.Field] = {}
        for step in planned_steps(session):
            if step.kind in (StepKind.PHOTO, StepKind.PRODUCT, StepKind.NOTE):
                continue
            fields[f"step_{step.key}"] = forms.BooleanField(
                label=step.name.get(language),
                required=False,
                help_text=step.help.get(language) if step.help else "",
                initial=bool(session.steps_done.get(step.key)),
            )
            self.step_keys.append(step.key)
        saved = {item["area"]: item.get("settings", "") for item in session.areas}
        for index, item in enumerate(session.plan.areas):
            name = f"area_{index}"
            method = session.definition.method(item["method"])
            fields[name] = forms.CharField(
                label=_("%(area)s (%(method)s): settings")
                % {"area": item["area"], "method": method.name.get(language) if method else item["method"]},
                required=False,
                max_length=500,
                help_text=_("e.g. needle depth 0,5 mm"),
                initial=saved.get(item["area"], ""),
            )
            self.area_fields[name] = item["area"]
        fields["notes"] = self.fields.pop("notes")
        self.fields.update(fields)
        self.fields["notes"].initial = session.notes

    def done(self) -> list[str]:
        return [key for key in self.step_keys if self.cleaned_data.get(f"step_{key}")]

    def area_settings(self) -> dict[str, str]:
        return {area: self.cleaned_data.get(name, "") for name, area in self.area_fields.items()}


class BatchChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.product.name} · {obj.lot} · {obj.expires_on:%d.%m.%Y}"


class ProductUseForm(forms.Form):
    """A product applied: the batch (only batches in date are offered; the action
    refuses an expired one whatever is posted), the quantity and the area."""

    batch = BatchChoiceField(label=_("Product and batch"), queryset=Batch.objects.none(), to_field_name="code")
    quantity = forms.CharField(label=_("Quantity"), max_length=20, help_text=_("e.g. 2,5"))
    area = forms.ChoiceField(label=_("Area"), required=False)

    def __init__(self, *args: Any, session: TreatmentSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        batch_field = self.fields["batch"]
        if isinstance(batch_field, forms.ModelChoiceField):
            # Offered: batches in date. Accepted when posted: any batch in use, so that an
            # expired one reaches the action and is refused with the reason.
            batch_field.queryset = Batch.objects.select_related("product").filter(active=True, product__active=True)
            if not self.is_bound:
                batch_field.queryset = Batch.objects.usable_on(timezone.localdate()).select_related("product")
        area_field = self.fields["area"]
        if isinstance(area_field, forms.ChoiceField):
            area_field.choices = [("", "—"), *((area, area) for area in plan_areas(session))]


class SignForm(forms.Form):
    """When the session ended (today, local time; empty: now). Signing later than the
    end keeps the real end, which the aftercare dates count from (REG-14)."""

    ended = forms.TimeField(
        label=_("Ended at"),
        required=False,
        input_formats=["%H:%M", "%H.%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        help_text=_("Leave empty to use the time of signing."),
    )

    def __init__(self, *args: Any, session: TreatmentSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session = session

    def ended_at(self) -> dt.datetime | None:
        ended = self.cleaned_data.get("ended")
        if ended is None or self.session.started_at is None:
            return None
        day = timezone.localdate(self.session.started_at)
        moment = timezone.make_aware(dt.datetime.combine(day, ended))
        if moment < self.session.started_at:  # a session that went past midnight
            moment = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), ended))
        return moment
