"""Fetching controlled documents for a user: drafts only for those who write or
approve them; everyone with view_documents sees approved versions."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from django.http import Http404, HttpRequest

from skinchart.accounts.permissions import Capability, user_can
from skinchart.catalogue.models import ControlledVersion, DocumentStatus

V = TypeVar("V", bound=ControlledVersion)


def sees_drafts(user: Any) -> bool:
    return user_can(user, Capability.EDIT_DOCUMENTS) or user_can(user, Capability.APPROVE_DOCUMENTS)


def visible_versions(model: type[V], user: Any) -> Any:
    versions = model.objects.all()
    return versions if sees_drafts(user) else versions.filter(status=DocumentStatus.APPROVED)


def get_version_for_user(request: HttpRequest, model: type[V], code: UUID, *related: str) -> V:
    version = visible_versions(model, request.user).select_related("approved_by", *related).filter(code=code).first()
    if version is None:
        raise Http404
    return version  # type: ignore[no-any-return]
