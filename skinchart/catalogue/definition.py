"""The treatment definition format: what a file under `catalogue/treatments/` may say.

A definition is data, so a clinic can change a treatment's rules without code and every
decision can name the version it used. These pydantic models validate a parsed TOML file
(every error names the field), normalise it to the JSON that is stored and hashed, and
export the JSON Schema editors can use (`manage.py load_catalogue --schema`).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from skinchart.accounts.models import Role, TreatmentCategory

SCHEMA_ID = "skinchart.treatment/1"

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,47}$")]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in both languages the clinic works in; neither may be empty."""

    da: NonEmpty
    en: NonEmpty

    def get(self, language: str) -> str:
        return self.en if language.startswith("en") else self.da


DURATION = re.compile(r"^(\d{1,3})(h|d|w|mo)$")


class Duration(StrEnum):
    """Units of a time window. Hours are elapsed time; days, weeks and months are
    calendar steps in the clinic's time zone, so "7d" after 14:30 ends at 14:30
    local time seven days later, also across a DST change."""

    HOURS = "h"
    DAYS = "d"
    WEEKS = "w"
    MONTHS = "mo"


def check_duration(value: str) -> str:
    if not DURATION.match(value):
        raise ValueError("a duration is a whole number and a unit: 24h, 7d, 2w or 1mo")
    return value


DurationText = Annotated[str, Field(description="e.g. 24h (elapsed hours), 7d, 2w, 1mo (local calendar)")]


class Outcome(StrEnum):
    """Screening outcomes, worst first (PRODUCT.md §3)."""

    NOT_ELIGIBLE = "not_eligible"
    DOCTOR_REVIEW = "doctor_review"
    DISCUSS = "discuss"


class AnswerType(StrEnum):
    YES_NO = "yes_no"
    TEXT = "text"


class StepKind(StrEnum):
    PHOTO = "photo"
    CLEANSE = "cleanse"
    PEEL = "peel"
    PRODUCT = "product"
    METHOD = "method"
    NUMBING_CREAM = "numbing_cream"
    SOOTHING_CREAM = "soothing_cream"
    NOTE = "note"


class StepRequirement(StrEnum):
    ALWAYS = "always"
    OPTIONAL = "optional"
    IF_PLANNED = "if_planned"  # only when the treatment plan agreed it (peel, numbing cream)


class AdviceKind(StrEnum):
    AVOID = "avoid"
    DO = "do"


class Enforcement(StrEnum):
    WARN = "warn"  # "plan individually": the booking warns and records the reason to go on
    BLOCK = "block"


PRACTITIONER_ROLES = {Role.DOCTOR.value, Role.NURSE.value, Role.COSMETOLOGIST.value}


class Method(Strict):
    key: Key
    name: Text
    description: Text
    cosmetic_treatment: bool = Field(
        description="Covered by the cosmetic-treatment order (BEK 834/2014), e.g. hyaluronic-acid products"
    )
    reflection_hours: int = Field(ge=0, le=24 * 60, description="Hours between information and consent/treatment")
    same_day_allowed: bool
    pre_consultation_roles: list[str] = Field(min_length=1)
    performer_roles: list[str] = Field(min_length=1)

    @field_validator("pre_consultation_roles", "performer_roles")
    @classmethod
    def _roles(cls, roles: list[str]) -> list[str]:
        unknown = sorted(set(roles) - PRACTITIONER_ROLES)
        if unknown:
            raise ValueError(f"unknown role(s) {unknown}; allowed: {sorted(PRACTITIONER_ROLES)}")
        if len(set(roles)) != len(roles):
            raise ValueError("a role is listed twice")
        return roles

    @model_validator(mode="after")
    def _lawful(self, info: ValidationInfo) -> Self:
        if info.context and info.context.get("stored"):
            # An approved version was judged by the rules when it was loaded; reading
            # it back must not fail because a setting has since changed.
            return self
        if self.same_day_allowed and self.reflection_hours > 0:
            raise ValueError("same_day_allowed needs reflection_hours = 0")
        if self.cosmetic_treatment:
            # REG-2: a cosmetologist may never do the pre-consultation of a cosmetic treatment.
            if Role.COSMETOLOGIST.value in self.pre_consultation_roles:
                raise ValueError(
                    "pre_consultation_roles: a cosmetologist may not do the pre-consultation of a "
                    "cosmetic treatment (REG-2)"
                )
            # REG-3: a reflection period, never the same day (the floor is a setting).
            from django.conf import settings

            floor = settings.COSMETIC_MIN_REFLECTION_HOURS
            if self.reflection_hours < floor or self.same_day_allowed:
                raise ValueError(
                    f"reflection_hours: a cosmetic treatment needs at least {floor} hours and "
                    "same_day_allowed = false (REG-3)"
                )
        return self


class Question(Strict):
    key: Key
    text: Text
    answer: AnswerType
    required: bool = True
    reconfirm_each_session: bool = Field(False, description="asked again on the day of every session")
    help: Text | None = None


class Rule(Strict):
    key: Key
    question: Key
    outcome: Outcome
    explanation: Text
    methods: list[Key] = Field(default_factory=list, description="empty: every method")


