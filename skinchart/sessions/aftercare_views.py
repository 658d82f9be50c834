"""The client's aftercare after a signed session: the printable handout (PDF) and the
calendar file (.ics) with the key dates. Both are clinical documents: fetched through
the session's access check (which writes the access event); the PDF also writes a
print event (REG-29)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from skinchart.accounts.access import require_capability
from skinchart.accounts.permissions import Capability
from skinchart.audit.log import record
from skinchart.sessions.access import get_session_for_user
from skinchart.sessions.handout import LANGUAGES, handout_filename, handout_ics, handout_pdf
from skinchart.sessions.models import TreatmentSession

clinical = require_capability(Capability.VIEW_CLINICAL)


@dataclass(frozen=True)
class Document:
    access_action: str
    render: Callable[[TreatmentSession, str], bytes]
    content_type: str
    extension: str
    as_attachment: bool
    printed: bool  # the PDF is a print (REG-29); the calendar file only an access


PDF = Document("session.aftercare_viewed", handout_pdf, "application/pdf", "pdf", as_attachment=False, printed=True)
ICS = Document(
    "session.aftercare_calendar_exported",
    handout_ics,
    "text/calendar; charset=utf-8",
    "ics",
    as_attachment=True,
    printed=False,
)


def _aftercare(request: HttpRequest, code: UUID, document: Document) -> HttpResponse:
    session = get_session_for_user(request, code, action=document.access_action)
    if not session.is_signed:
        return HttpResponse(
            _("The aftercare can be printed once the session is signed."),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    # `?lang=da|en`, else the client's preferred language now, else the one at signing.
    language = request.GET.get("lang", "")
    if language not in LANGUAGES:
        preferred = session.client.preferred_language
        language = preferred if preferred in LANGUAGES else session.language
    content = document.render(session, language)
    if document.printed:
        record(
            action="session.aftercare_printed",
            request=request,
            client=session.client,
            target=session,
            language=language,
            format=document.extension,
        )
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(document.as_attachment, handout_filename(session, document.extension)) or ""
    )
    response["Cache-Control"] = "no-store"
    return response


@clinical
@require_GET
def aftercare_pdf(request: HttpRequest, code: UUID) -> HttpResponse:
    return _aftercare(request, code, PDF)


@clinical
@require_GET
def aftercare_ics(request: HttpRequest, code: UUID) -> HttpResponse:
    return _aftercare(request, code, ICS)
