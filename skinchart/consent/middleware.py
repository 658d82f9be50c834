"""Kiosk mode: while a client signs consent on the clinic's tablet, the staff member's
login session shows nothing but the consent page until the staff member unlocks it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

KIOSK = "consent.kiosk"


class KioskMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and request.session.get(KIOSK):
            allowed = {reverse("consent:kiosk"), reverse("consent:kiosk-unlock"), reverse("set_language")}
            if request.path not in allowed and not request.path.startswith("/static/"):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "kiosk", "errors": {}}, status=403)
                return redirect("consent:kiosk")
        return self.get_response(request)
