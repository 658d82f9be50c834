"""The clients endpoints: search, fetch one, register; and the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skinchart.accounts.actions import issue_api_token
from skinchart.accounts.models import User
from skinchart.audit.models import AuditEvent
from skinchart.clients.models import Client
from skinchart.clients.tests.factories import ClientFactory
from skinchart.lib.dates import local_today

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients"
VALID = {"first_name": "Ida", "last_name": "Holm", "date_of_birth": "1990-02-03"}


@pytest.fixture
def api(doctor: User) -> HttpClient:
    """A caller with the doctor's personal API token."""
    _, plain = issue_api_token(actor=None, user=doctor)
    return HttpClient(headers={"Authorization": f"Bearer {plain}"})


@pytest.fixture
def soren(db: None) -> Client:
    client: Client = ClientFactory(
        first_name="Søren", last_name="Østergaard", cpr="1506851234", phone="+4520123456", email="soren@example.org"
    )
    client.refresh_name_key()
    client.save(update_fields=["name_key"])
    return client


@pytest.fixture
def other(db: None) -> Client:
    client: Client = ClientFactory(
        first_name="Anne", last_name="Bæk", cpr="0101904321", phone="+4540123456", email="anne@example.org"
    )
    client.refresh_name_key()
    client.save(update_fields=["name_key"])
    return client


def post(api: HttpClient, body: Any) -> Any:
    return api.post(CLIENTS, json.dumps(body), content_type="application/json")


def codes(response: Any) -> list[str]:
    return [row["code"] for row in response.json()]


# --- Search ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "søren",
        "SØREN",
        "Søren Østergaard",
        "østergaard søren",
        "øster",
        "20 12 34 56",
        "20123456",
        "2012 3456",
        "+45 20 12 34 56",
        "+4520123456",
        "0045 20 12 34 56",
        "soren@example.org",
        "SOREN@example.org",
        "150685-1234",
        "1506851234",
        "150685 1234",
    ],
)
def test_it_finds_a_client_by_name_phone_email_or_full_cpr(
    api: HttpClient, soren: Client, other: Client, query: str
) -> None:
    response = api.get(CLIENTS, {"q": query})

    assert response.status_code == 200
    assert codes(response) == [str(soren.code)]


@pytest.mark.parametrize("query", ["150685", "1506", "150685-12", "506851234", "xxxx", "", "   "])
def test_it_finds_nothing_for_a_partial_cpr_or_an_unknown_word(
    api: HttpClient, soren: Client, other: Client, query: str
) -> None:
    response = api.get(CLIENTS, {"q": query})

    assert response.status_code == 200
    assert response.json() == []


def test_it_finds_nothing_for_a_cpr_with_an_impossible_date(api: HttpClient, soren: Client) -> None:
    response = api.get(CLIENTS, {"q": "320685-1234"})

    assert response.status_code == 200
    assert response.json() == []


def test_it_never_shows_the_full_cpr_in_search_results(api: HttpClient, soren: Client) -> None:
    response = api.get(CLIENTS, {"q": "150685-1234"})

    body = response.content.decode()
    assert response.json()[0]["cpr_masked"] == "150685-xxxx"
    assert "1506851234" not in body
    assert "150685-1234" not in body
    assert "cpr" not in response.json()[0]


def test_it_shows_contact_data_in_search_results(api: HttpClient, soren: Client) -> None:
    row = api.get(CLIENTS, {"q": "søren"}).json()[0]

    assert row == {
        "code": str(soren.code),
        "first_name": "Søren",
        "last_name": "Østergaard",
        "date_of_birth": "1985-06-15",
        "cpr_masked": "150685-xxxx",
        "phone": "+4520123456",
        "email": "soren@example.org",
        "address": "",
        "postal_code": "",
        "city": "",
        "preferred_language": "da",
    }


def test_it_refuses_an_overlong_search_with_a_json_422(api: HttpClient) -> None:
    response = api.get(CLIENTS, {"q": "x" * 101})

    assert response.status_code == 422
    assert "q" in response.json()["errors"]


def test_it_refuses_a_search_with_a_nul_character_with_a_json_422(api: HttpClient, soren: Client) -> None:
    response = api.get(CLIENTS, {"q": "sø\x00ren"})

    assert response.status_code == 422
    assert "q" in response.json()["errors"]


# --- One client --------------------------------------------------------------------------


def test_it_returns_one_client_by_its_code(api: HttpClient, soren: Client) -> None:
    response = api.get(f"{CLIENTS}/{soren.code}")

    assert response.status_code == 200
    assert response.json()["code"] == str(soren.code)
    assert response.json()["cpr_masked"] == "150685-xxxx"
    assert "1506851234" not in response.content.decode()


