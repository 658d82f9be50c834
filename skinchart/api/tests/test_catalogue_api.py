"""The catalogue endpoints: treatments with the definition version in force, one
treatment's approved definition, and a client guide's versions (drafts only for
those who may edit or approve documents)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from skinchart.accounts.actions import issue_api_token
from skinchart.accounts.models import User
from skinchart.catalogue.actions import approve_version, import_catalogue
from skinchart.catalogue.loader import read_catalogue
from skinchart.catalogue.models import DefinitionVersion, Treatment
from skinchart.guides.actions import save_guide_draft
from skinchart.guides.models import Guide, GuideVersion

pytestmark = pytest.mark.django_db

TREATMENTS = "/api/v1/treatments"


def bearer(user: User) -> HttpClient:
    _, plain = issue_api_token(actor=None, user=user)
    return HttpClient(HTTP_AUTHORIZATION=f"Bearer {plain}")


def today() -> dt.date:
    return timezone.localdate()


def approve(doctor: User, version: Any, *, in_force_from: dt.date | None = None) -> Any:
    start = in_force_from or today()
    return approve_version(actor=doctor, version=version, in_force_from=start, review_by=start + dt.timedelta(days=700))


def versions_url(guide: Guide) -> str:
    return f"/api/v1/guides/{guide.code}/versions"


@pytest.fixture
def catalogue(db: None) -> Treatment:
    """The shipped catalogue, loaded as drafts: mesotherapy and its client guide."""
    root = Path(settings.CATALOGUE_DIR)
    import_catalogue(actor=None, documents=read_catalogue(root), source_root=str(root))
    return Treatment.objects.get(code="mesotherapy")


@pytest.fixture
def approved(catalogue: Treatment, doctor: User) -> DefinitionVersion:
    version: DefinitionVersion = approve(doctor, DefinitionVersion.objects.get(treatment=catalogue))
    return version


@pytest.fixture
def api(doctor: User) -> HttpClient:
    return bearer(doctor)


# --- The list of treatments --------------------------------------------------------------


def test_the_list_shows_no_definition_version_while_only_a_draft_exists(api: HttpClient, catalogue: Treatment) -> None:
    response = api.get(TREATMENTS)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    guide = Guide.objects.get(treatment=catalogue)
    assert response.json() == [
        {
            "code": "mesotherapy",
            "category": "non_permanent_filler",
            "name": {"da": "Mesoterapi", "en": "Mesotherapy"},
            "definition_version": None,
            "guide": str(guide.code),
        }
    ]


def test_the_list_shows_the_approved_version_once_it_is_in_force(
    api: HttpClient, catalogue: Treatment, doctor: User
) -> None:
    version = approve(doctor, DefinitionVersion.objects.get(treatment=catalogue))

    [item] = api.get(TREATMENTS).json()

    assert item["definition_version"] == {
        "code": str(version.code),
        "number": 1,
        "in_force_from": today().isoformat(),
        "review_by": (today() + dt.timedelta(days=700)).isoformat(),
        "review_state": "ok",
        "content_hash": version.content_hash,
    }
    assert item["name"] == {"da": "Mesoterapi", "en": "Mesotherapy"}


def test_a_version_approved_for_a_later_day_is_not_yet_in_force(
    api: HttpClient, catalogue: Treatment, doctor: User
) -> None:
    approve(doctor, DefinitionVersion.objects.get(treatment=catalogue), in_force_from=today() + dt.timedelta(days=3))

    [item] = api.get(TREATMENTS).json()

    assert item["definition_version"] is None


def test_a_treatment_without_a_guide_has_a_null_guide(api: HttpClient, approved: DefinitionVersion) -> None:
    other = _another_treatment("peel_light", approved)

    items = {item["code"]: item for item in api.get(TREATMENTS).json()}

    assert items["peel_light"]["guide"] is None
    assert items["peel_light"]["definition_version"]["code"] == str(other.code)


def test_the_list_is_read_in_a_constant_number_of_queries(
    api: HttpClient, approved: DefinitionVersion, doctor: User, django_assert_max_num_queries: Any
) -> None:
    with CaptureQueriesContext(connection) as one:
        response = api.get(TREATMENTS)
    assert len(response.json()) == 1

    for code in ("peel_light", "peel_deep"):
        version = _another_treatment(code, approved)
        Guide.objects.create(treatment=version.treatment)
        DefinitionVersion.objects.create(
            treatment=version.treatment,
            number=2,
            revised_on=today(),
            content=version.content,
            content_hash="f" * 64,
        )
    with django_assert_max_num_queries(len(one)):
        response = api.get(TREATMENTS)
    assert [item["code"] for item in response.json()] == ["mesotherapy", "peel_deep", "peel_light"]
    assert all(item["definition_version"] and item["guide"] for item in response.json())


def _another_treatment(code: str, template: DefinitionVersion) -> DefinitionVersion:
    """An approved, in-force copy of `template` under another code."""
    content = copy.deepcopy(template.content)
    content["code"] = code
    treatment = Treatment.objects.create(code=code, category=template.treatment.category)
    draft = DefinitionVersion.objects.create(
        treatment=treatment, number=1, revised_on=today(), content=content, content_hash=code[0] * 64
    )
    return approve(template.approved_by, draft)  # type: ignore[arg-type]


# --- One treatment -----------------------------------------------------------------------


def test_the_detail_has_the_definition_in_force_in_full(api: HttpClient, approved: DefinitionVersion) -> None:
    response = api.get(f"{TREATMENTS}/mesotherapy")

    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["number"], body["content_hash"]) == (str(approved.code), 1, approved.content_hash)
    assert (body["in_force_from"], body["review_state"]) == (today().isoformat(), "ok")
    definition = body["definition"]
    assert {m["key"]: m["reflection_hours"] for m in definition["methods"]} == {
        "microneedling": 0,
        "microinjection": 48,
    }
    assert "pregnant" in {rule["key"] for rule in definition["screening"]["rules"]}
    assert {"no_makeup", "spf30"} <= {rule["key"] for rule in definition["aftercare"]["rules"]}
    course = definition["course"]
    assert (course["sessions"], course["interval"]["min_days"], course["interval"]["max_days"]) == (3, 14, 21)
    for part in ("questions", "preparation", "session_steps", "spacing", "product_types"):
        assert part in definition
    assert definition == approved.content


def test_the_detail_answers_404_while_only_a_draft_exists(api: HttpClient, catalogue: Treatment) -> None:
    response = api.get(f"{TREATMENTS}/mesotherapy")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] == "Ingen version af denne behandling er gældende."


@pytest.mark.parametrize("code", ["botox", "Mesotherapy", "meso-therapy", "1meso", "m" * 49, "meso%00"])
def test_an_unknown_or_invalid_code_answers_404_json(api: HttpClient, approved: DefinitionVersion, code: str) -> None:
    response = api.get(f"{TREATMENTS}/{code}")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_a_specific_approved_version_can_be_asked_for(
    api: HttpClient, approved: DefinitionVersion, catalogue: Treatment
) -> None:
    draft = DefinitionVersion.objects.create(
        treatment=catalogue, number=2, revised_on=today(), content=approved.content, content_hash="d" * 64
    )

    first = api.get(f"{TREATMENTS}/mesotherapy", {"version": 1})
    never_a_draft = api.get(f"{TREATMENTS}/mesotherapy", {"version": draft.number})
    missing = api.get(f"{TREATMENTS}/mesotherapy", {"version": 99})

    assert first.status_code == 200
    assert first.json()["code"] == str(approved.code)
    assert never_a_draft.status_code == 404
    assert missing.status_code == 404
    assert missing.json()["detail"]


@pytest.mark.parametrize("version", ["0", "-1", "two", str(2**40)])
def test_an_invalid_version_number_answers_422(api: HttpClient, approved: DefinitionVersion, version: str) -> None:
    response = api.get(f"{TREATMENTS}/mesotherapy", {"version": version})

    assert response.status_code == 422
    assert response.json()["errors"]


# --- A client guide's versions -----------------------------------------------------------


@pytest.fixture
def guide(catalogue: Treatment, doctor: User) -> Guide:
    """Version 1 approved and in force, version 2 an open draft."""
    guide = Guide.objects.get(treatment=catalogue)
    first = GuideVersion.objects.get(guide=guide)
    approve(doctor, first)
    save_guide_draft(
        actor=doctor,
        guide=guide,
        title={"da": "Ny titel", "en": "New title"},
        sections=first.sections,
        revised_on=today(),
    )
    return guide


def test_reception_sees_only_approved_guide_versions(guide: Guide, reception: User, doctor: User) -> None:
    response = bearer(reception).get(versions_url(guide))

    assert response.status_code == 200
    version = GuideVersion.objects.get(guide=guide, number=1)
    assert response.json() == [
        {
            "code": str(version.code),
            "number": 1,
            "status": "approved",
            "lifecycle": "in_force",
            "revised_on": version.revised_on.isoformat(),
            "in_force_from": today().isoformat(),
            "review_by": (today() + dt.timedelta(days=700)).isoformat(),
            "review_state": "ok",
            "approved_by": {"code": str(doctor.code), "name": str(doctor)},
            "approved_at": response.json()[0]["approved_at"],
            "content_hash": version.content_hash,
            "languages": ["da", "en"],
        }
    ]
    assert response.json()[0]["approved_at"] is not None


@pytest.mark.parametrize("persona", ["admin_user", "doctor"])
def test_those_who_edit_or_approve_documents_see_the_draft_too(
    guide: Guide, persona: str, request: pytest.FixtureRequest
) -> None:
    response = bearer(request.getfixturevalue(persona)).get(versions_url(guide))

    assert response.status_code == 200
    rows = [(v["number"], v["status"], v["lifecycle"], v["approved_by"]) for v in response.json()]
    assert rows[0] == (2, "draft", "draft", None)
    assert rows[1][:3] == (1, "approved", "in_force")


@pytest.mark.parametrize(("days", "expected"), [(0, ["in_force", "superseded"]), (5, ["approved", "in_force"])])
def test_a_newer_approved_version_supersedes_from_its_day(
    guide: Guide, doctor: User, days: int, expected: list[str]
) -> None:
    draft = GuideVersion.objects.get(guide=guide, status="draft")
    approve(doctor, draft, in_force_from=today() + dt.timedelta(days=days))

    lifecycles = [v["lifecycle"] for v in bearer(doctor).get(versions_url(guide)).json()]

    assert lifecycles == expected


def test_an_unknown_guide_answers_404_and_a_malformed_code_422(api: HttpClient, guide: Guide) -> None:
    unknown = api.get("/api/v1/guides/00000000-0000-4000-8000-000000000000/versions")
    malformed = api.get("/api/v1/guides/mesotherapy/versions")

    assert unknown.status_code == 404
    assert unknown.json()["detail"]
    assert malformed.status_code == 422


# --- Who may call them -------------------------------------------------------------------


def _paths(guide: Guide) -> list[str]:
    return [TREATMENTS, f"{TREATMENTS}/mesotherapy", versions_url(guide)]


def test_an_account_without_a_role_is_refused_403(guide: Guide, make_persona: Callable[[str], User]) -> None:
    http = bearer(make_persona("outsider"))

    for path in _paths(guide):
        response = http.get(path)
        assert response.status_code == 403, path
        assert response.json()["detail"]


def test_without_a_token_it_answers_401(guide: Guide) -> None:
    for path in _paths(guide):
        response = HttpClient().get(path)
        assert response.status_code == 401, path
        assert response["Content-Type"].startswith("application/json")


def test_it_works_with_the_browser_session_too(
    approved: DefinitionVersion, reception: User, sign_in: Callable[[User], HttpClient]
) -> None:
    response = sign_in(reception).get(f"{TREATMENTS}/mesotherapy")

    assert response.status_code == 200
    assert response.json()["code"] == str(approved.code)


def test_the_openapi_document_has_the_catalogue_paths(db: None) -> None:
    paths = HttpClient().get("/api/v1/openapi.json").json()["paths"]

    assert set(paths["/api/v1/treatments"]) == {"get"}
    assert set(paths["/api/v1/treatments/{code}"]) == {"get"}
    assert set(paths["/api/v1/guides/{code}/versions"]) == {"get"}
    assert paths["/api/v1/treatments"]["get"]["tags"] == ["catalogue"]
    parameters = {p["name"] for p in paths["/api/v1/treatments/{code}"]["get"]["parameters"]}
    assert parameters == {"code", "version"}
