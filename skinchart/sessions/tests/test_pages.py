"""The treatment-room pages over HTTP: the gates shown, the photo taken on the page,
start, checklist, product and signing, refusals as 4xx with the reason, and the API."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from skinchart.accounts.models import User
from skinchart.audit.models import AuditEvent
from skinchart.clients.models import Client
from skinchart.photos.models import Photo
from skinchart.photos.tests import images
from skinchart.products.models import Batch
from skinchart.sessions.models import SessionStatus, TreatmentSession
from skinchart.sessions.tests.setup import (
    AREA,
    Ready,
    book_today,
    complete_checklist,
    product_batch,
    ready_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    settings.PHOTO_KEYS = {"a": images.KEY_A}
    settings.PHOTO_KEY_ID = "a"
    return tmp_path


@pytest.fixture
def without_photo(doctor: User, nurse: User, client_record: Client) -> Ready:
    ready = ready_session(doctor=doctor, nurse=nurse, client=client_record)
    Photo.objects.all().delete()
    return ready


def url(name: str, ready: Ready, **extra: Any) -> str:
    return reverse(f"treatment_sessions:{name}", kwargs={"code": ready.session.code, **extra})


def test_the_page_lists_the_missing_photo_and_start_is_refused_with_409(
    without_photo: Ready, sign_in: Callable[[User], HttpClient]
) -> None:
    http = sign_in(without_photo.nurse)
    page = http.get(url("detail", without_photo))
    assert page.status_code == 200
    assert page.context["report"].failing[0].key == "photo"
    assert b'id="gate-photo" data-ok="false"' in page.content

    refused = http.post(url("start", without_photo), {"spacing_reason": ""})

    assert refused.status_code == 409
    assert TreatmentSession.objects.get().status == SessionStatus.PREPARING
    event = AuditEvent.objects.filter(action="session.start_refused").get()
    assert event.data["gates"] == ["photo"]


def test_a_photo_taken_on_the_page_opens_the_gate_and_the_session_runs_to_signing(
    without_photo: Ready, media: Path, sign_in: Callable[[User], HttpClient]
) -> None:
    http = sign_in(without_photo.nurse)
    upload = SimpleUploadedFile("kinder.jpg", images.jpeg(), content_type="image/jpeg")
    saved = http.post(
        url("photo", without_photo), {"file": upload, "area": AREA, "angle": "front", "context": "before_session"}
    )
    assert saved.status_code == 302
    photo = Photo.objects.get()
    assert (photo.subject_type, photo.subject_id) == (
        "treatment_sessions.treatmentsession",
        str(without_photo.session.code),
    )

    assert http.post(url("start", without_photo), {"spacing_reason": ""}).status_code == 302
    assert TreatmentSession.objects.get().status == SessionStatus.IN_PROGRESS

    steps = {"step_cleanse": "on", "step_method": "on", "step_soothing_cream": "on", "area_0": "0,5 mm", "notes": ""}
    assert http.post(url("checklist", without_photo), steps).status_code == 302
    added = http.post(
        url("add_product", without_photo), {"batch": str(without_photo.batch.code), "quantity": "2,5", "area": AREA}
    )
    assert added.status_code == 302
    assert http.post(url("sign", without_photo)).status_code == 302

    session = TreatmentSession.objects.get()
    assert session.status == SessionStatus.SIGNED
    page = http.get(url("detail", without_photo))
    assert b'id="aftercare-pdf"' in page.content
    assert "LOT-2026-A" in page.content.decode()


def test_an_expired_batch_posted_to_the_page_is_refused_with_the_reason(
    doctor: User, nurse: User, client_record: Client, sign_in: Callable[[User], HttpClient]
) -> None:
    ready = ready_session(doctor=doctor, nurse=nurse, client=client_record)
    http = sign_in(nurse)
    assert http.post(url("start", ready), {}).status_code == 302
    expired = product_batch(lot="OLD-1", expires_on=ready.batch.expires_on.replace(year=2020))

    refused = http.post(url("add_product", ready), {"batch": str(expired.code), "quantity": "1", "area": AREA})

    assert refused.status_code == 422
    assert "OLD-1" in refused.content.decode()
    assert not TreatmentSession.objects.get().product_uses.exists()
    assert Batch.objects.count() == 2


def test_bad_input_is_a_form_error_not_a_500(
    doctor: User, nurse: User, client_record: Client, sign_in: Callable[[User], HttpClient]
) -> None:
    ready = ready_session(doctor=doctor, nurse=nurse, client=client_record)
    http = sign_in(nurse)
    assert http.post(url("reconfirm", ready), {"pregnant": "maybe"}).status_code == 422
    assert http.post(url("stop", ready), {"reason": ""}).status_code == 422
    assert http.post(url("start", ready), {"spacing_reason": "x\x00y"}).status_code == 422
    assert http.post(url("checklist", ready), {}).status_code == 409  # not started yet
    http.post(url("start", ready), {})
    for quantity in ("abc", "0", "-1", "1e9", "NaN", "2,555"):
        response = http.post(url("add_product", ready), {"batch": str(ready.batch.code), "quantity": quantity})
        assert response.status_code == 422, quantity
    assert http.post(url("add_product", ready), {"batch": "not-a-uuid", "quantity": "1"}).status_code == 422


def test_opening_from_the_day_view_makes_one_session_per_booking(
    doctor: User, nurse: User, client_record: Client, sign_in: Callable[[User], HttpClient]
) -> None:
    ready = ready_session(doctor=doctor, nurse=nurse, client=client_record)
    http = sign_in(nurse)
    appointment = ready.session.appointment
    again = http.post(reverse("treatment_sessions:open", kwargs={"code": appointment.code}))
    assert again.status_code == 302
    assert again["Location"] == ready.session.get_absolute_url()
    second = book_today(ready.plan, nurse, ready.site, number=2)
    day = http.get(reverse("scheduling:day"))
    assert reverse("treatment_sessions:open", kwargs={"code": second.code}) in day.content.decode()
    assert http.post(reverse("treatment_sessions:open", kwargs={"code": second.code})).status_code == 302
    assert TreatmentSession.objects.count() == 2


def test_reception_cannot_open_or_see_a_session(
    doctor: User, nurse: User, reception: User, client_record: Client, sign_in: Callable[[User], HttpClient]
) -> None:
    ready = ready_session(doctor=doctor, nurse=nurse, client=client_record)
    http = sign_in(reception)
    assert http.get(url("detail", ready)).status_code == 403
    assert http.post(url("start", ready)).status_code == 403
    assert TreatmentSession.objects.get().status == SessionStatus.PREPARING


def test_api_start_answers_409_with_every_failing_gate(
    without_photo: Ready, sign_in: Callable[[User], HttpClient]
) -> None:
    http = sign_in(without_photo.nurse)
    gates = http.get(f"/api/v1/sessions/{without_photo.session.code}/gates")
    assert gates.status_code == 200
    assert [g["gate"] for g in gates.json()["gates"] if not g["ok"]] == ["photo"]

    refused = http.post(
        f"/api/v1/sessions/{without_photo.session.code}/start", json.dumps({}), content_type="application/json"
    )

    assert refused.status_code == 409
    assert [g["gate"] for g in refused.json()["gates"]] == ["photo"]
    assert refused.json()["gates"][0]["problems"]


def test_api_start_starts_a_ready_session(
    doctor: User, nurse: User, client_record: Client, sign_in: Callable[[User], HttpClient]
) -> None:
    ready = ready_session(doctor=doctor, nurse=nurse, client=client_record)
    http = sign_in(nurse)
    started = http.post(
        f"/api/v1/sessions/{ready.session.code}/start",
        json.dumps({"spacing_reason": ""}),
        content_type="application/json",
    )
    assert started.status_code == 200
    assert started.json()["status"] == "in_progress"
    assert started.json()["responsible_doctor"] == str(doctor)


def test_signing_later_keeps_the_end_time_given_and_refuses_a_bad_one(
    doctor: User, nurse: User, client_record: Client, sign_in: Callable[[User], HttpClient]
) -> None:
    ready = ready_session(doctor=doctor, nurse=nurse, client=client_record)
    http = sign_in(nurse)
    http.post(url("start", ready), {})
    started = TreatmentSession.objects.get().started_at
    TreatmentSession.objects.filter(pk=ready.session.pk).update(started_at=started - dt.timedelta(minutes=40))
    complete_checklist(ready)
    ended = timezone.localtime(started - dt.timedelta(minutes=10)).replace(second=0, microsecond=0)

    assert http.post(url("sign", ready), {"ended": "25:99"}).status_code == 422
    assert http.post(url("sign", ready), {"ended": ended.strftime("%H:%M")}).status_code == 302

    session = TreatmentSession.objects.get()
    assert session.ended_at == ended
    assert session.aftercare["ended_at"] == ended.astimezone(dt.UTC).isoformat()
