"""Consent: valid only after written-then-oral information of the guide in force and the
reflection period (REG-3, REG-4, REG-7); bound to the guide version (REG-8); withdrawal
blocks further sessions and deletes nothing (REG-25); written consent on the kiosk."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from skinchart.accounts.models import User
from skinchart.accounts.tests.factories import PASSWORD
from skinchart.catalogue.models import DefinitionVersion
from skinchart.catalogue.tests.shipped import NO_TO_EVERY_QUESTION, approve_shipped_catalogue
from skinchart.clients.models import Client
from skinchart.consent import actions
from skinchart.consent.models import Consent, ConsentStatus
from skinchart.consultations.actions import make_plan, record_consultation
from skinchart.consultations.models import Consultation, TreatmentPlan
from skinchart.guides.actions import give_oral_information, give_written_information, save_guide_draft
from skinchart.guides.models import GuideVersion, InformationRecord
from skinchart.journal.models import CareAssignment, Entry, EntryKind

SIGNATURE = [[[10, 10], [40, 60], [80, 30], [120, 90], [160, 40]]]


@pytest.fixture
def informed_plan(doctor: User, nurse: User, client_record: Client) -> Callable[[str], TreatmentPlan]:
    """A plan for `method`, with the written and then the oral information given just now."""
    approve_shipped_catalogue(doctor)
    today = timezone.localdate()
    CareAssignment.objects.create(client=client_record, practitioner=nurse, assigned_by=doctor)

    def make(method: str) -> TreatmentPlan:
        consultation = record_consultation(
            actor=nurse,
            client=client_record,
            definition_version=DefinitionVersion.objects.get(number=1),
            methods=[method],
            answers=NO_TO_EVERY_QUESTION,
            skin_assessment="Rolig hud.",
            wishes="Glød.",
        )
        give_written_information(
            actor=nurse, client=client_record, version=GuideVersion.objects.get(number=1), channel="handed_over"
        )
        give_oral_information(actor=nurse, client=client_record, treatment=consultation.treatment)
        return make_plan(
            actor=nurse,
            consultation=consultation,
            areas=[{"area": "Kinder", "method": method}],
            sessions=3,
            interval_min_days=14,
            interval_max_days=21,
            maintenance_min_days=None,
            maintenance_max_days=None,
            mild_peel=False,
            numbing_cream=False,
            first_session_on=today + dt.timedelta(days=3),
        )

    return make


def age_information(hours: float) -> None:
    """Test set-up: the pre-consultation and the information were `hours` ago."""
    then = timezone.now() - dt.timedelta(hours=hours)
    InformationRecord.objects.update(given_at=then)
    Consultation.objects.update(performed_at=then)


def test_consent_before_the_reflection_period_has_passed_is_refused(
    nurse: User, informed_plan: Callable[[str], TreatmentPlan]
) -> None:
    plan = informed_plan("microinjection")
    age_information(47.9)
    plan = TreatmentPlan.objects.get(pk=plan.pk)  # as a new request reads it
    with pytest.raises(actions.ConsentError, match="betænkningstid"):
        actions.give_treatment_consent(actor=nurse, plan=plan, mode="oral", discussed="Forløb og bivirkninger.")
    assert not Consent.objects.exists()
    age_information(48.1)
    plan = TreatmentPlan.objects.get(pk=plan.pk)
    consent = actions.give_treatment_consent(actor=nurse, plan=plan, mode="oral", discussed="Forløb og bivirkninger.")
    assert consent.is_active


def test_microneedling_may_be_agreed_the_same_day(nurse: User, informed_plan: Callable[[str], TreatmentPlan]) -> None:
    consent = actions.give_treatment_consent(
        actor=nurse, plan=informed_plan("microneedling"), mode="oral", discussed="Forløb og bivirkninger."
    )
    assert consent.entry is not None
    assert Entry.objects.get(kind=EntryKind.CONSENT).content["mode"] == "oral"


def test_without_the_written_information_there_is_no_consent(
    nurse: User, informed_plan: Callable[[str], TreatmentPlan]
) -> None:
    plan = informed_plan("microneedling")
    InformationRecord.objects.all().delete()
    problems = actions.consent_problems(plan)
    assert len(problems) == 1
    with pytest.raises(actions.ConsentError):
        actions.give_treatment_consent(actor=nurse, plan=plan, mode="oral", discussed="x")


def test_consent_is_bound_to_the_guide_version_which_stays_unchanged(
    doctor: User, nurse: User, informed_plan: Callable[[str], TreatmentPlan]
) -> None:
    consent = actions.give_treatment_consent(
        actor=nurse, plan=informed_plan("microneedling"), mode="oral", discussed="Forløb og bivirkninger."
    )
    v1 = GuideVersion.objects.get(number=1)
    before = (v1.sections, v1.content_hash)
    draft = save_guide_draft(
        actor=doctor, guide=v1.guide, title=v1.title, sections=[*v1.sections[:-1]], revised_on=timezone.localdate()
    )
    assert draft.number == 2
    consent.refresh_from_db()
    assert consent.guide_version == v1
    assert (consent.guide_version.sections, consent.guide_version.content_hash) == before
    assert f"version {v1.number}" in consent.text
    assert v1.content_hash[:16] in consent.text


def test_a_withdrawn_consent_blocks_further_sessions_and_deletes_nothing(
    nurse: User, informed_plan: Callable[[str], TreatmentPlan]
) -> None:
    plan = informed_plan("microneedling")
    consent = actions.give_treatment_consent(actor=nurse, plan=plan, mode="oral", discussed="Forløb.")
    entries = Entry.objects.count()
    actions.withdraw_consent(actor=nurse, consent=consent, reason="Ønsker ikke behandling alligevel.")
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.WITHDRAWN
    assert Entry.objects.count() == entries + 1
    plan.refresh_from_db()
    assert any("tilbage" in problem for problem in plan.readiness_problems())


def test_written_consent_on_the_kiosk_locks_the_staff_pages_until_unlocked(
    nurse: User,
    client_record: Client,
    informed_plan: Callable[[str], TreatmentPlan],
    sign_in: Callable[[User], HttpClient],
) -> None:
    plan = informed_plan("microneedling")
    http = sign_in(nurse)
    assert http.post(reverse("consent:kiosk-start", kwargs={"code": plan.code})).status_code == 302
    for url in [
        reverse("clients:list"),
        client_record.get_absolute_url(),
        reverse("journal:timeline", kwargs={"code": client_record.code}),
    ]:
        response = http.get(url)
        assert (response.status_code, response["Location"]) == (302, reverse("consent:kiosk"))
    assert http.get("/api/v1/clients").status_code == 403
    page = http.get(reverse("consent:kiosk")).content.decode()
    shown = page.split('name="text_hash" value="')[1].split('"')[0]
    response = http.post(
        reverse("consent:kiosk"), {"name": "Søren Østergaard", "signature": json.dumps(SIGNATURE), "text_hash": shown}
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.mode, consent.signer_name, consent.recorded_by) == ("written", "Søren Østergaard", nurse)
    assert bytes(consent.pdf).startswith(b"%PDF")
    assert http.get(reverse("clients:list")).status_code == 302  # still locked
    assert http.post(reverse("consent:kiosk-unlock"), {"password": "wrong"}).status_code == 422
    assert http.post(reverse("consent:kiosk-unlock"), {"password": PASSWORD}).status_code == 302
    assert http.get(reverse("clients:list")).status_code == 200


@pytest.mark.parametrize(
    "signature",
    ["not json", "[]", "[[]]", json.dumps([[[1, 2]]]), json.dumps([[[9999, 1]] * 10]), json.dumps([[["a", "b"]] * 10])],
)
def test_a_missing_or_bogus_signature_is_refused(
    nurse: User, informed_plan: Callable[[str], TreatmentPlan], sign_in: Callable[[User], HttpClient], signature: str
) -> None:
    plan = informed_plan("microneedling")
    http = sign_in(nurse)
    http.post(reverse("consent:kiosk-start", kwargs={"code": plan.code}))
    page = http.get(reverse("consent:kiosk")).content.decode()
    shown = page.split('name="text_hash" value="')[1].split('"')[0]
    response = http.post(reverse("consent:kiosk"), {"name": "Søren", "signature": signature, "text_hash": shown})
    assert response.status_code == 422
    assert not Consent.objects.exists()


def test_a_consent_text_changed_while_shown_is_not_signed(
    nurse: User, informed_plan: Callable[[str], TreatmentPlan]
) -> None:
    plan = informed_plan("microneedling")
    with pytest.raises(actions.ConsentError):
        actions.give_treatment_consent(
            actor=nurse, plan=plan, mode="written", signer_name="Søren", signature=SIGNATURE, shown_text_hash="0" * 64
        )


def test_the_api_lists_consents_with_their_guide_version(
    nurse: User, client_record: Client, informed_plan: Callable[[str], TreatmentPlan]
) -> None:
    from skinchart.accounts.actions import issue_api_token

    consent = actions.give_treatment_consent(
        actor=nurse, plan=informed_plan("microneedling"), mode="oral", discussed="Forløb."
    )
    _token, plain = issue_api_token(actor=None, user=nurse)
    response = HttpClient().get(f"/api/v1/clients/{client_record.code}/consents", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 200
    [item] = response.json()
    assert item["code"] == str(consent.code)
    assert item["guide_version_number"] == 1
    assert item["guide_content_hash"] == GuideVersion.objects.get(number=1).content_hash
    assert item["mode"] == "oral"


def test_five_wrong_unlock_passwords_sign_the_tablet_out(
    nurse: User, informed_plan: Callable[[str], TreatmentPlan], sign_in: Callable[[User], HttpClient]
) -> None:
    from skinchart.audit.models import AuditEvent

    plan = informed_plan("microneedling")
    http = sign_in(nurse)
    http.post(reverse("consent:kiosk-start", kwargs={"code": plan.code}))
    for _attempt in range(4):
        assert http.post(reverse("consent:kiosk-unlock"), {"password": "guess"}).status_code == 422
    response = http.post(reverse("consent:kiosk-unlock"), {"password": "guess"})
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:login"))
    assert AuditEvent.objects.filter(action="consent.kiosk_unlocked", outcome="denied").count() == 5
    assert http.post(reverse("consent:kiosk-unlock"), {"password": PASSWORD}).status_code == 302  # to the login
    assert http.get(reverse("clients:list")).status_code == 302
    assert "/accounts/login/" in http.get(reverse("clients:list"))["Location"]


def test_a_plan_has_one_active_consent_at_a_time(nurse: User, informed_plan: Callable[[str], TreatmentPlan]) -> None:
    plan = informed_plan("microneedling")
    actions.give_treatment_consent(actor=nurse, plan=plan, mode="oral", discussed="Forløb.")
    with pytest.raises(actions.ConsentError):
        actions.give_treatment_consent(actor=nurse, plan=plan, mode="oral", discussed="Forløb igen.")
    assert Consent.objects.count() == 1


def test_withdrawal_cancels_the_plans_booked_sessions(
    nurse: User, client_record: Client, informed_plan: Callable[[str], TreatmentPlan]
) -> None:
    from skinchart.accounts.tests.factories import SiteFactory
    from skinchart.scheduling.actions import book_appointment
    from skinchart.scheduling.models import Appointment, Room

    plan = informed_plan("microneedling")
    consent = actions.give_treatment_consent(actor=nurse, plan=plan, mode="oral", discussed="Forløb.")
    room = Room.objects.create(site=SiteFactory(), name="Rum 1")
    start = timezone.make_aware(dt.datetime.combine(plan.first_session_on, dt.time(10)))
    book_appointment(
        actor=nurse,
        client=client_record,
        site=room.site,
        practitioner=nurse,
        room=room,
        start=start,
        end=start + dt.timedelta(hours=1),
        kind="session",
        plan=plan,
        session_number=1,
    )
    actions.withdraw_consent(actor=nurse, consent=consent, reason="Fortrudt.")
    assert Appointment.objects.get().status == "cancelled"


def test_a_deeply_nested_signature_is_refused_not_a_server_error(
    nurse: User, informed_plan: Callable[[str], TreatmentPlan], sign_in: Callable[[User], HttpClient]
) -> None:
    plan = informed_plan("microneedling")
    http = sign_in(nurse)
    http.post(reverse("consent:kiosk-start", kwargs={"code": plan.code}))
    response = http.post(reverse("consent:kiosk"), {"name": "Søren", "signature": "[" * 100_000, "text_hash": "x"})
    assert response.status_code == 422


def test_withdrawing_photo_consent_clears_the_marketing_flag_of_every_photo(
    nurse: User, client_record: Client, sign_in: Callable[[User], HttpClient]
) -> None:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from skinchart.photos.actions import ingest_photo
    from skinchart.photos.models import Photo

    for area in ("Kinder", "Pande", "Læber"):
        jpeg = io.BytesIO()
        Image.new("RGB", (32, 24), "tan").save(jpeg, "JPEG")
        ingest_photo(
            actor=nurse,
            client=client_record,
            upload=SimpleUploadedFile("foto.jpg", jpeg.getvalue()),
            area=area,
            angle="front",
            context="consultation",
        )
    consent = actions.give_photo_consent(actor=nurse, client=client_record, discussed="Før/efter på hjemmesiden.")
    Photo.objects.update(marketing_allowed=True)  # chosen for marketing while the consent stood
    cleared = actions.withdraw_consent(actor=nurse, consent=consent, reason="")
    assert cleared == 3
    assert not Photo.objects.filter(marketing_allowed=True).exists()
    entry = Entry.objects.filter(kind=EntryKind.CONSENT).order_by("-seq").first()
    assert entry is not None
    assert entry.content["photos_cleared"] == 3