def test_it_answers_404_json_for_an_unknown_code(api: HttpClient, soren: Client) -> None:
    response = api.get(f"{CLIENTS}/00000000-0000-4000-8000-000000000000")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


@pytest.mark.parametrize("code", ["not-a-uuid", "1", "00000000-0000-4000-8000-00000000000g", "%00", "%C3%B8"])
def test_it_answers_422_json_for_a_malformed_code(api: HttpClient, code: str) -> None:
    response = api.get(f"{CLIENTS}/{code}")

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"]


# --- Registering -------------------------------------------------------------------------


def test_it_registers_a_client_from_names_and_a_birth_date(api: HttpClient, doctor: User) -> None:
    response = post(api, {**VALID, "phone": "55 66 43 43", "email": " Ida@Example.ORG "})

    assert response.status_code == 201
    client = Client.objects.get()
    assert response.json()["code"] == str(client.code)
    assert (client.first_name, client.date_of_birth, client.cpr) == ("Ida", dt.date(1990, 2, 3), None)
    assert (client.phone, client.email, client.created_by) == ("+4555664343", "ida@example.org", doctor)
    assert response.json()["cpr_masked"] == ""


def test_it_makes_a_registered_client_findable(api: HttpClient) -> None:
    code = post(api, {"first_name": "Åse", "last_name": "Ærø", "date_of_birth": "1970-01-01"}).json()["code"]

    assert codes(api.get(CLIENTS, {"q": "åse ærø"})) == [code]


def test_it_takes_the_birth_date_from_the_cpr_number(api: HttpClient) -> None:
    response = post(api, {"first_name": "Ida", "last_name": "Holm", "cpr": "150685-1234"})

    assert response.status_code == 201
    assert response.json()["date_of_birth"] == "1985-06-15"
    assert response.json()["cpr_masked"] == "150685-xxxx"
    assert "1234" not in response.content.decode()  # no phone here, so no 1234 at all
    assert Client.objects.get().cpr == "1506851234"


def test_it_logs_the_registration(api: HttpClient, doctor: User) -> None:
    post(api, VALID)

    event = AuditEvent.objects.get(action="client.registered")
    assert (event.actor, event.client, event.via) == (doctor, Client.objects.get(), "api")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_name": "Ida", "last_name": "Holm", "cpr": "320185-1234"}, "cpr"),
        ({"first_name": "Ida", "last_name": "Holm", "cpr": "12345"}, "cpr"),
        ({**VALID, "cpr": "150685-1234", "date_of_birth": "1985-06-16"}, "date_of_birth"),
        ({**VALID, "phone": "12"}, "phone"),
        ({**VALID, "phone": "not a number"}, "phone"),
        ({**VALID, "email": "not-an-email"}, "email"),
        ({**VALID, "preferred_language": "xx"}, "preferred_language"),
        ({**VALID, "date_of_birth": "15.06.1985"}, "date_of_birth"),
        ({**VALID, "date_of_birth": "1985-02-30"}, "date_of_birth"),
        ({"first_name": "Ida", "last_name": "Holm"}, "date_of_birth"),
        ({"last_name": "Holm", "date_of_birth": "1990-02-03"}, "first_name"),
        ({"first_name": "Ida", "date_of_birth": "1990-02-03"}, "last_name"),
        ({**VALID, "first_name": ""}, "first_name"),
        ({**VALID, "last_name": "   "}, "last_name"),
        ({**VALID, "first_name": 42}, "first_name"),
        ({**VALID, "last_name": ["Holm"]}, "last_name"),
        ({**VALID, "first_name": "x" * 101}, "first_name"),
        ({**VALID, "cpr": 1506851234}, "cpr"),
    ],
)
def test_it_refuses_invalid_data_with_field_errors_and_stores_nothing(
    api: HttpClient, soren: Client, body: dict[str, Any], field: str
) -> None:
    response = post(api, body)

    assert response.status_code == 422
    assert response.json()["detail"]
    assert response.json()["errors"][field]
    assert Client.objects.count() == 1


def test_it_refuses_a_birth_date_in_the_future(api: HttpClient) -> None:
    tomorrow = local_today() + dt.timedelta(days=1)

    response = post(api, {**VALID, "date_of_birth": tomorrow.isoformat()})

    assert response.status_code == 422
    assert response.json()["errors"]["date_of_birth"]
    assert not Client.objects.exists()


