"""Login-session rules on every request: second factor done, idle and absolute
timeouts (REG-33, V7.3), and a forced password change after an initial password."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from skinchart.accounts.access import is_verified

# Requests with this header (background polling) do not count as activity.
PASSIVE_HEADER = "HTTP_X_SKINCHART_PASSIVE"


class LoginSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            expired = self._expired(request)
            if expired:
                logout(request)
                messages.info(request, expired)
                if request.path.startswith(("/api/", "/g/")):  # the API, and clients' guide links
                    return self.get_response(request)
                return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}")
            # Activity is noted at most once a minute: a session write on every request
            # would cost a database write per page for a precision nobody needs.
            now = time.time()
            if not request.META.get(PASSIVE_HEADER) and now - float(request.session.get("last_seen", 0)) > 60:
                request.session["last_seen"] = now
            if getattr(user, "must_change_password", False) and not self._exempt(request):
                return redirect("accounts:password-change")
        return self.get_response(request)

    @staticmethod
    def _expired(request: HttpRequest) -> str:
        now = time.time()
        session = request.session
        if not is_verified(request.user):
            return _("Please sign in.")
        if now - float(session.get("auth_at", 0)) > settings.SESSION_ABSOLUTE_TIMEOUT:
            return _("You were signed out: a sign-in lasts at most %(hours)s hours.") % {
                "hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600
            }
        if now - float(session.get("last_seen", 0)) > settings.SESSION_IDLE_TIMEOUT:
            return _("You were signed out after %(minutes)d minutes without activity.") % {
                "minutes": settings.SESSION_IDLE_TIMEOUT // 60
            }
        return ""

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        return request.path in (reverse("accounts:password-change"), reverse("accounts:logout"))
