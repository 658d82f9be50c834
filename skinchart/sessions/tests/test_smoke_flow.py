from __future__ import annotations

import pytest

from skinchart.accounts.models import User
from skinchart.clients.models import Client
from skinchart.sessions import actions
from skinchart.sessions.gates import evaluate_gates
from skinchart.sessions.models import SessionStatus
from skinchart.sessions.tests.setup import complete_checklist, ready_session


@pytest.mark.django_db
def test_a_ready_session_starts_and_signs(doctor: User, nurse: User, client_record: Client) -> None:
    ready = ready_session(doctor=doctor, nurse=nurse, client=client_record)
    report = evaluate_gates(ready.session, performer=nurse)
    assert [g.as_json() for g in report.failing] == []
    session = actions.start_session(actor=nurse, session=ready.session)
    complete_checklist(ready)
    session = actions.sign_session(actor=nurse, session=session)
    assert session.status == SessionStatus.SIGNED
    assert session.responsible_doctor == doctor
