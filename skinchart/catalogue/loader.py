"""Reading the catalogue directory: TOML files, validated before anything is written.

`read_catalogue` parses and validates every file and raises `CatalogueError` naming the
file and the field at the first problem, so a broken file changes nothing; writing is
`actions.import_catalogue`, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from skinchart.catalogue.definition import Key, Text, TreatmentDefinition, definition_json, parse_definition
from skinchart.lib.canonical import canonical_json

TREATMENT_SCHEMA = "skinchart.treatment/1"
GUIDE_SCHEMA = "skinchart.guide/1"

Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]


class CatalogueError(Exception):
    """A catalogue file cannot be loaded; the message names the file and the field."""


class GuideBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    da: Body
    en: Body


class GuideSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: Key
    heading: Text
    body: GuideBody


class GuideFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    schema_: Literal["skinchart.guide/1"] = Field(alias="schema")
    treatment: Key
    revised: dt.date
    in_force: dt.date
    review_by: dt.date
    title: Text
    sections: list[GuideSection] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        keys = [s.key for s in self.sections]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"sections: the key(s) {duplicates} are used twice")
        if self.review_by <= self.in_force:
            raise ValueError("review_by must be after in_force")
        return self

    def title_json(self) -> dict[str, str]:
        return {"da": self.title.da, "en": self.title.en}

    def sections_json(self) -> list[dict[str, Any]]:
        return [section.model_dump(mode="json") for section in self.sections]


@dataclass(frozen=True)
class TreatmentDocument:
    path: Path
    definition: TreatmentDefinition

    @property
    def content(self) -> dict[str, Any]:
        return definition_json(self.definition)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.content)).hexdigest()


@dataclass(frozen=True)
class GuideDocument:
    path: Path
    guide: GuideFile


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"]) or "(file)"
        message = str(item["msg"]).removeprefix("Value error, ")
        lines.append(f"{location}: {message}")
    return "; ".join(lines)


def read_file(path: Path) -> TreatmentDocument | GuideDocument:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path}: not valid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path}: cannot be read: {exc}") from exc
    schema = data.get("schema")
    try:
        if schema == TREATMENT_SCHEMA:
            return TreatmentDocument(path, parse_definition(data))
        if schema == GUIDE_SCHEMA:
            return GuideDocument(path, GuideFile.model_validate(data))
    except ValidationError as exc:
        raise CatalogueError(f"{path}: {_describe(exc)}") from exc
    raise CatalogueError(f'{path}: schema: expected "{TREATMENT_SCHEMA}" or "{GUIDE_SCHEMA}", got {schema!r}')


def read_catalogue(path: Path) -> list[TreatmentDocument | GuideDocument]:
    """Every `*.toml` under `path` (or the one file), validated; definitions first."""
    if not path.exists():
        raise CatalogueError(f"{path}: no such file or directory")
    files = sorted(path.rglob("*.toml")) if path.is_dir() else [path]
    if not files:
        raise CatalogueError(f"{path}: no .toml files")
    documents = [read_file(file) for file in files]
    codes = [d.definition.code for d in documents if isinstance(d, TreatmentDocument)]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise CatalogueError(f"{path}: treatment code(s) {duplicates} are defined in more than one file")
    guides = [d.guide.treatment for d in documents if isinstance(d, GuideDocument)]
    duplicates = sorted({c for c in guides if guides.count(c) > 1})
    if duplicates:
        raise CatalogueError(f"{path}: more than one guide for treatment(s) {duplicates}")
    return sorted(documents, key=lambda d: (isinstance(d, GuideDocument), str(d.path)))
