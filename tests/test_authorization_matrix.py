"""Every URL × every persona (security.md B14, S4; ASVS V8.1–V8.2).

EXPECTED holds one row per URL name: the method used and the status each persona
gets. A URL added to the project without a row here fails
`test_every_url_has_a_row`, so nobody can add a page without deciding who may see it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image

from skinchart.accounts.models import User
from skinchart.accounts.tests.factories import RegistrationFactory, UserFactory
from skinchart.catalogue.models import DefinitionVersion
from skinchart.catalogue.tests.shipped import NO_TO_EVERY_QUESTION, approve_shipped_catalogue
from skinchart.clients.models import Client
from skinchart.consent.actions import give_photo_consent
from skinchart.consultations.actions import make_plan, record_consultation
from skinchart.guides.actions import save_guide_draft
from skinchart.guides.models import GuideLink, GuideVersion
from skinchart.journal.actions import record_entry
from skinchart.journal.models import BreakGlass, CareAssignment, EntryKind
from skinchart.photos.actions import ingest_photo
from skinchart.scheduling.actions import book_appointment
from skinchart.scheduling.models import Room
from skinchart.sessions.actions import open_session, sign_session, start_session
from skinchart.sessions.tests.setup import book_today, complete_checklist, ready_session

PERSONAS = ["anonymous", "doctor", "nurse", "cosmetologist", "reception", "admin", "outsider"]

# status per persona, in the order of PERSONAS
CLINICAL_STAFF_PAGE = (302, 200, 200, 200, 200, 403, 403)  # doctor, nurse, cosmetologist, reception
CLINICAL_ONLY_PAGE = (302, 200, 200, 200, 403, 403, 403)  # not reception
ADMIN_PAGE = (302, 403, 403, 403, 403, 200, 403)
SIGNED_IN_PAGE = (302, 200, 200, 200, 200, 200, 200)
EVERYONE_REDIRECTED = (302, 302, 302, 302, 302, 302, 302)
PUBLIC = (200, 200, 200, 200, 200, 200, 200)
DOCUMENT_PAGE = (302, 200, 200, 200, 200, 200, 403)  # every staff role
DOCTOR_ONLY_PAGE = (302, 200, 403, 403, 403, 403, 403)
PRODUCTS_PAGE = (302, 200, 200, 403, 403, 200, 403)  # doctor, nurse, admin
TREATING_ACTION = (302, 302, 302, 302, 403, 403, 403)  # doctor, nurse, cosmetologist
TREATING_FORM_ERROR = (302, 422, 422, 422, 403, 403, 403)
TREATING_REFUSED = (302, 409, 409, 409, 403, 403, 403)

EXPECTED: dict[str, tuple[str, tuple[int, ...]]] = {
    "system:root": ("get", EVERYONE_REDIRECTED),
    "system:home": ("get", SIGNED_IN_PAGE),
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
    "api:list_treatments": ("get", (401, 200, 200, 200, 200, 200, 403)),
    "api:get_treatment": ("get", (401, 200, 200, 200, 200, 200, 403)),
    "api:list_guide_versions": ("get", (401, 200, 200, 200, 200, 200, 403)),
    "catalogue:list": ("get", DOCUMENT_PAGE),
    "catalogue:treatment": ("get", DOCUMENT_PAGE),
    "catalogue:version": ("get", DOCUMENT_PAGE),
    "catalogue:approve": ("get", DOCTOR_ONLY_PAGE),
    "catalogue:diff": ("get", DOCUMENT_PAGE),
    "guides:detail": ("get", DOCUMENT_PAGE),
    "guides:edit": ("get", (302, 200, 403, 403, 403, 200, 403)),
    "guides:version": ("get", DOCUMENT_PAGE),
    "guides:version-pdf": ("get", DOCUMENT_PAGE),
    "guides:approve": ("get", DOCTOR_ONLY_PAGE),
    "guides:diff": ("get", DOCUMENT_PAGE),
    "guides:link-revoke": ("post", (302, 302, 302, 403, 403, 403, 403)),
    "guides:client-information": ("get", CLINICAL_ONLY_PAGE),
    "guides:public": ("get", PUBLIC),  # the link's token is the key; no login
    "guides:public-pdf": ("get", PUBLIC),
    "api:evaluate_screening": ("post", (401, 422, 422, 422, 403, 403, 403)),  # no body: 422 once authorised
    "consultations:client": ("get", CLINICAL_ONLY_PAGE),
    "consultations:create": ("get", (302, 200, 200, 403, 403, 403, 403)),
    "consultations:detail": ("get", CLINICAL_ONLY_PAGE),
    "consultations:discussed": ("post", (302, 302, 302, 403, 403, 403, 403)),
    "consultations:oral-information": ("post", (302, 302, 302, 403, 403, 403, 403)),
    "consultations:assessments": ("get", DOCTOR_ONLY_PAGE),
    "consultations:assess": ("get", DOCTOR_ONLY_PAGE),
    "consultations:plan-create": ("get", (302, 200, 200, 403, 403, 403, 403)),
    "consultations:plan": ("get", CLINICAL_ONLY_PAGE),
    "scheduling:day": ("get", CLINICAL_STAFF_PAGE),
    "scheduling:book": ("get", CLINICAL_STAFF_PAGE),  # no ?plan: a pre-consultation, which reception books
    "scheduling:cancel": ("post", (302, 302, 302, 302, 302, 403, 403)),
    "api:list_consents": ("get", (401, 200, 200, 200, 403, 403, 403)),
    "consent:plan": ("get", CLINICAL_ONLY_PAGE),
    "consent:oral": ("post", (302, 302, 302, 403, 403, 403, 403)),  # refused: no information yet
    "consent:kiosk-start": ("post", (302, 302, 302, 403, 403, 403, 403)),
    "consent:kiosk": ("get", (302, 302, 302, 302, 403, 403, 403)),  # no kiosk open: to the overview
    "consent:kiosk-unlock": ("get", (302, 302, 302, 302, 403, 403, 403)),
    "consent:detail": ("get", CLINICAL_ONLY_PAGE),
    "consent:pdf": ("get", (302, 404, 404, 404, 403, 403, 403)),  # an oral consent has no PDF
    "consent:withdraw": ("post", (302, 302, 302, 302, 403, 403, 403)),
    "consent:client": ("get", CLINICAL_ONLY_PAGE),
    "consent:photo": ("post", (302, 302, 302, 403, 403, 403, 403)),
    "photos:client": ("get", CLINICAL_ONLY_PAGE),
    "photos:upload": ("get", CLINICAL_ONLY_PAGE),
    "photos:image": ("get", CLINICAL_ONLY_PAGE),
    "photos:capture": ("get", CLINICAL_ONLY_PAGE),
    "photos:compare": ("get", CLINICAL_ONLY_PAGE),  # without ?a=&b=: a message to choose two
    "api:create_photo": ("post", (401, 422, 422, 422, 403, 403, 403)),  # no body: 422 once authorised
    "api:list_photos": ("get", (401, 200, 200, 200, 403, 403, 403)),
    "api:photo_image": ("get", (401, 200, 200, 200, 403, 403, 403)),
    # Treatment sessions: a session being prepared (nobody here is registered, so a start
    # is refused with the gates), and a signed one for the aftercare and product lines.
    "treatment_sessions:open": ("post", TREATING_ACTION),
    "treatment_sessions:detail": ("get", CLINICAL_ONLY_PAGE),
    "treatment_sessions:reconfirm": ("post", TREATING_FORM_ERROR),
    "treatment_sessions:photo": ("post", TREATING_FORM_ERROR),
    "treatment_sessions:guide_override": ("post", (302, 422, 403, 403, 403, 403, 403)),
    "treatment_sessions:start": ("post", TREATING_REFUSED),
    "treatment_sessions:checklist": ("post", TREATING_REFUSED),  # not started
    "treatment_sessions:add_product": ("post", TREATING_REFUSED),
    "treatment_sessions:remove_product": ("post", TREATING_REFUSED),  # the session is signed
    "treatment_sessions:sign": ("post", TREATING_REFUSED),
    "treatment_sessions:stop": ("post", TREATING_FORM_ERROR),  # no reason given
    "treatment_sessions:aftercare_pdf": ("get", CLINICAL_ONLY_PAGE),
    "treatment_sessions:aftercare_ics": ("get", CLINICAL_ONLY_PAGE),
    "api:session_gates": ("get", (401, 200, 200, 200, 403, 403, 403)),
    "api:start_session": ("post", (401, 409, 409, 409, 403, 403, 403)),  # refused: nobody is registered
    "products:list": ("get", PRODUCTS_PAGE),
    "products:detail": ("get", PRODUCTS_PAGE),
    "products:edit": ("get", PRODUCTS_PAGE),
    "products:batch-edit": ("get", PRODUCTS_PAGE),
    "products:recall": ("get", (302, 200, 200, 403, 403, 403, 403)),  # without ?lot=: the search form
    "products:recall-csv": ("get", (302, 302, 302, 403, 403, 403, 403)),  # without ?lot=: to the search form
    "api:list_batch_sessions": ("get", (401, 200, 200, 403, 403, 403, 403)),
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
    approver = UserFactory(roles=["doctor"])
    registration = RegistrationFactory()
    client = Client.objects.create(
        first_name="Ida", last_name="Holm", date_of_birth="1990-01-01", cpr="0101901234", name_key="ida holm"
    )
    entry = record_entry(actor=member, client=client, kind=EntryKind.CLINICAL_NOTE, text="Seen.")
    access = BreakGlass.objects.create(
        client=client, user=member, reason="Client called with a question", expires_at=timezone.now()
    )
    documents = _load_catalogue(approver)
    client.refresh_from_db()  # the birth date as a date, as the workflow reads it
    workflow = _consultation_and_plan(approver, client, registration.site)
    token = "matrix-link-token"
    link = GuideLink.objects.create(
        guide_version_id=documents["guide_version_pk"],
        client=client,
        digest=GuideLink.digest_of(token),
        created_by=member,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return {
        "client": str(client.code),
        "staff": str(member.code),
        "registration": str(registration.code),
        "entry": str(entry.code),
        "breakglass": str(access.code),
        "treatment": "mesotherapy",
        "link": str(link.code),
        "token": token,
        **{key: value for key, value in documents.items() if key != "guide_version_pk"},
        **workflow,
        **_sessions(approver, member, client),
    }


def _sessions(doctor: User, nurse: User, client: Client) -> dict[str, str]:
    """A signed session (with a product line) and the plan's next session, opened today."""
    ready = ready_session(doctor=doctor, nurse=nurse, client=client)
    start_session(actor=nurse, session=ready.session)
    complete_checklist(ready)
    signed = sign_session(actor=nurse, session=ready.session)
    appointment = book_today(ready.plan, nurse, ready.site, number=2)
    session = open_session(actor=nurse, appointment=appointment)
    return {
        "product": str(ready.batch.product.code),
        "batch": str(ready.batch.code),
        "signed_session": str(signed.code),
        "use": str(signed.product_uses.get().code),
        "session": str(session.code),
        "session_appointment": str(appointment.code),
    }


