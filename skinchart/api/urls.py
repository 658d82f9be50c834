"""The JSON API, version 1 (django-ninja; OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from skinchart.api.auth import BearerToken, VerifiedSession
from skinchart.api.catalogue import router as catalogue_router
from skinchart.api.clients import InvalidInput
from skinchart.api.clients import router as clients_router
from skinchart.api.consent import router as consent_router
from skinchart.api.journal import router as journal_router
from skinchart.api.photos import router as photos_router
from skinchart.api.products import router as products_router
from skinchart.api.screening import router as screening_router
from skinchart.api.sessions import router as sessions_router
from skinchart.clients.access import BreakGlassRequired
from skinchart.clients.actions import DuplicateCprError
from skinchart.journal.actions import JournalError


class SkinchartAPI(NinjaAPI):
    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_method_not_allowed(pattern.callback)
        return patterns


def _json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja answers a method the path does not offer with a text/html 405, outside
    the exception handlers; every API answer is JSON, so this one is made JSON too."""

    @functools.wraps(view)  # keeps Ninja's csrf_exempt marker
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith("application/json"):
            return response
        answer = _error(request, 405, _("This method is not allowed here."))
        answer["Allow"] = response["Allow"]
        return answer

    return wrapper


api = SkinchartAPI(
    title="Skinchart API",
    version="1",
    urls_namespace="api",
    auth=[BearerToken(), VerifiedSession()],
    docs_url=None,
)
api.add_router("", clients_router)
api.add_router("", journal_router)
api.add_router("", catalogue_router)
api.add_router("", screening_router)
api.add_router("", photos_router)
api.add_router("", consent_router)
api.add_router("", sessions_router)
api.add_router("", products_router)


def _error(request: HttpRequest, status: int, detail: str, errors: dict[str, list[str]] | None = None) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


@api.exception_handler(InvalidInput)
def on_invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return _error(request, 422, _("The data is not valid."), exc.errors)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        location = ".".join(str(part) for part in item.get("loc", ()) if part not in ("body", "payload", "query"))
        errors.setdefault(location or "request", []).append(str(item.get("msg", "")))
    return _error(request, 422, _("The data is not valid."), errors)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, _("Sign in, or send a valid API token as 'Authorization: Bearer …'."))


@api.exception_handler(BreakGlassRequired)
def on_break_glass_required(request: HttpRequest, exc: BreakGlassRequired) -> HttpResponse:
    # Ninja picks the handler of the nearest class in the exception's MRO, so this one
    # wins over the PermissionDenied handler below for this subclass.
    body = {
        "detail": _(
            "You have no care relation to this client. To open the record anyway, "
            "state a reason (break-glass) in Skinchart and try again."
        ),
        "errors": {},
        "break_glass_required": True,
        "break_glass_url": reverse("journal:break-glass", kwargs={"code": exc.client.code}),
    }
    return api.create_response(request, body, status=403)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, _("You do not have access to this."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, _("Not found."))


@api.exception_handler(DuplicateCprError)
def on_duplicate_cpr(request: HttpRequest, exc: DuplicateCprError) -> HttpResponse:
    return _error(request, 409, str(exc), {"cpr": [str(exc)]})


@api.exception_handler(JournalError)
def on_journal_error(request: HttpRequest, exc: JournalError) -> HttpResponse:
    return _error(request, 422, str(exc), {"request": [str(exc)]})


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        # Ninja answers a body that is not JSON (or not UTF-8) with an undocumented
        # 400; the API's contract for unusable input is 422 with errors.
        return _error(request, 422, _("The data is not valid."), {"request": [_("The body is not valid JSON.")]})
    return _error(request, exc.status_code, str(exc))
