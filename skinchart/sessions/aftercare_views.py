"""The client's aftercare after a signed session: the printable handout (PDF) and the
calendar file (.ics) with the key dates."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse


def aftercare_pdf(request: HttpRequest, code: UUID) -> HttpResponse:
    raise NotImplementedError


def aftercare_ics(request: HttpRequest, code: UUID) -> HttpResponse:
    raise NotImplementedError
