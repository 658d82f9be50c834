"""The stateless screening endpoint for integrations: evaluate the health answers of a
client against the treatment definition version in force on the treatment date.

It writes nothing (no journal entry, no audit event of its own); the consultation
flow journals its screenings. The answers are those of the shipped mesotherapy
definition; a required yes/no answer that is absent or null is missing, never "no"."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict, Field, StrictBool

from skinchart.accounts.permissions import Capability
from skinchart.api.auth import requires
from skinchart.api.clients import InvalidInput
from skinchart.api.schemas import ErrorOut, StrictInput
from skinchart.catalogue.models import DefinitionVersion, Treatment
from skinchart.consultations.screening import Outcome, evaluate
from skinchart.lib.cpr import parse_cpr
from skinchart.lib.dates import local_today, start_of_local_day

router = Router(tags=["screening"])

YesNo = StrictBool | None
FreeText = str


class Answers(StrictInput):
    """The health answers. A yes/no answer is true, false or null; null or absent is a
    missing answer (outcome `incomplete`), never "no"."""

    model_config = ConfigDict(extra="forbid")

    pregnant: YesNo = None
    breastfeeding: YesNo = None
    active_skin_infection_in_area: YesNo = Field(
        default=None, description="active skin infection, open wound or inflammation in the area"
    )
    keloid_tendency: YesNo = None
    chronic_urticaria: YesNo = None
    active_herpes_in_area: YesNo = Field(default=None, description="an active cold sore in or near the area")
    blood_thinners: YesNo = None
    fish_oil: YesNo = None
    vitamin_e: YesNo = None
    medications: FreeText = Field(default="", max_length=2000)
    allergies: FreeText = Field(default="", max_length=2000)
    skin_diseases: FreeText = Field(default="", max_length=2000)
    previous_treatments: FreeText = Field(default="", max_length=2000)


class ScreeningIn(StrictInput):
    model_config = ConfigDict(extra="forbid")

    treatment: str = Field(pattern=r"^[a-z][a-z0-9_]{0,47}$", description='the treatment\'s code, e.g. "mesotherapy"')
    method: str | None = Field(
        default=None, max_length=48, description="a method key of the definition; null: every rule applies"
    )
    date_of_birth: dt.date | None = Field(
        default=None, description="checked against the CPR number when both are given"
    )
    cpr: str | None = Field(default=None, max_length=20, description="DDMMYY-SSSS; the date of birth is taken from it")
    treatment_date: dt.date = Field(description="the age and the definition version are those of this day")
    answers: Answers = Field(default_factory=Answers)


class FindingOut(Schema):
    rule: str = Field(description='a rule or question key, "date_of_birth" or "minimum_age"')
    outcome: Outcome
    message: str = Field(description="in the request's language")


class DefinitionVersionRefOut(Schema):
    treatment: str
    number: int
    code: UUID
    content_hash: str


class ScreeningOut(Schema):
    outcome: Outcome = Field(
        description="the worst finding: not_eligible > incomplete > doctor_review > discuss > eligible"
    )
    findings: list[FindingOut] = Field(description="worst first, then in the definition's order")
    definition_version: DefinitionVersionRefOut
    age_on_treatment_date: int | None = Field(description="whole years; null when the date of birth is unusable")


@router.post(
    "/screening/evaluate",
    auth=requires(Capability.VIEW_CLINICAL),
    response={200: ScreeningOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def evaluate_screening(request: HttpRequest, payload: ScreeningIn) -> dict[str, Any]:
    """Screen health answers against the treatment's definition version in force on
    `treatment_date`. Stores nothing."""
    cpr_birth_date = None
    if payload.cpr is not None:
        try:
            cpr_birth_date = parse_cpr(payload.cpr, today=local_today()).birth_date
        except DjangoValidationError as exc:
            raise InvalidInput({"cpr": list(exc.messages)}) from None
    if start_of_local_day(payload.treatment_date, days_later=1) is None:
        raise InvalidInput({"treatment_date": [_("The date is out of range.")]})

    treatment = Treatment.objects.filter(code=payload.treatment).first()
    if treatment is None:
        raise HttpError(404, _("There is no treatment with this code."))
    version: DefinitionVersion | None = (
        DefinitionVersion.objects.filter(treatment=treatment).in_force_on(payload.treatment_date).first()
    )
    if version is None:
        raise HttpError(404, _("No version of this treatment is in force on the treatment date."))
    definition = version.definition
    if payload.method is not None and definition.method(payload.method) is None:
        allowed = ", ".join(m.key for m in definition.methods)
        raise InvalidInput(
            {"method": [_("This treatment has no such method. Allowed: %(allowed)s.") % {"allowed": allowed}]}
        )

    result = evaluate(
        definition,
        method=payload.method,
        treatment_date=payload.treatment_date,
        answers=payload.answers.model_dump(),
        date_of_birth=payload.date_of_birth,
        cpr_birth_date=cpr_birth_date,
        language=get_language() or "da",
    )
    return {
        **result.to_json(),
        "definition_version": {
            "treatment": treatment.code,
            "number": version.number,
            "code": version.code,
            "content_hash": version.content_hash,
        },
    }
