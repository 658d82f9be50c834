"""The photo pipeline: from uploaded bytes to encrypted, stored JPEGs. ADR 0010.

`process_upload` does everything that can refuse a file before anything is written:
read at most PHOTO_MAX_BYTES, identify the format by its magic bytes (JPEG, PNG, WebP,
HEIC/HEIF; nothing else, whatever the name or declared type), check width × height
against PHOTO_MAX_PIXELS *before* the pixels are decoded, decode with only that format's
decoder, apply the EXIF orientation, convert to sRGB RGB and re-encode as JPEG without
any metadata (no EXIF, GPS, XMP, ICC profile or embedded thumbnail) in three sizes. The
stored "original" is that re-encoded full-size image — the uploaded bytes are only
hashed, never kept. `store_variants` encrypts each size and saves it under a
server-made name; `read_variant` reverses that for the image view.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any
from uuid import UUID

import pillow_heif
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, ImageOps

from skinchart.lib import blob_crypto
from skinchart.photos.models import DISPLAY_MAX_SIDE, THUMB_MAX_SIDE, Variant

logger = logging.getLogger(__name__)

JPEG_QUALITY = 88
THUMB_QUALITY = 82
READ_CHUNK = 1024 * 1024
# The ISO base media file brands of HEIC/HEIF still images (iPhone photos are "heic").
HEIF_BRANDS = {b"heic", b"heix", b"mif1", b"msf1"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CONTENT_TYPE = "image/jpeg"

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class PhotoRejected(Exception):
    """The upload is refused; `message` is for the user (translated), `status` the
    HTTP status to answer with."""

    def __init__(self, message: str, *, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class ProcessedPhoto:
    sha256: str  # of the uploaded bytes
    size: int  # of the uploaded bytes
    source_format: str
    width: int  # of the display image
    height: int
    variants: dict[str, bytes]  # variant → JPEG bytes (plaintext, to be encrypted)


def configure_pillow() -> None:
    """At start-up: the HEIF decoder, and Pillow's own bomb limit in line with ours
    (Pillow refuses outright at twice this; `decode` refuses at once)."""
    pillow_heif.register_heif_opener()
    Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS
    # Pillow warns between the limit and twice it; `decode` refuses those itself.
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def _too_large() -> PhotoRejected:
    limit = settings.PHOTO_MAX_BYTES / 1_000_000
    return PhotoRejected(_("The file is larger than %(limit)s MB.") % {"limit": f"{limit:g}"}, status=413)


def _not_an_image() -> PhotoRejected:
    return PhotoRejected(_("The file is not a JPEG, PNG, WebP or HEIC image."))


def _damaged() -> PhotoRejected:
    return PhotoRejected(_("The image is damaged or incomplete and cannot be read."))


def read_upload(upload: IO[bytes] | Any) -> bytes:
    """The uploaded bytes, reading at most PHOTO_MAX_BYTES + 1 of them."""
    limit = settings.PHOTO_MAX_BYTES
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise _too_large()
    if hasattr(upload, "seek"):
        upload.seek(0)
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = upload.read(min(READ_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        raise _too_large()
    if total == 0:
        raise PhotoRejected(_("The file is empty."))
    return b"".join(chunks)


def identify(data: bytes) -> str | None:
    """Pillow's format name for the allowed formats, from the magic bytes alone."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(PNG_SIGNATURE):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return "HEIF"
    return None


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB in sRGB: transparency flattened onto white, an embedded colour profile
    (e.g. Display P3 from a phone) converted, then dropped with all other metadata."""
    icc = image.info.get("icc_profile")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Pasted onto white through the alpha band: one RGB image and one mask, not
        # three full RGBA copies (memory per upload, security.md B5).
        source = image if image.mode in ("RGBA", "LA") else image.convert("RGBA")
        flat = Image.new("RGB", source.size, (255, 255, 255))
        flat.paste(source.convert("RGB") if source.mode != "RGB" else source, mask=source.getchannel("A"))
        image = flat
    profile = _colour_profile(icc) if icc else None
    if profile is not None and image.mode in ("CMYK", "L"):
        image = _converted(image, profile, in_mode=image.mode) or image
        profile = None
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    if profile is not None:
        _converted(rgb, profile, in_mode="RGB", in_place=True)
    rgb.info.clear()
    return rgb


def _colour_profile(icc: bytes) -> ImageCms.ImageCmsProfile | None:
    """The embedded profile when pixels must be converted (None for sRGB or unreadable)."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return None if "sRGB" in ImageCms.getProfileDescription(profile) else profile
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        logger.info("photo colour profile unreadable; pixels kept as they are")
        return None


def _converted(
    image: Image.Image, profile: ImageCms.ImageCmsProfile, *, in_mode: str, in_place: bool = False
) -> Image.Image | None:
    try:
        transform = ImageCms.buildTransform(profile, _SRGB, in_mode, "RGB")
        return ImageCms.applyTransform(image, transform, inPlace=in_place)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        logger.info("photo colour profile does not fit the image; pixels kept as they are")
        return None


