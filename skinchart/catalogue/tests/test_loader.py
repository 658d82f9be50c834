"""Loading the catalogue: the shipped mesotherapy files, idempotent reloads, new drafts
after approval, broken files that change nothing, the JSON Schema, the reflection floor."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pydantic import ValidationError
from pytest_django.fixtures import Settings as SettingsFixture

from skinchart.accounts.models import User
from skinchart.catalogue.actions import approve_version, import_catalogue
from skinchart.catalogue.definition import Enforcement, Outcome, parse_definition
from skinchart.catalogue.loader import read_catalogue
from skinchart.catalogue.models import DefinitionVersion, DocumentStatus, Treatment
from skinchart.guides.models import REQUIRED_SECTIONS, Guide, GuideVersion

SHIPPED = Path(settings.CATALOGUE_DIR)
TREATMENT_FILE = Path("treatments/mesotherapy.toml")
GUIDE_FILE = Path("guides/mesotherapy.toml")


def load_shipped() -> tuple[Treatment, Guide]:
    documents = read_catalogue(SHIPPED)
    import_catalogue(actor=None, documents=documents, source_root=str(SHIPPED))
    treatment = Treatment.objects.get(code="mesotherapy")
    return treatment, Guide.objects.get(treatment=treatment)


def load(path: Path | None = None) -> str:
    out = io.StringIO()
    args = [] if path is None else [str(path)]
    call_command("load_catalogue", *args, stdout=out)
    return out.getvalue()


def copy_catalogue(tmp_path: Path) -> Path:
    root = tmp_path / "catalogue"
    shutil.copytree(SHIPPED, root)
    return root


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def approve(doctor: User, version: Any) -> Any:
    today = timezone.localdate()
    return approve_version(actor=doctor, version=version, in_force_from=today, review_by=today + dt.timedelta(days=700))


def snapshot() -> list[tuple[Any, ...]]:
    definitions = DefinitionVersion.objects.order_by("pk").values_list(
        "pk", "number", "status", "content_hash", "updated_at", "source"
    )
    guides = GuideVersion.objects.order_by("pk").values_list(
        "pk", "number", "status", "content_hash", "updated_at", "source"
    )
    return [*definitions, *guides]


# --- the shipped catalogue -----------------------------------------------------------


@pytest.mark.django_db
def test_loading_the_shipped_catalogue_makes_one_draft_definition_and_one_draft_guide() -> None:
    output = load()
    assert "new draft: treatment mesotherapy v1 (draft)" in output
    assert "new draft: guide mesotherapy v1 (draft)" in output
    version = DefinitionVersion.objects.get(treatment__code="mesotherapy")
    assert (version.number, version.status) == (1, DocumentStatus.DRAFT)
    assert version.treatment.category == "non_permanent_filler"
    assert version.source == "file:treatments/mesotherapy.toml"
    guide_version = GuideVersion.objects.get(guide__treatment__code="mesotherapy")
    assert (guide_version.number, guide_version.status) == (1, DocumentStatus.DRAFT)


@pytest.mark.django_db
def test_the_shipped_methods_are_microneedling_same_day_and_cosmetic_microinjection_after_48_hours() -> None:
    treatment, _guide = load_shipped()
    definition = treatment.definition_versions.get().definition
    assert [m.key for m in definition.methods] == ["microneedling", "microinjection"]
    needling = definition.method("microneedling")
    injection = definition.method("microinjection")
    assert needling is not None
    assert injection is not None
    assert (needling.reflection_hours, needling.same_day_allowed, needling.cosmetic_treatment) == (0, True, False)
    assert (injection.reflection_hours, injection.same_day_allowed, injection.cosmetic_treatment) == (48, False, True)
    assert "cosmetologist" not in injection.pre_consultation_roles


@pytest.mark.django_db
def test_the_shipped_screening_has_age_18_and_exactly_the_guides_outcomes() -> None:
    treatment, _guide = load_shipped()
    screening = treatment.definition_versions.get().definition.screening
    assert screening.minimum_age == 18
    assert {rule.question: rule.outcome for rule in screening.rules} == {
        "pregnant": Outcome.NOT_ELIGIBLE,
        "breastfeeding": Outcome.NOT_ELIGIBLE,
        "active_skin_infection_in_area": Outcome.NOT_ELIGIBLE,
        "chronic_urticaria": Outcome.NOT_ELIGIBLE,
        "active_herpes_in_area": Outcome.NOT_ELIGIBLE,
        "keloid_tendency": Outcome.DOCTOR_REVIEW,
        "blood_thinners": Outcome.DISCUSS,
        "fish_oil": Outcome.DISCUSS,
        "vitamin_e": Outcome.DISCUSS,
    }


@pytest.mark.django_db
def test_the_shipped_aftercare_windows_and_normal_reactions_match_the_guide() -> None:
    treatment, _guide = load_shipped()
    aftercare = treatment.definition_versions.get().definition.aftercare
    windows = {rule.key: (rule.starts_after, rule.ends_after) for rule in aftercare.rules}
    assert windows["no_makeup"] == ("0h", "24h")
    assert windows["no_direct_sun"] == ("0h", "7d")
    assert windows["spf30"] == ("0h", "1mo")
    assert windows["no_retinol_aha_peels"] == ("0h", "14d")
    assert windows["mild_cleanser_moisturiser"] == ("24h", None)
    reactions = {reaction.key: reaction.usually_gone_after for reaction in aftercare.normal_reactions}
    assert reactions.pop("peeling") == ["3d", "5d"]
    assert reactions == {
        "redness_warmth": ["24h", "72h"],
        "swelling_tenderness": ["24h", "72h"],
        "pinpoint_bleeding_dryness": ["24h", "72h"],
    }


@pytest.mark.django_db
def test_the_shipped_course_spacing_and_products_match_the_guide() -> None:
    treatment, _guide = load_shipped()
    definition = treatment.definition_versions.get().definition
    course = definition.course
    assert course.sessions == 3
    assert (course.interval.min_days, course.interval.max_days) == (14, 21)
    assert course.maintenance_interval is not None
    assert (course.maintenance_interval.min_days, course.maintenance_interval.max_days) == (42, 84)
    spacing = {s.other: (s.enforcement, s.min_gap_days) for s in definition.spacing}
    assert spacing["chemical_peel"] == (Enforcement.WARN, None)
    assert spacing["botulinum_toxin"] == (Enforcement.WARN, None)
    assert any(product.contains_hyaluronic_acid for product in definition.product_types)


@pytest.mark.django_db
def test_the_shipped_guide_has_the_required_sections_and_its_dates() -> None:
    _treatment, guide = load_shipped()
    version = guide.versions.get()
    keys = {section["key"] for section in version.sections}
    assert {"expected_results", "complications", "late_effects", "contact"} <= keys
    assert set(REQUIRED_SECTIONS) <= keys
    assert version.revised_on == dt.date(2025, 9, 1)
    assert version.in_force_from == dt.date(2025, 10, 1)
    assert version.review_by == dt.date(2027, 9, 30)
    assert version.languages() == ["da", "en"]
    assert version.approval_problems() == []


@pytest.mark.django_db
def test_the_stored_definition_is_the_validated_file() -> None:
    treatment, _guide = load_shipped()
    with (SHIPPED / TREATMENT_FILE).open("rb") as handle:
        expected = parse_definition(tomllib.load(handle))
    assert treatment.definition_versions.get().definition == expected


# --- reloading -----------------------------------------------------------------------


@pytest.mark.django_db
def test_reloading_unchanged_files_changes_nothing() -> None:
    load()
    before = snapshot()
    output = load()
    assert snapshot() == before
    assert (Treatment.objects.count(), Guide.objects.count()) == (1, 1)
    assert "unchanged: treatment mesotherapy" in output
    assert "unchanged: guide mesotherapy" in output
    assert "new draft" not in output
    assert "draft updated" not in output


@pytest.mark.django_db
def test_reloading_unchanged_files_after_approval_makes_no_new_draft(doctor: User) -> None:
    treatment, guide = load_shipped()
    approve(doctor, treatment.definition_versions.get())
    approve(doctor, guide.versions.get())
    before = snapshot()
    output = load()
    assert snapshot() == before
    assert "new draft" not in output


@pytest.mark.django_db
def test_a_comment_or_layout_change_is_not_a_new_version(tmp_path: Path) -> None:
    root = copy_catalogue(tmp_path)
    load(root)
    before = snapshot()
    edit(root / TREATMENT_FILE, 'code = "mesotherapy"\n', '# a new comment\ncode   =   "mesotherapy"\n\n')
    output = load(root)
    assert snapshot() == before
    assert "unchanged: treatment mesotherapy" in output


@pytest.mark.django_db
def test_a_changed_definition_after_approval_becomes_draft_version_2(tmp_path: Path, doctor: User) -> None:
    root = copy_catalogue(tmp_path)
    load(root)
    approved = approve(doctor, DefinitionVersion.objects.get())
    content, content_hash = approved.content, approved.content_hash
    edit(root / TREATMENT_FILE, "minimum_age = 18", "minimum_age = 20")
    output = load(root)
    assert "new draft: treatment mesotherapy v2 (draft)" in output
    assert "unchanged: guide mesotherapy" in output
    draft = DefinitionVersion.objects.get(number=2)
    assert draft.status == DocumentStatus.DRAFT
    assert draft.definition.screening.minimum_age == 20
    assert draft.content_hash != content_hash
    approved.refresh_from_db()
    assert approved.status == DocumentStatus.APPROVED
    assert (approved.content, approved.content_hash) == (content, content_hash)
    assert approved.definition.screening.minimum_age == 18


@pytest.mark.django_db
def test_a_changed_definition_while_still_a_draft_updates_that_draft(tmp_path: Path) -> None:
    root = copy_catalogue(tmp_path)
    load(root)
    first = DefinitionVersion.objects.get()
    edit(root / TREATMENT_FILE, "minimum_age = 18", "minimum_age = 20")
    output = load(root)
    assert "draft updated: treatment mesotherapy v1 (draft)" in output
    draft = DefinitionVersion.objects.get()
    assert (draft.pk, draft.number, draft.status) == (first.pk, 1, DocumentStatus.DRAFT)
    assert draft.definition.screening.minimum_age == 20
    assert draft.content_hash != first.content_hash


@pytest.mark.django_db
def test_a_changed_guide_after_approval_becomes_draft_version_2(tmp_path: Path, doctor: User) -> None:
    root = copy_catalogue(tmp_path)
    load(root)
    approved = approve(doctor, GuideVersion.objects.get())
    sections, content_hash = approved.sections, approved.content_hash
    edit(root / GUIDE_FILE, 'da = "Klientvejledning: Mesoterapi"', 'da = "Klientvejledning: Mesoterapi (ny)"')
    output = load(root)
    assert "new draft: guide mesotherapy v2 (draft)" in output
    draft = GuideVersion.objects.get(number=2)
    assert draft.status == DocumentStatus.DRAFT
    assert draft.title["da"] == "Klientvejledning: Mesoterapi (ny)"
    approved.refresh_from_db()
    assert approved.status == DocumentStatus.APPROVED
    assert approved.title["da"] == "Klientvejledning: Mesoterapi"
    assert (approved.sections, approved.content_hash) == (sections, content_hash)


@pytest.mark.django_db
def test_a_changed_guide_while_still_a_draft_updates_that_draft(tmp_path: Path) -> None:
    root = copy_catalogue(tmp_path)
    load(root)
    first = GuideVersion.objects.get()
    edit(root / GUIDE_FILE, 'da = "Klientvejledning: Mesoterapi"', 'da = "Klientvejledning: Mesoterapi (ny)"')
    output = load(root)
    assert "draft updated: guide mesotherapy v1 (draft)" in output
    draft = GuideVersion.objects.get()
    assert (draft.pk, draft.number) == (first.pk, 1)
    assert draft.title["da"] == "Klientvejledning: Mesoterapi (ny)"
    assert draft.content_hash != first.content_hash


@pytest.mark.django_db
def test_a_treatments_category_cannot_change(tmp_path: Path) -> None:
    root = copy_catalogue(tmp_path)
    load(root)
    before = snapshot()
    edit(root / TREATMENT_FILE, 'category = "non_permanent_filler"', 'category = "chemical_peel"')
    with pytest.raises(CommandError) as raised:
        load(root)
    assert str(root / TREATMENT_FILE) in str(raised.value)
    assert "category" in str(raised.value)
    assert snapshot() == before
    assert Treatment.objects.get().category == "non_permanent_filler"


# --- broken files ----------------------------------------------------------------------

MICROINJECTION_ROLES = 'reflection_hours = 48\nsame_day_allowed = false\npre_consultation_roles = ["doctor", "nurse"]'
TITLE_TABLE = '[title]\nda = "Klientvejledning: Mesoterapi"\nen = "Client guide: Mesotherapy"\n'

BROKEN = {
    "invalid_toml": (TREATMENT_FILE, 'code = "mesotherapy"', 'code = "mesotherapy', "not valid TOML"),
    "negative_reflection": (
        TREATMENT_FILE,
        "reflection_hours = 48",
        "reflection_hours = -1",
        "methods.1.reflection_hours",
    ),
    "unknown_outcome": (
        TREATMENT_FILE,
        'outcome = "doctor_review"',
        'outcome = "maybe"',
        "screening.rules.3.outcome",
    ),
    "rule_without_question": (
        TREATMENT_FILE,
        'question = "keloid_tendency"',
        'question = "no_such_question"',
        "screening.rules.3.question",
    ),
    "cosmetologist_pre_consults_cosmetic": (
        TREATMENT_FILE,
        MICROINJECTION_ROLES,
        MICROINJECTION_ROLES.replace('"nurse"]', '"nurse", "cosmetologist"]'),
        "methods.1: pre_consultation_roles",
    ),
    "cosmetic_24_hours": (
        TREATMENT_FILE,
        "reflection_hours = 48",
        "reflection_hours = 24",
        "methods.1: reflection_hours",
    ),
    "missing_danish_text": (
        TREATMENT_FILE,
        'name = { da = "Mesoterapi", en = "Mesotherapy" }',
        'name = { en = "Mesotherapy" }',
        "name.da",
    ),
    "guide_for_unknown_treatment": (
        GUIDE_FILE,
        'treatment = "mesotherapy"',
        'treatment = "tattoo_removal"',
        "treatment: no treatment has the code 'tattoo_removal'",
    ),
    "guide_without_title": (GUIDE_FILE, TITLE_TABLE, "", "title: Field required"),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("file", "old", "new", "names"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_file_loads_nothing_and_names_the_file_and_field(
    tmp_path: Path, file: Path, old: str, new: str, names: str
) -> None:
    root = copy_catalogue(tmp_path)
    edit(root / file, old, new)
    with pytest.raises(CommandError) as raised:
        load(root)
    message = str(raised.value)
    assert message.startswith("Nothing was loaded.")
    assert str(root / file) in message
    assert names in message
    assert Treatment.objects.count() == 0
    assert DefinitionVersion.objects.count() == 0
    assert Guide.objects.count() == 0
    assert GuideVersion.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("file", "old", "new", "names"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_file_leaves_the_loaded_catalogue_as_it_was(
    tmp_path: Path, file: Path, old: str, new: str, names: str
) -> None:
    root = copy_catalogue(tmp_path)
    load(root)
    before = snapshot()
    edit(root / TREATMENT_FILE, "sessions = 3", "sessions = 4")
    edit(root / file, old, new)
    with pytest.raises(CommandError, match="Nothing was loaded"):
        load(root)
    assert snapshot() == before
    assert DefinitionVersion.objects.get().definition.course.sessions == 3


@pytest.mark.django_db(transaction=True)
def test_a_guide_failing_after_its_good_treatment_was_written_rolls_the_treatment_back(tmp_path: Path) -> None:
    file, old, new, names = BROKEN["guide_for_unknown_treatment"]
    root = copy_catalogue(tmp_path)
    edit(root / file, old, new)
    with pytest.raises(CommandError, match=names):
        load(root)
    assert Treatment.objects.count() == 0
    assert DefinitionVersion.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file or directory"):
        load(tmp_path / "nowhere")
    assert Treatment.objects.count() == 0


# --- the JSON Schema ---------------------------------------------------------------------


@pytest.mark.django_db
def test_schema_prints_the_definition_json_schema_and_loads_nothing() -> None:
    out = io.StringIO()
    call_command("load_catalogue", "--schema", stdout=out)
    schema = json.loads(out.getvalue())
    assert "methods" in schema["properties"]
    assert "screening" in schema["properties"]
    assert Treatment.objects.count() == 0


# --- the reflection floor of a cosmetic method (REG-3) ----------------------------------


def shipped_data() -> dict[str, Any]:
    with (SHIPPED / TREATMENT_FILE).open("rb") as handle:
        return tomllib.load(handle)


def with_injection_reflection(hours: int) -> dict[str, Any]:
    data = shipped_data()
    assert data["methods"][1]["key"] == "microinjection"
    data["methods"][1]["reflection_hours"] = hours
    return data


@hypothesis_settings(max_examples=30, deadline=None)
@given(hours=st.integers(min_value=48, max_value=24 * 60))
def test_a_cosmetic_method_with_at_least_48_hours_reflection_is_accepted(hours: int) -> None:
    method = parse_definition(with_injection_reflection(hours)).method("microinjection")
    assert method is not None
    assert method.reflection_hours == hours


@hypothesis_settings(max_examples=30, deadline=None)
@given(hours=st.integers(min_value=0, max_value=47))
def test_a_cosmetic_method_with_less_than_48_hours_reflection_is_refused(hours: int) -> None:
    with pytest.raises(ValidationError, match="reflection_hours"):
        parse_definition(with_injection_reflection(hours))


def test_the_cosmetic_reflection_floor_is_a_setting(settings: SettingsFixture) -> None:
    settings.COSMETIC_MIN_REFLECTION_HOURS = 72
    with pytest.raises(ValidationError, match="at least 72 hours"):
        parse_definition(with_injection_reflection(48))
    assert parse_definition(with_injection_reflection(72)).method("microinjection") is not None


def test_a_cosmetic_method_may_never_be_same_day() -> None:
    data = with_injection_reflection(0)
    data["methods"][1]["same_day_allowed"] = True
    with pytest.raises(ValidationError, match="REG-3"):
        parse_definition(data)
