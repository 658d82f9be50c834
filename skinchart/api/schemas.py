from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.utils.translation import gettext
from ninja import Schema
from pydantic import Field, model_validator


class StrictInput(Schema):
    """Base for request bodies: PostgreSQL cannot store NUL characters, so they are
    refused here with a clear 422 instead of a database error."""

    @model_validator(mode="before")
    @classmethod
    def refuse_nul(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, value in data.items():
                if isinstance(value, str) and "\x00" in value:
                    raise ValueError(gettext("%(field)s: text may not contain NUL characters.") % {"field": key})
        return data


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
