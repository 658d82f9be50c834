"""ingest_photo: all or nothing. A failure after the first file was saved leaves no
file, no row and no journal entry behind."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from skinchart.accounts.models import Site, User
from skinchart.clients.models import Client
from skinchart.journal.actions import record_entry
from skinchart.journal.models import Entry, EntryKind
from skinchart.photos.actions import ingest_photo
from skinchart.photos.models import Photo
from skinchart.photos.pipeline import PhotoRejected
from skinchart.photos.tests import images
from skinchart.photos.tests.conftest import files_under

pytestmark = pytest.mark.django_db


class FullDiskStorage(FileSystemStorage):
    """A storage whose disk fills up after the first file (a stand-in for F3)."""

    def _save(self, name: str, content: Any) -> str:
        if not name.endswith("original.bin"):
            raise OSError(28, "No space left on device")
        return super()._save(name, content)


def ingest(client: Client, actor: User, **extra: Any) -> Photo:
    upload = SimpleUploadedFile("photo.jpg", images.jpeg())
    fields = {"area": "Kinder", "angle": "front", "context": "consultation", **extra}
    return ingest_photo(actor=actor, client=client, upload=upload, **fields)


def assert_nothing_left(media: Path) -> None:
    assert not Photo.objects.exists()
    assert not Entry.objects.filter(kind=EntryKind.PHOTO).exists()
    assert files_under(media) == []


def test_a_storage_failure_after_the_first_file_removes_the_saved_files(
    media: Path, settings: Any, nurse: User, cared_for: Client
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.FullDiskStorage", "OPTIONS": {"location": str(media)}},
    }

    with pytest.raises(OSError, match="No space left"):
        ingest(cared_for, nurse)

    assert_nothing_left(media)


def test_a_database_failure_after_the_files_were_saved_removes_them(
    media: Path, nurse: User, cared_for: Client
) -> None:
    unsaved_site = Site(name="Not saved")  # the row refuses it after the files are written

    with pytest.raises(ValueError, match="unsaved"):
        ingest(cared_for, nurse, site=unsaved_site)

    assert_nothing_left(media)


@pytest.mark.parametrize(
    "taken_at",
    [
        pytest.param(dt.datetime(2026, 1, 1, 10, 0), id="naive"),  # noqa: DTZ001
        pytest.param(timezone.now() + dt.timedelta(hours=1), id="future"),
    ],
)
def test_the_time_taken_must_be_aware_and_not_in_the_future(
    media: Path, nurse: User, cared_for: Client, taken_at: dt.datetime
) -> None:
    with pytest.raises(PhotoRejected):
        ingest(cared_for, nurse, taken_at=taken_at)

    assert_nothing_left(media)


def test_a_photo_links_to_what_it_documents(media: Path, nurse: User, cared_for: Client) -> None:
    note = record_entry(actor=nurse, client=cared_for, kind=EntryKind.CLINICAL_NOTE, text="Before session 1.")

    photo = ingest(cared_for, nurse, subject=note)

    assert (photo.subject_type, photo.subject_id) == ("journal.entry", str(note.code))
