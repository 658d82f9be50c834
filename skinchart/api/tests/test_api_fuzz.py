"""Fuzz every API operation from the API's own OpenAPI document (schemathesis, in
process against the WSGI app): valid and invalid input, NUL characters and odd
Unicode included. No input may produce a server error or a non-JSON answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import Case, HookContext
from schemathesis.checks import not_a_server_error

from skinchart.accounts.actions import issue_api_token
from skinchart.accounts.models import User
from skinchart.clients.models import Client
from skinchart.wsgi import application

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _keep_the_test_connection_open() -> Iterator[None]:
    """The WSGI handler sends request_started/finished, whose close_old_connections
    would close the test's connection mid-transaction (on PostgreSQL; CONN_MAX_AGE=0).
    Django's own test client switches it off the same way around each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(doctor: User, client_record: Client) -> str:
    """A doctor's token (may search, fetch and register), with one client to find."""
    _, plain = issue_api_token(actor=None, user=doctor)
    return plain


# Loaded at import: fetching the document needs no database. (The lazy
# schemathesis.pytest.from_fixture does not work with pytest 9.2: it sets the
# private Node._nodeid, which pytest no longer has.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# Hypothesis seldom puts a NUL inside a field by itself (none in ~300 cases), so half
# the generated queries and bodies get NUL or unusual Unicode spliced into one value.
ODD_TEXT = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "\x00" * 3,
        "\u200b",  # zero-width space
        "\ufeff",  # byte order mark
        "\u202e",  # right-to-left override
        "e\u0301",  # combining accent
        "İß",  # case folding changes the length
        "𝔄𝔫𝔫𝔢",
        "👩\u200d⚕️",
        "\U0010fffd",
        "\x1b[31m",
        "%00",
        "ø" * 120,
    ]
)


def _spiked(value: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    spiked = st.tuples(st.sampled_from(sorted(value)), ODD_TEXT).map(lambda pair: {**value, pair[0]: f"Ida{pair[1]}"})
    return st.one_of(st.just(value), spiked)


@schema.hook("flatmap_query")
def spike_the_query(context: HookContext, query: Any) -> st.SearchStrategy[Any]:
    return _spiked(query) if isinstance(query, dict) and query else st.just(query)


@schema.hook("flatmap_body")
def spike_the_body(context: HookContext, body: Any) -> st.SearchStrategy[Any]:
    return _spiked(body) if isinstance(body, dict) and body else st.just(body)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@schema.parametrize()
def test_it_answers_any_input_without_a_server_error_and_in_json(case: Case, token: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {token}"})

    case.validate_response(response, checks=[not_a_server_error])
    assert response.status_code < 500
    assert response.headers["content-type"][0].startswith("application/json")


def test_it_fuzzes_every_operation_in_the_openapi_document() -> None:
    operations = {operation.ok().label for operation in schema.get_all_operations()}

    assert operations == {
        "GET /api/v1/clients",
        "POST /api/v1/clients",
        "GET /api/v1/clients/{code}",
        "GET /api/v1/clients/{code}/journal",
        "POST /api/v1/clients/{code}/notes",
        "GET /api/v1/treatments",
        "GET /api/v1/treatments/{code}",
        "GET /api/v1/guides/{code}/versions",
        "POST /api/v1/screening/evaluate",
        "POST /api/v1/clients/{code}/photos",
        "GET /api/v1/clients/{code}/photos",
        "GET /api/v1/photos/{code}/image",
        "GET /api/v1/clients/{code}/consents",
        "GET /api/v1/sessions/{code}/gates",
        "POST /api/v1/sessions/{code}/start",
        "GET /api/v1/batches/{lot}/sessions",
    }
