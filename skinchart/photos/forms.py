from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from skinchart.photos.actions import normalise_area
from skinchart.photos.models import AREA_MAX_LENGTH, Angle, PhotoContext
from skinchart.photos.pipeline import PhotoRejected

# What the file picker offers; the server decides by content, never by this.
ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"


class PhotoUploadForm(forms.Form):
    """The tags of an uploaded photo (HTML page and API). The file itself is only
    checked for presence here; the pipeline decides whether it is an image."""

    file = forms.FileField(
        label=_("Photo"),
        allow_empty_file=True,  # the pipeline's own message explains an empty file
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        help_text=_("JPEG, PNG, WebP or HEIC. Location and camera data are removed."),
    )
    area = forms.CharField(
        label=_("Area"), max_length=AREA_MAX_LENGTH, help_text=_("The treated area, e.g. Kinder or Pande.")
    )
    angle = forms.ChoiceField(label=_("Angle"), choices=Angle.choices)
    context = forms.ChoiceField(label=_("When"), choices=PhotoContext.choices)

    def clean_area(self) -> str:
        try:
            return normalise_area(self.cleaned_data["area"])
        except PhotoRejected as exc:
            raise ValidationError(exc.message) from exc

    def tags(self) -> dict[str, Any]:
        return {key: self.cleaned_data[key] for key in ("area", "angle", "context")}


class CaptureForm(PhotoUploadForm):
    """The upload form as the camera page shows it: the same fields (the page posts
    to the upload view), the area with suggestions from the client's earlier areas."""

    def __init__(self, *args: Any, areas_list_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        attrs = self.fields["area"].widget.attrs
        attrs["autocomplete"] = "off"
        if areas_list_id:
            attrs["list"] = areas_list_id
