from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.utils.translation import gettext
from ninja import Schema
from pydantic import AwareDatetime, Field, field_serializer, field_validator, model_validator

from skinchart.accounts.models import TreatmentCategory
from skinchart.catalogue.models import DocumentStatus, Lifecycle, ReviewState
from skinchart.journal.models import EntryKind, EntryStatus


class StrictInput(Schema):
    """Base for request bodies: PostgreSQL cannot store NUL characters, so they are
    refused here with a clear 422 instead of a database error."""

    @model_validator(mode="after")
    def refuse_nul(self) -> Any:
        # After validation: Ninja hands "before" validators a DjangoGetter, not a dict.
        for key, value in self.__dict__.items():
            if isinstance(value, str) and "\x00" in value:
                raise ValueError(gettext("%(field)s: text may not contain NUL characters.") % {"field": key})
        return self


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


class ClientIn(StrictInput):
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    date_of_birth: dt.date | None = None
    cpr: str | None = Field(default=None, max_length=20, description="DDMMYY-SSSS; optional")
    phone: str = Field(default="", max_length=30)
    email: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=200)
    postal_code: str = Field(default="", max_length=10)
    city: str = Field(default="", max_length=100)
    preferred_language: str = Field(default="da", max_length=2)
    reception_notes: str = Field(default="", max_length=2000)


class ClientOut(Schema):
    code: UUID
    first_name: str
    last_name: str
    date_of_birth: dt.date
    cpr_masked: str
    phone: str
    email: str
    address: str
    postal_code: str
    city: str
    preferred_language: str


# --- Journal -----------------------------------------------------------------------------


class ForbiddenOut(ErrorOut):
    """A 403; `break_glass_required` when only the care relation is missing: the user
    may state a reason (break-glass, in Skinchart at `break_glass_url`) and try again."""

    break_glass_required: bool = False
    break_glass_url: str | None = None


class PersonOut(Schema):
    code: UUID
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)  # the full name, or the username when there is none


class EntryOut(Schema):
    code: UUID
    kind: EntryKind
    status: EntryStatus
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    signed_at: dt.datetime | None
    author: PersonOut
    on_behalf_of: PersonOut | None
    text: str
    content: dict[str, Any]
    corrects: UUID | None = Field(description="the code of the entry this one corrects")
    correction_kind: str | None
    correction_reason: str | None
    is_corrected: bool = Field(description="a signed correction points to this entry")
    seq: int | None = Field(description="position in the client's hash chain; null for a draft")
    hash: str | None = Field(description="SHA-256 link of the hash chain; null for a draft")

    @field_serializer("occurred_at", "recorded_at", "signed_at")
    def exact_time(self, value: dt.datetime | None) -> str | None:
        """In UTC to the microsecond, as the hash chain covers it (the default JSON
        encoder would cut to milliseconds, and the hash could not be checked)."""
        return value.astimezone(dt.UTC).isoformat() if value is not None else None

    @staticmethod
    def resolve_corrects(obj: Any) -> UUID | None:
        return obj.corrects.code if obj.corrects_id is not None else None

    @staticmethod
    def resolve_correction_kind(obj: Any) -> str | None:
        return obj.correction_kind or None

    @staticmethod
    def resolve_correction_reason(obj: Any) -> str | None:
        return obj.correction_reason if obj.corrects_id is not None else None

    @staticmethod
    def resolve_is_corrected(obj: Any) -> bool:
        return bool(getattr(obj, "is_corrected", False))  # annotated by EntryQuerySet.for_timeline

    @staticmethod
    def resolve_hash(obj: Any) -> str | None:
        return obj.hash or None


class JournalPageOut(Schema):
    count: int = Field(description="entries matching the filters, on all pages")
    page: int
    pages: int
    items: list[EntryOut]


