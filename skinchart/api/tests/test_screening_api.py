"""The stateless screening endpoint (issue 5, item 3): POST /api/v1/screening/evaluate
answers the outcomes of PRODUCT.md §3 for the definition version in force on the
treatment date, validates strictly, needs VIEW_CLINICAL and writes nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.utils import timezone

from skinchart.accounts.actions import issue_api_token
from skinchart.accounts.models import User
from skinchart.audit.models import AuditEvent
from skinchart.catalogue.actions import approve_version, import_catalogue
from skinchart.catalogue.loader import read_catalogue
from skinchart.catalogue.models import DefinitionVersion, Treatment
from skinchart.journal.models import Entry
from skinchart.lib.dates import add_years

pytestmark = pytest.mark.django_db

URL = "/api/v1/screening/evaluate"

YES_NO = [
    "pregnant",
    "breastfeeding",
    "active_skin_infection_in_area",
    "keloid_tendency",
    "chronic_urticaria",
    "active_herpes_in_area",
    "blood_thinners",
    "fish_oil",
    "vitamin_e",
]
TEXT = ["medications", "allergies", "skin_diseases", "previous_treatments"]

# PRODUCT.md §3
EXPECTED = {
    "pregnant": "not_eligible",
    "breastfeeding": "not_eligible",
    "active_skin_infection_in_area": "not_eligible",
    "chronic_urticaria": "not_eligible",
    "active_herpes_in_area": "not_eligible",
    "keloid_tendency": "doctor_review",
    "blood_thinners": "discuss",
    "fish_oil": "discuss",
    "vitamin_e": "discuss",
}


def today() -> dt.date:
    return timezone.localdate()


def bearer(user: User) -> HttpClient:
    _, plain = issue_api_token(actor=None, user=user)
    return HttpClient(headers={"Authorization": f"Bearer {plain}"})


def post(http: HttpClient, body: Any, **headers: str) -> Any:
    return http.post(URL, data=json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def approved(doctor: User) -> DefinitionVersion:
    """The shipped mesotherapy definition, version 1, approved and in force today."""
    root = Path(settings.CATALOGUE_DIR)
    import_catalogue(actor=None, documents=read_catalogue(root), source_root=str(root))
    version = DefinitionVersion.objects.get(treatment__code="mesotherapy")
    approve_version(actor=doctor, version=version, in_force_from=today(), review_by=today() + dt.timedelta(days=700))
    version.refresh_from_db()
    return version


@pytest.fixture
def api(doctor: User, approved: DefinitionVersion) -> HttpClient:
    return bearer(doctor)


def body(**overrides: Any) -> dict[str, Any]:
    answers = dict.fromkeys(YES_NO, False) | dict.fromkeys(TEXT, "")
    answers.update(overrides.pop("answers", {}))
    data = {
        "treatment": "mesotherapy",
        "method": "microneedling",
        "date_of_birth": add_years(today(), -30).isoformat(),
        "treatment_date": today().isoformat(),
        "answers": answers,
    }
    data.update(overrides)
    return data


# --- OpenAPI -------------------------------------------------------------------------------


def test_it_is_documented_with_every_answer_key(db: None) -> None:
    document = HttpClient().get("/api/v1/openapi.json").json()
    operation = document["paths"][URL]["post"]

    assert operation["operationId"].endswith("evaluate_screening")
    assert operation["tags"] == ["screening"]
    assert set(operation["responses"]) >= {"200", "403", "404", "422"}
    schemas = document["components"]["schemas"]
    answers = schemas["Answers"]
    assert set(answers["properties"]) == set(YES_NO) | set(TEXT)
    assert answers["additionalProperties"] is False
    for key in YES_NO:
        assert {"type": "boolean"} in answers["properties"][key]["anyOf"], key
    request = schemas["ScreeningIn"]
    assert set(request["properties"]) == {"treatment", "method", "date_of_birth", "cpr", "treatment_date", "answers"}
    assert set(request["required"]) == {"treatment", "treatment_date"}
    assert set(schemas["ScreeningOut"]["properties"]) == {
        "outcome",
        "findings",
        "definition_version",
        "age_on_treatment_date",
    }
    outcomes = schemas["Outcome"]["enum"]
    assert outcomes == ["not_eligible", "incomplete", "doctor_review", "discuss", "eligible"]


# --- Outcomes ------------------------------------------------------------------------------


def test_all_no_at_age_30_is_eligible(api: HttpClient, approved: DefinitionVersion) -> None:
    response = post(api, body())

    assert response.status_code == 200, response.content
    assert response.json() == {
        "outcome": "eligible",
        "findings": [],
        "definition_version": {
            "treatment": "mesotherapy",
            "number": 1,
            "code": str(approved.code),
            "content_hash": approved.content_hash,
        },
        "age_on_treatment_date": 30,
    }


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_shipped_rule_gives_its_outcome(api: HttpClient, key: str) -> None:
    response = post(api, body(answers={key: True}), **{"Accept-Language": "en"})

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["outcome"] == EXPECTED[key]
    [finding] = data["findings"]
    assert finding["rule"] == key
    assert finding["outcome"] == EXPECTED[key]
    assert finding["message"]


def test_messages_are_in_danish_by_default(api: HttpClient) -> None:
    [finding] = post(api, body(answers={"pregnant": True})).json()["findings"]

    assert finding["message"] == "Mesoterapi gives ikke under graviditet."


def test_without_a_method_every_rule_applies(api: HttpClient) -> None:
    response = post(api, body(method=None, answers={"keloid_tendency": True}))

    assert response.json()["outcome"] == "doctor_review"


@pytest.mark.parametrize("how", ["absent", "null"])
def test_an_absent_or_null_yes_no_answer_is_incomplete(api: HttpClient, how: str) -> None:
    data = body()
    if how == "absent":
        del data["answers"]["fish_oil"]
    else:
        data["answers"]["fish_oil"] = None

    response = post(api, data, **{"Accept-Language": "en"})

    assert response.status_code == 200
    assert response.json()["outcome"] == "incomplete"
    assert response.json()["findings"] == [
        {
            "rule": "fish_oil",
            "outcome": "incomplete",
            "message": "Answer missing: Do you take fish oil as a supplement?",
        }
    ]


def test_no_answers_at_all_is_incomplete_for_every_yes_no_question(api: HttpClient) -> None:
    data = body()
    del data["answers"]

    response = post(api, data)

    assert response.json()["outcome"] == "incomplete"
    assert [f["rule"] for f in response.json()["findings"]] == YES_NO


def test_under_18_on_the_treatment_date_is_not_eligible(api: HttpClient) -> None:
    treatment_date = today() + dt.timedelta(days=30)
    birth = add_years(treatment_date, -18) + dt.timedelta(days=1)

    response = post(api, body(date_of_birth=birth.isoformat(), treatment_date=treatment_date.isoformat()))

    assert response.json()["outcome"] == "not_eligible"
    assert response.json()["age_on_treatment_date"] == 17
    assert [f["rule"] for f in response.json()["findings"]] == ["minimum_age"]


def test_18_on_the_treatment_date_is_fine(api: HttpClient) -> None:
    treatment_date = today() + dt.timedelta(days=30)
    birth = add_years(treatment_date, -18)

    response = post(api, body(date_of_birth=birth.isoformat(), treatment_date=treatment_date.isoformat()))

    assert response.json()["outcome"] == "eligible"
    assert response.json()["age_on_treatment_date"] == 18


def test_under_18_by_the_cpr_number_is_not_eligible(api: HttpClient) -> None:
    birth = add_years(today(), -17)  # a 7th digit of 4 gives 2000-2036
    cpr = f"{birth:%d%m%y}-4321"

    response = post(api, body(date_of_birth=None, cpr=cpr))

    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "not_eligible"
    assert response.json()["age_on_treatment_date"] == 17


def test_a_cpr_number_that_disagrees_with_the_date_of_birth_is_incomplete(api: HttpClient) -> None:
    response = post(api, body(date_of_birth="1990-05-17", cpr="180590-1234"))

    assert response.json()["outcome"] == "incomplete"
    assert [(f["rule"], f["outcome"]) for f in response.json()["findings"]] == [("date_of_birth", "incomplete")]


def test_no_date_of_birth_is_incomplete(api: HttpClient) -> None:
    response = post(api, body(date_of_birth=None))

    assert response.json()["outcome"] == "incomplete"
    assert response.json()["age_on_treatment_date"] is None
    assert [f["rule"] for f in response.json()["findings"]] == ["date_of_birth"]


# --- The definition version ----------------------------------------------------------------


def test_an_unknown_treatment_is_404(api: HttpClient) -> None:
    response = post(api, body(treatment="botox"))

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_no_version_in_force_on_the_treatment_date_is_404(api: HttpClient) -> None:
    response = post(api, body(treatment_date=(today() - dt.timedelta(days=1)).isoformat()))

    assert response.status_code == 404
    assert response.json()["detail"]


def test_a_draft_only_treatment_is_404(doctor: User) -> None:
    root = Path(settings.CATALOGUE_DIR)
    import_catalogue(actor=None, documents=read_catalogue(root), source_root=str(root))
    assert Treatment.objects.filter(code="mesotherapy").exists()

    assert post(bearer(doctor), body()).status_code == 404


# --- Invalid input -------------------------------------------------------------------------


def errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/json")
    result: dict[str, list[str]] = response.json()["errors"]
    return result


def test_an_unknown_method_is_422_naming_method(api: HttpClient) -> None:
    assert set(errors(post(api, body(method="laser")))) == {"method"}


@pytest.mark.parametrize("cpr", ["12345", "320190-1234", "abcdef-ghij", "0101901234567"])
def test_a_bad_cpr_number_is_422_naming_cpr(api: HttpClient, cpr: str) -> None:
    assert set(errors(post(api, body(cpr=cpr)))) == {"cpr"}


def test_a_cpr_number_born_in_the_future_is_422(api: HttpClient) -> None:
    birth = today() + dt.timedelta(days=400)
    assert set(errors(post(api, body(cpr=f"{birth:%d%m%y}-4321")))) == {"cpr"}


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, [], {}])
def test_a_yes_no_answer_must_be_a_json_boolean(api: HttpClient, value: Any) -> None:
    assert set(errors(post(api, body(answers={"pregnant": value})))) == {"answers.pregnant"}


def test_an_extra_answer_key_is_422(api: HttpClient) -> None:
    assert "answers.smoker" in errors(post(api, body(answers={"smoker": True})))


def test_an_extra_top_level_key_is_422(api: HttpClient) -> None:
    assert "date_of_brith" in errors(post(api, body(date_of_brith="1990-01-01")))


def test_a_long_text_answer_is_422(api: HttpClient) -> None:
    assert set(errors(post(api, body(answers={"medications": "x" * 2001})))) == {"answers.medications"}


def test_nul_in_a_text_answer_is_422(api: HttpClient) -> None:
    assert errors(post(api, body(answers={"allergies": "a\x00b"})))


@pytest.mark.parametrize("treatment", ["Mesotherapy", "", "meso-therapy", "a" * 49, "meso\x00"])
def test_a_malformed_treatment_code_is_422(api: HttpClient, treatment: str) -> None:
    assert set(errors(post(api, body(treatment=treatment)))) == {"treatment"}


def test_an_out_of_range_treatment_date_is_422(api: HttpClient) -> None:
    assert set(errors(post(api, body(treatment_date="9999-12-31")))) == {"treatment_date"}


def test_an_empty_body_is_422(api: HttpClient) -> None:
    assert errors(api.post(URL, content_type="application/json"))
    assert set(errors(post(api, {}))) == {"treatment", "treatment_date"}


# --- Access and side effects ---------------------------------------------------------------


def test_no_token_is_401(approved: DefinitionVersion) -> None:
    response = post(HttpClient(), body())

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_reception_is_403_before_the_body_is_read(reception: User, approved: DefinitionVersion) -> None:
    response = post(bearer(reception), {"answers": {"pregnant": "yes"}})

    assert response.status_code == 403
    assert response.json()["errors"] == {}


@pytest.mark.parametrize(
    ("persona", "bearer_status", "empty_body_status"),
    [
        ("doctor", 200, 422),
        ("nurse", 200, 422),
        ("cosmetologist", 200, 422),
        ("reception", 403, 403),
        ("admin", 403, 403),
        ("outsider", 403, 403),
    ],
)
def test_who_may_evaluate(
    persona: str,
    bearer_status: int,
    empty_body_status: int,
    make_persona: Callable[[str], User],
    sign_in: Callable[[User], HttpClient],
    doctor: User,
    approved: DefinitionVersion,
) -> None:
    user = doctor if persona == "doctor" else make_persona(persona)  # the approver is the doctor

    assert post(bearer(user), body()).status_code == bearer_status
    # As tests/test_authorization_matrix.py asks: signed in, POST with no body.
    assert sign_in(user).post(URL, content_type="application/json").status_code == empty_body_status


def test_it_writes_nothing(api: HttpClient) -> None:
    audit_before = AuditEvent.objects.exclude(action="api.token_used").count()

    for answers in ({}, {"pregnant": True}, {"keloid_tendency": True}, {"fish_oil": None}):
        assert post(api, body(answers=answers)).status_code == 200

    assert Entry.objects.count() == 0
    assert AuditEvent.objects.exclude(action="api.token_used").count() == audit_before
