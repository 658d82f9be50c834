"""Controlled versions (REG-9): who may approve, what approval needs, approved text that
never changes (also in the database), in-force and superseded, review-by warnings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone, translation
from pytest_django.fixtures import Settings as SettingsFixture

from skinchart.accounts.models import TreatmentCategory, User
from skinchart.audit.models import AuditEvent
from skinchart.catalogue.actions import DocumentError, approve_version, import_catalogue
from skinchart.catalogue.loader import read_catalogue
from skinchart.catalogue.models import (
    ControlledVersion,
    DefinitionVersion,
    DocumentStatus,
    Lifecycle,
    ReviewState,
    Treatment,
)
from skinchart.guides.actions import save_guide_draft
from skinchart.guides.models import REQUIRED_SECTIONS, Guide, GuideVersion

SHIPPED = Path(settings.CATALOGUE_DIR)
TITLE = {"da": "Klientvejledning: Mesoterapi", "en": "Client guide: Mesotherapy"}


def load_shipped() -> tuple[Treatment, Guide]:
    documents = read_catalogue(SHIPPED)
    import_catalogue(actor=None, documents=documents, source_root=str(SHIPPED))
    treatment = Treatment.objects.get(code="mesotherapy")
    return treatment, Guide.objects.get(treatment=treatment)


def today() -> dt.date:
    return timezone.localdate()


def approve(doctor: User, version: ControlledVersion, *, in_force_in_days: int = 0) -> Any:
    in_force_from = today() + dt.timedelta(days=in_force_in_days)
    return approve_version(
        actor=doctor, version=version, in_force_from=in_force_from, review_by=in_force_from + dt.timedelta(days=700)
    )


def section(key: str, da: str = "Dansk tekst.", en: str = "English text.") -> dict[str, Any]:
    return {"key": key, "heading": {"da": key, "en": key}, "body": {"da": da, "en": en}}


def complete_sections() -> list[dict[str, Any]]:
    return [section(key) for key in REQUIRED_SECTIONS]


@pytest.fixture
def guide(db: None) -> Guide:
    treatment = Treatment.objects.create(code="mesotherapy", category=TreatmentCategory.NON_PERMANENT_FILLER)
    return Guide.objects.create(treatment=treatment)


def draft(actor: User, guide: Guide, sections: list[dict[str, Any]], title: dict[str, str] = TITLE) -> GuideVersion:
    return save_guide_draft(actor=actor, guide=guide, title=title, sections=sections, revised_on=today())


def shipped_version(kind: str) -> ControlledVersion:
    treatment, guide = load_shipped()
    versions = {"definition": treatment.definition_versions, "guide": guide.versions}
    version: ControlledVersion = versions[kind].get()
    return version


# --- who may approve ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["definition", "guide"])
@pytest.mark.parametrize("persona", ["nurse", "admin", "cosmetologist", "reception", "outsider"])
def test_only_a_doctor_may_approve(make_persona: Callable[[str], User], persona: str, kind: str) -> None:
    version = shipped_version(kind)
    with pytest.raises(DocumentError):
        approve(make_persona(persona), version)
    version.refresh_from_db()
    assert version.status == DocumentStatus.DRAFT
    assert version.approved_by is None
    assert not AuditEvent.objects.filter(action="document.approved").exists()


@pytest.mark.parametrize("kind", ["definition", "guide"])
def test_an_inactive_doctor_may_not_approve(doctor: User, kind: str) -> None:
    version = shipped_version(kind)
    doctor.is_active = False
    doctor.save(update_fields=["is_active"])
    with pytest.raises(DocumentError):
        approve(doctor, version)
    version.refresh_from_db()
    assert version.status == DocumentStatus.DRAFT


@pytest.mark.parametrize("kind", ["definition", "guide"])
def test_an_active_doctor_approves_with_dates_and_an_audit_event(doctor: User, kind: str) -> None:
    version = shipped_version(kind)
    in_force_from, review_by = today() + dt.timedelta(days=3), today() + dt.timedelta(days=400)
    approve_version(actor=doctor, version=version, in_force_from=in_force_from, review_by=review_by)
    version.refresh_from_db()
    assert version.status == DocumentStatus.APPROVED
    assert version.approved_by == doctor
    assert version.approved_at is not None
    assert timezone.now() - version.approved_at < dt.timedelta(minutes=1)
    assert (version.in_force_from, version.review_by) == (in_force_from, review_by)
    event = AuditEvent.objects.get(action="document.approved")
    assert event.actor == doctor
    assert event.target_id == str(version.code)
    assert event.data["content_hash"] == version.content_hash
    assert event.data["in_force_from"] == in_force_from.isoformat()


# --- what approval needs -------------------------------------------------------------


@pytest.mark.parametrize("missing", list(REQUIRED_SECTIONS))
def test_a_guide_lacking_a_required_section_cannot_be_approved(doctor: User, guide: Guide, missing: str) -> None:
    version = draft(doctor, guide, [s for s in complete_sections() if s["key"] != missing])
    with pytest.raises(DocumentError) as raised:
        approve(doctor, version)
    assert str(REQUIRED_SECTIONS[missing]) in str(raised.value)
    version.refresh_from_db()
    assert version.status == DocumentStatus.DRAFT


@pytest.mark.parametrize("danish", ["", "   \n"])
@pytest.mark.parametrize("empty", list(REQUIRED_SECTIONS))
def test_a_guide_with_an_empty_danish_required_section_cannot_be_approved(
    doctor: User, guide: Guide, empty: str, danish: str
) -> None:
    sections = [section(s["key"], da=danish) if s["key"] == empty else s for s in complete_sections()]
    version = draft(doctor, guide, sections)
    with pytest.raises(DocumentError) as raised:
        approve(doctor, version)
    assert str(REQUIRED_SECTIONS[empty]) in str(raised.value)


def test_the_refusal_names_only_the_missing_sections(doctor: User, guide: Guide) -> None:
    version = draft(doctor, guide, [section("expected_results"), section("complications"), section("contact")])
    with translation.override("en"), pytest.raises(DocumentError) as raised:
        approve(doctor, version)
    assert "Late effects" in str(raised.value)
    assert "Expected results" not in str(raised.value)


def test_a_partly_written_english_text_cannot_be_approved(doctor: User, guide: Guide) -> None:
    sections = [*complete_sections(), section("practical", en="")]
    version = draft(doctor, guide, sections)
    with translation.override("en"), pytest.raises(DocumentError, match="English text is incomplete"):
        approve(doctor, version)
    version.refresh_from_db()
    assert version.status == DocumentStatus.DRAFT


def test_a_danish_only_guide_can_be_approved(doctor: User, guide: Guide) -> None:
    version = draft(doctor, guide, [section(key, en="") for key in REQUIRED_SECTIONS])
    approved = approve(doctor, version)
    assert approved.status == DocumentStatus.APPROVED
    assert approved.languages() == ["da"]


def test_a_guide_without_a_danish_title_cannot_be_approved(doctor: User, guide: Guide) -> None:
    version = draft(doctor, guide, complete_sections(), title={"da": " ", "en": "Client guide"})
    with translation.override("en"), pytest.raises(DocumentError, match="Danish title"):
        approve(doctor, version)


@pytest.mark.parametrize("kind", ["definition", "guide"])
def test_an_approved_version_cannot_be_approved_again(doctor: User, kind: str) -> None:
    version = shipped_version(kind)
    approve(doctor, version)
    with pytest.raises(DocumentError):
        approve(doctor, version, in_force_in_days=5)
    version.refresh_from_db()
    assert version.in_force_from == today()
    assert AuditEvent.objects.filter(action="document.approved").count() == 1


@pytest.mark.parametrize("kind", ["definition", "guide"])
def test_a_version_cannot_come_into_force_before_today(doctor: User, kind: str) -> None:
    version = shipped_version(kind)
    yesterday = today() - dt.timedelta(days=1)
    with pytest.raises(DocumentError):
        approve_version(actor=doctor, version=version, in_force_from=yesterday, review_by=today() + dt.timedelta(700))
    version.refresh_from_db()
    assert version.status == DocumentStatus.DRAFT


@pytest.mark.parametrize("review_in_days", [0, -1])
def test_the_review_by_date_must_be_after_the_in_force_date(doctor: User, review_in_days: int) -> None:
    version = shipped_version("guide")
    in_force_from = today() + dt.timedelta(days=10)
    review_by = in_force_from + dt.timedelta(days=review_in_days)
    with pytest.raises(DocumentError):
        approve_version(actor=doctor, version=version, in_force_from=in_force_from, review_by=review_by)
    version.refresh_from_db()
    assert version.status == DocumentStatus.DRAFT


# --- approved text never changes --------------------------------------------------------


def test_editing_an_approved_guide_makes_a_new_draft_and_leaves_the_approved_text(doctor: User) -> None:
    _treatment, guide = load_shipped()
    approved = approve(doctor, guide.versions.get())
    title, sections, content_hash = approved.title, approved.sections, approved.content_hash
    new = draft(doctor, guide, complete_sections())
    assert (new.number, new.status) == (approved.number + 1, DocumentStatus.DRAFT)
    assert new.pk != approved.pk
    approved.refresh_from_db()
    assert approved.status == DocumentStatus.APPROVED
    assert (approved.title, approved.sections, approved.content_hash) == (title, sections, content_hash)


def test_saving_twice_updates_the_one_open_draft(doctor: User, guide: Guide) -> None:
    first = draft(doctor, guide, complete_sections())
    second = draft(doctor, guide, [*complete_sections(), section("practical")])
    assert (second.pk, second.number) == (first.pk, 1)
    assert GuideVersion.objects.filter(guide=guide).count() == 1
    assert second.content_hash != first.content_hash


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda rows: rows.update(sections=[]), id="update"),
        pytest.param(lambda rows: rows.delete(), id="delete"),
    ],
)
def test_the_database_refuses_to_change_an_approved_guide_version(
    append_only_guards: None, doctor: User, change: Callable[[Any], Any]
) -> None:
    _treatment, guide = load_shipped()
    approved = approve(doctor, guide.versions.get())
    with pytest.raises(DatabaseError), transaction.atomic():
        change(GuideVersion.objects.filter(pk=approved.pk))
    approved.refresh_from_db()
    assert approved.sections != []


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda rows: rows.update(content={}), id="update"),
        pytest.param(lambda rows: rows.delete(), id="delete"),
    ],
)
def test_the_database_refuses_to_change_an_approved_definition_version(
    append_only_guards: None, doctor: User, change: Callable[[Any], Any]
) -> None:
    treatment, _guide = load_shipped()
    approved = approve(doctor, treatment.definition_versions.get())
    with pytest.raises(DatabaseError), transaction.atomic():
        change(DefinitionVersion.objects.filter(pk=approved.pk))
    approved.refresh_from_db()
    assert approved.content != {}


def test_the_database_still_lets_a_draft_be_changed(append_only_guards: None, doctor: User) -> None:
    treatment, guide = load_shipped()
    GuideVersion.objects.filter(guide=guide).update(sections=[section("contact")])
    DefinitionVersion.objects.filter(treatment=treatment).update(content_hash="0" * 64)
    assert GuideVersion.objects.get().sections == [section("contact")]
    assert DefinitionVersion.objects.get().content_hash == "0" * 64


# --- in force and superseded ---------------------------------------------------------------


@pytest.fixture
def two_approved(doctor: User) -> tuple[GuideVersion, GuideVersion]:
    _treatment, guide = load_shipped()
    v1 = approve(doctor, guide.versions.get())
    v2 = approve(doctor, draft(doctor, guide, complete_sections()), in_force_in_days=10)
    return v1, v2


def test_the_version_in_force_is_the_latest_whose_date_has_come(two_approved: tuple[GuideVersion, ...]) -> None:
    v1, v2 = two_approved
    versions = GuideVersion.objects.filter(guide=v1.guide)
    assert versions.in_force_on(today() - dt.timedelta(days=1)).first() is None
    assert versions.in_force_on(today()).first() == v1
    assert versions.in_force_on(today() + dt.timedelta(days=9)).first() == v1
    assert versions.in_force_on(today() + dt.timedelta(days=10)).first() == v2
    assert versions.in_force_on(today() + dt.timedelta(days=400)).first() == v2


@pytest.mark.parametrize(
    ("which", "in_days", "expected"),
    [
        (0, 0, Lifecycle.IN_FORCE),
        (0, 10, Lifecycle.SUPERSEDED),
        (1, 0, Lifecycle.APPROVED),
        (1, 10, Lifecycle.IN_FORCE),
    ],
)
def test_the_lifecycle_of_a_version_follows_the_days(
    two_approved: tuple[GuideVersion, ...], which: int, in_days: int, expected: Lifecycle
) -> None:
    version = two_approved[which]
    day = today() + dt.timedelta(days=in_days)
    in_force = GuideVersion.objects.filter(guide=version.guide).in_force_on(day).first()
    assert version.lifecycle(in_force, day) == expected


def test_a_new_draft_is_a_draft_whatever_is_in_force(doctor: User, two_approved: tuple[GuideVersion, ...]) -> None:
    v1, _v2 = two_approved
    new = draft(doctor, v1.guide, [*complete_sections(), section("practical")])
    assert new.number == 3
    assert new.lifecycle(v1, today()) == Lifecycle.DRAFT


def test_the_definition_in_force_follows_approval(doctor: User) -> None:
    treatment, _guide = load_shipped()
    assert treatment.definition_in_force() is None
    approved = approve(doctor, treatment.definition_versions.get())
    assert treatment.definition_in_force() == approved


# --- review-by -----------------------------------------------------------------------------

REVIEW_BY = dt.date(2027, 9, 30)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2025, 10, 1), ReviewState.OK),
        (REVIEW_BY - dt.timedelta(days=91), ReviewState.OK),
        (REVIEW_BY - dt.timedelta(days=90), ReviewState.DUE),
        (REVIEW_BY - dt.timedelta(days=1), ReviewState.DUE),
        (REVIEW_BY, ReviewState.DUE),
        (REVIEW_BY + dt.timedelta(days=1), ReviewState.OVERDUE),
        (REVIEW_BY + dt.timedelta(days=800), ReviewState.OVERDUE),
    ],
)
def test_review_state_warns_before_and_is_overdue_after_review_by(
    settings: SettingsFixture, day: dt.date, expected: ReviewState
) -> None:
    settings.DOCUMENT_REVIEW_WARNING_DAYS = 90
    assert GuideVersion(review_by=REVIEW_BY).review_state(day=day) == expected


@pytest.mark.parametrize(
    ("days_before", "expected"),
    [(31, ReviewState.OK), (30, ReviewState.DUE), (0, ReviewState.DUE), (-1, ReviewState.OVERDUE)],
)
def test_the_review_warning_period_is_a_setting(
    settings: SettingsFixture, days_before: int, expected: ReviewState
) -> None:
    settings.DOCUMENT_REVIEW_WARNING_DAYS = 30
    day = REVIEW_BY - dt.timedelta(days=days_before)
    assert GuideVersion(review_by=REVIEW_BY).review_state(day=day) == expected


def test_an_approved_version_reports_its_review_state(doctor: User) -> None:
    version = shipped_version("guide")
    approved = approve(doctor, version)
    review_by = approved.review_by
    assert approved.review_state(day=today()) == ReviewState.OK
    assert approved.review_state(day=review_by) == ReviewState.DUE
    assert approved.review_state(day=review_by + dt.timedelta(days=1)) == ReviewState.OVERDUE


# --- who may edit a guide --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["nurse", "reception", "cosmetologist", "outsider"])
def test_only_document_editors_may_save_a_guide_draft(
    make_persona: Callable[[str], User], guide: Guide, persona: str
) -> None:
    with pytest.raises(DocumentError):
        draft(make_persona(persona), guide, complete_sections())
    assert not GuideVersion.objects.exists()


@pytest.mark.parametrize("persona", ["admin", "doctor"])
def test_an_admin_or_a_doctor_may_save_a_guide_draft(
    make_persona: Callable[[str], User], guide: Guide, persona: str
) -> None:
    author = make_persona(persona)
    version = draft(author, guide, complete_sections())
    assert (version.number, version.status, version.created_by) == (1, DocumentStatus.DRAFT, author)
    assert AuditEvent.objects.filter(action="guide.draft_saved", actor=author).exists()


def test_an_admin_may_draft_but_not_approve(admin_user: User, guide: Guide) -> None:
    version = draft(admin_user, guide, complete_sections())
    with pytest.raises(DocumentError):
        approve(admin_user, version)


def test_a_file_draft_edited_in_skinchart_is_not_overwritten_by_loading_the_files_again(doctor: User) -> None:
    _, guide = load_shipped()
    loaded = GuideVersion.objects.get(guide=guide)
    edited = save_guide_draft(
        actor=doctor, guide=guide, title=loaded.title, sections=complete_sections(), revised_on=today()
    )

    with pytest.raises(DocumentError):
        load_shipped()

    edited.refresh_from_db()
    assert (edited.pk, edited.sections, edited.source) == (loaded.pk, complete_sections(), "editor")
