"""Encryption at rest for stored files (clinical photos): AES-256-GCM with key ids.

A blob is ``b"SKC1"`` + one byte giving the key id's length + the key id (ASCII) + a
random 96-bit nonce + ciphertext‖tag (GCM's 16-byte tag). The associated data binds the
header (so the key id) and a caller-given context, e.g. ``"<photo uuid>:display"``: a
file copied to another photo's name, or to another variant's, fails to decrypt like a
tampered one. Keys come from the ``PHOTO_KEYS`` setting (key id → 32 bytes); new blobs
use ``PHOTO_KEY_ID``; a blob names its key, so old blobs still decrypt after rotation as
long as their key stays configured. ADR 0010.
"""

from __future__ import annotations

import base64
import binascii
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MAGIC = b"SKC1"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
DEV_KEY_ID = "dev"
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9_.-]{1,32}")


class BlobCorrupt(Exception):
    """The blob cannot be decrypted: not our format, an unknown key id, or changed
    (tampered, truncated, or stored under another context)."""


def parse_keys(spec: str) -> dict[str, bytes]:
    """``"id1:<base64 of 32 bytes>,id2:…"`` (commas or line breaks between entries) →
    {key id: key}. Raises ImproperlyConfigured naming the problem, never the key."""
    keys: dict[str, bytes] = {}
    for item in re.split(r"[,\s]+", spec.strip()):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not KEY_ID_PATTERN.fullmatch(key_id):
            raise ImproperlyConfigured(
                "PHOTO_KEYS entries are 'id:<base64 of 32 bytes>'; an id is 1-32 of A-Z a-z 0-9 _ . -"
            )
        try:
            key = base64.b64decode(encoded.replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ImproperlyConfigured(f"PHOTO_KEYS: the key of {key_id!r} is not valid base64") from exc
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(f"PHOTO_KEYS: the key of {key_id!r} must be {KEY_BYTES} bytes, not {len(key)}")
        if key_id in keys:
            raise ImproperlyConfigured(f"PHOTO_KEYS: the id {key_id!r} appears twice")
        keys[key_id] = key
    return keys


def derive_dev_key(secret_key: str) -> bytes:
    """The development key (DEBUG only): HKDF-SHA256 of SECRET_KEY."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"skinchart photo dev key").derive(
        secret_key.encode()
    )


def generate_key_spec(key_id: str) -> str:
    """A new ``id:<base64>`` entry for PHOTO_KEYS (e.g. for `make check` or a rotation)."""
    return f"{key_id}:{base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}"


def current_key_id() -> str:
    """The key new blobs are encrypted with. Without keys (production without
    PHOTO_KEYS) nothing is encrypted, so nothing is stored: ImproperlyConfigured."""
    key_id: str = settings.PHOTO_KEY_ID
    if not key_id or key_id not in settings.PHOTO_KEYS:
        raise ImproperlyConfigured("PHOTO_KEYS and PHOTO_KEY_ID must be set (see README) to store photos")
    return key_id


def _header(key_id: str) -> bytes:
    encoded = key_id.encode("ascii")
    return MAGIC + bytes([len(encoded)]) + encoded


def _associated_data(header: bytes, context: str) -> bytes:
    return header + b"\x00" + context.encode()


def encrypt(plaintext: bytes, *, context: str, key_id: str | None = None) -> bytes:
    """Encrypt under `key_id` (default: the current key), bound to `context`."""
    key_id = key_id or current_key_id()
    key = settings.PHOTO_KEYS.get(key_id)
    if key is None:
        raise ImproperlyConfigured(f"PHOTO_KEYS has no key {key_id!r}")
    header = _header(key_id)
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext, _associated_data(header, context))


def key_id_of(blob: bytes) -> str:
    """The id of the key a blob names (BlobCorrupt when it is not one of ours)."""
    if len(blob) < len(MAGIC) + 1 or not blob.startswith(MAGIC):
        raise BlobCorrupt("not an encrypted Skinchart blob")
    length = blob[len(MAGIC)]
    raw = blob[len(MAGIC) + 1 : len(MAGIC) + 1 + length]
    try:
        key_id = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise BlobCorrupt("the key id is not ASCII") from exc
    if len(raw) != length or not KEY_ID_PATTERN.fullmatch(key_id):
        raise BlobCorrupt("the key id is malformed")
    return key_id


def decrypt(blob: bytes, *, context: str) -> bytes:
    """The plaintext, if the blob is intact, its key is configured and it was
    encrypted for this `context`; otherwise BlobCorrupt."""
    key_id = key_id_of(blob)
    key = settings.PHOTO_KEYS.get(key_id)
    if key is None:
        raise BlobCorrupt(f"unknown key id {key_id!r}")
    header = _header(key_id)
    body = blob[len(header) :]
    if len(body) < NONCE_BYTES + TAG_BYTES:
        raise BlobCorrupt("the blob is truncated")
    nonce, sealed = body[:NONCE_BYTES], body[NONCE_BYTES:]
    try:
        return AESGCM(key).decrypt(nonce, sealed, _associated_data(header, context))
    except InvalidTag as exc:
        raise BlobCorrupt("the blob was changed or belongs to another context") from exc