@pytest.mark.parametrize("body", [[], [VALID], "Ida Holm", 42, None, {}])
def test_it_refuses_a_body_that_is_not_a_client_object(api: HttpClient, body: Any) -> None:
    response = post(api, body)

    assert response.status_code == 422
    assert response.json()["detail"]
    assert response.json()["errors"]
    assert not Client.objects.exists()


@pytest.mark.parametrize("raw", [b"", b"{", b"first_name=Ida&last_name=Holm", b"\xff\xfe{}", b'{"first_name": "Ida",}'])
def test_it_refuses_a_body_that_is_empty_or_not_json_with_a_json_422(api: HttpClient, raw: bytes) -> None:
    response = api.post(CLIENTS, raw, content_type="application/json")

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"]
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    "field",
    ["first_name", "last_name", "cpr", "phone", "email", "address", "postal_code", "city", "reception_notes"],
)
def test_it_refuses_a_nul_character_in_any_text_field_and_stores_nothing(api: HttpClient, field: str) -> None:
    response = post(api, {**VALID, "postal_code": "6000", field: "a\u0000b"})

    assert response.status_code == 422
    assert response.json()["errors"]
    assert not Client.objects.exists()


@pytest.mark.parametrize("field", ["first_name", "last_name", "address", "city", "reception_notes"])
def test_it_refuses_a_lone_surrogate_in_a_text_field_and_stores_nothing(api: HttpClient, field: str) -> None:
    raw = json.dumps({**VALID, field: "a\ud800b"})  # JSON may carry an unpaired \ud800; UTF-8 cannot

    response = api.post(CLIENTS, raw, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["errors"]
    assert not Client.objects.exists()


def test_it_stores_unusual_but_valid_unicode_as_given(api: HttpClient) -> None:
    name = "Zoë 𝔄𝔫𝔫𝔢 \u200d👩‍⚕️ 李"

    response = post(api, {**VALID, "first_name": name, "city": "Ærøskøbing"})

    assert response.status_code == 201
    assert Client.objects.get().first_name == name
    assert response.json()["first_name"] == name


FREE_TEXT_FIELDS = ["first_name", "last_name", "address", "city", "reception_notes"]
# Any Unicode but control characters (refused in single-line fields) and surrogates, not only whitespace.
STORABLE_TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=40).filter(str.strip)
UNSTORABLE_CHARACTER = st.sampled_from(["\x00", "\ud800", "\udfff"])
PROPERTY_SETTINGS = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY_SETTINGS
@given(field=st.sampled_from(FREE_TEXT_FIELDS), text=STORABLE_TEXT)
def test_it_stores_any_unicode_text_as_sent_less_outer_whitespace(api: HttpClient, field: str, text: str) -> None:
    response = post(api, {**VALID, field: text})

    assert response.status_code == 201
    assert Client.objects.values_list(field, flat=True).get(code=response.json()["code"]) == text.strip()


@PROPERTY_SETTINGS
@given(
    field=st.sampled_from(FREE_TEXT_FIELDS),
    text=STORABLE_TEXT,
    bad=UNSTORABLE_CHARACTER,
    at=st.integers(min_value=0, max_value=40),
)
def test_it_refuses_text_with_a_nul_or_a_lone_surrogate_anywhere(
    api: HttpClient, field: str, text: str, bad: str, at: int
) -> None:
    before = Client.objects.count()

    response = api.post(
        CLIENTS, json.dumps({**VALID, field: text[:at] + bad + text[at:]}), content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json()["errors"]
    assert Client.objects.count() == before


def test_it_refuses_a_second_client_with_the_same_cpr_with_a_409(api: HttpClient, soren: Client) -> None:
    response = post(api, {"first_name": "Other", "last_name": "Person", "cpr": "1506851234"})

    assert response.status_code == 409
    assert response.json()["errors"]["cpr"]
    assert Client.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [("put", ""), ("delete", ""), ("patch", ""), ("post", "/00000000-0000-4000-8000-000000000000")],
)
def test_it_answers_a_method_the_path_does_not_offer_with_a_json_405(
    api: HttpClient, soren: Client, method: str, path: str
) -> None:
    response = getattr(api, method)(f"{CLIENTS}{path}", json.dumps(VALID), content_type="application/json")

    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert "GET" in response["Allow"]
    assert Client.objects.count() == 1


# --- OpenAPI -----------------------------------------------------------------------------


def test_it_publishes_an_openapi_document_with_the_client_paths(db: None) -> None:
    response = HttpClient().get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    paths = response.json()["paths"]
    assert {"/api/v1/clients", "/api/v1/clients/{code}"} <= set(paths)
    assert set(paths["/api/v1/clients"]) == {"get", "post"}
