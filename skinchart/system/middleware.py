from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class PrivateResponseMiddleware:
    """Pages and API answers may carry client data: no cache may keep them (V14.3.2).
    Static files are served by WhiteNoise before this runs and stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store, private"
        response.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        return response
