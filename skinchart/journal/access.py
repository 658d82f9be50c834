"""Fetching journal entries for a user: through the client's clinical access check."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Q
from django.http import Http404, HttpRequest

from skinchart.accounts.permissions import Capability
from skinchart.clients.access import authorise_client
from skinchart.journal.models import Entry, EntryStatus


def get_entry_for_user(request: HttpRequest, code: UUID, *, action: str = "journal.entry_viewed") -> Entry:
    """A signed entry, or the user's own draft; one access event either way."""
    entry = (
        Entry.objects.select_related("client", "author", "on_behalf_of", "corrects")
        .filter(Q(status=EntryStatus.SIGNED) | Q(author_id=request.user.pk), code=code)
        .first()
    )
    if entry is None:
        raise Http404
    authorise_client(request, entry.client, capability=Capability.VIEW_CLINICAL, action=action, target=entry)
    return entry
