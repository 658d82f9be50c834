"""Treatment-room pages (being written)."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse


def open_from_appointment(request: HttpRequest, code: UUID) -> HttpResponse:
    raise NotImplementedError


def detail(request: HttpRequest, code: UUID) -> HttpResponse:
    raise NotImplementedError


def reconfirm(request: HttpRequest, code: UUID) -> HttpResponse:
    raise NotImplementedError


def photo(request: HttpRequest, code: UUID) -> HttpResponse:
    raise NotImplementedError


def guide_override(request: HttpRequest, code: UUID) -> HttpResponse:
    raise NotImplementedError


def start(request: HttpRequest, code: UUID) -> HttpResponse:
    raise NotImplementedError


def checklist(request: HttpRequest, code: UUID) -> HttpResponse:
    raise NotImplementedError


def add_product(request: HttpRequest, code: UUID) -> HttpResponse:
    raise NotImplementedError


def sign(request: HttpRequest, code: UUID) -> HttpResponse:
    raise NotImplementedError


def stop(request: HttpRequest, code: UUID) -> HttpResponse:
    raise NotImplementedError


def remove_product(request: HttpRequest, code: UUID, use: UUID) -> HttpResponse:
    raise NotImplementedError
