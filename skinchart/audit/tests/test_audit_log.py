from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from skinchart.accounts.models import User
from skinchart.audit.log import record
from skinchart.audit.models import AuditEvent
from skinchart.clients.models import Client

pytestmark = pytest.mark.django_db


def test_reading_the_log_is_itself_logged(sign_in: Callable[[User], HttpClient], admin_user: User) -> None:
    response = sign_in(admin_user).get("/audit/")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="audit.viewed", actor=admin_user).count() == 1


def test_only_doctors_and_administrators_read_the_log(
    sign_in: Callable[[User], HttpClient], doctor: User, nurse: User, reception: User
) -> None:
    assert sign_in(doctor).get("/audit/").status_code == 200
    assert sign_in(nurse).get("/audit/").status_code == 403
    assert sign_in(reception).get("/audit/").status_code == 403


def test_the_log_filters_by_client(sign_in: Callable[[User], HttpClient], doctor: User, client_record: Client) -> None:
    record(action="client.viewed", actor=doctor, client=client_record)
    record(action="client.viewed", actor=doctor)
    page = sign_in(doctor).get("/audit/", {"client": str(client_record.code)}).context["page"]
    assert [event.client for event in page] == [client_record]


def test_the_log_runs_a_constant_number_of_queries(
    sign_in: Callable[[User], HttpClient], doctor: User, client_record: Client
) -> None:
    http = sign_in(doctor)
    for _ in range(3):
        record(action="client.viewed", actor=doctor, client=client_record)
    with CaptureQueriesContext(connection) as few:
        http.get("/audit/")
    for _ in range(40):
        record(action="client.viewed", actor=doctor, client=client_record)
    with CaptureQueriesContext(connection) as many:
        http.get("/audit/")
    assert len(few) == len(many)
