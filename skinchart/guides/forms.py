from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skinchart.guides.models import GuideVersion, InformationChannel
from skinchart.lib.forms import DanishDateField

MAX_BODY = 20_000


class GuideEditForm(forms.Form):
    """The text of a new draft, section by section, in Danish and English. The
    sections are those of the version it starts from."""

    title_da = forms.CharField(label=_("Title (Danish)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    revised_on = DanishDateField(label=_("Revised"))

    def __init__(self, *args: Any, base: GuideVersion, **kwargs: Any) -> None:
        initial: dict[str, Any] = {
            "title_da": base.title.get("da", ""),
            "title_en": base.title.get("en", ""),
            "revised_on": base.revised_on if base.is_draft else timezone.localdate(),
        }
        self.section_keys = [section["key"] for section in base.sections]
        for section in base.sections:
            key = section["key"]
            initial[f"{key}__heading_da"] = section["heading"].get("da", "")
            initial[f"{key}__heading_en"] = section["heading"].get("en", "")
            initial[f"{key}__body_da"] = section["body"].get("da", "")
            initial[f"{key}__body_en"] = section["body"].get("en", "")
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for key in self.section_keys:
            self.fields[f"{key}__heading_da"] = forms.CharField(label=_("Heading (Danish)"), max_length=200)
            self.fields[f"{key}__heading_en"] = forms.CharField(
                label=_("Heading (English)"), max_length=200, required=False
            )
            self.fields[f"{key}__body_da"] = forms.CharField(
                label=_("Text (Danish)"), max_length=MAX_BODY, required=False, widget=forms.Textarea(attrs={"rows": 8})
            )
            self.fields[f"{key}__body_en"] = forms.CharField(
                label=_("Text (English)"), max_length=MAX_BODY, required=False, widget=forms.Textarea(attrs={"rows": 8})
            )

    def section_fields(self) -> list[dict[str, Any]]:
        return [
            {
                "key": key,
                "fields": [
                    self[f"{key}__heading_da"],
                    self[f"{key}__body_da"],
                    self[f"{key}__heading_en"],
                    self[f"{key}__body_en"],
                ],
            }
            for key in self.section_keys
        ]

    def title(self) -> dict[str, str]:
        return {"da": self.cleaned_data["title_da"].strip(), "en": self.cleaned_data["title_en"].strip()}

    def sections(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "key": key,
                "heading": {"da": data[f"{key}__heading_da"].strip(), "en": data[f"{key}__heading_en"].strip()},
                "body": {"da": data[f"{key}__body_da"].strip(), "en": data[f"{key}__body_en"].strip()},
            }
            for key in self.section_keys
        ]


class GiveInformationForm(forms.Form):
    version = forms.ChoiceField(label=_("Client guide"))
    channel = forms.ChoiceField(
        label=_("How"),
        widget=forms.RadioSelect,
        choices=[
            (InformationChannel.LINK.value, _("Send a link (by e-mail when the client has an address)")),
            (InformationChannel.HANDED_OVER.value, _("Handed over on paper")),
        ],
        initial=InformationChannel.LINK.value,
    )

    def __init__(self, *args: Any, versions: list[GuideVersion], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.versions = {str(v.code): v for v in versions}
        field = self.fields["version"]
        if isinstance(field, forms.ChoiceField):
            field.choices = [(str(v.code), f"{v.title_in(language)} — {_('version')} {v.number}") for v in versions]

    def chosen_version(self) -> GuideVersion:
        return self.versions[self.cleaned_data["version"]]
