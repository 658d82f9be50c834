"""A photo taken with the tablet's camera in a real browser (Danish), using Chromium's
fake camera: the nurse sees the previous photo of the area and angle as an overlay,
changes its opacity, takes the photo, and compares it with the earlier one on the slider."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import Browser, BrowserType, ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from skinchart.accounts.models import Role, User
from skinchart.accounts.tests.factories import PASSWORD, UserFactory
from skinchart.clients.models import Client
from skinchart.journal.models import CareAssignment
from skinchart.photos.actions import ingest_photo
from skinchart.photos.models import Photo
from skinchart.photos.tests import images

from .conftest import CHROMIUM, CHROMIUM_ARGS
from .helpers import assert_no_csp_errors, current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
ALL_LOADED = "images => images.length > 0 && images.every(image => image.complete && image.naturalWidth > 0)"


@pytest.fixture
def camera_browser(browser_type: BrowserType) -> Iterator[Browser]:
    """Chromium with a fake camera (a moving test picture) and no permission prompt."""
    browser = browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + FAKE_CAMERA)
    yield browser
    browser.close()


@pytest.fixture
def camera_page(camera_browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    # A clinic tablet held upright (10.2" iPad's CSS size).
    context = camera_browser.new_context(
        locale="da-DK", timezone_id="Europe/Copenhagen", viewport={"width": 810, "height": 1080}, has_touch=True
    )
    context.grant_permissions(["camera"], origin=live_server.url)
    yield context.new_page()
    context.close()


@pytest.fixture
def one_request_at_a_time(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The live server's request threads share the test run's one in-memory SQLite
    connection; the pages here load several access-logged images at once, and two
    audit writes at the same moment on that connection fail with "database table is
    locked" (a file database waits instead: busy timeout, ADR 0003). So requests are
    handled one after the other."""
    server = live_server.thread.httpd
    app = server.get_app()
    lock = threading.Lock()

    def serialised(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with lock:
            return app(environ, start_response)

    monkeypatch.setattr(server, "application", serialised)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    return root


def sign_in(page: Page, base_url: str, user: User) -> None:
    """The steps of conftest's `log_in`, on this test's own page."""
    page.goto(base_url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/code/"))
    page.locator("#id_token").fill(current_totp(user))
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_nurse_takes_a_photo_over_the_previous_one_and_compares_them(
    camera_page: Page,
    live_server: LiveServer,
    one_request_at_a_time: None,
    client_record: Client,
    media: Path,
    screenshot_dir: Path,
) -> None:
    page = camera_page
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    nurse: User = UserFactory(roles=[Role.NURSE])
    CareAssignment.objects.create(client=client_record, practitioner=nurse, assigned_by=nurse)
    earlier = ingest_photo(
        actor=nurse,
        client=client_record,
        upload=SimpleUploadedFile("kinder.jpg", images.jpeg((640, 480)), content_type="image/jpeg"),
        area="Kinder",
        angle="front",
        context="consultation",
        taken_at=timezone.now() - dt.timedelta(days=28),
    )

    sign_in(page, live_server.url, nurse)
    page.goto(live_server.url + f"/clients/{client_record.code}/photos/")
    page.locator(f'main a.button[href="/clients/{client_record.code}/photos/capture/"]').click()
    expect(page).to_have_url(re.compile(r"/photos/capture/$"))

    # The camera runs; typing the area brings up the previous Kinder/front photo.
    expect(page.locator("#capture-camera")).to_be_visible()
    expect(page.locator("#capture-file")).to_be_hidden()
    page.wait_for_function("() => document.getElementById('capture-video').videoWidth > 0")
    page.locator("#id_area").fill("kinder")
    page.locator("#id_angle").select_option("front")
    ghost = page.locator("#capture-ghost")
    expect(ghost).to_be_visible()
    expect(ghost).to_have_attribute("src", earlier.image_url("display"))
    expect(page.locator("#capture-ghost-caption")).to_contain_text(
        f"Kinder, Forfra, {timezone.localtime(earlier.taken_at):%d.%m.%Y}"
    )
    page.wait_for_function(f"() => ({ALL_LOADED})([document.getElementById('capture-ghost')])")
    assert ghost.evaluate("g => getComputedStyle(g).opacity") == "0.4"
    page.locator("#capture-opacity").fill("70")
    assert ghost.evaluate("g => getComputedStyle(g).opacity") == "0.7"
    page.locator("#id_angle").select_option("left_45")
    expect(ghost).to_be_hidden()  # no earlier photo of Kinder at 45° left
    page.locator("#id_angle").select_option("front")
    expect(ghost).to_be_visible()
    page.locator("#id_context").select_option("follow_up")
    page.screenshot(path=str(screenshot_dir / "photo-capture.png"), full_page=True)

    page.locator("#capture-take").click()
    # JPEG encoding in the browser and the server's pipeline: allow for a busy machine.
    back_on_camera = re.compile(r"/photos/capture/\?area=Kinder&angle=front&context=follow_up$")
    expect(page).to_have_url(back_on_camera, timeout=30_000)
    expect(page.locator(".messages .message.success")).to_be_visible()
    photos = list(Photo.objects.filter(client=client_record, area="Kinder", angle="front").order_by("taken_at"))
    assert len(photos) == 2
    taken = photos[1]
    assert (taken.context, taken.taken_by) == ("follow_up", nurse)
    assert taken.width * 3 == taken.height * 4  # a frame of the fake camera's 4:3 picture
    # Back on the camera page the overlay is now the photo just taken.
    expect(ghost).to_have_attribute("src", taken.image_url("display"))

    page.goto(live_server.url + f"/clients/{client_record.code}/photos/")
    page.wait_for_function(f"() => ({ALL_LOADED})([...document.querySelectorAll('.photo-series img')])")
    page.screenshot(path=str(screenshot_dir / "photo-timeline.png"), full_page=True)
    page.locator("a.compare-first-latest").click()
    expect(page).to_have_url(re.compile(rf"/photos/compare/\?a={earlier.code}&b={taken.code}$"))
    slider_images = page.locator("#compare-slider img")
    expect(slider_images).to_have_count(2)
    page.wait_for_function(f"() => ({ALL_LOADED})([...document.querySelectorAll('#compare-slider img')])")
    assert slider_images.evaluate_all("images => images.map(image => image.naturalWidth)") == [640, taken.width]
    over = page.locator("#compare-over")
    clip_before = over.evaluate("image => getComputedStyle(image).clipPath")
    page.locator("#compare-split").fill("20")
    clip_after = over.evaluate("image => getComputedStyle(image).clipPath")
    assert clip_before != clip_after
    assert "20%" in clip_after
    page.wait_for_function(f"() => ({ALL_LOADED})([...document.querySelectorAll('.compare-side img')])")
    page.screenshot(path=str(screenshot_dir / "photo-compare.png"), full_page=True)
    assert_no_csp_errors(errors)
    assert errors == []


def test_without_a_camera_the_capture_page_says_so_and_takes_a_file(
    page: Page,
    live_server: LiveServer,
    one_request_at_a_time: None,
    client_record: Client,
    media: Path,
    log_in: Callable[..., None],
    console_errors: list[str],
    screenshot_dir: Path,
) -> None:
    """The test run's ordinary Chromium has no camera: the page falls back to a file."""
    nurse: User = UserFactory(roles=[Role.NURSE])
    CareAssignment.objects.create(client=client_record, practitioner=nurse, assigned_by=nurse)

    log_in(live_server.url, nurse)
    page.goto(live_server.url + f"/clients/{client_record.code}/photos/capture/?area=Pande&angle=close_up")
    status = page.locator("#capture-status")
    expect(status).to_be_visible()
    unavailable = status.get_attribute("data-unavailable")  # "The camera is not available …", translated
    assert unavailable
    expect(status).to_have_text(unavailable)
    expect(page.locator("#capture-camera")).to_be_hidden()
    page.screenshot(path=str(screenshot_dir / "photo-capture-no-camera.png"), full_page=True)
    page.locator("#id_file").set_input_files(
        files=[{"name": "pande.jpg", "mimeType": "image/jpeg", "buffer": images.jpeg()}]
    )
    page.locator("#capture-upload").click()
    expect(page).to_have_url(re.compile(r"/photos/capture/\?area=Pande&angle=close_up&context=consultation$"))
    photo = Photo.objects.get(client=client_record)
    assert (photo.area, photo.angle, photo.taken_by) == ("Pande", "close_up", nurse)
    assert_no_csp_errors(console_errors)
