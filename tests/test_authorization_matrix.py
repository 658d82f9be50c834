"""Every URL × every persona (security.md B14, S4; ASVS V8.1–V8.2).

EXPECTED holds one row per URL name: the method used and the status each persona
gets. A URL added to the project without a row here fails
`test_every_url_has_a_row`, so nobody can add a page without deciding who may see it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from skinchart.accounts.models import User
from skinchart.accounts.tests.factories import RegistrationFactory, UserFactory
from skinchart.clients.models import Client
from skinchart.journal.actions import record_entry
from skinchart.journal.models import BreakGlass, CareAssignment, EntryKind

PERSONAS = ["anonymous", "doctor", "nurse", "cosmetologist", "reception", "admin", "outsider"]

# status per persona, in the order of PERSONAS
CLINICAL_STAFF_PAGE = (302, 200, 200, 200, 200, 403, 403)  # doctor, nurse, cosmetologist, reception
CLINICAL_ONLY_PAGE = (302, 200, 200, 200, 403, 403, 403)  # not reception
ADMIN_PAGE = (302, 403, 403, 403, 403, 200, 403)
SIGNED_IN_PAGE = (302, 200, 200, 200, 200, 200, 200)
EVERYONE_REDIRECTED = (302, 302, 302, 302, 302, 302, 302)
PUBLIC = (200, 200, 200, 200, 200, 200, 200)

EXPECTED: dict[str, tuple[str, tuple[int, ...]]] = {
    "system:root": ("get", EVERYONE_REDIRECTED),
    "system:home": ("get", (302, 302, 302, 302, 302, 302, 200)),
    "system:healthz": ("get", PUBLIC),
    "accounts:login": ("get", (200, 302, 302, 302, 302, 302, 302)),
    "accounts:mfa": ("get", EVERYONE_REDIRECTED),
    "accounts:mfa-enrol": ("get", EVERYONE_REDIRECTED),
    "accounts:logout": ("post", EVERYONE_REDIRECTED),
    "accounts:reauth": ("get", SIGNED_IN_PAGE),
    "accounts:account": ("get", SIGNED_IN_PAGE),
    "accounts:password-change": ("get", SIGNED_IN_PAGE),
    "accounts:end-sessions": ("post", EVERYONE_REDIRECTED),
    "accounts:recovery-codes": ("post", SIGNED_IN_PAGE),
    "accounts:staff-list": ("get", ADMIN_PAGE),
    "accounts:staff-create": ("get", ADMIN_PAGE),
    "accounts:staff-detail": ("get", ADMIN_PAGE),
    "accounts:staff-set-active": ("post", (302, 403, 403, 403, 403, 302, 403)),
    "accounts:staff-reset-mfa": ("post", (302, 403, 403, 403, 403, 302, 403)),
    "accounts:staff-reset-password": ("post", ADMIN_PAGE),
    "accounts:registration-add": ("post", (302, 403, 403, 403, 403, 422, 403)),
    "accounts:registration-end": ("post", (302, 403, 403, 403, 403, 302, 403)),
    "clients:list": ("get", CLINICAL_STAFF_PAGE),
    "clients:create": ("get", CLINICAL_STAFF_PAGE),
    "clients:detail": ("get", CLINICAL_STAFF_PAGE),
    "clients:edit": ("get", CLINICAL_STAFF_PAGE),
    "clients:reveal-cpr": ("post", (302, 200, 200, 403, 200, 403, 403)),
    "clients:clinical": ("get", CLINICAL_ONLY_PAGE),
    "journal:timeline": ("get", CLINICAL_ONLY_PAGE),
    "journal:note-create": ("get", CLINICAL_ONLY_PAGE),
    "journal:break-glass": ("get", CLINICAL_ONLY_PAGE),
    "journal:entry": ("get", CLINICAL_ONLY_PAGE),
    "journal:entry-edit": ("get", (302, 302, 302, 302, 403, 403, 403)),  # signed: to the correction form
    "journal:entry-sign": ("post", (302, 302, 302, 302, 403, 403, 403)),
    "journal:entry-correct": ("get", CLINICAL_ONLY_PAGE),
    "journal:break-glass-review": ("get", (302, 200, 403, 403, 403, 403, 403)),
    "journal:break-glass-reviewed": ("post", (302, 302, 403, 403, 403, 403, 403)),
    "set_language": ("post", EVERYONE_REDIRECTED),
    "audit:log": ("get", (302, 200, 403, 403, 403, 200, 403)),
    "api:openapi-json": ("get", PUBLIC),
    "api:api-root": ("get", (404, 404, 404, 404, 404, 404, 404)),
    "api:search_clients": ("get", (401, 200, 200, 200, 200, 403, 403)),
    "api:create_client": ("post", (401, 422, 422, 422, 422, 403, 403)),
    "api:get_client": ("get", (401, 200, 200, 200, 200, 403, 403)),
    "api:journal_timeline": ("get", (401, 200, 200, 200, 403, 403, 403)),
    "api:create_note": ("post", (401, 422, 422, 422, 403, 403, 403)),  # no body: 422 once authorised
}


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield ":".join(filter(None, [namespace, pattern.name or ""])), "/" + prefix + str(pattern.pattern)


def all_routes() -> dict[str, str]:
    return dict(_walk(get_resolver().url_patterns))


def test_every_url_has_a_row() -> None:
    assert set(all_routes()) == set(EXPECTED)


@pytest.fixture
def objects(db: None) -> dict[str, str]:
    """One object of each kind a URL can name, owned by nobody in particular."""
    member = UserFactory(roles=["nurse"])
    registration = RegistrationFactory()
    client = Client.objects.create(
        first_name="Ida", last_name="Holm", date_of_birth="1990-01-01", cpr="0101901234", name_key="ida holm"
    )
    entry = record_entry(actor=member, client=client, kind=EntryKind.CLINICAL_NOTE, text="Seen.")
    access = BreakGlass.objects.create(
        client=client, user=member, reason="Client called with a question", expires_at=timezone.now()
    )
    return {
        "client": str(client.code),
        "staff": str(member.code),
        "registration": str(registration.code),
        "entry": str(entry.code),
        "breakglass": str(access.code),
    }


# Which kind of object a URL's code names; everything else names a client.
CODE_KIND = {
    "accounts:registration-end": "registration",
    "accounts:registration-add": "staff",
    "journal:entry": "entry",
    "journal:entry-edit": "entry",
    "journal:entry-sign": "entry",
    "journal:entry-correct": "entry",
    "journal:break-glass-reviewed": "breakglass",
}


def concrete_path(name: str, pattern: str, objects: dict[str, str]) -> str:
    kind = CODE_KIND.get(name, "staff" if name.startswith("accounts:staff") else "client")
    return pattern.replace("<uuid:code>", objects[kind]).replace("<code>", objects[kind])


@pytest.fixture
def http_as(
    make_persona: Callable[[str], User], sign_in: Callable[[User], HttpClient], objects: dict[str, str]
) -> Callable[[str], HttpClient]:
    """Each persona with a care relation to the client: the matrix tests roles; the
    care relation and break-glass are tested in skinchart/journal/tests."""

    def http(persona: str) -> HttpClient:
        if persona == "anonymous":
            return HttpClient()
        user = make_persona(persona)
        client = Client.objects.get(code=objects["client"])
        CareAssignment.objects.create(client=client, practitioner=user, assigned_by=user)
        return sign_in(user)

    return http


@pytest.mark.parametrize("persona_index", range(len(PERSONAS)), ids=PERSONAS)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_status_for_each_persona(
    name: str, persona_index: int, objects: dict[str, str], http_as: Callable[[str], HttpClient]
) -> None:
    method, statuses = EXPECTED[name]
    path = concrete_path(name, all_routes()[name], objects)
    http = http_as(PERSONAS[persona_index])
    response = getattr(http, method)(path, **({"content_type": "application/json"} if name.startswith("api:") else {}))
    assert response.status_code == statuses[persona_index], (name, PERSONAS[persona_index])
