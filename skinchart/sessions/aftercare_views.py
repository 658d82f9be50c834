"""The client's aftercare after a signed session: the printable handout (PDF) and the
calendar file (.ics) with the key dates. Both are clinical documents: fetched through
the session's access check (which writes the access event); the PDF also writes a
print event (REG-29)."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from skinchart.accounts.access import require_capability
from skinchart.accounts.permissions import Capability
from skinchart.audit.log import record
from skinchart.sessions.access import get_session_for_user
from skinchart.sessions.handout import LANGUAGES, handout_filename, handout_ics, handout_pdf
from skinchart.sessions.models import TreatmentSession

clinical = require_capability(Capability.VIEW_CLINICAL)


def _language(request: HttpRequest, session: TreatmentSession) -> str:
    """`?lang=da|en`, else the client's preferred language."""
    wanted = request.GET.get("lang", "")
    if wanted in LANGUAGES:
        return wanted
    preferred = session.client.preferred_language
    return preferred if preferred in LANGUAGES else session.language


def _not_signed() -> HttpResponse:
    response = HttpResponse(
        _("The aftercare can be printed once the session is signed."),
        status=409,
        content_type="text/plain; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response


def _document(content: bytes, *, content_type: str, disposition: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@clinical
@require_GET
def aftercare_pdf(request: HttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request, code, action="session.aftercare_viewed")
    if not session.is_signed:
        return _not_signed()
    language = _language(request, session)
    pdf = handout_pdf(session, language)
    record(
        action="session.aftercare_printed",
        request=request,
        client=session.client,
        target=session,
        language=language,
        format="pdf",
    )
    filename = handout_filename(session, "pdf")
    return _document(pdf, content_type="application/pdf", disposition="inline", filename=filename)


@clinical
@require_GET
def aftercare_ics(request: HttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request, code, action="session.aftercare_calendar_exported")
    if not session.is_signed:
        return _not_signed()
    language = _language(request, session)
    ics = handout_ics(session, language)
    return _document(
        ics,
        content_type="text/calendar; charset=utf-8",
        disposition="attachment",
        filename=handout_filename(session, "ics"),
    )
