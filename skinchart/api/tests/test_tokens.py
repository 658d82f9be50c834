"""How a caller gets into the API: personal bearer tokens (issued and revoked on the
command line) and the browser's login session (both factors done, CSRF token sent)."""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client as HttpClient
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from skinchart.accounts.actions import set_staff_active
from skinchart.accounts.models import ApiToken, User
from skinchart.accounts.tests.factories import PASSWORD
from skinchart.audit.models import AuditEvent, Outcome
from skinchart.clients.models import Client

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/clients"
VALID_CLIENT = {"first_name": "Ida", "last_name": "Holm", "date_of_birth": "1990-02-03"}


def issue(username: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", username, stdout=out, stderr=err)
    return out.getvalue().strip()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def prefix_of(token: str) -> str:
    return token.split("_")[1]


def verified_session(user: User, *, enforce_csrf_checks: bool = False) -> HttpClient:
    """A client whose session passed both factors, as conftest's sign_in leaves it."""
    http = HttpClient(enforce_csrf_checks=enforce_csrf_checks)
    http.force_login(user)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    now = time.time()
    session.update({"auth_at": now, "last_seen": now, "reauth_at": now})
    session.save()
    return http


# --- Issuing -------------------------------------------------------------------------


def test_it_prints_the_token_once_on_stdout_and_only_the_prefix_on_stderr(doctor: User) -> None:
    out, err = io.StringIO(), io.StringIO()

    call_command("issue_api_token", "doctor", stdout=out, stderr=err)

    token = out.getvalue().strip()
    assert token.startswith(f"sc_{prefix_of(token)}_")
    assert len(token) > 40
    assert out.getvalue().count(token) == 1
    assert token not in err.getvalue()
    assert prefix_of(token) in err.getvalue()


def test_it_stores_only_the_sha256_of_the_token(doctor: User) -> None:
    token = issue("doctor")

    row = ApiToken.objects.get()
    assert row.user == doctor
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    stored = json.dumps(list(ApiToken.objects.values()), default=str)
    assert token not in stored
    assert token.split("_", 2)[2] not in stored  # the secret part may itself contain "_"


def test_it_issues_a_different_token_each_time(doctor: User) -> None:
    assert issue("doctor") != issue("doctor")
    assert ApiToken.objects.filter(user=doctor).count() == 2


def test_it_logs_the_issuing_without_the_token(doctor: User) -> None:
    token = issue("doctor")

    event = AuditEvent.objects.get(action="api.token_issued")
    assert event.via == "cli"
    assert event.outcome == Outcome.SUCCESS
    assert event.target_id == str(ApiToken.objects.get().code)
    assert event.data["prefix"] == prefix_of(token)
    assert token not in json.dumps(list(AuditEvent.objects.values()), default=str)


def test_it_refuses_to_issue_a_token_for_an_unknown_user(db: None) -> None:
    with pytest.raises(CommandError):
        call_command("issue_api_token", "nobody", stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.exists()


# --- Using a token --------------------------------------------------------------------


def test_it_answers_a_search_with_a_valid_token(doctor: User, client_record: Client) -> None:
    token = issue("doctor")

    response = HttpClient().get(SEARCH, {"q": "søren"}, headers=bearer(token))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert [row["code"] for row in response.json()] == [str(client_record.code)]


def test_it_logs_every_use_of_a_token(doctor: User) -> None:
    token = issue("doctor")
    http = HttpClient()

    http.get(SEARCH, {"q": "a"}, headers=bearer(token))
    http.get(SEARCH, {"q": "b"}, headers=bearer(token))

    uses = AuditEvent.objects.filter(action="api.token_used")
    assert uses.count() == 2
    assert set(uses.values_list("outcome", "via", "actor", "target_id")) == {
        (Outcome.SUCCESS, "api", doctor.pk, str(ApiToken.objects.get().code))
    }


def test_it_notes_when_a_token_was_last_used(doctor: User) -> None:
    token = issue("doctor")
    assert ApiToken.objects.get().last_used_at is None

    HttpClient().get(SEARCH, {"q": "a"}, headers=bearer(token))

    assert ApiToken.objects.get().last_used_at is not None


def test_it_marks_actions_done_with_a_token_as_via_the_api(doctor: User) -> None:
    token = issue("doctor")

    response = HttpClient().post(SEARCH, VALID_CLIENT, content_type="application/json", headers=bearer(token))

    assert response.status_code == 201
    event = AuditEvent.objects.get(action="client.registered")
    assert (event.via, event.actor) == ("api", doctor)


@pytest.mark.parametrize("garbage", ["not-a-token", "sc_deadbeef_" + "x" * 43, "Ünïcødé ✓"])
def test_it_refuses_an_unknown_token_with_a_json_401_and_logs_the_denial(doctor: User, garbage: str) -> None:
    issue("doctor")

    response = HttpClient().get(SEARCH, {"q": "a"}, headers=bearer(garbage))

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    denied = AuditEvent.objects.get(action="api.token_used")
    assert (denied.outcome, denied.via, denied.actor) == (Outcome.DENIED, "api", None)


@pytest.mark.parametrize("garbage", ["a\x00b", "x" * 5000])
def test_it_refuses_a_token_with_nul_or_of_absurd_length_without_a_lookup(db: None, garbage: str) -> None:
    response = HttpClient().get(SEARCH, {"q": "a"}, headers=bearer(garbage))

    assert response.status_code == 401
    assert response.json()["detail"]


def test_it_refuses_a_request_without_any_credentials(db: None) -> None:
    response = HttpClient().get(SEARCH, {"q": "a"})

    assert response.status_code == 401
    assert response.json()["detail"]


def test_it_refuses_a_revoked_token(doctor: User) -> None:
    token = issue("doctor")
    http = HttpClient()
    assert http.get(SEARCH, {"q": "a"}, headers=bearer(token)).status_code == 200

    call_command("revoke_api_token", prefix_of(token), stdout=io.StringIO())

    response = http.get(SEARCH, {"q": "a"}, headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["detail"]
    assert AuditEvent.objects.filter(action="api.token_revoked", data__prefix=prefix_of(token)).exists()


def test_it_revokes_only_the_token_with_that_prefix(doctor: User) -> None:
    kept, revoked = issue("doctor"), issue("doctor")

    call_command("revoke_api_token", prefix_of(revoked), stdout=io.StringIO())

    http = HttpClient()
    assert http.get(SEARCH, {"q": "a"}, headers=bearer(kept)).status_code == 200
    assert http.get(SEARCH, {"q": "a"}, headers=bearer(revoked)).status_code == 401


def test_it_answers_401_not_a_csrf_failure_when_a_revoked_token_posts(doctor: User) -> None:
    token = issue("doctor")
    call_command("revoke_api_token", prefix_of(token), stdout=io.StringIO())
    http = HttpClient(enforce_csrf_checks=True)

    response = http.post(SEARCH, VALID_CLIENT, content_type="application/json", headers=bearer(token))

    assert response.status_code == 401
    assert response.json()["detail"]
    assert not Client.objects.exists()


def test_it_accepts_a_post_with_a_valid_token_without_any_csrf_token(doctor: User) -> None:
    token = issue("doctor")
    http = HttpClient(enforce_csrf_checks=True)

    response = http.post(SEARCH, VALID_CLIENT, content_type="application/json", headers=bearer(token))

    assert response.status_code == 201


def test_it_refuses_the_token_of_a_deactivated_user(doctor: User, admin_user: User) -> None:
    token = issue("doctor")

    set_staff_active(actor=admin_user, user=doctor, active=False)

    response = HttpClient().get(SEARCH, {"q": "a"}, headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["detail"]


def test_it_lets_reception_search_with_a_token(reception: User, client_record: Client) -> None:
    token = issue("reception")

    response = HttpClient().get(SEARCH, {"q": "Østergaard"}, headers=bearer(token))

    assert response.status_code == 200
    assert [row["code"] for row in response.json()] == [str(client_record.code)]


@pytest.mark.parametrize("persona", ["admin", "outsider"])
def test_it_forbids_a_token_whose_user_may_not_see_clients(
    make_persona: Callable[[str], User], client_record: Client, persona: str
) -> None:
    make_persona(persona)
    token = issue(persona)
    http = HttpClient()

    search = http.get(SEARCH, {"q": "søren"}, headers=bearer(token))
    detail = http.get(f"{SEARCH}/{client_record.code}", headers=bearer(token))
    create = http.post(SEARCH, VALID_CLIENT, content_type="application/json", headers=bearer(token))

    assert [search.status_code, detail.status_code, create.status_code] == [403, 403, 403]
    assert search.json()["detail"]
    assert "Østergaard" not in detail.content.decode()
    assert Client.objects.count() == 1


# --- The browser's login session ------------------------------------------------------------


def test_it_answers_a_verified_session(
    doctor: User, client_record: Client, sign_in: Callable[[User], HttpClient]
) -> None:
    response = sign_in(doctor).get(SEARCH, {"q": "søren"})

    assert response.status_code == 200
    assert [row["code"] for row in response.json()] == [str(client_record.code)]


def test_it_refuses_a_session_post_without_the_csrf_token(doctor: User) -> None:
    http = verified_session(doctor, enforce_csrf_checks=True)

    response = http.post(SEARCH, VALID_CLIENT, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["detail"]
    assert not Client.objects.exists()


def test_it_accepts_a_session_post_with_the_csrf_token(doctor: User) -> None:
    http = verified_session(doctor, enforce_csrf_checks=True)
    assert http.get(reverse("clients:list")).status_code == 200
    csrf = http.cookies[settings.CSRF_COOKIE_NAME].value

    response = http.post(SEARCH, VALID_CLIENT, content_type="application/json", headers={"X-CSRFToken": csrf})

    assert response.status_code == 201
    assert Client.objects.get().created_by == doctor


def test_it_refuses_a_session_that_only_passed_the_password_step(doctor: User) -> None:
    http = HttpClient()
    login = http.post(reverse("accounts:login"), {"username": "doctor", "password": PASSWORD})
    assert login.status_code == 302  # on to the second factor

    response = http.get(SEARCH, {"q": "a"})

    assert response.status_code == 401
    assert response.json()["detail"]


def test_it_refuses_a_logged_in_session_without_a_verified_device(doctor: User, client_record: Client) -> None:
    http = HttpClient()
    http.force_login(doctor)

    response = http.get(SEARCH, {"q": "søren"})

    assert response.status_code == 401
    assert "Østergaard" not in response.content.decode()