def _consultation_and_plan(doctor: User, client: Client, site: Any) -> dict[str, str]:
    """A consultation waiting for a doctor (keloid), one with a plan, and an appointment."""
    version = DefinitionVersion.objects.get(number=1)
    answers = NO_TO_EVERY_QUESTION
    waiting = record_consultation(
        actor=doctor,
        client=client,
        definition_version=version,
        methods=["microneedling"],
        answers=answers | {"keloid_tendency": True},
        skin_assessment="Rolig hud.",
        wishes="Glød.",
    )
    planned = record_consultation(
        actor=doctor,
        client=client,
        definition_version=version,
        methods=["microneedling"],
        answers=answers,
        skin_assessment="Rolig hud.",
        wishes="Glød.",
    )
    plan = make_plan(
        actor=doctor,
        consultation=planned,
        areas=[{"area": "Kinder", "method": "microneedling"}],
        sessions=3,
        interval_min_days=14,
        interval_max_days=21,
        maintenance_min_days=None,
        maintenance_max_days=None,
        mild_peel=False,
        numbing_cream=False,
        first_session_on=timezone.localdate() + dt.timedelta(days=1),
    )
    room = Room.objects.create(site=site, name="Room 1")
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=7), dt.time(10)))
    appointment = book_appointment(
        actor=doctor,
        client=client,
        site=site,
        practitioner=doctor,
        room=room,
        start=start,
        end=start + dt.timedelta(minutes=45),
        kind="pre_consultation",
    )
    consent = give_photo_consent(actor=doctor, client=client, discussed="Før/efter-fotos på hjemmesiden.")
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 48), "tan").save(jpeg, "JPEG")
    photo = ingest_photo(
        actor=doctor,
        client=client,
        upload=SimpleUploadedFile("kinder.jpg", jpeg.getvalue()),
        area="Kinder",
        angle="front",
        context="consultation",
    )
    return {
        "consultation": str(waiting.code),
        "plan": str(plan.code),
        "appointment": str(appointment.code),
        "consent": str(consent.code),
        "photo": str(photo.code),
    }


