"""Uploads through the page and the API: security.md B1–B11. Every refusal is a 4xx
with a clear message and leaves no row, no journal entry and no file; every accepted
file is stored re-encoded, without metadata, under a server-made name."""

from __future__ import annotations

import io
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from PIL import Image, ImageFile

from skinchart.accounts.models import User
from skinchart.audit.models import AuditEvent
from skinchart.clients.models import Client
from skinchart.journal.models import Entry, EntryKind
from skinchart.lib import blob_crypto
from skinchart.photos.models import Photo, Variant
from skinchart.photos.pipeline import blob_context
from skinchart.photos.tests import images
from skinchart.photos.tests.conftest import files_under

pytestmark = pytest.mark.django_db

NOT_AN_IMAGE = "The file is not a JPEG, PNG, WebP or HEIC image."
DAMAGED = "The image is damaged or incomplete and cannot be read."
TOO_MANY_PIXELS = "The image has too many pixels (at most 24 megapixels)."
CHANNELS = ["page", "api"]


def stored_image(photo: Photo, variant: str = Variant.ORIGINAL) -> bytes:
    """The stored file of one size, read straight from storage and decrypted."""
    with default_storage.open(photo.storage_path(variant), "rb") as stored:
        return blob_crypto.decrypt(stored.read(), context=blob_context(photo.code, variant))


def assert_nothing_left(media: Path) -> None:
    assert not Photo.objects.exists()
    assert not Entry.objects.filter(kind=EntryKind.PHOTO).exists()
    assert not AuditEvent.objects.filter(action="photo.ingested").exists()
    assert files_under(media) == []


REFUSED = [
    pytest.param("photo.jpg", images.HTML_PAGE, "image/jpeg", NOT_AN_IMAGE, id="B1-html-named-jpg"),
    pytest.param("drawing.svg", images.SVG_WITH_SCRIPT, "image/svg+xml", NOT_AN_IMAGE, id="B2-svg-with-script"),
    pytest.param("drawing.jpg", images.SVG_WITH_SCRIPT, "image/jpeg", NOT_AN_IMAGE, id="B2-svg-named-jpg"),
    pytest.param("bomb.png", images.png_declaring(50_000, 50_000), "image/png", TOO_MANY_PIXELS, id="B5-pixel-bomb"),
    pytest.param("big.png", images.png_declaring(8000, 6000), "image/png", TOO_MANY_PIXELS, id="B5-48-megapixels"),
    pytest.param("cut.jpg", images.truncated_jpeg(), "image/jpeg", DAMAGED, id="B7-truncated-jpeg"),
    pytest.param("empty.jpg", b"", "image/jpeg", "The file is empty.", id="B7-zero-bytes"),
    pytest.param("header.jpg", b"\xff\xd8\xff\xe0", "image/jpeg", DAMAGED, id="B7-jpeg-magic-only"),
    pytest.param("photo.jpg.php", images.PHP, "image/jpeg", NOT_AN_IMAGE, id="B9-php-named-jpg-php"),
    pytest.param("scan.tiff", images.tiff(), "image/tiff", NOT_AN_IMAGE, id="B11-tiff"),
    pytest.param("scan.jpg", images.tiff(), "image/jpeg", NOT_AN_IMAGE, id="B11-tiff-named-jpg"),
    pytest.param("photo.avif", images.avif(), "image/avif", NOT_AN_IMAGE, id="B11-avif"),
    pytest.param("anim.gif", images.gif(), "image/gif", NOT_AN_IMAGE, id="B11-gif"),
    pytest.param("consent.pdf", images.PDF, "application/pdf", NOT_AN_IMAGE, id="B11-pdf"),
]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(("name", "data", "content_type", "message"), REFUSED)
def test_a_hostile_or_broken_file_is_refused_and_leaves_nothing(
    upload_via: dict[str, Callable[..., Any]],
    media: Path,
    channel: str,
    name: str,
    data: bytes,
    content_type: str,
    message: str,
) -> None:
    result = upload_via[channel](name, data, content_type)

    assert result.status == 422
    assert result.message == message
    assert_nothing_left(media)


@pytest.mark.parametrize("channel", CHANNELS)
def test_b6_a_file_over_the_byte_limit_is_refused_413(
    upload_via: dict[str, Callable[..., Any]], media: Path, settings: Any, channel: str
) -> None:
    settings.PHOTO_MAX_BYTES = 20_000
    data = images.jpeg((800, 600))
    assert len(data) > 20_000

    result = upload_via[channel]("large.jpg", data)

    assert result.status == 413
    assert result.message == "The file is larger than 0.02 MB."
    assert_nothing_left(media)


