"""Account workflows: signing in, second factor, staff administration, API tokens.

Each function takes the acting user, runs in one transaction and writes its audit
event itself.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.models import Device

from skinchart.accounts import mfa, throttle
from skinchart.accounts.models import ApiToken, Registration, StaffRole, User
from skinchart.audit.log import record
from skinchart.audit.models import Outcome
from skinchart.lib.request_meta import client_ip

PENDING_KEY = "mfa_pending"


class LoginThrottled(Exception):
    pass


# --- Signing in ---------------------------------------------------------------------


def check_password_step(*, request: HttpRequest, username: str, password: str) -> User | None:
    """First factor. On success the user is *pending* (not signed in) until the second
    factor; the session key is renewed so a planted session id is useless (V7.2.4)."""
    ip = client_ip(request)
    if throttle.is_throttled(username, ip):
        record(action="auth.login", request=request, outcome=Outcome.DENIED, reason="throttled")
        raise LoginThrottled
    user = authenticate(request, username=username, password=password)
    if user is None or not isinstance(user, User):
        throttle.note_failure(username, ip)
        record(action="auth.login", request=request, outcome=Outcome.FAILURE, reason="password")
        return None
    request.session.cycle_key()
    request.session[PENDING_KEY] = {"user": user.pk, "at": time.time(), "epoch": user.session_epoch}
    return user


def pending_user(request: HttpRequest) -> User | None:
    """The user who passed the password step in this session, for a few minutes."""
    from django.conf import settings

    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > settings.MFA_PENDING_TIMEOUT:
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    if user is None or user.session_epoch != pending.get("epoch"):
        return None
    return user


def check_second_factor_step(*, request: HttpRequest, user: User, token: str) -> bool:
    ip = client_ip(request)
    if throttle.is_throttled(user.username, ip):
        record(action="auth.mfa", actor=user, request=request, outcome=Outcome.DENIED, reason="throttled")
        raise LoginThrottled
    device = mfa.verify_second_factor(user, token)
    if device is None:
        throttle.note_failure(user.username, ip)
        record(action="auth.mfa", actor=user, request=request, outcome=Outcome.FAILURE)
        return False
    _complete_login(request=request, user=user, device=device)
    return True


def _complete_login(*, request: HttpRequest, user: User, device: Device) -> None:
    request.session.pop(PENDING_KEY, None)
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    now = time.time()
    request.session.update({"auth_at": now, "last_seen": now, "reauth_at": now})
    throttle.clear_failures(user.username, client_ip(request))
    record(action="auth.login", actor=user, request=request, device=device.__class__.__name__)


@transaction.atomic
def confirm_totp_enrolment(*, request: HttpRequest, user: User, token: str) -> list[str] | None:
    """Confirm the pending authenticator with a code from it; sign the user in and
    return fresh recovery codes, or None when the code is wrong."""
    device = mfa.pending_totp_device(user)
    if not device.verify_token("".join(token.split())):
        throttle.note_failure(user.username, client_ip(request))
        record(action="auth.mfa_enrolment", actor=user, request=request, outcome=Outcome.FAILURE)
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = mfa.new_recovery_codes(user)
    record(action="auth.mfa_enrolled", actor=user, request=request)
    _complete_login(request=request, user=user, device=device)
    return codes


def log_out(*, request: HttpRequest) -> None:
    if request.user.is_authenticated:
        record(action="auth.logout", request=request)
    auth_logout(request)


def reauthenticate(*, request: HttpRequest, password: str, token: str) -> bool:
    """Step-up check before a sensitive action: password and second factor again."""
    user = request.user
    if not isinstance(user, User):
        return False
    ok = user.check_password(password) and mfa.verify_second_factor(user, token) is not None
    record(action="auth.reauth", request=request, outcome=Outcome.SUCCESS if ok else Outcome.FAILURE)
    if not ok:
        throttle.note_failure(user.username, client_ip(request))
    return ok


@transaction.atomic
def end_all_login_sessions(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    """Every login session of `user` stops working on its next request."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    record(action="auth.sessions_ended", actor=actor, request=request, target=user)


