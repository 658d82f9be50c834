"""The camera page (overlay of the previous photo of the same area and angle, posting to
the upload view) and the comparison of two photos of one area and angle."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from skinchart.accounts.models import User
from skinchart.audit.models import AuditEvent
from skinchart.clients.models import Client
from skinchart.clients.tests.factories import ClientFactory
from skinchart.journal.models import CareAssignment
from skinchart.photos.models import Photo
from skinchart.photos.tests import images
from skinchart.photos.tests.conftest import ENGLISH

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def days_ago(days: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def capture_url(client: Client) -> str:
    return f"/clients/{client.code}/photos/capture/"


def compare_url(client: Client, a: object = None, b: object = None) -> str:
    url = f"/clients/{client.code}/photos/compare/"
    if a is None and b is None:
        return url
    return f"{url}?a={a}&b={b}"


def ghosts_of(page: str) -> dict[str, Any]:
    found = re.search(r'<script id="capture-ghosts" type="application/json">(.*?)</script>', page, re.DOTALL)
    assert found is not None
    ghosts: dict[str, Any] = json.loads(found.group(1))
    return ghosts


# --- Access ----------------------------------------------------------------------------


def test_reception_gets_neither_page(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], reception: User, cared_for: Client
) -> None:
    first, second = make_photo(taken_at=days_ago(10)), make_photo()
    CareAssignment.objects.create(client=cared_for, practitioner=reception, assigned_by=reception)
    http = sign_in(reception)

    assert http.get(capture_url(cared_for)).status_code == 403
    assert http.get(compare_url(cared_for, first.code, second.code)).status_code == 403
    assert http.get(compare_url(cared_for)).status_code == 403


def test_without_signing_in_both_pages_lead_to_the_login(make_photo: Callable[..., Photo], cared_for: Client) -> None:
    first, second = make_photo(taken_at=days_ago(10)), make_photo()

    for url in (capture_url(cared_for), compare_url(cared_for, first.code, second.code)):
        response = HttpClient().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_without_a_care_relation_both_pages_ask_for_a_reason(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], cared_for: Client
) -> None:
    from skinchart.accounts.models import Role
    from skinchart.accounts.tests.factories import UserFactory

    first, second = make_photo(taken_at=days_ago(10)), make_photo()
    http = sign_in(UserFactory(roles=[Role.NURSE]))

    for url in (capture_url(cared_for), compare_url(cared_for, first.code, second.code)):
        response = http.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"/clients/{cared_for.code}/break-glass/")


def test_a_post_to_either_page_is_refused(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    http = sign_in(nurse)

    assert http.post(capture_url(cared_for)).status_code == 405
    assert http.post(compare_url(cared_for)).status_code == 405


# --- The camera page -----------------------------------------------------------------------


def test_the_capture_page_posts_to_the_upload_view_with_the_upload_fields(
    media: Any, sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    response = sign_in(nurse).get(capture_url(cared_for), headers=ENGLISH)
    page = response.content.decode()

    assert response.status_code == 200
    assert f'action="/clients/{cared_for.code}/photos/new/"' in page
    assert 'enctype="multipart/form-data"' in page
    assert '<input type="hidden" name="then" value="capture">' in page
    for name in ("file", "area", "angle", "context"):
        assert f'name="{name}"' in page
    assert "<video" in page and "playsinline" in page
    assert '<label for="capture-opacity">Overlay opacity</label>' in page
    assert 'data-template="Overlay: the previous photo, {description}."' in page
    assert 'type="range" id="capture-opacity"' in page
    assert 'src="/static/js/photo-capture.js"' in page
    assert "<script>" not in page  # nothing inline: the CSP forbids it
    assert ghosts_of(page) == {}
    assert AuditEvent.objects.filter(action="photo.capture_opened", actor=nurse, client=cared_for).count() == 1


def test_the_capture_page_embeds_the_latest_photo_of_each_area_and_angle(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    make_photo(area="Kinder", angle="front", taken_at=days_ago(30))
    latest_front = make_photo(area="kinder", angle="front", taken_at=days_ago(2))
    make_photo(area="Kinder", angle="front", taken_at=days_ago(9))
    side = make_photo(area="Kinder", angle="left_45", taken_at=days_ago(5))
    forehead = make_photo(area="Pande", angle="front", taken_at=days_ago(40))
    make_photo(area="Hals", angle="front", client=ClientFactory())  # another client's

    page = sign_in(nurse).get(capture_url(cared_for), headers=ENGLISH).content.decode()

    ghosts = ghosts_of(page)
    assert ghosts == {
        "kinder|front": {"url": latest_front.image_url("display"), "description": latest_front.description},
        "kinder|left_45": {"url": side.image_url("display"), "description": side.description},
        "pande|front": {"url": forehead.image_url("display"), "description": forehead.description},
    }
    datalist = '<datalist id="capture-areas"><option value="Kinder"></option><option value="Pande"></option></datalist>'
    assert datalist in page
    assert 'list="capture-areas"' in page


def test_the_capture_page_takes_its_tags_from_the_address(
    media: Any, sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    response = sign_in(nurse).get(capture_url(cared_for) + "?area=Kinder&angle=left_45&context=follow_up&x=1")
    page = response.content.decode()

    assert 'name="area" value="Kinder"' in page
    assert '<option value="left_45" selected>' in page
    assert '<option value="follow_up" selected>' in page


@pytest.mark.parametrize(
    ("query", "area"),
    [
        ("?angle=up&context=x", ""),
        ("?area=" + "x" * 61, ""),
        ("?area=Kin%00der", ""),
        ("?area=Kin%E2%80%AEder", ""),
        ("?area=%20%20kinder%20%20venstre", "Kinder venstre"),
    ],
)
def test_odd_tags_in_the_address_are_left_out(
    media: Any, sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client, query: str, area: str
) -> None:
    response = sign_in(nurse).get(capture_url(cared_for) + query)
    page = response.content.decode()

    assert response.status_code == 200
    assert re.search(r"<option [^>]*selected", page) is None
    found = re.search(r'<input type="text" name="area"[^>]*>', page)
    assert found is not None
    assert (f'value="{area}"' in found.group(0)) if area else ("value=" not in found.group(0))


def test_a_photo_taken_on_the_capture_page_goes_through_the_upload_view_and_back(
    media: Any, sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    """What the page's script posts: the form's fields and one JPEG frame as `file`."""
    response = sign_in(nurse).post(
        f"/clients/{cared_for.code}/photos/new/",
        {
            "then": "capture",
            "area": "kinder",
            "angle": "right_45",
            "context": "after_session",
            "file": SimpleUploadedFile("photo-20260101120000.jpg", images.jpeg((640, 480)), content_type="image/jpeg"),
        },
    )

    photo = Photo.objects.get()
    assert (photo.area, photo.angle, photo.context, photo.width) == ("Kinder", "right_45", "after_session", 640)
    assert response.status_code == 302
    assert response["Location"] == capture_url(cared_for) + "?area=Kinder&angle=right_45&context=after_session"


@pytest.mark.parametrize("then", ["", "https://example.com/", "/clients/"])
def test_without_then_capture_the_upload_goes_to_the_timeline(
    media: Any, sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client, then: str
) -> None:
    response = sign_in(nurse).post(
        f"/clients/{cared_for.code}/photos/new/",
        {"then": then, "area": "Kinder", "angle": "front", "context": "consultation", "file": images_file()},
    )

    assert response["Location"] == f"/clients/{cared_for.code}/photos/"


def images_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("p.jpg", images.jpeg(), content_type="image/jpeg")


# --- The comparison ------------------------------------------------------------------------


def test_two_photos_of_one_area_and_angle_are_compared_older_first(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    before = make_photo(area="Kinder", angle="front", context="consultation", taken_at=days_ago(60))
    after = make_photo(area="kinder", angle="front", context="follow_up", taken_at=days_ago(1))

    response = sign_in(nurse).get(compare_url(cared_for, after.code, before.code), headers=ENGLISH)
    page = response.content.decode()

    assert response.status_code == 200
    slider = page[page.index('id="compare-slider"') : page.index('id="compare-split"')]
    assert slider.index(before.image_url("display")) < slider.index(after.image_url("display"))
    assert 'class="compare-over"' in slider
    assert '<label for="compare-split">' in page
    side = page[page.index('class="compare-side"') :]
    assert side.index("Consultation") < side.index("Follow-up")
    assert f'alt="{before.description}"' in side and f'alt="{after.description}"' in side
    assert 'src="/static/js/photo-compare.js"' in page
    events = AuditEvent.objects.filter(action="photo.compare_viewed", actor=nurse, client=cared_for)
    assert sorted(event.target_id for event in events) == sorted(["", str(before.code), str(after.code)])
    assert all(event.outcome == "success" for event in events)


def test_the_comparison_offers_the_other_photos_of_the_series(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    first = make_photo(taken_at=days_ago(60))
    middle = make_photo(taken_at=days_ago(30))
    last = make_photo(taken_at=days_ago(1))
    other_angle = make_photo(angle="left_45")

    page = sign_in(nurse).get(compare_url(cared_for, first.code, last.code)).content.decode()

    for photo in (first, middle, last):
        assert page.count(f'<option value="{photo.code}"') == 2
    assert str(other_angle.code) not in page
    assert f'<option value="{first.code}" selected>' in page
    assert f'<option value="{last.code}" selected>' in page


def test_a_photo_of_another_client_is_404(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    own = make_photo()
    other = ClientFactory()
    CareAssignment.objects.create(client=other, practitioner=nurse, assigned_by=nurse)
    foreign = make_photo(client=other)
    http = sign_in(nurse)

    assert http.get(compare_url(cared_for, own.code, foreign.code)).status_code == 404
    assert http.get(compare_url(cared_for, foreign.code, own.code)).status_code == 404
    assert http.get(compare_url(cared_for, own.code, uuid.uuid4())).status_code == 404
    reasons = AuditEvent.objects.filter(action="photo.compare_viewed", outcome="denied").values_list(
        "data__reason", flat=True
    )
    assert sorted(reasons) == ["not_found", "other_client", "other_client"]


@pytest.mark.parametrize(
    ("tags", "shown"),
    [
        ({"area": "Pande"}, "Kinder, Front and Pande, Front"),
        ({"angle": "left_45"}, "Kinder, Front and Kinder, Left 45°"),
    ],
)
def test_photos_of_different_areas_or_angles_are_refused_with_a_message(
    make_photo: Callable[..., Photo],
    sign_in: Callable[[User], HttpClient],
    nurse: User,
    cared_for: Client,
    tags: dict[str, str],
    shown: str,
) -> None:
    kinder = make_photo(area="Kinder", angle="front", taken_at=days_ago(9))
    other = make_photo(**{"area": "Kinder", "angle": "front", **tags})

    response = sign_in(nurse).get(compare_url(cared_for, kinder.code, other.code), headers=ENGLISH)
    page = unescape(response.content.decode())

    assert response.status_code == 400
    assert f"Only photos of the same area and angle can be compared; these are {shown}." in page
    assert "compare-slider" not in page
    assert other.image_url("display") not in page


def test_the_same_photo_twice_is_refused_with_a_message(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    photo = make_photo()

    response = sign_in(nurse).get(compare_url(cared_for, photo.code, photo.code), headers=ENGLISH)

    assert response.status_code == 400
    assert "Choose two different photos to compare." in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["?a=nope&b=nope", "?a={good}&b=12345", "?a={good}&b=" + "f" * 5000, "?a={good}&b=../../etc", "?a={good}&b=%00"],
)
def test_a_malformed_photo_code_is_404_never_500(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client, query: str
) -> None:
    good = make_photo()

    response = sign_in(nurse).get(compare_url(cared_for) + query.format(good=good.code))

    assert response.status_code == 404


@pytest.mark.parametrize("query", ["", "?a=", "?a={good}", "?b={good}&a=%20"])
def test_without_two_photos_the_page_says_how_to_choose_them(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client, query: str
) -> None:
    good = make_photo()

    response = sign_in(nurse).get(compare_url(cared_for) + query.format(good=good.code), headers=ENGLISH)

    assert response.status_code == 200
    assert "Choose two photos of the same area and angle on the photos page to compare them." in (
        unescape(response.content.decode())
    )
    assert f'href="/clients/{cared_for.code}/photos/"' in response.content.decode()


def test_the_comparison_needs_the_same_queries_for_a_series_of_2_or_6_photos(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    from skinchart.accounts.models import Role
    from skinchart.accounts.tests.factories import UserFactory

    http = sign_in(nurse)
    first = make_photo(taken_at=days_ago(50))
    last = make_photo(taken_at=days_ago(1), actor=UserFactory(roles=[Role.DOCTOR]))
    url = compare_url(cared_for, first.code, last.code)
    http.get(url)
    with CaptureQueriesContext(connection) as few:
        http.get(url)
    for days in (40, 30, 20, 10):
        make_photo(taken_at=days_ago(days), actor=UserFactory(roles=[Role.NURSE]))
    make_photo(area="Pande")
    with CaptureQueriesContext(connection) as many:
        response = http.get(url)

    assert response.content.decode().count("<option") == 12
    assert len(many) == len(few)


# --- Links -----------------------------------------------------------------------------------


def test_the_timeline_links_the_camera_and_compares_series_of_two_or_more(
    make_photo: Callable[..., Photo], sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client
) -> None:
    first = make_photo(area="Kinder", angle="front", taken_at=days_ago(60))
    middle = make_photo(area="Kinder", angle="front", taken_at=days_ago(30))
    latest = make_photo(area="Kinder", angle="front", taken_at=days_ago(1))
    make_photo(area="Pande", angle="front")

    page = sign_in(nurse).get(f"/clients/{cared_for.code}/photos/", headers=ENGLISH).content.decode()

    assert page.count("Compare first and latest") == 1
    assert f'href="/clients/{cared_for.code}/photos/compare/?a={first.code}&amp;b={latest.code}"' in page
    assert f'href="/clients/{cared_for.code}/photos/compare/?a={middle.code}&amp;b={latest.code}"' in page
    assert page.count("Compare with the latest") == 2
    assert f'href="/clients/{cared_for.code}/photos/capture/"' in page
    assert f'href="/clients/{cared_for.code}/photos/capture/?area=Kinder&amp;angle=front"' in page
    assert 'aria-current="page">Photos</a>' in page


def test_the_client_tabs_link_the_photos_for_clinical_staff_only(
    sign_in: Callable[[User], HttpClient], nurse: User, reception: User, cared_for: Client
) -> None:
    link = f'href="/clients/{cared_for.code}/photos/"'

    assert link in sign_in(nurse).get(cared_for.get_absolute_url()).content.decode()
    assert link not in sign_in(reception).get(cared_for.get_absolute_url()).content.decode()