def _load_catalogue(approver: User) -> dict[str, Any]:
    """The shipped catalogue with version 1 of both documents approved and a draft 2 of each."""
    today = timezone.localdate()
    definition_v1 = approve_shipped_catalogue(approver, review_by=today + dt.timedelta(days=700))
    guide_v1 = GuideVersion.objects.get(number=1)
    guide_draft = save_guide_draft(
        actor=approver, guide=guide_v1.guide, title=guide_v1.title, sections=guide_v1.sections, revised_on=today
    )
    definition_draft = DefinitionVersion.objects.create(
        treatment=definition_v1.treatment,
        number=2,
        revised_on=today,
        content=definition_v1.content,
        content_hash="0" * 64,
    )
    return {
        "definition": str(definition_v1.code),
        "definition_draft": str(definition_draft.code),
        "guide": str(guide_v1.guide.code),
        "guide_version": str(guide_v1.code),
        "guide_version_pk": guide_v1.pk,
        "guide_draft": str(guide_draft.code),
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
    "api:list_guide_versions": "guide",
    "catalogue:version": "definition",
    "catalogue:approve": "definition_draft",
    "catalogue:diff": "definition",
    "guides:detail": "guide",
    "guides:edit": "guide",
    "guides:version": "guide_version",
    "guides:version-pdf": "guide_version",
    "guides:approve": "guide_draft",
    "guides:diff": "guide_version",
    "guides:link-revoke": "link",
    "consultations:detail": "consultation",
    "consultations:discussed": "consultation",
    "consultations:oral-information": "consultation",
    "consultations:assess": "consultation",
    "consultations:plan-create": "consultation",
    "consultations:plan": "plan",
    "scheduling:cancel": "appointment",
    "consent:plan": "plan",
    "consent:oral": "plan",
    "consent:kiosk-start": "plan",
    "consent:detail": "consent",
    "consent:pdf": "consent",
    "consent:withdraw": "consent",
    "photos:image": "photo",
    "api:photo_image": "photo",
    "treatment_sessions:open": "session_appointment",
    "products:detail": "product",
    "products:edit": "product",
    "products:batch-edit": "batch",
    "treatment_sessions:remove_product": "signed_session",
    "treatment_sessions:aftercare_pdf": "signed_session",
    "treatment_sessions:aftercare_ics": "signed_session",
}
for _name in EXPECTED:
    if _name.startswith("treatment_sessions:") or _name in ("api:session_gates", "api:start_session"):
        CODE_KIND.setdefault(_name, "session")


def concrete_path(name: str, pattern: str, objects: dict[str, str]) -> str:
    kind = CODE_KIND.get(name, "staff" if name.startswith("accounts:staff") else "client")
    return (
        pattern.replace("<uuid:code>", objects[kind])
        .replace("<code>", objects["treatment"] if name == "api:get_treatment" else objects[kind])
        .replace("<slug:treatment>", objects["treatment"])
        .replace("<str:token>", objects["token"])
        .replace("<str:variant>", "thumb")
        .replace("<uuid:use>", objects["use"])
        .replace("<path:lot>", "LOT-2026-A")
    )


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
