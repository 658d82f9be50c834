from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from skinchart.clients.access import BreakGlassRequired


class BreakGlassMiddleware:
    """A page that needs a care relation the user lacks sends them to state a reason."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BreakGlassRequired) or request.path.startswith("/api/"):
            return None
        url = reverse("journal:break-glass", kwargs={"code": exception.client.code})
        next_url = request.get_full_path() if request.method == "GET" else exception.client.get_absolute_url()
        return redirect(f"{url}?{urlencode({'next': next_url})}")
