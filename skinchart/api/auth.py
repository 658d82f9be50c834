"""API authentication: a personal bearer token, or the browser's login session
(both factors done) with its CSRF token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from skinchart.accounts.actions import user_for_api_token

MAX_TOKEN_LENGTH = 200


class BearerToken(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        # Ninja's own __call__ logs a malformed header in DEBUG; a token must never
        # reach a log, so the header is parsed here.
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if len(token) > MAX_TOKEN_LENGTH or "\x00" in token:
            return None
        request.audit_via = "api"  # type: ignore[attr-defined]
        user = user_for_api_token(plain=token, request=request)
        if user is not None:
            request.user = user
        return user


class VerifiedSession(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if user.is_authenticated and user.is_verified():  # type: ignore[union-attr]
            request.audit_via = "api"  # type: ignore[attr-defined]
            return user
        return None
