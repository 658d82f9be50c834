"""The checks every view runs before it does anything: signed in with MFA, holding
the capability, recently re-authenticated for sensitive actions."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from skinchart.accounts.models import User
from skinchart.accounts.permissions import Capability, user_can

View = TypeVar("View", bound=Callable[..., HttpResponse])


def is_verified(user: object) -> bool:
    """Signed in with the second factor too (django-otp's OTPMiddleware sets this)."""
    check = getattr(user, "is_verified", None)
    return bool(getattr(user, "is_authenticated", False) and check is not None and check())


def staff_member_required(view: View) -> View:
    """Signed in with both factors; otherwise to the login page."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not is_verified(user):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(settings.LOGIN_URL)}?{query}")
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


def require_capability(capability: Capability) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not user_can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return staff_member_required(wrapped)  # type: ignore[arg-type, return-value]

    return decorator


def acting_user(request: HttpRequest) -> User:
    """The signed-in staff member (for actions that need a typed `actor`)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def mark_reauthenticated(request: HttpRequest) -> None:
    request.session["reauth_at"] = time.time()


def recently_authenticated(request: HttpRequest) -> bool:
    return time.time() - float(request.session.get("reauth_at", 0)) <= settings.REAUTH_MAX_AGE


def require_recent_auth(view: View) -> View:
    """For sensitive actions (MFA reset, bulk export …): the user must have entered
    password and code within REAUTH_MAX_AGE seconds (ASVS V7.5)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not recently_authenticated(request):
            next_url = (
                request.get_full_path()
                if request.method == "GET"
                else request.META.get("HTTP_REFERER", reverse("system:home"))
            )
            return redirect(f"{reverse('accounts:reauth')}?{urlencode({'next': next_url})}")
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]
