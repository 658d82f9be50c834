"""Test images, made with Pillow at run time (no binary fixtures): real photos in each
allowed format, and the hostile and broken files of security.md B1–B11."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pillow_heif
from PIL import Image, ImageCms

KEY_A = bytes(range(32))
KEY_B = bytes(range(32, 64))


def photo(size: tuple[int, int] = (400, 300), *, seed: int = 1) -> Image.Image:
    """A picture with a gradient and some noise, so it is not trivially compressible."""
    width, height = size
    gradient = Image.linear_gradient("L").resize(size)
    rng = random.Random(seed)
    noise = Image.frombytes("L", size, rng.randbytes(width * height))
    return Image.merge("RGB", (gradient, Image.blend(gradient, noise, 0.3), noise))


def encoded(image: Image.Image, image_format: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **params)
    return buffer.getvalue()


def jpeg(size: tuple[int, int] = (400, 300), *, seed: int = 1) -> bytes:
    return encoded(photo(size, seed=seed), "JPEG", quality=90)


def png(size: tuple[int, int] = (400, 300)) -> bytes:
    return encoded(photo(size), "PNG")


def webp(size: tuple[int, int] = (400, 300)) -> bytes:
    return encoded(photo(size), "WEBP", quality=80)


def heic(size: tuple[int, int] = (400, 300)) -> bytes:
    buffer = io.BytesIO()
    pillow_heif.from_pillow(photo(size)).save(buffer, quality=80)
    return buffer.getvalue()


def transparent_png() -> bytes:
    image = Image.new("RGBA", (64, 48), (200, 30, 30, 0))
    return encoded(image, "PNG")


def two_halves(size: tuple[int, int] = (400, 300)) -> Image.Image:
    """Left half red, right half blue: shows which way an image was turned."""
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    return image


def jpeg_with_metadata() -> bytes:
    """B4: EXIF with GPS, camera make/model/serial and orientation 6 (turn 90° clockwise
    to view), an XMP packet, an ICC profile and a comment."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "EOS R5"  # Model
    exif[0xA431] = "SERIAL-0042"  # BodySerialNumber
    exif.get_ifd(0x8825).update({1: "N", 2: (55.0, 29.0, 10.0), 3: "E", 4: (9.0, 28.0, 5.0)})
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>GPSLatitude 55,29</rdf:RDF></x:xmpmeta>'
    return encoded(two_halves(), "JPEG", exif=exif, icc_profile=icc, xmp=xmp, comment=b"Ida Holm, cheek")


def polyglot_png() -> bytes:
    """B3: a valid PNG with HTML in a text chunk and after the end chunk."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<html><script>alert(1)</script></html>")
    return encoded(photo((64, 48)), "PNG", pnginfo=info) + b"<html><body><script>alert(document.cookie)</script>"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """B5: a tiny PNG whose header declares width × height pixels (a pixel flood);
    its data is only the start of the first rows."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    """B7: the first half of a real JPEG."""
    data = jpeg((800, 600))
    return data[: len(data) // 2]


def tiff() -> bytes:
    return encoded(photo((64, 48)), "TIFF")


def avif() -> bytes:
    return encoded(photo((64, 48)), "AVIF")


def gif() -> bytes:
    return encoded(photo((64, 48)), "GIF")


HTML_PAGE = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.domain)</script></svg>"
)
PHP = b"<?php system($_GET['c']); ?>"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the start of the scan."""
    assert data[:2] == b"\xff\xd8"
    markers, position = [], 2
    while position < len(data):
        marker = data[position + 1]
        if marker == 0xDA:  # start of scan: the compressed pixels follow
            break
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        markers.append(marker)
        position += 2 + length
    return markers


def wide_gamut_profile() -> bytes:
    """An RGB profile not described as sRGB (like an iPhone's Display P3): the pipeline
    converts its pixels to sRGB and drops it."""
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return srgb.replace("sRGB".encode("utf-16-be"), "Wide".encode("utf-16-be"))


def jpeg_with_profile(icc: bytes) -> bytes:
    return encoded(photo(), "JPEG", quality=90, icc_profile=icc)


def cmyk_jpeg() -> bytes:
    return encoded(photo((64, 48)).convert("CMYK"), "JPEG")


def heic_turned() -> bytes:
    """A HEIC photo of `two_halves` with orientation 6, as a phone held upright saves it."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return encoded(two_halves(), "HEIF", exif=exif.tobytes())
