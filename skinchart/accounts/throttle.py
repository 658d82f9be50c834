"""Login throttling that slows guessing without letting anyone lock the clinic out
(ASVS V6.1.1, security.md B24). ADR 0004 explains the three limits.

- per account and address: LOGIN_THROTTLE_PER_ACCOUNT_AND_IP failures in the window;
- per account from addresses the account has not signed in from before: a higher
  limit, so rotating addresses do not help an attacker, while the member of staff
  at their usual desk still gets in;
- per address over all accounts: a high limit against spraying.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from skinchart.accounts.models import LoginFailure
from skinchart.audit.models import AuditEvent


def username_key(username: str) -> str:
    return username.strip().casefold()[:150]


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW)


def is_throttled(username: str, ip: str) -> bool:
    key = username_key(username)
    since = _window_start()
    recent = LoginFailure.objects.filter(at__gte=since)
    if recent.filter(username_key=key, ip=ip).count() >= settings.LOGIN_THROTTLE_PER_ACCOUNT_AND_IP:
        return True
    if recent.filter(ip=ip).count() >= settings.LOGIN_THROTTLE_PER_IP:
        return True
    if recent.filter(username_key=key).count() >= settings.LOGIN_THROTTLE_PER_ACCOUNT:
        known_address = AuditEvent.objects.filter(
            action="auth.login",
            outcome="success",
            source_ip=ip,
            actor__username__iexact=key,
            at__gte=timezone.now() - dt.timedelta(days=30),
        ).exists()
        return not known_address
    return False


def note_failure(username: str, ip: str) -> None:
    LoginFailure.objects.create(username_key=username_key(username), ip=ip)


def clear_failures(username: str, ip: str) -> None:
    LoginFailure.objects.filter(username_key=username_key(username), ip=ip).delete()