def test_b5_a_pixel_bomb_is_refused_before_its_pixels_are_decoded(
    upload_via: dict[str, Callable[..., Any]], media: Path
) -> None:
    """50,000 × 50,000 RGB would take 7.5 GB decoded: a refusal within a second and a
    few megabytes shows the decoder never ran."""
    bomb = images.png_declaring(50_000, 50_000)
    assert len(bomb) < 2000
    tracemalloc.start()
    started = time.perf_counter()

    result = upload_via["page"]("bomb.png", bomb, "image/png")

    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.message == TOO_MANY_PIXELS
    assert elapsed < 1.0
    assert peak < 20_000_000
    assert_nothing_left(media)


@pytest.mark.parametrize("channel", CHANNELS)
def test_b7_a_truncated_file_is_refused_even_after_weasyprint_relaxed_pillow(
    upload_via: dict[str, Callable[..., Any]], media: Path, monkeypatch: pytest.MonkeyPatch, channel: str
) -> None:
    """WeasyPrint sets Pillow's global LOAD_TRUNCATED_IMAGES when a PDF is first made."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    result = upload_via[channel]("cut.jpg", images.truncated_jpeg())

    assert (result.status, result.message) == (422, DAMAGED)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # left as WeasyPrint wants it
    assert_nothing_left(media)


def test_b10_more_files_than_allowed_in_one_request_are_refused(
    sign_in: Callable[[User], HttpClient], nurse: User, cared_for: Client, media: Path
) -> None:
    files = [SimpleUploadedFile(f"p{n}.jpg", b"x") for n in range(101)]
    response = sign_in(nurse).post(
        f"/clients/{cared_for.code}/photos/new/",
        {"area": "Kinder", "angle": "front", "context": "consultation", "file": files},
    )

    assert response.status_code == 400
    assert_nothing_left(media)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    ("name", "data", "content_type", "source_format"),
    [
        pytest.param("photo.jpg", images.jpeg(), "image/jpeg", "JPEG", id="jpeg"),
        pytest.param("photo.png", images.png(), "image/png", "PNG", id="png"),
        pytest.param("photo.webp", images.webp(), "image/webp", "WEBP", id="webp"),
        pytest.param("IMG_0001.HEIC", images.heic(), "image/heic", "HEIF", id="heic"),
        pytest.param("photo.bin", images.heic(), "application/octet-stream", "HEIF", id="heic-any-name"),
    ],
)
def test_an_allowed_image_is_stored_as_encrypted_jpegs_in_three_sizes(
    upload_via: dict[str, Callable[..., Any]],
    media: Path,
    cared_for: Client,
    channel: str,
    name: str,
    data: bytes,
    content_type: str,
    source_format: str,
) -> None:
    result = upload_via[channel](name, data, content_type)

    photo = Photo.objects.get()
    assert result.status in (201, 302)
    assert (photo.width, photo.height, photo.content_type, photo.key_id) == (400, 300, "image/jpeg", "a")
    assert files_under(media) == sorted(
        f"photos/{cared_for.code}/{photo.code}/{variant}.bin" for variant in ("original", "display", "thumb")
    )
    assert Image.open(io.BytesIO(stored_image(photo))).format == "JPEG"
    assert Image.open(io.BytesIO(stored_image(photo, Variant.THUMB))).size == (320, 240)
    assert photo.entry is not None
    assert photo.entry.content["format"] == source_format


def test_b3_a_polyglot_is_accepted_only_as_a_re_encoded_image(
    upload_via: dict[str, Callable[..., Any]], media: Path
) -> None:
    upload_via["page"]("photo.png", images.polyglot_png(), "image/png")

    photo = Photo.objects.get()
    for variant in Variant.values:
        stored = stored_image(photo, variant)
        assert stored.startswith(b"\xff\xd8\xff")
        assert b"<script" not in stored.lower()
        assert b"<html" not in stored.lower()


def test_b4_metadata_is_removed_and_the_orientation_applied_first(
    upload_via: dict[str, Callable[..., Any]], media: Path
) -> None:
    source = images.jpeg_with_metadata()
    assert b"GPS" in source or b"\x88\x25" in source or b"\x25\x88" in source
    assert b"SERIAL-0042" in source

    upload_via["page"]("IMG_1234.jpg", source)

    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (300, 400)  # turned upright: the sides swapped
    for variant in Variant.values:
        stored = stored_image(photo, variant)
        image = Image.open(io.BytesIO(stored))
        # Only the JFIF header (APP0), tables and frame: no EXIF/XMP (APP1), ICC (APP2) or comment.
        assert {0xE1, 0xE2, 0xFE}.isdisjoint(images.jpeg_segments(stored))
        assert not image.getexif()
        assert "icc_profile" not in image.info and "xmp" not in image.info
        assert b"SERIAL-0042" not in stored and b"Canon" not in stored and b"Ida Holm" not in stored
    upright = Image.open(io.BytesIO(stored_image(photo))).convert("RGB")
    red, blue = upright.getpixel((150, 50)), upright.getpixel((150, 350))
    assert red[0] > 200 and red[2] < 60  # the left half (red) is now on top
    assert blue[2] > 200 and blue[0] < 60


def test_a_turned_heic_is_stored_upright_and_turned_once(
    upload_via: dict[str, Callable[..., Any]], media: Path
) -> None:
    upload_via["page"]("IMG_0002.HEIC", images.heic_turned(), "image/heic")

    photo = Photo.objects.get()
    upright = Image.open(io.BytesIO(stored_image(photo))).convert("RGB")
    assert (photo.width, photo.height) == (300, 400)
    assert upright.getpixel((150, 50))[0] > 200  # red on top: turned once, not twice
    assert upright.getpixel((150, 350))[2] > 200


def test_a_transparent_png_is_flattened_onto_white(upload_via: dict[str, Callable[..., Any]], media: Path) -> None:
    upload_via["page"]("logo.png", images.transparent_png(), "image/png")

    pixel = Image.open(io.BytesIO(stored_image(Photo.objects.get()))).getpixel((10, 10))
    assert all(channel > 245 for channel in pixel)


def _multipart(filename: bytes, data: bytes) -> tuple[bytes, str]:
    """A multipart body with a raw filename (Django's test client would tidy it)."""
    boundary = b"skinchartboundary"
    parts = [
        b"--" + boundary,
        b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"',
        b"Content-Type: image/jpeg",
        b"",
        data,
    ]
    for key, value in (("area", b"Kinder"), ("angle", b"front"), ("context", b"consultation")):
        parts += [b"--" + boundary, f'Content-Disposition: form-data; name="{key}"'.encode(), b"", value]
    body = b"\r\n".join([*parts, b"--" + boundary + b"--", b""])
    return body, f"multipart/form-data; boundary={boundary.decode()}"


@pytest.mark.parametrize(
    "filename",
    [
        pytest.param(b"../../settings.py", id="dot-dot-slash"),
        pytest.param(b"..\\..\\x.jpg", id="dot-dot-backslash"),
        pytest.param(b"%2e%2e%2f%2e%2e%2fsettings.py", id="url-encoded"),
        pytest.param(b"/etc/passwd", id="absolute"),
        pytest.param(b"a.php%00.jpg", id="encoded-nul"),
        pytest.param(b"a.php\x00.jpg", id="nul"),
        pytest.param(b"x" * 300 + b".jpg", id="300-chars"),
        pytest.param("\u202egpj.php".encode(), id="rtl-override"),
        pytest.param(b"CON.jpg", id="windows-device"),
        pytest.param(b"photo.jpg.php", id="B9-jpg-php"),
    ],
)
def test_b8_b9_the_uploaded_name_never_reaches_storage(
    sign_in: Callable[[User], HttpClient],
    nurse: User,
    cared_for: Client,
    media: Path,
    tmp_path: Path,
    filename: bytes,
) -> None:
    body, content_type = _multipart(filename, images.jpeg())

    response = sign_in(nurse).post(f"/clients/{cared_for.code}/photos/new/", body, content_type=content_type)

    photo = Photo.objects.get()
    assert response.status_code == 302
    assert files_under(media) == sorted(
        f"photos/{cared_for.code}/{photo.code}/{variant}.bin" for variant in ("original", "display", "thumb")
    )
    assert files_under(tmp_path) == [f"media/{name}" for name in files_under(media)]  # nothing outside MEDIA_ROOT
    assert not any(".php" in name or "settings" in name for name in files_under(media))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(images.jpeg_with_profile(images.wide_gamut_profile()), id="wide-gamut-profile"),
        pytest.param(images.jpeg_with_profile(b"not a colour profile"), id="broken-profile"),
        pytest.param(images.cmyk_jpeg(), id="cmyk"),
    ],
)
def test_colour_is_converted_to_srgb_and_no_profile_is_kept(
    upload_via: dict[str, Callable[..., Any]], media: Path, data: bytes
) -> None:
    result = upload_via["page"]("photo.jpg", data)

    stored = stored_image(Photo.objects.get())
    assert result.status == 302
    assert Image.open(io.BytesIO(stored)).mode == "RGB"
    assert 0xE2 not in images.jpeg_segments(stored)
