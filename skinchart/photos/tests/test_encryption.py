"""Encryption at rest: stored files are not images, decrypt to what the view serves,
detect tampering and moves between photos, and survive a key rotation."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client as HttpClient

from skinchart.accounts.models import User
from skinchart.lib import blob_crypto
from skinchart.lib.blob_crypto import BlobCorrupt
from skinchart.photos.models import Photo, Variant
from skinchart.photos.pipeline import blob_context
from skinchart.photos.tests import images
from skinchart.photos.views import PhotoUnreadable

pytestmark = pytest.mark.django_db

KEY_A_TEXT = base64.b64encode(images.KEY_A).decode()


def raw(media: Path, photo: Photo, variant: str) -> bytes:
    return (media / photo.storage_path(variant)).read_bytes()


@pytest.mark.parametrize("variant", Variant.values)
def test_a_stored_file_is_encrypted_and_decrypts_to_the_served_image(
    make_photo: Callable[..., Photo], media: Path, sign_in: Callable[[User], HttpClient], nurse: User, variant: str
) -> None:
    photo = make_photo(images.png())
    stored = raw(media, photo, variant)

    served = sign_in(nurse).get(photo.image_url(variant)).content

    assert stored.startswith(b"SKC1\x01a")
    assert not stored.startswith(b"\xff\xd8\xff") and not stored.startswith(b"\x89PNG")
    assert b"JFIF" not in stored and b"IHDR" not in stored
    assert blob_crypto.decrypt(stored, context=f"photo:{photo.code}:{variant}") == served
    assert served.startswith(b"\xff\xd8\xff")


def test_a_changed_byte_is_detected(make_photo: Callable[..., Photo], media: Path) -> None:
    photo = make_photo()
    blob = bytearray(raw(media, photo, Variant.DISPLAY))
    blob[len(blob) // 2] ^= 0x01

    with pytest.raises(BlobCorrupt):
        blob_crypto.decrypt(bytes(blob), context=blob_context(photo.code, Variant.DISPLAY))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda blob: blob[:-1], id="truncated"),
        pytest.param(lambda blob: blob[:10], id="header-only"),
        pytest.param(lambda blob: b"JUNK" + blob[4:], id="wrong-magic"),
        pytest.param(lambda blob: blob[:5] + b"b" + blob[6:], id="key-id-changed"),
        pytest.param(lambda blob: b"", id="empty"),
    ],
)
def test_a_damaged_blob_is_refused(make_photo: Callable[..., Photo], media: Path, settings: Any, damage: Any) -> None:
    settings.PHOTO_KEYS = {"a": images.KEY_A, "b": images.KEY_B}
    photo = make_photo()

    with pytest.raises(BlobCorrupt):
        blob_crypto.decrypt(damage(raw(media, photo, Variant.THUMB)), context=blob_context(photo.code, Variant.THUMB))


def test_tampering_shows_as_an_error_never_as_an_image(
    make_photo: Callable[..., Photo], media: Path, sign_in: Callable[[User], HttpClient], nurse: User
) -> None:
    photo = make_photo()
    path = media / photo.storage_path(Variant.DISPLAY)
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 0xFF
    path.write_bytes(bytes(blob))

    with pytest.raises(PhotoUnreadable):
        sign_in(nurse).get(photo.image_url(Variant.DISPLAY))


def test_a_file_copied_to_another_photo_does_not_decrypt_there(
    make_photo: Callable[..., Photo], media: Path, sign_in: Callable[[User], HttpClient], nurse: User
) -> None:
    first, second = make_photo(images.jpeg(seed=1)), make_photo(images.jpeg(seed=2))
    (media / second.storage_path(Variant.DISPLAY)).write_bytes(raw(media, first, Variant.DISPLAY))

    with pytest.raises(BlobCorrupt):
        blob_crypto.decrypt(raw(media, second, Variant.DISPLAY), context=blob_context(second.code, Variant.DISPLAY))
    with pytest.raises(PhotoUnreadable):
        sign_in(nurse).get(second.image_url(Variant.DISPLAY))


def test_a_file_copied_to_another_size_does_not_decrypt_there(make_photo: Callable[..., Photo], media: Path) -> None:
    photo = make_photo()

    with pytest.raises(BlobCorrupt):
        blob_crypto.decrypt(raw(media, photo, Variant.THUMB), context=blob_context(photo.code, Variant.DISPLAY))


def test_after_rotation_new_photos_use_the_new_key_and_old_ones_still_show(
    make_photo: Callable[..., Photo], media: Path, settings: Any, sign_in: Callable[[User], HttpClient], nurse: User
) -> None:
    old = make_photo(images.jpeg(seed=1))
    settings.PHOTO_KEYS = {"a": images.KEY_A, "b": images.KEY_B}
    settings.PHOTO_KEY_ID = "b"

    new = make_photo(images.jpeg(seed=2))

    http = sign_in(nurse)
    assert (old.key_id, new.key_id) == ("a", "b")
    assert blob_crypto.key_id_of(raw(media, new, Variant.ORIGINAL)) == "b"
    assert http.get(old.image_url(Variant.DISPLAY)).status_code == 200
    assert http.get(new.image_url(Variant.DISPLAY)).status_code == 200


def test_a_key_that_is_no_longer_configured_cannot_decrypt(
    make_photo: Callable[..., Photo], media: Path, settings: Any
) -> None:
    photo = make_photo()
    settings.PHOTO_KEYS = {"b": images.KEY_B}
    settings.PHOTO_KEY_ID = "b"

    with pytest.raises(BlobCorrupt, match="unknown key id 'a'"):
        blob_crypto.decrypt(raw(media, photo, Variant.THUMB), context=blob_context(photo.code, Variant.THUMB))


def test_without_keys_nothing_is_stored(upload_via: dict[str, Callable[..., Any]], media: Path, settings: Any) -> None:
    settings.PHOTO_KEYS = {}
    settings.PHOTO_KEY_ID = ""

    with pytest.raises(ImproperlyConfigured):
        upload_via["page"]("photo.jpg", images.jpeg())
    assert not Photo.objects.exists()
    assert list(media.rglob("*.bin")) == []


def test_each_encryption_uses_a_fresh_nonce(settings: Any) -> None:
    settings.PHOTO_KEYS = {"a": images.KEY_A}
    settings.PHOTO_KEY_ID = "a"

    first, second = (blob_crypto.encrypt(b"same", context="c") for _ in range(2))

    assert first != second
    assert blob_crypto.decrypt(first, context="c") == blob_crypto.decrypt(second, context="c") == b"same"


def test_keys_are_read_from_the_setting_format() -> None:
    spec = f"a:{base64.b64encode(images.KEY_A).decode()},\nb:{base64.urlsafe_b64encode(images.KEY_B).decode()}"

    assert blob_crypto.parse_keys(spec) == {"a": images.KEY_A, "b": images.KEY_B}
    assert len(blob_crypto.parse_keys(blob_crypto.generate_key_spec("new"))["new"]) == 32


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param("nokey", id="no-colon"),
        pytest.param("a:" + base64.b64encode(b"short").decode(), id="short-key"),
        pytest.param("a:not base64!", id="not-base64"),
        pytest.param("bad id:" + base64.b64encode(images.KEY_A).decode(), id="bad-id"),
        pytest.param(
            f"a:{base64.b64encode(images.KEY_A).decode()},a:{base64.b64encode(images.KEY_B).decode()}", id="twice"
        ),
    ],
)
def test_a_malformed_key_setting_is_refused_without_showing_the_key(spec: str) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        blob_crypto.parse_keys(spec)

    assert base64.b64encode(images.KEY_A).decode() not in str(refused.value)


def test_production_settings_refuse_to_start_photos_without_keys(settings: Any) -> None:
    from django.core.checks import run_checks

    settings.PHOTO_KEYS = {}
    settings.PHOTO_KEY_ID = ""

    assert "skinchart.E010" in [message.id for message in run_checks()]


def test_the_development_key_is_derived_from_the_secret_key() -> None:
    assert blob_crypto.derive_dev_key("one") == blob_crypto.derive_dev_key("one")
    assert blob_crypto.derive_dev_key("one") != blob_crypto.derive_dev_key("two")
    assert len(blob_crypto.derive_dev_key("one")) == 32


def _settings_in_a_fresh_process(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PHOTO_KEY")}
    environment |= {"DJANGO_SETTINGS_MODULE": "skinchart.settings", "SECRET_KEY": "s" * 60, **env}
    code = "from django.conf import settings; print(sorted(settings.PHOTO_KEYS), settings.PHOTO_KEY_ID)"
    return subprocess.run(  # noqa: S603 — our own interpreter and settings
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False
    )


def test_debug_without_keys_uses_a_development_key() -> None:
    result = _settings_in_a_fresh_process(DEBUG="true")

    assert result.stdout.strip() == "['dev'] dev"


def test_production_without_keys_starts_but_has_none() -> None:
    """…and the system check E010 fails (above); nothing can be stored or shown."""
    assert _settings_in_a_fresh_process(DEBUG="false").stdout.split() == ["[]"]


def test_keys_and_the_current_one_come_from_the_environment(tmp_path: Path) -> None:
    keys = tmp_path / "photo-keys"
    keys.write_text(f"old:{KEY_A_TEXT}\nnew:{base64.b64encode(images.KEY_B).decode()}\n")

    result = _settings_in_a_fresh_process(DEBUG="false", PHOTO_KEYS_FILE=str(keys), PHOTO_KEY_ID="new")

    assert result.stdout.strip() == "['new', 'old'] new"


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({"PHOTO_KEYS": f"a:{KEY_A_TEXT}", "PHOTO_KEY_ID": "b"}, id="unknown-current-key"),
        pytest.param({"PHOTO_KEYS": f"a:{KEY_A_TEXT},b:{KEY_A_TEXT}"}, id="several-keys-none-current"),
        pytest.param({"PHOTO_KEYS": "a:short"}, id="malformed"),
    ],
)
def test_a_wrong_key_setting_stops_the_start(env: dict[str, str]) -> None:
    result = _settings_in_a_fresh_process(DEBUG="false", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert KEY_A_TEXT not in result.stderr