@transaction.atomic
def change_password(*, request: HttpRequest, user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    record(action="auth.password_changed", actor=user, request=request, target=user)


@transaction.atomic
def regenerate_recovery_codes(*, request: HttpRequest, user: User) -> list[str]:
    codes = mfa.new_recovery_codes(user)
    record(action="auth.recovery_codes_renewed", actor=user, request=request, target=user)
    return codes


# --- Staff administration ---------------------------------------------------------------


def _initial_password() -> str:
    # 4 groups of 5 from a CSPRNG: ~100 bits, easy to read aloud; changed at first login.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


@transaction.atomic
def create_staff_member(
    *, actor: User | None, data: dict[str, Any], roles: list[str], sites: list[Any], request: HttpRequest | None = None
) -> tuple[User, str]:
    """A new account with a one-time initial password (returned, shown once)."""
    password = _initial_password()
    user = User(**data, must_change_password=True)
    user.set_password(password)
    user.save()
    StaffRole.objects.bulk_create(StaffRole(user=user, role=role) for role in roles)
    user.sites.set(sites)
    record(action="staff.created", actor=actor, request=request, target=user, roles=sorted(roles))
    return user, password


@transaction.atomic
def update_staff_member(
    *,
    actor: User,
    user: User,
    data: dict[str, Any],
    roles: list[str],
    sites: list[Any],
    request: HttpRequest | None = None,
) -> User:
    changed = sorted(name for name, value in data.items() if getattr(user, name) != value)
    for name in changed:
        setattr(user, name, data[name])
    if changed:
        user.save(update_fields=changed)
    old_roles = set(user.role_set)
    StaffRole.objects.filter(user=user).exclude(role__in=roles).delete()
    StaffRole.objects.bulk_create([StaffRole(user=user, role=role) for role in roles if role not in old_roles])
    user.sites.set(sites)
    record(
        action="staff.updated",
        actor=actor,
        request=request,
        target=user,
        fields=changed,
        roles_added=sorted(set(roles) - old_roles),
        roles_removed=sorted(old_roles - set(roles)),
    )
    return user


@transaction.atomic
def set_staff_active(*, actor: User, user: User, active: bool, request: HttpRequest | None = None) -> None:
    """Deactivation ends every login session and API token use at once (V7.4.2)."""
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    record(action="staff.activated" if active else "staff.deactivated", actor=actor, request=request, target=user)


@transaction.atomic
def reset_mfa(*, actor: User, user: User, request: HttpRequest | None = None) -> None:
    """The member must enrol a new authenticator at next sign-in; sessions end."""
    mfa.remove_all_devices(user)
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    record(action="staff.mfa_reset", actor=actor, request=request, target=user)


@transaction.atomic
def reset_password(*, actor: User, user: User, request: HttpRequest | None = None) -> str:
    password = _initial_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    record(action="staff.password_reset", actor=actor, request=request, target=user)
    return password


@transaction.atomic
def add_registration(*, actor: User, data: dict[str, Any], request: HttpRequest | None = None) -> Registration:
    registration = Registration.objects.create(**data)
    record(
        action="staff.registration_added",
        actor=actor,
        request=request,
        target=registration,
        practitioner=str(registration.practitioner.code),
        treatment_category=registration.treatment_category,
    )
    return registration


@transaction.atomic
def end_registration(
    *, actor: User, registration: Registration, valid_to: Any, request: HttpRequest | None = None
) -> Registration:
    registration.valid_to = valid_to
    registration.save(update_fields=["valid_to"])
    record(action="staff.registration_ended", actor=actor, request=request, target=registration)
    return registration


# --- API tokens -----------------------------------------------------------------------

TOKEN_PREFIX = "sc"  # noqa: S105 — a label in front of each token, not a secret


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_api_token(*, actor: User | None, user: User, label: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`; the plain token is returned once and never stored."""
    prefix = secrets.token_hex(4)
    plain = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, label=label, prefix=prefix, digest=token_digest(plain))
    record(action="api.token_issued", actor=actor, via="cli", target=token, user=str(user.code), prefix=prefix)
    return token, plain


@transaction.atomic
def revoke_api_token(*, actor: User | None, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(action="api.token_revoked", actor=actor, via="cli", target=token, prefix=token.prefix)


def user_for_api_token(*, plain: str, request: HttpRequest) -> User | None:
    """The active user the token belongs to; each use is logged (outcome included)."""
    token = ApiToken.objects.active().select_related("user").filter(digest=token_digest(plain)).first()
    if token is None:
        record(action="api.token_used", request=request, via="api", outcome=Outcome.DENIED)
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    record(action="api.token_used", actor=token.user, request=request, via="api", target=token, prefix=token.prefix)
    return token.user
