"""Images the JPEG encoder cannot hold, and transparent images, are handled without a 500."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from skinchart.photos.pipeline import PhotoRejected, process_upload


def png(size: tuple[int, int], mode: str = "RGB") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return SimpleUploadedFile("wide.png", buffer.getvalue(), content_type="image/png")


def test_a_side_longer_than_a_jpeg_can_hold_is_refused() -> None:
    with pytest.raises(PhotoRejected, match="65500"):
        process_upload(png((70_000, 1)))


def test_a_transparent_image_is_flattened_onto_white() -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (40, 30), (0, 0, 0, 0)).save(buffer, "PNG")
    processed = process_upload(SimpleUploadedFile("clear.png", buffer.getvalue()))
    decoded = Image.open(io.BytesIO(processed.variants["display"]))
    assert decoded.mode == "RGB"
    assert decoded.getpixel((20, 15)) == pytest.approx((255, 255, 255), abs=3)
