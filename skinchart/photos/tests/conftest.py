"""Fixtures of the photo tests: a throwaway media folder behind Django's storage API,
known encryption keys, a client in care, and upload helpers for the page and the API."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from skinchart.accounts.actions import issue_api_token
from skinchart.accounts.models import User
from skinchart.clients.models import Client
from skinchart.journal.models import CareAssignment
from skinchart.photos.actions import ingest_photo
from skinchart.photos.models import Photo
from skinchart.photos.tests import images


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """MEDIA_ROOT in a temp folder (inside `tmp_path`, so a file written outside it
    would show up there too), and the keys A (current) and B."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    settings.PHOTO_KEYS = {"a": images.KEY_A}
    settings.PHOTO_KEY_ID = "a"
    return root


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.fixture
def cared_for(client_record: Client, doctor: User, nurse: User) -> Client:
    for practitioner in (doctor, nurse):
        CareAssignment.objects.create(client=client_record, practitioner=practitioner, assigned_by=doctor)
    return client_record


@pytest.fixture
def make_photo(media: Path, nurse: User, cared_for: Client) -> Callable[..., Photo]:
    def make(data: bytes | None = None, *, actor: User | None = None, **tags: Any) -> Photo:
        fields = {"area": "Kinder", "angle": "front", "context": "consultation", "client": cared_for, **tags}
        upload = SimpleUploadedFile("photo.jpg", data or images.jpeg(), content_type="image/jpeg")
        return ingest_photo(actor=actor or nurse, upload=upload, **fields)

    return make


@dataclass
class Uploaded:
    status: int
    message: str
    response: Any


TAGS = {"area": "Kinder", "angle": "front", "context": "consultation"}


ENGLISH = {"Accept-Language": "en"}  # messages are asserted in their English source


def bearer(user: User) -> HttpClient:
    _, plain = issue_api_token(actor=None, user=user)
    return HttpClient(headers={"Authorization": f"Bearer {plain}", **ENGLISH})


@pytest.fixture
def upload_via(
    sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client, media: Path
) -> dict[str, Callable[..., Uploaded]]:
    """Post a file as the nurse, through the HTML page or the API; the answer's status
    and the refusal message it carries (empty when accepted)."""
    page, api = sign_in(nurse), bearer(nurse)

    def by_page(name: str, data: bytes, content_type: str = "image/jpeg", **tags: str) -> Uploaded:
        file = SimpleUploadedFile(name, data, content_type=content_type)
        response = page.post(f"/clients/{cared_for.code}/photos/new/", {**TAGS, **tags, "file": file}, headers=ENGLISH)
        errors = response.context["form"].errors.get("file", []) if response.context else []
        return Uploaded(response.status_code, " ".join(errors), response)

    def by_api(name: str, data: bytes, content_type: str = "image/jpeg", **tags: str) -> Uploaded:
        file = SimpleUploadedFile(name, data, content_type=content_type)
        response = api.post(f"/api/v1/clients/{cared_for.code}/photos", {**TAGS, **tags, "file": file})
        body = json.loads(response.content)
        return Uploaded(response.status_code, body.get("detail", "") if response.status_code >= 400 else "", response)

    return {"page": by_page, "api": by_api}
