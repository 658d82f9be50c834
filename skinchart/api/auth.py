"""API authentication: a personal bearer token, or the browser's login session
(both factors done) with its CSRF token."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from skinchart.accounts.access import is_verified
from skinchart.accounts.actions import user_for_api_token
from skinchart.accounts.permissions import Capability, user_can
from skinchart.audit.log import record
from skinchart.audit.models import Outcome

MAX_TOKEN_LENGTH = 200


class BearerToken(HttpBearer):
    def __init__(self, capability: Capability | None = None) -> None:
        super().__init__()
        self.capability = capability

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
        return _with_capability(request, user, self.capability)


class VerifiedSession(SessionAuth):
    def __init__(self, capability: Capability | None = None) -> None:
        super().__init__(csrf=True)
        self.capability = capability

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a signed-in session there is nothing for CSRF to protect: answer
        # 401 (e.g. a revoked token on a POST), not "CSRF check failed".
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if is_verified(user):
            request.audit_via = "api"  # type: ignore[attr-defined]
            return _with_capability(request, user, self.capability)
        return None


def _with_capability(request: HttpRequest, user: Any, capability: Capability | None) -> Any:
    """Authorisation runs with authentication, before the body is even parsed, so a
    caller without the capability learns nothing from validation messages. A refusal
    is logged like any other (V16.3.2)."""
    if user is not None and capability is not None and not user_can(user, capability):
        record(action="api.denied", actor=user, request=request, outcome=Outcome.DENIED, capability=str(capability))
        raise PermissionDenied
    return user


def requires(capability: Capability) -> list[Any]:
    """The `auth=` of an operation that needs `capability`."""
    return [BearerToken(capability), VerifiedSession(capability)]
