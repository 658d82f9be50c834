"""How long does taking in one 12-megapixel phone photo take, and how much memory?

    .venv/bin/python bench/photo_ingest.py [--runs 10] [--width 4000] [--height 3000]
                                           [--quality 92] [--cpu 0] [--database-url URL] [--keep]

Generates a 4000 × 3000 JPEG with gradients and camera-like noise (a few MB, like a
phone's): upright; with EXIF orientation 6 (a portrait shot); and with a non-sRGB colour
profile like an iPhone's Display P3, which the pipeline converts. Runs the
whole `ingest_photo` on each N times, pinned to one CPU core: read, identify, check
the pixel count, decode, apply the orientation, convert, re-encode full size, display
(2048 px) and thumbnail (320 px), SHA-256, AES-GCM, save three files through the storage
API (a temp MEDIA_ROOT), the row, the signed journal entry and the audit event, in a
throwaway SQLite database (or --database-url, an empty database you can throw away).
Also times the pipeline stages alone. Prints median and p95 against the target (0.5 s)
and the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from harness import migrate_empty_database, percentile, run_in_throwaway_database

TARGET_SECONDS = 0.5


def wide_gamut_profile() -> bytes:
    """An RGB profile the pipeline does not recognise as sRGB, so it converts the pixels
    as it would an iPhone's Display P3 (same kind of matrix/curve transform, same cost)."""
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return srgb.replace("sRGB".encode("utf-16-be"), "Wide".encode("utf-16-be"))


def make_photo(width: int, height: int, quality: int, orientation: int, icc: bytes | None = None) -> bytes:
    """Smooth light falloff and colour gradients under sensor-like Gaussian noise: about
    4 MB at quality 92, like a phone's 12-megapixel JPEG (pure noise would be ~15 MB,
    a flat picture a few hundred kB)."""
    from PIL import Image

    size = (width, height)
    radial = Image.radial_gradient("L").resize(size)
    linear = Image.linear_gradient("L").resize(size)
    diagonal = Image.blend(radial, linear.transpose(Image.Transpose.ROTATE_90).resize(size), 0.5)
    channels = [Image.blend(base, Image.effect_noise(size, 25), 0.4) for base in (radial, linear, diagonal)]
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Bench Camera"
    buffer = io.BytesIO()
    extra = {"icc_profile": icc} if icc else {}
    Image.merge("RGB", channels).save(buffer, "JPEG", quality=quality, exif=exif, **extra)
    return buffer.getvalue()


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


def memory_watch() -> Callable[[], str]:
    """Start watching; the returned function tells the peak RSS since, and how much of it
    the work added. Linux: the high-water mark is reset through /proc/self/clear_refs."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
        before = _status_kb("VmRSS")
    except OSError:
        return lambda: f"peak RSS {peak_rss_mb():.0f} MB (process lifetime)"
    return lambda: (
        f"peak RSS {_status_kb('VmHWM') / 1024:.0f} MB, +{(_status_kb('VmHWM') - before) / 1024:.0f} MB over the start"
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def timed(function: Callable[[], Any], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return sorted(times)


def report(label: str, times: list[float]) -> None:
    median, p95 = statistics.median(times), percentile(times, 0.95)
    verdict = "ok" if p95 <= TARGET_SECONDS else "OVER"
    print(f"{label:<44} median {median:.3f} s   p95 {p95:.3f} s   (target {TARGET_SECONDS} s: {verdict})")


def bench_case(data: bytes, *, runs: int, actor: Any, client: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from skinchart.lib import blob_crypto
    from skinchart.photos import pipeline
    from skinchart.photos.actions import ingest_photo

    def ingest() -> None:
        upload = SimpleUploadedFile("IMG_0001.JPG", data, content_type="image/jpeg")
        ingest_photo(actor=actor, client=client, upload=upload, area="Kinder", angle="front", context="consultation")

    ingest()  # warm-up: imports, first database writes
    memory = memory_watch()
    report("whole ingest (pipeline, files, row, journal)", timed(ingest, runs))
    print(f"  memory: {memory()}")
    report(
        "  validate + decode + re-encode (in memory)", timed(lambda: pipeline.process_upload(io.BytesIO(data)), runs)
    )
    processed = pipeline.process_upload(io.BytesIO(data))
    sizes = ", ".join(f"{name} {len(jpeg) / 1e3:.0f} kB" for name, jpeg in processed.variants.items())
    print(f"  stored JPEGs: {sizes}; display {processed.width}x{processed.height}")
    variants = list(processed.variants.values())
    report(
        "  encrypt all three (AES-256-GCM)",
        timed(lambda: [blob_crypto.encrypt(v, context="b") for v in variants], runs),
    )


def run(args: argparse.Namespace) -> int:
    from skinchart.accounts.tests.factories import UserFactory
    from skinchart.clients.tests.factories import ClientFactory

    if not migrate_empty_database():
        return 1
    nurse = UserFactory(roles=["nurse"])
    client = ClientFactory()
    print(f"cpu: pinned to core {args.cpu}; {args.runs} runs per case")
    cases = [
        ("upright, sRGB", 1, None),
        ("EXIF orientation 6 (portrait)", 6, None),
        ("wide-gamut colour profile (converted to sRGB)", 1, wide_gamut_profile()),
    ]
    for label, orientation, icc in cases:
        data = make_photo(args.width, args.height, args.quality, orientation, icc)
        print(f"\n{args.width}x{args.height} JPEG q{args.quality}, {label}: {len(data) / 1e6:.1f} MB")
        bench_case(data, runs=args.runs, actor=nurse, client=client)
    print(f"\npeak RSS of the whole run: {peak_rss_mb():.0f} MB (incl. generating the test images)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    parser.add_argument("--quality", type=int, default=92, help="of the generated source JPEG")
    parser.add_argument("--cpu", type=int, default=0, help="the core to pin the process to")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the temp directory")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    from skinchart.lib.blob_crypto import generate_key_spec

    os.environ.setdefault("PHOTO_KEYS", generate_key_spec("bench"))
    return run_in_throwaway_database(args, run)


if __name__ == "__main__":
    sys.exit(main())
