"""The pre-consultation: who may do it (REG-2), oral information only after the written
(REG-4), the doctor's assessment gating the plan, findings to discuss, and the plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from skinchart.accounts.models import User
from skinchart.catalogue.actions import DocumentError
from skinchart.catalogue.models import DefinitionVersion
from skinchart.catalogue.tests.shipped import approve_shipped_catalogue
from skinchart.clients.models import Client
from skinchart.consultations import actions
from skinchart.consultations.models import Consultation, QuestionnaireResponse, ScreeningOutcome
from skinchart.guides.actions import give_oral_information, give_written_information
from skinchart.guides.models import GuideLink, GuideVersion, InformationKind, InformationRecord
from skinchart.journal.models import CareAssignment, Entry, EntryKind

NO_TO_ALL = {
    "pregnant": False,
    "breastfeeding": False,
    "active_skin_infection_in_area": False,
    "keloid_tendency": False,
    "chronic_urticaria": False,
    "active_herpes_in_area": False,
    "blood_thinners": False,
    "fish_oil": False,
    "vitamin_e": False,
    "medications": "",
    "allergies": "",
    "skin_diseases": "",
    "previous_treatments": "",
}


@pytest.fixture
def definition_version(doctor: User) -> DefinitionVersion:
    return approve_shipped_catalogue(doctor)


def consult(
    actor: User, client: Client, version: DefinitionVersion, methods: list[str], **answers: Any
) -> Consultation:
    return actions.record_consultation(
        actor=actor,
        client=client,
        definition_version=version,
        methods=methods,
        answers={**NO_TO_ALL, **answers},
        skin_assessment="Tør hud på kinderne, fine linjer.",
        wishes="Mere glød.",
    )


def plan(actor: User, consultation: Consultation) -> Any:
    return actions.make_plan(
        actor=actor,
        consultation=consultation,
        areas=[{"area": "Kinder", "method": consultation.methods[0]}],
        sessions=3,
        interval_min_days=14,
        interval_max_days=21,
        maintenance_min_days=42,
        maintenance_max_days=84,
        mild_peel=False,
        numbing_cream=True,
        first_session_on=timezone.localdate() + dt.timedelta(days=3),
    )


@pytest.mark.parametrize("method", ["microinjection", "microneedling"])
def test_a_cosmetologist_may_not_do_the_pre_consultation(
    method: str, make_persona: Callable[[str], User], client_record: Client, definition_version: DefinitionVersion
) -> None:
    with pytest.raises(actions.ConsultationError):
        consult(make_persona("cosmetologist"), client_record, definition_version, [method])
    assert not Consultation.objects.exists()
    assert not Entry.objects.exists()


def test_a_nurse_records_the_consultation_and_its_screening_in_the_journal(
    nurse: User, client_record: Client, definition_version: DefinitionVersion
) -> None:
    consultation = consult(nurse, client_record, definition_version, ["microinjection"])
    assert consultation.outcome == ScreeningOutcome.ELIGIBLE
    screening = Entry.objects.get(kind=EntryKind.SCREENING)
    assert screening.content["answers"]["pregnant"] is False
    assert screening.content["version_number"] == 1
    assert Entry.objects.filter(kind=EntryKind.CONSULTATION, client=client_record).count() == 1


def test_a_keloid_answer_needs_a_doctor_before_any_plan(
    doctor: User, nurse: User, client_record: Client, definition_version: DefinitionVersion
) -> None:
    consultation = consult(nurse, client_record, definition_version, ["microneedling"], keloid_tendency=True)
    assert consultation.outcome == ScreeningOutcome.DOCTOR_REVIEW
    assert consultation.readiness_problems()
    with pytest.raises(actions.ConsultationError, match="læge"):
        plan(nurse, consultation)
    with pytest.raises(actions.ConsultationError):
        actions.assess_consultation(actor=nurse, consultation=consultation, decision="approved", reason="Fint.")
    assessment = actions.assess_consultation(
        actor=doctor, consultation=consultation, decision="approved", reason="Ingen keloid set i området."
    )
    assert Entry.objects.get(kind=EntryKind.DOCTOR_ASSESSMENT).content["decision"] == "approved"
    assert assessment.entry is not None
    consultation.refresh_from_db()
    assert consultation.readiness_problems() == []
    assert plan(nurse, consultation).sessions == 3


def test_a_declined_assessment_blocks_the_plan(
    doctor: User, nurse: User, client_record: Client, definition_version: DefinitionVersion
) -> None:
    consultation = consult(nurse, client_record, definition_version, ["microneedling"], keloid_tendency=True)
    actions.assess_consultation(actor=doctor, consultation=consultation, decision="declined", reason="Keloid set.")
    with pytest.raises(actions.ConsultationError, match="Keloid set."):
        plan(nurse, consultation)


def test_findings_to_discuss_must_be_recorded_as_discussed(
    nurse: User, client_record: Client, definition_version: DefinitionVersion
) -> None:
    consultation = consult(nurse, client_record, definition_version, ["microinjection"], fish_oil=True)
    assert consultation.outcome == ScreeningOutcome.DISCUSS
    with pytest.raises(actions.ConsultationError):
        plan(nurse, consultation)
    actions.acknowledge_discussion(actor=nurse, consultation=consultation, note="Pause med fiskeolie en uge før.")
    assert plan(nurse, consultation).numbing_cream is True


def test_the_recorded_discussion_is_never_overwritten(
    nurse: User, client_record: Client, definition_version: DefinitionVersion
) -> None:
    consultation = consult(nurse, client_record, definition_version, ["microinjection"], fish_oil=True)
    actions.acknowledge_discussion(actor=nurse, consultation=consultation, note="Pause med fiskeolie en uge før.")

    with pytest.raises(actions.ConsultationError):
        actions.acknowledge_discussion(actor=nurse, consultation=consultation, note="Noget andet.")
    consultation.refresh_from_db()
    assert consultation.discuss_note == "Pause med fiskeolie en uge før."


def test_not_eligible_stops_the_plan(nurse: User, client_record: Client, definition_version: DefinitionVersion) -> None:
    consultation = consult(nurse, client_record, definition_version, ["microneedling"], pregnant=True)
    assert consultation.outcome == ScreeningOutcome.NOT_ELIGIBLE
    with pytest.raises(actions.ConsultationError):
        plan(nurse, consultation)


def test_oral_information_before_the_written_is_refused(
    nurse: User, client_record: Client, definition_version: DefinitionVersion
) -> None:
    with pytest.raises(DocumentError):
        give_oral_information(actor=nurse, client=client_record, treatment=definition_version.treatment)
    assert not InformationRecord.objects.exists()
    give_written_information(
        actor=nurse, client=client_record, version=GuideVersion.objects.get(), channel="handed_over"
    )
    oral = give_oral_information(actor=nurse, client=client_record, treatment=definition_version.treatment)
    assert oral.kind == InformationKind.ORAL
    assert oral.entry is not None


def test_a_cosmetologist_may_not_give_the_oral_information(
    make_persona: Callable[[str], User], nurse: User, client_record: Client, definition_version: DefinitionVersion
) -> None:
    give_written_information(
        actor=nurse, client=client_record, version=GuideVersion.objects.get(), channel="handed_over"
    )
    with pytest.raises(DocumentError):
        give_oral_information(
            actor=make_persona("cosmetologist"), client=client_record, treatment=definition_version.treatment
        )


def test_the_plan_proposes_three_sessions_two_weeks_apart(
    nurse: User, client_record: Client, definition_version: DefinitionVersion
) -> None:
    made = plan(nurse, consult(nurse, client_record, definition_version, ["microinjection"]))
    first = made.first_session_on
    assert made.proposed_dates() == [first, first + dt.timedelta(days=14), first + dt.timedelta(days=28)]
    assert Entry.objects.filter(kind=EntryKind.CONSULTATION, subject_id=str(made.code)).count() == 1


def test_the_form_never_reads_an_empty_answer_as_no(
    nurse: User, client_record: Client, definition_version: DefinitionVersion, sign_in: Callable[[User], HttpClient]
) -> None:
    CareAssignment.objects.create(client=client_record, practitioner=nurse, assigned_by=nurse)
    http = sign_in(nurse)
    data = {f"q_{key}": ("no" if value is False else value) for key, value in NO_TO_ALL.items()}
    data.pop("q_pregnant")
    data.update({"methods": ["microneedling"], "skin_assessment": "Rolig hud.", "wishes": "Glød."})
    url = reverse("consultations:create", kwargs={"code": client_record.code}) + "?treatment=mesotherapy"
    response = http.post(url, data)
    assert response.status_code == 422
    assert 'id="id_q_pregnant_error"' in response.content.decode()
    assert not QuestionnaireResponse.objects.exists()
    data["q_pregnant"] = "no"
    response = http.post(url, data)
    assert response.status_code == 302
    assert QuestionnaireResponse.objects.get().answers["pregnant"] is False


def test_an_old_oral_information_never_shortens_the_reflection_period(
    nurse: User, client_record: Client, definition_version: DefinitionVersion
) -> None:
    give_written_information(
        actor=nurse, client=client_record, version=GuideVersion.objects.get(), channel="handed_over"
    )
    give_oral_information(actor=nurse, client=client_record, treatment=definition_version.treatment)
    InformationRecord.objects.update(given_at=timezone.now() - dt.timedelta(days=365))
    made = plan(nurse, consult(nurse, client_record, definition_version, ["microinjection"]))
    assert made.information_given_at() == made.consultation.performed_at


def test_a_later_screening_that_forbids_treatment_stops_the_older_plan(
    nurse: User, client_record: Client, definition_version: DefinitionVersion
) -> None:
    older = plan(nurse, consult(nurse, client_record, definition_version, ["microneedling"]))
    assert older.readiness_problems() == []
    consult(nurse, client_record, definition_version, ["microneedling"], pregnant=True)
    assert older.readiness_problems()


def test_a_link_the_client_never_opened_is_not_written_information(
    nurse: User, client_record: Client, definition_version: DefinitionVersion
) -> None:
    version = GuideVersion.objects.get()
    link = GuideLink.objects.create(
        guide_version=version,
        client=client_record,
        digest="0" * 64,
        created_by=nurse,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    give_written_information(actor=nurse, client=client_record, version=version, channel="link", link=link)
    with pytest.raises(DocumentError):
        give_oral_information(actor=nurse, client=client_record, treatment=definition_version.treatment)
    GuideLink.objects.update(first_opened_at=timezone.now())
    assert give_oral_information(actor=nurse, client=client_record, treatment=definition_version.treatment)


def test_a_rule_on_an_optional_question_is_refused() -> None:
    import tomllib

    from pydantic import ValidationError

    from skinchart.catalogue.definition import parse_definition

    data = tomllib.loads((Path(settings.CATALOGUE_DIR) / "treatments" / "mesotherapy.toml").read_text(encoding="utf-8"))
    data["questions"] = [{**q, "required": False} if q["key"] == "pregnant" else q for q in data["questions"]]
    with pytest.raises(ValidationError, match="must be required"):
        parse_definition(data)


def test_a_session_is_refused_when_the_client_is_under_18_on_its_day(
    nurse: User, client_record: Client, definition_version: DefinitionVersion
) -> None:
    from skinchart.accounts.tests.factories import SiteFactory
    from skinchart.scheduling.actions import BookingError, book_appointment
    from skinchart.scheduling.models import Room

    made = plan(nurse, consult(nurse, client_record, definition_version, ["microneedling"]))
    give_written_information(
        actor=nurse, client=client_record, version=GuideVersion.objects.get(), channel="handed_over"
    )
    give_oral_information(actor=nurse, client=client_record, treatment=definition_version.treatment)
    session_day = made.first_session_on
    Client.objects.filter(pk=client_record.pk).update(
        cpr=None, date_of_birth=session_day.replace(year=session_day.year - 18) + dt.timedelta(days=1)
    )
    client_record.refresh_from_db()
    room = Room.objects.create(site=SiteFactory(), name="Rum 1")
    start = timezone.make_aware(dt.datetime.combine(session_day, dt.time(10)))
    with pytest.raises(BookingError, match="18"):
        book_appointment(
            actor=nurse,
            client=client_record,
            site=room.site,
            practitioner=nurse,
            room=room,
            start=start,
            end=start + dt.timedelta(hours=1),
            kind="session",
            plan=made,
            session_number=1,
        )
