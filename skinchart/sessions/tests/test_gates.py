"""Each session gate (PRODUCT.md §7, REG-44) blocks on its own.

Every test starts from `ready_session` — a session for which every gate holds for its
nurse — and checks that first; then breaks exactly one thing, by the route real data
would take (an action where one exists, else the row as an import or an administrator
would leave it), and checks that exactly that gate fails, that `start_session` refuses
with exactly that gate, and that the refusal wrote nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from skinchart.accounts.models import Registration, Role, TreatmentCategory, User
from skinchart.accounts.tests.factories import SiteFactory, UserFactory
from skinchart.audit.models import AuditEvent
from skinchart.catalogue.models import DefinitionVersion
from skinchart.catalogue.tests.shipped import NO_TO_EVERY_QUESTION
from skinchart.clients.actions import update_client
from skinchart.clients.models import Client
from skinchart.consent.actions import withdraw_consent
from skinchart.consent.models import Consent
from skinchart.consultations.actions import assess_consultation, record_consultation
from skinchart.consultations.models import Consultation, PlanStatus, TreatmentPlan
from skinchart.guides.actions import give_oral_information, give_written_information
from skinchart.guides.models import GuideVersion, InformationKind, InformationRecord
from skinchart.lib.dates import birthday_in, start_of_local_day
from skinchart.photos.models import Photo, PhotoContext
from skinchart.scheduling.actions import cancel_appointment
from skinchart.scheduling.models import Appointment, AppointmentStatus
from skinchart.sessions import actions
from skinchart.sessions.actions import SessionBlocked, SessionError
from skinchart.sessions.gates import GATE_KEYS, evaluate_gates
from skinchart.sessions.models import SessionStatus, TreatmentSession
from skinchart.sessions.tests.setup import (
    AREA,
    NO_CHANGES,
    Ready,
    approve_new_guide_version,
    book_chemical_peel,
    fresh,
    ready_session,
    start,
)

pytestmark = pytest.mark.django_db

Breakage = Callable[[Ready], object]


@pytest.fixture
def ready(doctor: User, nurse: User, client_record: Client) -> Ready:
    return ready_session(doctor=doctor, nurse=nurse, client=client_record)


def assert_every_gate_holds(ready: Ready) -> None:
    report = evaluate_gates(fresh(ready.session), performer=ready.nurse)
    assert [gate.as_json() for gate in report.failing] == []
    assert [gate.key for gate in report.gates] == list(GATE_KEYS)


def assert_blocks_alone(ready: Ready, key: str) -> None:
    """Only gate `key` fails; the start is refused naming only it; nothing is written."""
    session = fresh(ready.session)
    report = evaluate_gates(session, performer=ready.nurse)
    assert [gate.key for gate in report.failing] == [key]
    assert report.failing[0].problems  # the refusal says why
    audit_before = AuditEvent.objects.count()

    with pytest.raises(SessionBlocked) as refused:
        actions.start_session(actor=ready.nurse, session=session)

    assert [gate.key for gate in refused.value.gates] == [key]
    row = fresh(ready.session)
    assert (row.status, row.started_at, row.gates, row.consent_id) == (SessionStatus.PREPARING, None, [], None)
    assert AuditEvent.objects.count() == audit_before


# --- plan ---------------------------------------------------------------------------


def appointment_cancelled(ready: Ready) -> None:
    cancel_appointment(actor=ready.nurse, appointment=ready.session.appointment)


def appointment_moved_to_tomorrow(ready: Ready) -> None:
    # Rebooking moves the slot; the session opened from this appointment follows it.
    Appointment.objects.filter(pk=ready.session.appointment_id).update(
        start=ready.session.appointment.start + dt.timedelta(days=1),
        end=ready.session.appointment.end + dt.timedelta(days=1),
    )


def plan_completed(ready: Ready) -> None:
    # No action ends a plan by hand yet; signing its last session does (see test_session_actions).
    TreatmentPlan.objects.filter(pk=ready.plan.pk).update(status=PlanStatus.COMPLETED)


@pytest.mark.parametrize("break_it", [appointment_cancelled, appointment_moved_to_tomorrow, plan_completed])
def test_the_plan_gate_blocks_alone(ready: Ready, break_it: Breakage) -> None:
    assert_every_gate_holds(ready)
    break_it(ready)
    assert_blocks_alone(ready, "plan")


# --- age (REG-1) ----------------------------------------------------------------------


def cpr_for(birth: dt.date) -> str:
    """A CPR number for someone born in 2000–2036 (7th digit 4, CPR-kontoret's table)."""
    return f"{birth:%d%m%y}4001"


def test_the_age_gate_blocks_a_client_who_turns_18_tomorrow(ready: Ready, reception: User) -> None:
    assert_every_gate_holds(ready)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    birth = birthday_in(tomorrow, tomorrow.year - 18)
    # The date of birth is corrected after the pre-consultation (reception fixes a typo,
    # CPR and date together). The screening kept its outcome for the date it was done,
    # so only the gate — which computes the age on the session date — sees the change.
    update_client(actor=reception, client=ready.client, data={"date_of_birth": birth, "cpr": cpr_for(birth)})
    assert_blocks_alone(ready, "age")


def test_the_age_gate_goes_by_the_cpr_when_it_disagrees_with_the_date_of_birth(ready: Ready, reception: User) -> None:
    assert_every_gate_holds(ready)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    update_client(
        actor=reception, client=ready.client, data={"cpr": cpr_for(birthday_in(tomorrow, tomorrow.year - 18))}
    )
    assert_blocks_alone(ready, "age")


def test_the_age_gate_lets_a_client_who_turns_18_today_through(ready: Ready, reception: User) -> None:
    today = timezone.localdate()
    birth = birthday_in(today, today.year - 18)
    update_client(actor=reception, client=ready.client, data={"date_of_birth": birth, "cpr": cpr_for(birth)})
    assert_every_gate_holds(ready)


# --- pre-consultation (REG-2) -----------------------------------------------------------


def test_the_pre_consultation_gate_blocks_one_done_by_a_cosmetologist(ready: Ready) -> None:
    assert_every_gate_holds(ready)
    cosmetologist = UserFactory(roles=[Role.COSMETOLOGIST])
    # record_consultation refuses a cosmetologist, so only imported or legacy rows can
    # name one; the gate must not trust that the action was the only way in.
    Consultation.objects.filter(pk=ready.plan.consultation_id).update(performed_by=cosmetologist)
    assert_blocks_alone(ready, "pre_consultation")


# --- screening ----------------------------------------------------------------------------


def later_consultation(ready: Ready, **answers: bool) -> Consultation:
    """The client comes back and the nurse records a new pre-consultation for the treatment."""
    return record_consultation(
        actor=ready.nurse,
        client=ready.client,
        definition_version=DefinitionVersion.objects.get(number=1),
        methods=["microinjection"],
        answers=NO_TO_EVERY_QUESTION | answers,
        skin_assessment="Uændret.",
        wishes="Fortsætte forløbet.",
    )


def keloid_not_yet_assessed(ready: Ready) -> None:
    later_consultation(ready, keloid_tendency=True)


def keloid_declined_by_the_doctor(ready: Ready) -> None:
    consultation = later_consultation(ready, keloid_tendency=True)
    assess_consultation(actor=ready.doctor, consultation=consultation, decision="declined", reason="Keloid på kinden.")


def now_pregnant(ready: Ready) -> None:
    later_consultation(ready, pregnant=True)


def blood_thinners_not_discussed(ready: Ready) -> None:
    later_consultation(ready, blood_thinners=True)


@pytest.mark.parametrize(
    "break_it",
    [keloid_not_yet_assessed, keloid_declined_by_the_doctor, now_pregnant, blood_thinners_not_discussed],
)
def test_the_screening_gate_blocks_alone(ready: Ready, break_it: Breakage) -> None:
    assert_every_gate_holds(ready)
    break_it(ready)
    assert_blocks_alone(ready, "screening")


def test_the_screening_gate_holds_again_once_the_doctor_approves(ready: Ready) -> None:
    consultation = later_consultation(ready, keloid_tendency=True)
    assess_consultation(
        actor=ready.doctor, consultation=consultation, decision="approved", reason="Ingen keloid i ansigtet."
    )
    assert_every_gate_holds(ready)


# --- re-confirmation on the day -------------------------------------------------------------


def reconfirmed_yesterday(ready: Ready) -> None:
    TreatmentSession.objects.filter(pk=ready.session.pk).update(
        reconfirmed_at=start_of_local_day(timezone.localdate()) - dt.timedelta(hours=2)
    )


def never_reconfirmed(ready: Ready) -> None:
    TreatmentSession.objects.filter(pk=ready.session.pk).update(reconfirmed_at=None, reconfirmation={})


def an_answer_missing(ready: Ready) -> None:
    # As the row of a session opened before the definition asked about breastfeeding.
    answers = {key: value for key, value in NO_CHANGES.items() if key != "breastfeeding"}
    TreatmentSession.objects.filter(pk=ready.session.pk).update(reconfirmation=answers)


def answered_yes(question: str) -> Breakage:
    def reconfirm(ready: Ready) -> None:
        actions.reconfirm_health(actor=ready.nurse, session=ready.session, answers=NO_CHANGES | {question: "yes"})

    reconfirm.__name__ = f"answered_yes_to_{question}"
    return reconfirm


@pytest.mark.parametrize(
    "break_it",
    [
        reconfirmed_yesterday,
        never_reconfirmed,
        an_answer_missing,
        *(answered_yes(question) for question in NO_CHANGES),
    ],
    ids=lambda f: f.__name__,
)
def test_the_reconfirmation_gate_blocks_alone(ready: Ready, break_it: Breakage) -> None:
    assert_every_gate_holds(ready)
    break_it(ready)
    assert_blocks_alone(ready, "reconfirmation")


# --- information (REG-4) -----------------------------------------------------------------


def written_again_without_oral_after(ready: Ready) -> None:
    # Handed the guide again today: the oral information must follow it again.
    give_written_information(
        actor=ready.nurse, client=ready.client, version=GuideVersion.objects.get(number=1), channel="handed_over"
    )


def oral_given_by_a_cosmetologist(ready: Ready) -> None:
    # give_oral_information refuses a cosmetologist; an imported record can still say so.
    cosmetologist = UserFactory(roles=[Role.COSMETOLOGIST])
    InformationRecord.objects.filter(client=ready.client, kind=InformationKind.ORAL).update(given_by=cosmetologist)


def written_only_as_a_link_never_opened(ready: Ready) -> None:
    InformationRecord.objects.filter(client=ready.client, kind=InformationKind.WRITTEN).update(channel="link")


@pytest.mark.parametrize(
    "break_it", [written_again_without_oral_after, oral_given_by_a_cosmetologist, written_only_as_a_link_never_opened]
)
def test_the_information_gate_blocks_alone(ready: Ready, break_it: Breakage) -> None:
    assert_every_gate_holds(ready)
    break_it(ready)
    assert_blocks_alone(ready, "information")


# --- reflection period (REG-3) ---------------------------------------------------------------


@pytest.mark.parametrize("since", [dt.timedelta(hours=1), dt.timedelta(hours=47), dt.timedelta(hours=47, minutes=59)])
def test_the_reflection_gate_blocks_a_repeated_oral_information_less_than_48_hours_ago(
    doctor: User, nurse: User, client_record: Client, since: dt.timedelta
) -> None:
    # Consistent history: informed 6 days ago, consent 95 hours ago (after the 48 hours),
    # then the oral information given again `since` ago — after the consent, so the
    # consent stays valid and only the reflection period, which runs from the latest
    # oral information, is not over.
    ready = ready_session(doctor=doctor, nurse=nurse, client=client_record, informed_days_ago=6)
    Consent.objects.filter(plan=ready.plan).update(given_at=timezone.now() - dt.timedelta(hours=95))
    assert_every_gate_holds(ready)
    again = give_oral_information(actor=nurse, client=client_record, treatment=ready.plan.treatment)
    InformationRecord.objects.filter(pk=again.pk).update(given_at=timezone.now() - since)
    assert_blocks_alone(ready, "reflection")


# --- consent (REG-7) ---------------------------------------------------------------------------


def test_the_consent_gate_blocks_after_the_client_withdraws(ready: Ready) -> None:
    assert_every_gate_holds(ready)
    withdraw_consent(actor=ready.nurse, consent=Consent.objects.get(plan=ready.plan), reason="Fortryder.")
    # Withdrawal cancels the plan's *later* bookings; today's slot began before now
    # (setup.this_slot), so it stays booked and only the consent gate sees the change.
    assert Appointment.objects.get(pk=ready.session.appointment_id).status == AppointmentStatus.BOOKED
    assert_blocks_alone(ready, "consent")


# --- client guide version (REG-8, REG-9) -----------------------------------------------------


def test_the_guide_gate_blocks_when_a_new_version_came_into_force_after_the_consent(ready: Ready) -> None:
    assert_every_gate_holds(ready)
    approve_new_guide_version(ready.doctor)
    assert_blocks_alone(ready, "guide")


def test_a_doctors_recorded_decision_lets_the_session_start_on_the_old_guide_version(ready: Ready) -> None:
    approve_new_guide_version(ready.doctor)
    with pytest.raises(SessionError):
        actions.override_guide_gate(actor=ready.nurse, session=ready.session, reason="Intet væsentligt ændret.")
    actions.override_guide_gate(actor=ready.doctor, session=ready.session, reason="Kun stavefejl rettet.")

    session = start(ready)

    assert session.status == SessionStatus.IN_PROGRESS
    # The session rests on the version the client was informed by and consented to (REG-8).
    assert (session.guide_version.number, session.consent.guide_version.number) == (1, 1)
    assert "Kun stavefejl rettet." in session.gates[-1]["problems"][0]


def test_there_is_nothing_to_decide_while_the_consent_rests_on_the_version_in_force(ready: Ready) -> None:
    with pytest.raises(SessionError):
        actions.override_guide_gate(actor=ready.doctor, session=ready.session, reason="For en sikkerheds skyld.")

    assert fresh(ready.session).guide_override_reason == ""


# --- photo of the area today (REG-17) -----------------------------------------------------------


def todays_photos(ready: Ready) -> QuerySet[Photo]:
    return Photo.objects.filter(client=ready.client)


def no_photo(ready: Ready) -> None:
    todays_photos(ready).delete()


def photo_from_yesterday(ready: Ready) -> None:
    todays_photos(ready).update(taken_at=start_of_local_day(timezone.localdate()) - dt.timedelta(minutes=5))


def photo_of_another_area(ready: Ready) -> None:
    todays_photos(ready).update(area="Læber")


def photo_taken_after_the_start(ready: Ready) -> None:
    todays_photos(ready).update(taken_at=timezone.now() + dt.timedelta(minutes=10))


def only_an_after_photo(ready: Ready) -> None:
    todays_photos(ready).update(context=PhotoContext.AFTER_SESSION)


@pytest.mark.parametrize(
    "break_it",
    [no_photo, photo_from_yesterday, photo_of_another_area, photo_taken_after_the_start, only_an_after_photo],
)
def test_the_photo_gate_blocks_alone(ready: Ready, break_it: Breakage) -> None:
    assert_every_gate_holds(ready)
    break_it(ready)
    assert_blocks_alone(ready, "photo")


def test_the_photo_gate_matches_the_area_whatever_its_spacing_and_case(ready: Ready) -> None:
    todays_photos(ready).update(area=f"  {AREA.upper()} ")
    assert_every_gate_holds(ready)


# --- registration (REG-10, REG-11) -----------------------------------------------------------------


def registration_of(user: User) -> QuerySet[Registration]:
    return Registration.objects.filter(practitioner=user)


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def not_registered(ready: Ready) -> None:
    registration_of(ready.nurse).delete()


def registration_expired_yesterday(ready: Ready) -> None:
    registration_of(ready.nurse).update(valid_to=yesterday())


def registration_valid_from_tomorrow(ready: Ready) -> None:
    registration_of(ready.nurse).update(valid_from=timezone.localdate() + dt.timedelta(days=1))


def registered_at_another_site(ready: Ready) -> None:
    registration_of(ready.nurse).update(site=SiteFactory())


def registered_for_another_treatment_type(ready: Ready) -> None:
    registration_of(ready.nurse).update(treatment_category=TreatmentCategory.CHEMICAL_PEEL)


def helper_without_a_supervising_doctor(ready: Ready) -> None:
    registration_of(ready.nurse).update(supervising_doctor=None)


def supervising_doctors_registration_expired(ready: Ready) -> None:
    registration_of(ready.doctor).update(valid_to=yesterday())


def supervising_doctor_deactivated(ready: Ready) -> None:
    User.objects.filter(pk=ready.doctor.pk).update(is_active=False)


@pytest.mark.parametrize(
    "break_it",
    [
        not_registered,
        registration_expired_yesterday,
        registration_valid_from_tomorrow,
        registered_at_another_site,
        registered_for_another_treatment_type,
        helper_without_a_supervising_doctor,
        supervising_doctors_registration_expired,
        supervising_doctor_deactivated,
    ],
)
def test_the_registration_gate_blocks_alone(ready: Ready, break_it: Breakage) -> None:
    assert_every_gate_holds(ready)
    break_it(ready)
    assert_blocks_alone(ready, "registration")


def test_a_registration_that_ends_today_is_still_valid_today(ready: Ready) -> None:
    registration_of(ready.nurse).update(valid_to=timezone.localdate())
    assert_every_gate_holds(ready)


# --- spacing to other treatments ---------------------------------------------------------------------


def test_the_spacing_gate_blocks_a_peel_three_days_away_until_a_reason_is_given(ready: Ready) -> None:
    assert_every_gate_holds(ready)
    book_chemical_peel(ready, days_away=3)
    assert_blocks_alone(ready, "spacing")

    session = start(ready, spacing_reason="Peeling aftalt efter mesoterapi, huden tåler det.")

    assert session.status == SessionStatus.IN_PROGRESS
    assert session.spacing_reason == "Peeling aftalt efter mesoterapi, huden tåler det."
    assert session.gates[-1]["gate"] == "warnings"
    assert "3" in session.gates[-1]["problems"][0]


def test_a_peel_beyond_the_review_window_does_not_block(ready: Ready) -> None:
    book_chemical_peel(ready, days_away=settings.SPACING_REVIEW_DAYS + 1)
    assert_every_gate_holds(ready)


def test_a_booking_reason_for_another_warning_does_not_cover_a_peel_booked_later(ready: Ready) -> None:
    # The booking went ahead despite a warning about the course interval; the peel came later.
    Appointment.objects.filter(pk=ready.session.appointment_id).update(
        warnings=["Kun 10 dage efter forrige behandling."], override_reason="Klienten rejser bort."
    )
    assert_every_gate_holds(ready)
    book_chemical_peel(ready, days_away=3)
    assert_blocks_alone(ready, "spacing")
