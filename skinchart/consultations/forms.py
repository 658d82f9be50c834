from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skinchart.catalogue.definition import AnswerType, TreatmentDefinition
from skinchart.consultations.models import AssessmentDecision
from skinchart.lib.forms import DanishDateField

YES, NO = "yes", "no"


class QuestionnaireForm(forms.Form):
    """The health questionnaire of a treatment definition, in the reader's language.
    One component for staff now and for the client in the portal later. A yes/no
    question starts unanswered, never as "no"; `answers()` keeps unanswered as None."""

    def __init__(
        self, *args: Any, definition: TreatmentDefinition, language: str, require_all: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.questions = definition.questions
        for question in self.questions:
            help_text = question.help.get(language) if question.help else ""
            if question.answer == AnswerType.YES_NO:
                self.fields[f"q_{question.key}"] = forms.ChoiceField(
                    label=question.text.get(language),
                    choices=[(YES, _("Yes")), (NO, _("No"))],
                    widget=forms.RadioSelect,
                    required=require_all and question.required,
                    help_text=help_text,
                    error_messages={"required": _("Answer this question: an empty answer is never read as no.")},
                )
            else:
                self.fields[f"q_{question.key}"] = forms.CharField(
                    label=question.text.get(language),
                    required=False,
                    max_length=2000,
                    help_text=help_text,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q_{question.key}"] for question in self.questions]

    def answers(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q_{question.key}")
            if question.answer == AnswerType.YES_NO:
                result[question.key] = True if value == YES else False if value == NO else None
            else:
                result[question.key] = (value or "").strip()
        return result


class ConsultationForm(QuestionnaireForm):
    methods = forms.MultipleChoiceField(label=_("Methods considered"), widget=forms.CheckboxSelectMultiple)
    skin_assessment = forms.CharField(
        label=_("Skin assessment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    wishes = forms.CharField(label=_("The client's wishes"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, definition: TreatmentDefinition, language: str, **kwargs: Any) -> None:
        super().__init__(*args, definition=definition, language=language, **kwargs)
        field = self.fields["methods"]
        if isinstance(field, forms.MultipleChoiceField):
            field.choices = [(m.key, m.name.get(language)) for m in definition.methods]


class DiscussionForm(forms.Form):
    note = forms.CharField(
        label=_("What was discussed and agreed"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AssessmentForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=AssessmentDecision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class OralInformationForm(forms.Form):
    note = forms.CharField(
        label=_("Note (what was explained, questions asked)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


AREA_ROWS = 4
MAX_DAYS_AHEAD = 730


class PlanForm(forms.Form):
    sessions = forms.IntegerField(label=_("Number of sessions"), min_value=1, max_value=50)
    interval_min_days = forms.IntegerField(label=_("At least days between sessions"), min_value=0, max_value=365)
    interval_max_days = forms.IntegerField(label=_("At most days between sessions"), min_value=0, max_value=365)
    maintenance_min_days = forms.IntegerField(
        label=_("Maintenance every (from) days"), min_value=1, max_value=3650, required=False
    )
    maintenance_max_days = forms.IntegerField(
        label=_("Maintenance every (to) days"), min_value=1, max_value=3650, required=False
    )
    mild_peel = forms.BooleanField(label=_("Mild chemical peel"), required=False)
    numbing_cream = forms.BooleanField(label=_("Numbing cream agreed"), required=False)
    first_session_on = DanishDateField(label=_("First session (proposed)"))

    def __init__(
        self, *args: Any, definition: TreatmentDefinition, methods: list[str], language: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [(m.key, m.name.get(language)) for m in definition.methods if m.key in methods]
        for row in range(AREA_ROWS):
            self.fields[f"area_{row}"] = forms.CharField(
                label=_("Area"),
                max_length=100,
                required=row == 0,
                help_text=_("e.g. cheeks, lips, neck") if row == 0 else "",
            )
            self.fields[f"method_{row}"] = forms.ChoiceField(label=_("Method"), choices=choices, required=False)

    def area_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"area_{row}"], self[f"method_{row}"]) for row in range(AREA_ROWS)]

    def areas(self) -> list[dict[str, str]]:
        return [
            {"area": self.cleaned_data[f"area_{row}"], "method": self.cleaned_data[f"method_{row}"]}
            for row in range(AREA_ROWS)
            if self.cleaned_data.get(f"area_{row}", "").strip()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for row in range(AREA_ROWS):
            if data.get(f"area_{row}", "").strip() and not data.get(f"method_{row}"):
                self.add_error(f"method_{row}", _("Choose the method for this area."))
        low, high = data.get("interval_min_days"), data.get("interval_max_days")
        if low is not None and high is not None and high < low:
            self.add_error("interval_max_days", _("The longest interval must not be shorter than the shortest."))
        first = data.get("first_session_on")
        if first is not None and first < timezone.localdate():
            self.add_error("first_session_on", _("The first session cannot be in the past."))
        if first is not None and first > timezone.localdate() + dt.timedelta(days=MAX_DAYS_AHEAD):
            self.add_error("first_session_on", _("The first session must be within two years."))
        return data
