"""Client registry pages: register, search, view, edit; reception sees no clinical places."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from skinchart.accounts.models import User
from skinchart.audit.models import AuditEvent
from skinchart.clients.models import Client
from skinchart.clients.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

VALID = {
    "first_name": "Ida",
    "last_name": "Ærø",
    "date_of_birth": "",
    "cpr": "240399-1234",
    "phone": "55 66 43 43",
    "email": "Ida@Example.org",
    "preferred_language": "da",
}


def test_it_registers_a_client_with_birth_date_from_cpr(sign_in: Callable[[User], HttpClient], reception: User) -> None:
    response = sign_in(reception).post("/clients/new/", VALID)
    client = Client.objects.get()
    assert response["Location"] == f"/clients/{client.code}/"
    assert client.date_of_birth.isoformat() == "1999-03-24"
    assert (client.phone, client.email, client.cpr) == ("+4555664343", "ida@example.org", "2403991234")
    assert AuditEvent.objects.filter(action="client.registered", client=client, actor=reception).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cpr": "310299-1234"}, "cpr"),  # 31 February
        ({"cpr": "240399-1234", "date_of_birth": "25.03.1999"}, "date_of_birth"),
        ({"cpr": "", "date_of_birth": ""}, "date_of_birth"),
        ({"cpr": "", "date_of_birth": "01.01.2090"}, "date_of_birth"),
        ({"phone": "12"}, "phone"),
        ({"first_name": "a\x00b"}, "first_name"),
        ({"last_name": "Hansen\tBcc: x@evil.example"}, "last_name"),
        ({"cpr": "", "date_of_birth": "01.04.0083"}, "date_of_birth"),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_nothing_is_stored(
    changes: dict[str, str], field: str, sign_in: Callable[[User], HttpClient], reception: User
) -> None:
    response = sign_in(reception).post("/clients/new/", {**VALID, **changes})
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert Client.objects.count() == 0


def test_a_second_client_with_the_same_cpr_is_refused(sign_in: Callable[[User], HttpClient], reception: User) -> None:
    http = sign_in(reception)
    http.post("/clients/new/", VALID)
    response = http.post("/clients/new/", {**VALID, "first_name": "Anden"})
    assert response.status_code == 422
    assert Client.objects.count() == 1


def test_danish_date_input_is_understood(sign_in: Callable[[User], HttpClient], reception: User) -> None:
    sign_in(reception).post("/clients/new/", {**VALID, "cpr": "", "date_of_birth": "24.03.1999"})
    assert Client.objects.get().date_of_birth.isoformat() == "1999-03-24"


def test_the_cpr_number_is_masked_and_shown_in_full_only_on_purpose_with_a_log_entry(
    sign_in: Callable[[User], HttpClient], reception: User, client_record: Client
) -> None:
    http = sign_in(reception)
    page = http.get(f"/clients/{client_record.code}/").content.decode()
    assert "150685-xxxx" in page
    assert "1506851234" not in page and "150685-1234" not in page
    revealed = http.post(f"/clients/{client_record.code}/cpr/").content.decode()
    assert "150685-1234" in revealed
    assert AuditEvent.objects.filter(action="client.cpr_revealed", client=client_record).count() == 1


def test_reception_sees_no_clinical_places(
    sign_in: Callable[[User], HttpClient], reception: User, doctor: User, client_record: Client
) -> None:
    clinical_url = f"/clients/{client_record.code}/clinical/"
    reception_page = sign_in(reception).get(f"/clients/{client_record.code}/").content.decode()
    doctor_page = sign_in(doctor).get(f"/clients/{client_record.code}/").content.decode()
    assert clinical_url not in reception_page
    assert clinical_url in doctor_page
    assert sign_in(reception).get(clinical_url).status_code == 403


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("søren", True),
        ("SØREN østergaard", True),
        ("soren", False),  # ø is a letter of its own in Danish
        ("østergaard", True),
        ("150685-1234", True),
        ("1506851234", True),
        ("150685", False),  # a partial CPR number finds nothing
        ("20 00 00 01", True),
        ("+4520000001", True),
        ("client-search@", True),
        ("client-search", True),  # an email address without its @
        ("nobody", False),
    ],
)
def test_search_finds_by_name_phone_email_or_full_cpr(
    query: str, found: bool, sign_in: Callable[[User], HttpClient], reception: User, client_record: Client
) -> None:
    Client.objects.filter(pk=client_record.pk).update(phone="+4520000001", email="client-search@example.org")
    ClientFactory.create_batch(3)
    response = sign_in(reception).get("/clients/", {"q": query})
    assert (client_record in response.context["results"]) is found


def test_search_runs_a_constant_number_of_queries(sign_in: Callable[[User], HttpClient], reception: User) -> None:
    http = sign_in(reception)
    ClientFactory.create_batch(2, last_name="Hansen", name_key="anne hansen")
    with CaptureQueriesContext(connection) as few:
        http.get("/clients/", {"q": "hansen"})
    ClientFactory.create_batch(30, last_name="Hansen", name_key="anne hansen")
    with CaptureQueriesContext(connection) as many:
        http.get("/clients/", {"q": "hansen"})
    assert len(few) == len(many)


def test_editing_keeps_the_cpr_when_left_empty_and_logs_only_field_names(
    sign_in: Callable[[User], HttpClient], reception: User, client_record: Client
) -> None:
    response = sign_in(reception).post(
        f"/clients/{client_record.code}/edit/",
        {**VALID, "first_name": "Søren", "last_name": "Østergaard", "cpr": "", "date_of_birth": "15.06.1985"},
    )
    client_record.refresh_from_db()
    event = AuditEvent.objects.get(action="client.updated")
    assert response.status_code == 302
    assert client_record.cpr == "1506851234"
    assert "phone" in event.data["fields"]
    assert "+4555664343" not in str(event.data)
