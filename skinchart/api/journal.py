"""The journal endpoints: a client's timeline and writing a clinical note. Both go
through `get_client_for_user` (capability, care relation, one access event) like the
HTML pages, and notes are written only by `record_entry`, authored by the caller."""

from __future__ import annotations

import math
from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from skinchart.accounts.access import acting_user
from skinchart.accounts.models import User
from skinchart.accounts.permissions import Capability
from skinchart.api.auth import requires
from skinchart.api.clients import InvalidInput
from skinchart.api.schemas import EntryOut, ErrorOut, ForbiddenOut, JournalFilters, JournalPageOut, NoteIn
from skinchart.clients.access import get_client_for_user
from skinchart.journal import actions
from skinchart.journal.models import Entry, EntryKind

router = Router(tags=["journal"])


@router.get(
    "/clients/{code}/journal",
    auth=requires(Capability.VIEW_CLINICAL),
    response={200: JournalPageOut, 403: ForbiddenOut, 404: ErrorOut, 422: ErrorOut},
)
def journal_timeline(request: HttpRequest, code: UUID, filters: Query[JournalFilters]) -> dict[str, Any]:
    """Signed entries and the caller's own drafts, newest first (by the time of the
    event), a page at a time. `from` and `to` are days in the clinic's time zone, both
    included."""
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise InvalidInput({"to": [_("The end date is before the start date.")]})
    client = get_client_for_user(request, code, capability=Capability.VIEW_CLINICAL, action="journal.viewed")
    entries = (
        Entry.objects.filter(client=client)
        .visible_to(request.user)
        .filtered(kind=filters.kind or "", date_from=filters.date_from, date_to=filters.date_to)
    )
    size = settings.JOURNAL_PAGE_SIZE
    count = entries.count()
    pages = max(1, math.ceil(count / size))
    items: list[Entry] = []
    if filters.page <= pages:  # past the last page: an empty page, and no huge OFFSET
        offset = (filters.page - 1) * size
        items = list(entries.for_timeline()[offset : offset + size])
    return {"count": count, "page": filters.page, "pages": pages, "items": items}


@router.post(
    "/clients/{code}/notes",
    auth=requires(Capability.VIEW_CLINICAL),
    response={201: EntryOut, 403: ForbiddenOut, 404: ErrorOut, 422: ErrorOut},
)
def create_note(request: HttpRequest, code: UUID, payload: NoteIn) -> Status[Entry]:
    """Write a clinical note, signed unless `sign` is false (a draft only its author
    sees). The author is always the caller."""
    client = get_client_for_user(request, code, capability=Capability.VIEW_CLINICAL, action="journal.note_submitted")
    on_behalf_of = None
    if payload.on_behalf_of is not None:
        on_behalf_of = User.objects.filter(code=payload.on_behalf_of).first()
        if on_behalf_of is None:
            raise InvalidInput({"on_behalf_of": [_("No staff member has this code.")]})
    entry = actions.record_entry(
        actor=acting_user(request),
        client=client,
        kind=EntryKind.CLINICAL_NOTE,
        text=payload.text,
        occurred_at=payload.occurred_at,
        on_behalf_of=on_behalf_of,
        sign=payload.sign,
        request=request,
    )
    return Status(201, entry)
