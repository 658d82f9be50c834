"""The photo API: upload (multipart), list, image; JSON errors, never a 500."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from skinchart.accounts.models import Role, User
from skinchart.accounts.tests.factories import UserFactory
from skinchart.audit.models import AuditEvent
from skinchart.clients.models import Client
from skinchart.journal.models import CareAssignment
from skinchart.photos.models import Photo
from skinchart.photos.tests import images
from skinchart.photos.tests.conftest import bearer

pytestmark = pytest.mark.django_db

TAGS = {"area": "Kinder", "angle": "front", "context": "consultation"}


def test_an_upload_answers_201_with_the_photo(
    media: Path, nurse: User, cared_for: Client, sign_in: Callable[[User], HttpClient]
) -> None:
    response = bearer(nurse).post(
        f"/api/v1/clients/{cared_for.code}/photos", {**TAGS, "file": SimpleUploadedFile("p.heic", images.heic())}
    )

    photo = Photo.objects.get()
    body = response.json()
    assert response.status_code == 201
    assert body["code"] == str(photo.code)
    assert {key: body[key] for key in ("area", "angle", "context", "sha256_original", "width", "height")} == {
        **TAGS,
        "sha256_original": photo.sha256_original,
        "width": 400,
        "height": 300,
    }
    assert body["urls"]["thumb"] == f"/api/v1/photos/{photo.code}/image?size=thumb"
    image = bearer(nurse).get(body["urls"]["original"])
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    assert image.content == sign_in(nurse).get(photo.image_url("original")).content


def test_the_image_endpoint_sends_the_same_headers_as_the_page(make_photo: Callable[..., Photo], nurse: User) -> None:
    photo = make_photo()

    response = bearer(nurse).get(f"/api/v1/photos/{photo.code}/image?size=thumb")

    assert (response["Cache-Control"], response["X-Content-Type-Options"]) == ("no-store, private", "nosniff")
    assert response["Content-Disposition"] == f'inline; filename="photo-{photo.code}-thumb.jpg"'
    assert response["Content-Security-Policy"] == "sandbox"
    assert AuditEvent.objects.filter(action="photo.viewed", target_id=str(photo.code), via="api").count() == 1


@pytest.mark.parametrize("size", ["huge", "", "../original"])
def test_an_unknown_size_is_422_json(make_photo: Callable[..., Photo], nurse: User, size: str) -> None:
    photo = make_photo()

    response = bearer(nurse).get(f"/api/v1/photos/{photo.code}/image?size={size}")

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")


def test_an_unknown_photo_is_404_json(media: Path, nurse: User) -> None:
    response = bearer(nurse).get(f"/api/v1/photos/{uuid.uuid4()}/image")

    assert (response.status_code, response.json()["detail"]) == (404, "Not found.")


def test_the_list_is_newest_first_and_filters_by_area_and_angle(
    make_photo: Callable[..., Photo], nurse: User, cared_for: Client
) -> None:
    first = make_photo(area="Kinder")
    second = make_photo(area="Pande")
    third = make_photo(area="Kinder", angle="close_up")
    api = bearer(nurse)
    url = f"/api/v1/clients/{cared_for.code}/photos"

    every = [item["code"] for item in api.get(url).json()]
    kinder_front = [item["code"] for item in api.get(url, {"area": "kinder", "angle": "front"}).json()]

    assert every == [str(third.code), str(second.code), str(first.code)]
    assert kinder_front == [str(first.code)]


@pytest.mark.parametrize("query", [{"area": "a\x00b"}, {"angle": "up"}, {"area": "x" * 61}])
def test_bad_list_filters_are_422(media: Path, nurse: User, cared_for: Client, query: dict[str, str]) -> None:
    response = bearer(nurse).get(f"/api/v1/clients/{cared_for.code}/photos", query)

    assert response.status_code == 422


def test_reception_and_admin_are_refused_403(
    make_photo: Callable[..., Photo], cared_for: Client, reception: User, admin_user: User
) -> None:
    photo = make_photo()
    for user in (reception, admin_user):
        CareAssignment.objects.create(client=cared_for, practitioner=user, assigned_by=user)
    urls = [f"/api/v1/clients/{cared_for.code}/photos", f"/api/v1/photos/{photo.code}/image"]

    statuses = [bearer(user).get(url).status_code for user in (reception, admin_user) for url in urls]
    upload = bearer(reception).post(urls[0], {**TAGS, "file": SimpleUploadedFile("p.jpg", images.jpeg())})

    assert statuses == [403, 403, 403, 403]
    assert upload.status_code == 403
    assert Photo.objects.count() == 1


def test_without_a_care_relation_the_api_asks_for_break_glass(
    make_photo: Callable[..., Photo], cared_for: Client
) -> None:
    photo = make_photo()
    stranger = UserFactory(roles=[Role.COSMETOLOGIST])

    response = bearer(stranger).get(f"/api/v1/photos/{photo.code}/image")

    assert response.status_code == 403
    assert response.json()["break_glass_required"] is True


def test_without_a_token_it_is_401(make_photo: Callable[..., Photo]) -> None:
    photo = make_photo()

    assert HttpClient().get(f"/api/v1/photos/{photo.code}/image").status_code == 401


def test_a_missing_file_or_tag_is_422_with_errors(media: Path, nurse: User, cared_for: Client) -> None:
    response = bearer(nurse).post(f"/api/v1/clients/{cared_for.code}/photos", TAGS)

    assert response.status_code == 422
    assert "file" in json.dumps(response.json()["errors"])
    assert not Photo.objects.exists()


def test_a_corrupt_stored_file_is_a_json_500(make_photo: Callable[..., Photo], media: Path, nurse: User) -> None:
    photo = make_photo()
    (media / photo.storage_path("display")).write_bytes(b"SKC1\x01a" + bytes(40))

    response = bearer(nurse).get(f"/api/v1/photos/{photo.code}/image")

    assert response.status_code == 500
    assert response.json()["detail"] == "The stored photo cannot be read; the error is logged."


def test_the_openapi_document_describes_the_photo_endpoints(db: None) -> None:
    document = HttpClient().get("/api/v1/openapi.json").json()
    upload = document["paths"]["/api/v1/clients/{code}/photos"]["post"]

    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "image/jpeg" in document["paths"]["/api/v1/photos/{code}/image"]["get"]["responses"]["200"]["content"]
