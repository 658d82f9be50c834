"""Serving and access: only through the access-checked, logged image view (no public
URL), with headers that keep the bytes an image; the pages, the journal and the audit."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from skinchart.accounts.models import Role, User
from skinchart.accounts.tests.factories import UserFactory
from skinchart.audit.models import AuditEvent
from skinchart.clients.models import Client
from skinchart.clients.tests.factories import ClientFactory
from skinchart.journal.models import CareAssignment, Entry, EntryKind
from skinchart.photos.access import get_photo_for_user
from skinchart.photos.models import Photo, Variant
from skinchart.photos.tests import images
from skinchart.photos.tests.conftest import ENGLISH

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("variant", Variant.values)
def test_the_image_is_served_with_headers_that_keep_it_an_image(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], nurse: User, variant: str
) -> None:
    photo = make_photo()

    response = sign_in(nurse).get(f"/photos/{photo.code}/image/{variant}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="photo-{photo.code}-{variant}.jpg"'
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response.content.startswith(b"\xff\xd8\xff")


def test_each_view_is_one_access_event_with_the_photo(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    photo = make_photo()
    http = sign_in(nurse)

    http.get(photo.image_url("thumb"))
    http.get(photo.image_url("display"))

    events = AuditEvent.objects.filter(action="photo.viewed")
    assert events.count() == 2
    assert {(e.actor, e.client, e.target_type, e.target_id, e.outcome) for e in events} == {
        (nurse, cared_for, "photos.photo", str(photo.code), "success")
    }


@pytest.mark.parametrize("variant", ["raw", "original.jpg", "..", "THUMB"])
def test_an_unknown_size_is_404(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], nurse: User, variant: str
) -> None:
    photo = make_photo()

    assert sign_in(nurse).get(f"/photos/{photo.code}/image/{variant}/").status_code == 404


def test_an_unknown_photo_code_is_404_and_logged_as_denied(
    media: Path, sign_in: Callable[[User], HttpClient], nurse: User
) -> None:
    code = uuid.uuid4()

    response = sign_in(nurse).get(f"/photos/{code}/image/display/")

    event = AuditEvent.objects.get(action="photo.viewed")
    assert response.status_code == 404
    assert (event.outcome, event.data) == ("denied", {"reason": "not_found", "photo_code": str(code)})


def test_a_photo_of_another_client_is_404_where_a_client_is_given(
    make_photo: Callable[..., Photo], nurse: User
) -> None:
    """For pages that name a client and a photo (comparison): another client's photo
    answers as if it did not exist, and the attempt is logged."""
    photo = make_photo()
    other = ClientFactory()
    CareAssignment.objects.create(client=other, practitioner=nurse, assigned_by=nurse)
    request = RequestFactory().get("/")
    request.user = nurse

    with pytest.raises(Http404):
        get_photo_for_user(request, photo.code, client=other)

    event = AuditEvent.objects.get(action="photo.viewed")
    assert (event.outcome, event.client, event.data["reason"]) == ("denied", other, "other_client")


def test_reception_never_sees_a_photo(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], reception: User, cared_for: Client
) -> None:
    photo = make_photo()
    CareAssignment.objects.create(client=cared_for, practitioner=reception, assigned_by=reception)
    http = sign_in(reception)

    assert http.get(photo.image_url("thumb")).status_code == 403
    assert http.get(f"/clients/{cared_for.code}/photos/").status_code == 403
    assert http.get(f"/clients/{cared_for.code}/photos/new/").status_code == 403
    event = AuditEvent.objects.get(action="photo.viewed")
    assert (event.actor, event.outcome, event.data["reason"]) == (reception, "denied", "capability")


def test_without_signing_in_there_is_no_photo(make_photo: Callable[..., Photo]) -> None:
    photo = make_photo()

    response = HttpClient().get(photo.image_url("display"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_without_a_care_relation_a_photo_needs_a_stated_reason(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], cared_for: Client
) -> None:
    photo = make_photo()
    stranger = UserFactory(roles=[Role.NURSE])
    http = sign_in(stranger)

    refused = http.get(photo.image_url("display"))
    http.post(f"/clients/{cared_for.code}/break-glass/", {"reason": "Client called about a reaction"})

    assert refused.status_code == 302
    assert refused["Location"].startswith(f"/clients/{cared_for.code}/break-glass/")
    assert AuditEvent.objects.filter(action="photo.viewed", outcome="denied", actor=stranger).count() == 1
    assert http.get(photo.image_url("display")).status_code == 200


def test_the_upload_page_stores_journals_and_audits_the_photo(
    media: Path, sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    http = sign_in(nurse)
    form = http.get(f"/clients/{cared_for.code}/photos/new/")
    response = http.post(
        f"/clients/{cared_for.code}/photos/new/",
        {
            "file": SimpleUploadedFile("x.jpg", images.jpeg()),
            "area": "  kinder   venstre ",
            "angle": "left_45",
            "context": "before_session",
        },
    )

    photo = Photo.objects.get()
    entry = Entry.objects.get(kind=EntryKind.PHOTO)
    assert 'enctype="multipart/form-data"' in form.content.decode()
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{cared_for.code}/photos/"
    assert (photo.area, photo.angle, photo.context, photo.taken_by) == (
        "Kinder venstre",
        "left_45",
        "before_session",
        nurse,
    )
    assert photo.entry == entry
    assert entry.is_signed and entry.author == nurse
    assert (entry.subject_type, entry.subject_id) == ("photos.photo", str(photo.code))
    assert entry.content == {
        "area": "Kinder venstre",
        "angle": "left_45",
        "context": "before_session",
        "sha256": photo.sha256_original,
        "size": photo.original_bytes,
        "width": 400,
        "height": 300,
        "format": "JPEG",
    }
    assert AuditEvent.objects.filter(action="photo.ingested", target_id=str(photo.code), client=cared_for).exists()


def test_the_sha256_is_of_the_uploaded_bytes(make_photo: Callable[..., Photo]) -> None:
    data = images.jpeg(seed=7)

    assert make_photo(data).sha256_original == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("channel", ["page", "api"])
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("area", ""),
        ("area", "x" * 61),
        ("area", "Kin\x00der"),
        ("area", "Kin\u202eder"),
        ("angle", "up"),
        ("context", "x"),
    ],
)
def test_bad_tags_are_refused_before_the_file_is_looked_at(
    upload_via: dict[str, Callable[..., Any]], media: Path, channel: str, field: str, value: str
) -> None:
    result = upload_via[channel]("photo.jpg", images.jpeg(), **{field: value})

    assert result.status == 422
    assert field in result.response.content.decode()
    assert not Photo.objects.exists()
    assert list(media.rglob("*")) == []


def test_the_client_page_is_a_timeline_per_area_and_angle_newest_first(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    now = timezone.now()
    older = make_photo(area="Kinder", angle="front", taken_at=now - dt.timedelta(days=30))
    newer = make_photo(area="kinder", angle="front", taken_at=now - dt.timedelta(days=1))
    side = make_photo(area="Kinder", angle="left_45", taken_at=now - dt.timedelta(days=2))
    forehead = make_photo(area="Pande", angle="front", taken_at=now - dt.timedelta(days=3))

    page = sign_in(nurse).get(f"/clients/{cared_for.code}/photos/", headers=ENGLISH).content.decode()

    positions = [page.index(photo.image_url("thumb")) for photo in (newer, older, side, forehead)]
    assert positions == sorted(positions)
    assert page.count("<h2") == 2
    assert f'alt="{older.description}"' in page
    assert f'alt="Kinder, Front, {timezone.localtime(older.taken_at):%d.%m.%Y}"' in page


def test_the_client_page_needs_the_same_queries_for_2_or_6_photos(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], cared_for: Client
) -> None:
    colleague = UserFactory(roles=[Role.DOCTOR])
    CareAssignment.objects.create(client=cared_for, practitioner=colleague, assigned_by=colleague)
    http = sign_in(colleague)
    url = f"/clients/{cared_for.code}/photos/"
    make_photo(area="Kinder")
    make_photo(area="Pande", actor=colleague)
    http.get(url)
    with CaptureQueriesContext(connection) as few:
        http.get(url)
    for area in ("Kinder", "Pande", "Hals", "Kinder"):
        make_photo(area=area, angle="right_90", actor=UserFactory(roles=[Role.NURSE]))
    with CaptureQueriesContext(connection) as many:
        response = http.get(url)

    assert response.content.decode().count("<img") == 6
    assert len(many) == len(few)


def test_clearing_the_marketing_flag_counts_the_photos_changed(
    make_photo: Callable[..., Photo], cared_for: Client
) -> None:
    first, second, _ = make_photo(), make_photo(), make_photo()
    Photo.objects.filter(pk__in=[first.pk, second.pk]).update(marketing_allowed=True)
    other = make_photo(client=ClientFactory())
    Photo.objects.filter(pk=other.pk).update(marketing_allowed=True)

    assert Photo.objects.clear_marketing_for(cared_for) == 2
    assert not Photo.objects.filter(client=cared_for, marketing_allowed=True).exists()
    assert Photo.objects.get(pk=other.pk).marketing_allowed