class JournalFilters(Schema):
    page: int = Field(default=1, ge=1, description="1-based")
    kind: EntryKind | None = Field(default=None, description="only entries of this kind")
    date_from: dt.date | None = Field(default=None, alias="from", description="events on or after this day")
    date_to: dt.date | None = Field(default=None, alias="to", description="events on or before this day")


class NoteIn(StrictInput):
    """A clinical note. The author is always the caller; an author in the body is ignored."""

    text: str = Field(max_length=20000)
    occurred_at: AwareDatetime | None = Field(default=None, description="with a time zone; default: now")
    on_behalf_of: UUID | None = Field(default=None, description="the code of the responsible doctor")
    sign: bool = True

    @field_validator("occurred_at")
    @classmethod
    def representable_in_utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None:
            try:
                value.astimezone(dt.UTC)
            except OverflowError:
                raise ValueError(gettext("The time is out of range.")) from None
        return value


# --- Catalogue ---------------------------------------------------------------------------


class NameOut(Schema):
    da: str
    en: str


class DefinitionVersionOut(Schema):
    """A treatment definition version: its header, not its content."""

    code: UUID
    number: int
    in_force_from: dt.date | None
    review_by: dt.date | None
    review_state: ReviewState = Field(description="ok; due: review-by date is near; overdue: past it")
    content_hash: str = Field(description="SHA-256 of the canonical JSON of the definition")

    @staticmethod
    def resolve_review_state(obj: Any) -> ReviewState:
        return ReviewState(obj.review_state())


class TreatmentOut(Schema):
    code: str = Field(description='the treatment\'s stable key, e.g. "mesotherapy"')
    category: TreatmentCategory
    name: NameOut | None = Field(
        description="from the version in force; while none is, from the newest version; null without any version"
    )
    definition_version: DefinitionVersionOut | None = Field(description="the version in force today, if any")
    guide: UUID | None = Field(description="the code of the treatment's client guide, if it has one")

    @staticmethod
    def resolve_name(obj: Any) -> dict[str, str] | None:
        in_force = obj.in_force_versions[0] if obj.in_force_versions else None
        name = in_force.name_json if in_force is not None else obj.latest_name
        return name if isinstance(name, dict) else None

    @staticmethod
    def resolve_definition_version(obj: Any) -> Any:
        return obj.in_force_versions[0] if obj.in_force_versions else None

    @staticmethod
    def resolve_guide(obj: Any) -> UUID | None:
        guide = getattr(obj, "guide", None)  # a missing reverse one-to-one raises an AttributeError subclass
        return guide.code if guide is not None else None


class TreatmentDefinitionOut(DefinitionVersionOut):
    """An approved definition version with its full content (methods, questions,
    screening, preparation, session_steps, aftercare, course, spacing, product_types)."""

    definition: dict[str, Any]

    @staticmethod
    def resolve_definition(obj: Any) -> dict[str, Any]:
        content: dict[str, Any] = obj.content
        return content


class TreatmentVersionQuery(Schema):
    version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="an approved version's number; default: the one in force"
    )


class GuideVersionOut(Schema):
    code: UUID
    number: int
    status: DocumentStatus
    lifecycle: Lifecycle = Field(description="where the version stands today")
    revised_on: dt.date
    in_force_from: dt.date | None
    review_by: dt.date | None
    review_state: ReviewState
    approved_by: PersonOut | None
    approved_at: dt.datetime | None
    content_hash: str = Field(description="SHA-256 of exactly the text a client is shown")
    languages: list[str] = Field(description="the languages the version is written in")

    @staticmethod
    def resolve_lifecycle(obj: Any) -> Lifecycle:
        return Lifecycle(obj.lifecycle_today)  # set by the view, which knows the version in force

    @staticmethod
    def resolve_review_state(obj: Any) -> ReviewState:
        return ReviewState(obj.review_state())

    @staticmethod
    def resolve_languages(obj: Any) -> list[str]:
        languages: list[str] = obj.languages()
        return languages
