"""Staff administration by the clinic administrator."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django_otp.plugins.otp_totp.models import TOTPDevice

from skinchart.accounts.models import Registration, Role, User
from skinchart.accounts.tests.factories import SiteFactory, UserFactory
from skinchart.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_creating_a_member_shows_a_one_time_password_that_must_be_changed(
    sign_in: Callable[[User], HttpClient], admin_user: User
) -> None:
    site = SiteFactory()
    response = sign_in(admin_user).post(
        "/accounts/staff/new/",
        {
            "username": "mette",
            "first_name": "Mette",
            "last_name": "Holm",
            "email": "mette@example.org",
            "authorisation_id": "S1234",
            "roles": [Role.NURSE],
            "sites": [site.pk],
        },
    )
    member = User.objects.get(username="mette")
    assert response.status_code == 200
    assert member.check_password(response.context["password"])
    assert member.must_change_password is True
    assert member.role_set == {Role.NURSE}
    assert AuditEvent.objects.filter(action="staff.created", actor=admin_user).count() == 1


def test_a_nurse_needs_an_authorisation_id(sign_in: Callable[[User], HttpClient], admin_user: User) -> None:
    response = sign_in(admin_user).post(
        "/accounts/staff/new/",
        {"username": "x", "first_name": "X", "last_name": "Y", "email": "x@example.org", "roles": [Role.NURSE]},
    )
    assert response.status_code == 422
    assert "authorisation_id" in response.context["form"].errors


def test_a_helper_is_registered_only_under_a_supervising_doctor(
    sign_in: Callable[[User], HttpClient], admin_user: User, doctor: User
) -> None:
    nurse = UserFactory(roles=[Role.NURSE])
    site = SiteFactory()
    http = sign_in(admin_user)
    data = {"treatment_category": "non_permanent_filler", "site": site.pk, "valid_from": "01.10.2025"}
    refused = http.post(f"/accounts/staff/{nurse.code}/registrations/", data)
    accepted = http.post(f"/accounts/staff/{nurse.code}/registrations/", {**data, "supervising_doctor": doctor.pk})
    assert refused.status_code == 422
    assert accepted.status_code == 302
    assert Registration.objects.get().supervising_doctor == doctor


def test_registrations_valid_on_a_date(db: None) -> None:
    import datetime as dt

    from skinchart.accounts.tests.factories import RegistrationFactory

    registration = RegistrationFactory(valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 12, 31))
    assert list(Registration.objects.valid_on(dt.date(2025, 6, 1))) == [registration]
    assert list(Registration.objects.valid_on(dt.date(2026, 1, 1))) == []


def test_resetting_mfa_needs_a_fresh_reauthentication(
    sign_in: Callable[[User], HttpClient], admin_user: User, doctor: User
) -> None:
    http = sign_in(admin_user)
    session = http.session
    session["reauth_at"] = time.time() - 3600
    session.save()
    response = http.post(f"/accounts/staff/{doctor.code}/reset-mfa/")
    assert response["Location"].startswith("/accounts/reauth/")
    assert TOTPDevice.objects.filter(user=doctor).exists()


def test_resetting_mfa_removes_the_devices_and_ends_sessions(
    sign_in: Callable[[User], HttpClient], admin_user: User, doctor: User
) -> None:
    doctors_tablet = sign_in(doctor)
    sign_in(admin_user).post(f"/accounts/staff/{doctor.code}/reset-mfa/")
    assert not TOTPDevice.objects.filter(user=doctor).exists()
    assert doctors_tablet.get("/clients/").status_code == 302


def test_an_admin_cannot_deactivate_themselves(sign_in: Callable[[User], HttpClient], admin_user: User) -> None:
    sign_in(admin_user).post(f"/accounts/staff/{admin_user.code}/active/", {"active": "0"})
    admin_user.refresh_from_db()
    assert admin_user.is_active is True


def test_the_staff_list_runs_a_constant_number_of_queries(
    sign_in: Callable[[User], HttpClient],
    admin_user: User,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    http = sign_in(admin_user)
    UserFactory.create_batch(3, roles=[Role.NURSE])
    with django_assert_max_num_queries(12) as few:
        http.get("/accounts/staff/")
    UserFactory.create_batch(20, roles=[Role.NURSE])
    with django_assert_max_num_queries(len(few.captured_queries)):
        http.get("/accounts/staff/")


def test_the_first_administrator_comes_from_the_command_line(db: None) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command(
        "create_staff", "anne", role=["admin"], first_name="Anne", last_name="Due", email="anne@oskin.dk", stdout=out
    )
    anne = User.objects.get(username="anne")
    assert anne.role_set == {Role.ADMIN}
    assert anne.check_password(out.getvalue().split(": ")[1].split()[0])
    assert anne.must_change_password is True
