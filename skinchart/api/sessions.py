"""Treatment sessions: what the gates say now, and starting a session. The same gate
function and the same start action as the treatment-room page (PRODUCT.md §7)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from skinchart.accounts.access import acting_user
from skinchart.accounts.permissions import Capability, user_can
from skinchart.api.auth import requires
from skinchart.api.schemas import ErrorOut, ForbiddenOut, StrictInput
from skinchart.sessions import actions
from skinchart.sessions.access import get_session_for_user
from skinchart.sessions.gates import evaluate_gates
from skinchart.sessions.models import TreatmentSession

router = Router(tags=["sessions"])


class GateOut(Schema):
    gate: str = Field(
        description="plan, age, pre_consultation, screening, reconfirmation, information, "
        "reflection, consent, guide, photo, registration or spacing"
    )
    ok: bool
    label: str
    problems: list[str]


class GatesOut(Schema):
    session: UUID
    status: str
    performer: str = Field(description="whom the gates were evaluated for: you, if you may treat")
    all_hold: bool
    gates: list[GateOut]
    warnings: list[str]


class StartIn(StrictInput):
    spacing_reason: str = Field("", max_length=4000, description="why to go ahead despite spacing warnings")


class SessionOut(Schema):
    session: UUID
    status: str
    started_at: dt.datetime | None
    performer: str
    responsible_doctor: str | None


class BlockedOut(ErrorOut):
    """409: the session cannot start; `gates` lists every gate that fails."""

    gates: list[GateOut] = Field(default_factory=list)


def _session_out(session: TreatmentSession) -> dict[str, Any]:
    return {
        "session": session.code,
        "status": session.status,
        "started_at": session.started_at,
        "performer": str(session.performer),
        "responsible_doctor": str(session.responsible_doctor) if session.responsible_doctor else None,
    }


@router.get(
    "/sessions/{code}/gates",
    auth=requires(Capability.VIEW_CLINICAL),
    response={200: GatesOut, 403: ForbiddenOut, 404: ErrorOut},
)
def session_gates(request: HttpRequest, code: UUID) -> Any:
    """Every gate of the session now, for you when you may treat (else for the booked
    practitioner), each with its problems in your language. Writes nothing but the
    access event."""
    session = get_session_for_user(request, code, action="session.api_gates_viewed")
    user = acting_user(request)
    performer = user if user_can(user, Capability.TREAT) else session.performer
    report = evaluate_gates(session, performer=performer)
    return {
        "session": session.code,
        "status": session.status,
        "performer": str(performer),
        "all_hold": report.all_hold,
        "gates": report.as_json(),
        "warnings": report.warnings,
    }


@router.post(
    "/sessions/{code}/start",
    auth=requires(Capability.TREAT),
    response={200: SessionOut, 403: ForbiddenOut, 404: ErrorOut, 409: BlockedOut, 422: ErrorOut},
)
def start_session(request: HttpRequest, code: UUID, body: StartIn) -> Any:
    """Start the session with you as the performer. 409 with every failing gate when
    one does not hold (nothing is written but the refusal in the audit log)."""
    session = get_session_for_user(request, code, action="session.api_start_submitted")
    try:
        started = actions.start_session(
            actor=acting_user(request), session=session, spacing_reason=body.spacing_reason, request=request
        )
    except actions.SessionBlocked as exc:
        actions.record_refused_start(session=session, refusal=exc, request=request)
        return Status(409, {"detail": str(exc), "gates": [gate.as_json() for gate in exc.gates]})
    except actions.SessionError as exc:
        return Status(409, {"detail": str(exc), "gates": []})
    return _session_out(started)