# WeasyPrint (guide and consent PDFs) sets Pillow's process-wide LOAD_TRUNCATED_IMAGES
# when first imported, which makes a truncated file decode "successfully" with the
# missing part grey. A photo must be complete: the flag is off while a photo decodes.
_TRUNCATION_FLAG = threading.Lock()


def _load_refusing_truncation(image: Image.Image) -> None:
    with _TRUNCATION_FLAG:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def decode(data: bytes, source_format: str) -> Image.Image:
    """The decoded, upright RGB image; refused when too many pixels (before any pixel
    is decoded) or when the decoder cannot read it."""
    max_pixels = settings.PHOTO_MAX_PIXELS
    too_many = PhotoRejected(
        _("The image has too many pixels (at most %(limit)s megapixels).") % {"limit": f"{max_pixels / 1e6:g}"}
    )
    try:
        image = Image.open(io.BytesIO(data), formats=[source_format])
    except Image.DecompressionBombError as exc:
        raise too_many from exc
    except Exception as exc:  # a hostile file can make a decoder fail in any way: a refusal, never a 500
        raise _damaged() from exc
    if image.width * image.height > max_pixels or image.width < 1 or image.height < 1:
        raise too_many
    if max(image.width, image.height) > MAX_SIDE:
        raise PhotoRejected(
            _("The image is too wide or too tall (at most %(side)s pixels a side).") % {"side": MAX_SIDE}
        )
    try:
        _load_refusing_truncation(image)
        try:
            ImageOps.exif_transpose(image, in_place=True)
        except Exception:  # an unreadable EXIF block must not cost the photo
            logger.info("photo EXIF orientation unreadable; image kept as stored")
        return _to_srgb(image)
    except Image.DecompressionBombError as exc:
        raise too_many from exc
    except Exception as exc:
        logger.info("photo refused as unreadable: %s", type(exc).__name__)
        raise _damaged() from exc


# The longest side a JPEG can hold (libjpeg's limit).
MAX_SIDE = 65_500


def fit(image: Image.Image, max_side: int, resample: Image.Resampling = Image.Resampling.LANCZOS) -> Image.Image:
    """The image scaled down so its longer side is at most `max_side` (never up)."""
    scale = max_side / max(image.width, image.height)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    # reducing_gap: a fast integer box reduction first when shrinking 4× or more.
    return image.resize(size, resample, reducing_gap=2.0)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    # No exif=, icc_profile= or comment=: the file carries pixels and nothing else.
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def process_upload(upload: IO[bytes] | Any) -> ProcessedPhoto:
    """Validate, decode and re-encode; nothing is written. Raises PhotoRejected."""
    data = read_upload(upload)
    source_format = identify(data)
    if source_format is None:
        raise _not_an_image()
    image = decode(data, source_format)
    # Bicubic for the display size: from 12 MP it costs 2/3 of Lanczos (bench/photo_ingest.py)
    # and looks the same at this scale; the thumbnail, from the display image, stays Lanczos.
    display = fit(image, DISPLAY_MAX_SIDE, Image.Resampling.BICUBIC)
    thumb = fit(display, THUMB_MAX_SIDE)
    try:
        variants = {
            Variant.ORIGINAL.value: _jpeg(image, JPEG_QUALITY),
            Variant.DISPLAY.value: _jpeg(display, JPEG_QUALITY),
            Variant.THUMB.value: _jpeg(thumb, THUMB_QUALITY),
        }
    except (OSError, ValueError) as exc:  # the encoder's limits: a refusal, never a 500
        raise _damaged() from exc
    return ProcessedPhoto(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        source_format=source_format,
        width=display.width,
        height=display.height,
        variants=variants,
    )


def blob_context(photo_code: UUID | str, variant: str) -> str:
    """What a stored file is bound to: a file moved to another photo or size fails."""
    return f"photo:{photo_code}:{variant}"


def storage_name(client_code: UUID | str, photo_code: UUID | str, variant: str) -> str:
    """Server-made; nothing of the uploaded file's name is ever used."""
    return f"photos/{client_code}/{photo_code}/{Variant(variant).value}.bin"


def store_variants(
    *, client_code: UUID, photo_code: UUID, variants: dict[str, bytes], key_id: str, saved: list[str]
) -> dict[str, str]:
    """Encrypt and save each variant; returns variant → storage name. Every name saved
    is appended to `saved` at once, so the caller can delete them if anything fails."""
    names: dict[str, str] = {}
    for variant, data in variants.items():
        blob = blob_crypto.encrypt(data, context=blob_context(photo_code, variant), key_id=key_id)
        name = default_storage.save(storage_name(client_code, photo_code, variant), ContentFile(blob))
        saved.append(name)
        names[variant] = name
    return names


def delete_files(names: Iterable[str]) -> None:
    """Best effort: a file that cannot be deleted is logged, never raised over the
    error that made the deletion necessary."""
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.exception("could not delete stored photo file %s", name)


def read_variant(photo: Any, variant: str) -> bytes:
    """The decrypted JPEG of one size of a photo; BlobCorrupt if it was changed."""
    with default_storage.open(photo.storage_path(variant), "rb") as stored:
        blob = stored.read()
    return blob_crypto.decrypt(blob, context=blob_context(photo.code, variant))