class Screening(Strict):
    minimum_age: int = Field(ge=18, le=120, description="in whole years on the treatment date (REG-1)")
    age_explanation: Text
    rules: list[Rule] = Field(min_length=1)


class Step(Strict):
    key: Key
    kind: StepKind
    name: Text
    requirement: StepRequirement
    help: Text | None = None


class Reaction(Strict):
    key: Key
    text: Text
    usually_gone_after: list[DurationText] = Field(
        min_length=1, max_length=2, description="one duration, or a range such as ['24h', '72h']"
    )

    @field_validator("usually_gone_after")
    @classmethod
    def _durations(cls, values: list[str]) -> list[str]:
        return [check_duration(v) for v in values]


class WarningSign(Strict):
    key: Key
    text: Text


class Advice(Strict):
    """An aftercare rule: from `starts_after` (default at once) until `ends_after`
    (none: no end), both counted from the end of the session."""

    key: Key
    kind: AdviceKind
    text: Text
    starts_after: DurationText = "0h"
    ends_after: DurationText | None = None

    @field_validator("starts_after", "ends_after")
    @classmethod
    def _durations(cls, value: str | None) -> str | None:
        return None if value is None else check_duration(value)


class Aftercare(Strict):
    normal_reactions: list[Reaction] = Field(min_length=1)
    warning_signs: list[WarningSign] = Field(min_length=1)
    when_to_call: Text
    rules: list[Advice] = Field(min_length=1)
    practical_advice: list[Text] = Field(default_factory=list)


class DayRange(Strict):
    min_days: int = Field(ge=0, le=3650)
    max_days: int = Field(ge=0, le=3650)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max_days < self.min_days:
            raise ValueError("max_days is less than min_days")
        return self


class Course(Strict):
    sessions: int = Field(ge=1, le=50)
    interval: DayRange
    maintenance_interval: DayRange | None = None
    notes: list[Text] = Field(default_factory=list)


class Spacing(Strict):
    """The gap to keep to another treatment; `min_gap_days` absent means "plan
    individually" (the booking warns and asks for a reason)."""

    other: Key
    name: Text
    min_gap_days: int | None = Field(None, ge=0, le=3650)
    enforcement: Enforcement = Enforcement.WARN
    explanation: Text


class ProductType(Strict):
    key: Key
    name: Text
    contains_hyaluronic_acid: bool
    description: Text | None = None


class TreatmentDefinition(Strict):
    schema_: Literal["skinchart.treatment/1"] = Field(alias="schema")
    code: Key
    category: str = Field(description="the STPS registration type practitioners need for it")
    name: Text
    indications: list[Text] = Field(min_length=1)
    methods: list[Method] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)
    screening: Screening
    preparation: list[Text] = Field(min_length=1)
    session_steps: list[Step] = Field(min_length=1)
    aftercare: Aftercare
    course: Course
    spacing: list[Spacing] = Field(default_factory=list)
    product_types: list[ProductType] = Field(min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        if value not in TreatmentCategory.values:
            raise ValueError(f"unknown category; allowed: {sorted(TreatmentCategory.values)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _unique("methods", [m.key for m in self.methods])
        _unique("questions", [q.key for q in self.questions])
        _unique("screening.rules", [r.key for r in self.screening.rules])
        _unique("session_steps", [s.key for s in self.session_steps])
        _unique("aftercare.rules", [a.key for a in self.aftercare.rules])
        _unique("aftercare.normal_reactions", [r.key for r in self.aftercare.normal_reactions])
        _unique("spacing", [s.other for s in self.spacing])
        _unique("product_types", [p.key for p in self.product_types])
        questions = {q.key: q for q in self.questions}
        methods = {m.key for m in self.methods}
        for index, rule in enumerate(self.screening.rules):
            question = questions.get(rule.question)
            if question is None:
                raise ValueError(f"screening.rules.{index}.question: no question has the key {rule.question!r}")
            if question.answer != AnswerType.YES_NO:
                raise ValueError(f"screening.rules.{index}.question: a rule needs a yes/no question")
            if not question.required:
                # A missing answer is never read as "no": a rule's question must be answered.
                raise ValueError(f"screening.rules.{index}.question: {rule.question!r} must be required")
            unknown = sorted(set(rule.methods) - methods)
            if unknown:
                raise ValueError(f"screening.rules.{index}.methods: unknown method(s) {unknown}")
        if not any(s.kind == StepKind.PHOTO and s.requirement == StepRequirement.ALWAYS for s in self.session_steps):
            raise ValueError("session_steps: a photo of the area before every session is required (REG-17)")
        return self

    def method(self, key: str) -> Method | None:
        return next((m for m in self.methods if m.key == key), None)


def _unique(field: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"{field}: the key {key!r} is used twice")
        seen.add(key)


def parse_definition(data: dict[str, Any]) -> TreatmentDefinition:
    """Validate parsed TOML; raises pydantic.ValidationError naming each bad field."""
    return TreatmentDefinition.model_validate(data)


def definition_json(definition: TreatmentDefinition) -> dict[str, Any]:
    """The normalised form that is stored and hashed."""
    return definition.model_dump(mode="json", by_alias=True)


def json_schema() -> dict[str, Any]:
    return TreatmentDefinition.model_json_schema(by_alias=True)
