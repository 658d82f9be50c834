"""The shipped catalogue for tests: loaded and approved as a clinic would, and the
health questionnaire answered "no" to every yes/no question."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from skinchart.catalogue.actions import approve_version, import_catalogue
from skinchart.catalogue.loader import read_catalogue
from skinchart.catalogue.models import DefinitionVersion

YES_NO_QUESTIONS = [
    "pregnant",
    "breastfeeding",
    "active_skin_infection_in_area",
    "keloid_tendency",
    "chronic_urticaria",
    "active_herpes_in_area",
    "blood_thinners",
    "fish_oil",
    "vitamin_e",
]
TEXT_QUESTIONS = ["medications", "allergies", "skin_diseases", "previous_treatments"]
NO_TO_EVERY_QUESTION: dict[str, Any] = dict.fromkeys(YES_NO_QUESTIONS, False) | dict.fromkeys(TEXT_QUESTIONS, "")


def approve_shipped_catalogue(doctor: Any, *, review_by: dt.date | None = None) -> DefinitionVersion:
    """Load `CATALOGUE_DIR` and approve version 1 of the definition and of the guide,
    in force today; returns the definition version."""
    from skinchart.guides.models import GuideVersion

    import_catalogue(actor=None, documents=read_catalogue(Path(settings.CATALOGUE_DIR)))
    today = timezone.localdate()
    for model in (DefinitionVersion, GuideVersion):
        approve_version(
            actor=doctor,
            version=model.objects.get(number=1),
            in_force_from=today,
            review_by=review_by or dt.date(2027, 9, 30),
        )
    version: DefinitionVersion = DefinitionVersion.objects.get(number=1)
    return version
