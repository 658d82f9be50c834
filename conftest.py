"""Shared test fixtures: personas, a signed-in test client, and helpers."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from skinchart.accounts.models import Role, User
from skinchart.accounts.tests.factories import UserFactory
from skinchart.clients.models import search_key
from skinchart.clients.tests.factories import ClientFactory

PERSONAS = {
    "doctor": [Role.DOCTOR],
    "nurse": [Role.NURSE],
    "cosmetologist": [Role.COSMETOLOGIST],
    "reception": [Role.RECEPTION],
    "admin": [Role.ADMIN],
    "outsider": [],  # an active account with no role
}


@pytest.fixture
def make_persona(db: None) -> Callable[[str], User]:
    def make(name: str) -> User:
        user: User = UserFactory(username=name, roles=PERSONAS[name])
        return user

    return make


@pytest.fixture
def sign_in() -> Callable[[User], HttpClient]:
    """A test client signed in as `user` with both factors, as the login flow leaves it."""

    def sign(user: User) -> HttpClient:
        http = HttpClient()
        http.force_login(user)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        session = http.session
        if device is not None:
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        now = time.time()
        session.update({"auth_at": now, "last_seen": now, "reauth_at": now})
        session.save()
        return http

    return sign


@pytest.fixture
def doctor(make_persona: Callable[[str], User]) -> User:
    return make_persona("doctor")


@pytest.fixture
def nurse(make_persona: Callable[[str], User]) -> User:
    return make_persona("nurse")


@pytest.fixture
def reception(make_persona: Callable[[str], User]) -> User:
    return make_persona("reception")


@pytest.fixture
def admin_user(make_persona: Callable[[str], User]) -> User:
    return make_persona("admin")


@pytest.fixture
def client_record(db: None):  # type: ignore[no-untyped-def]
    client = ClientFactory(first_name="Søren", last_name="Østergaard", cpr="1506851234")
    client.name_key = search_key(client.full_name)
    client.save(update_fields=["name_key"])
    return client


@pytest.fixture
def append_only_guards(db: None) -> None:
    """The journal's and audit log's triggers, for tests that try to break them.
    (Transactional tests remove them before Django's table flush, so a test that
    relies on them asks for them.)"""
    from django.db import connection

    from skinchart.journal.db_guards import install_guards

    install_guards(connection)


@pytest.fixture(autouse=True)
def _no_guards_while_flushing(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Transactional tests end with a flush that deletes every row; the append-only
    triggers would refuse it, so they are removed just before."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        yield
        return
    from django.db import connection

    from skinchart.journal.db_guards import remove_guards

    request.getfixturevalue("_django_db_helper")
    yield
    remove_guards(connection)


@pytest.fixture
def smtp_server(settings):  # type: ignore[no-untyped-def]
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives; Django's
    SMTP backend is pointed at it. Yields the list of received messages."""
    import email
    import email.policy
    import socket

    from aiosmtpd.controller import Controller

    received: list[email.message.EmailMessage] = []

    class Inbox:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 Message accepted"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield received
    finally:
        controller.stop()
