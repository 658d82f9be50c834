"""Signing in: two factors, enrolment, throttling, timeouts, session ends (REG-33, B24–B30)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from skinchart.accounts.models import Role, User
from skinchart.accounts.tests.factories import PASSWORD, UserFactory
from skinchart.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def password_step(http: HttpClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return http.post("/accounts/login/", {"username": username, "password": password})


def test_it_requires_the_second_factor_before_any_page() -> None:
    user = UserFactory(roles=[Role.DOCTOR])
    http = HttpClient()
    response = password_step(http, user.username)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/code/")
    assert http.get("/clients/").status_code == 302


def test_it_signs_in_with_password_and_totp_and_renews_the_session_key() -> None:
    user = UserFactory(roles=[Role.DOCTOR])
    http = HttpClient()
    http.get("/accounts/login/")
    planted = http.session.session_key
    password_step(http, user.username)
    response = http.post("/accounts/login/code/", {"token": current_code(user.totpdevice_set.get())})
    assert response.status_code == 302
    assert http.get("/clients/").status_code == 200
    assert http.session.session_key != planted
    assert AuditEvent.objects.filter(action="auth.login", actor=user, outcome="success").count() == 1


def test_it_accepts_a_totp_code_only_once() -> None:
    user = UserFactory(roles=[Role.DOCTOR])
    code = current_code(user.totpdevice_set.get())
    first, second = HttpClient(), HttpClient()
    password_step(first, user.username)
    first.post("/accounts/login/code/", {"token": code})
    password_step(second, user.username)
    response = second.post("/accounts/login/code/", {"token": code})
    assert response.status_code == 401
    assert second.get("/clients/").status_code == 302


def test_a_user_without_an_authenticator_must_enrol_one_and_gets_recovery_codes() -> None:
    user = UserFactory(roles=[Role.NURSE], totp=False)
    http = HttpClient()
    response = password_step(http, user.username)
    assert response["Location"].startswith("/accounts/login/setup/")
    page = http.get("/accounts/login/setup/")
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = http.post("/accounts/login/setup/", {"token": current_code(device)})
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert http.get("/clients/").status_code == 200


def test_a_recovery_code_signs_in_once() -> None:
    user = UserFactory(roles=[Role.NURSE], totp=False)
    http = HttpClient()
    password_step(http, user.username)
    http.get("/accounts/login/setup/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    codes = http.post("/accounts/login/setup/", {"token": current_code(device)}).context["codes"]
    again, third = HttpClient(), HttpClient()
    password_step(again, user.username)
    assert again.post("/accounts/login/code/", {"token": codes[0]}).status_code == 302
    password_step(third, user.username)
    assert third.post("/accounts/login/code/", {"token": codes[0]}).status_code == 401


def test_unknown_user_and_wrong_password_get_the_same_answer() -> None:
    user = UserFactory(roles=[Role.DOCTOR])
    wrong_password = password_step(HttpClient(), user.username, "not the password at all")
    unknown_user = password_step(HttpClient(), "nobody-here", "not the password at all")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.context["form"].non_field_errors() == unknown_user.context["form"].non_field_errors()


def test_it_throttles_after_five_failures_for_an_account_from_one_address() -> None:
    user = UserFactory(roles=[Role.DOCTOR])
    http = HttpClient(REMOTE_ADDR="203.0.113.9")
    statuses = [password_step(http, user.username, f"wrong {n}").status_code for n in range(6)]
    assert statuses == [401] * 5 + [429]
    assert password_step(http, user.username).status_code == 429


def test_throttling_an_attacker_does_not_lock_out_the_member_at_their_usual_address() -> None:
    user = UserFactory(roles=[Role.DOCTOR])
    desk = HttpClient(REMOTE_ADDR="192.0.2.10")
    password_step(desk, user.username)
    desk.post("/accounts/login/code/", {"token": current_code(user.totpdevice_set.get())})
    for n in range(25):  # an attacker rotating addresses
        password_step(HttpClient(REMOTE_ADDR=f"198.51.100.{n}"), user.username, f"guess {n}")
    assert password_step(HttpClient(REMOTE_ADDR="198.51.100.200"), user.username).status_code == 429
    assert password_step(HttpClient(REMOTE_ADDR="192.0.2.10"), user.username).status_code == 302


def test_failures_on_one_account_do_not_throttle_a_colleague_on_the_same_address() -> None:
    victim, colleague = UserFactory(roles=[Role.DOCTOR]), UserFactory(roles=[Role.NURSE])
    for n in range(6):
        password_step(HttpClient(REMOTE_ADDR="192.0.2.20"), victim.username, f"guess {n}")
    assert password_step(HttpClient(REMOTE_ADDR="192.0.2.20"), colleague.username).status_code == 302


def test_it_signs_out_after_idle_timeout(sign_in: Callable[[User], HttpClient], doctor: User, settings) -> None:  # type: ignore[no-untyped-def]
    http = sign_in(doctor)
    session = http.session
    session["last_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT - 1
    session.save()
    assert http.get("/clients/").status_code == 302
    assert http.get("/clients/").status_code == 302


def test_passive_polling_does_not_extend_the_idle_timer(sign_in: Callable[[User], HttpClient], doctor: User) -> None:
    http = sign_in(doctor)
    session = http.session
    session["last_seen"] = before = time.time() - 600
    session.save()
    http.get("/clients/", HTTP_X_SKINCHART_PASSIVE="1")
    assert http.session["last_seen"] == before


def test_it_signs_out_after_the_absolute_lifetime(
    sign_in: Callable[[User], HttpClient], doctor: User, settings
) -> None:  # type: ignore[no-untyped-def]
    http = sign_in(doctor)
    session = http.session
    session["auth_at"] = time.time() - settings.SESSION_ABSOLUTE_TIMEOUT - 1
    session.save()
    assert http.get("/clients/").status_code == 302


def test_logout_ends_the_session_on_the_server(sign_in: Callable[[User], HttpClient], doctor: User) -> None:
    http = sign_in(doctor)
    cookie = http.cookies["sessionid"].value
    http.post("/accounts/logout/")
    replay = HttpClient()
    replay.cookies["sessionid"] = cookie
    assert replay.get("/clients/").status_code == 302


def test_deactivation_ends_every_session_at_once(
    sign_in: Callable[[User], HttpClient], doctor: User, admin_user: User
) -> None:
    tablet, desktop = sign_in(doctor), sign_in(doctor)
    sign_in(admin_user).post(f"/accounts/staff/{doctor.code}/active/", {"active": "0"})
    assert tablet.get("/clients/").status_code == 302
    assert desktop.get("/clients/").status_code == 302


def test_ending_all_sessions_signs_out_other_devices(sign_in: Callable[[User], HttpClient], doctor: User) -> None:
    tablet, desktop = sign_in(doctor), sign_in(doctor)
    desktop.post("/accounts/account/end-sessions/")
    assert tablet.get("/clients/").status_code == 302


def test_an_initial_password_must_be_changed_before_anything_else(sign_in: Callable[[User], HttpClient]) -> None:
    user = UserFactory(roles=[Role.NURSE], must_change_password=True)
    http = sign_in(user)
    assert http.get("/clients/")["Location"] == "/accounts/account/password/"
    response = http.post(
        "/accounts/account/password/",
        {"new_password": "rain on the fjord at dawn", "repeat": "rain on the fjord at dawn"},
    )
    assert response.status_code == 302
    assert http.get("/clients/").status_code == 200


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short pass1", False),  # 11 characters
        ("twelve chars", True),
        ("p" * 129, False),
        ("password1234", False),  # common
        ("Oskin-2026!!", False),  # the clinic's name
        ("æøå " * 16, True),  # 64 characters, any characters welcome
    ],
)
def test_password_rules_follow_nist(password: str, accepted: bool, sign_in: Callable[[User], HttpClient]) -> None:
    # Fixed names: a random name close to the password would trip the similarity rule.
    user = UserFactory(roles=[Role.NURSE], first_name="Mette", last_name="Holm", username="mette.holm")
    response = sign_in(user).post("/accounts/account/password/", {"new_password": password, "repeat": password})
    assert (response.status_code == 302) is accepted


def test_production_hashes_passwords_with_argon2() -> None:
    from skinchart import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
