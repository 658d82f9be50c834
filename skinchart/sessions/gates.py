"""The session gates (PRODUCT.md §7, REG-44): everything that must hold before a session
of treatment T by method M for client C by practitioner P may start.

`evaluate_gates` is the one place that decides; the session page, the start action and
`POST /api/v1/sessions/{uuid}/start` all call it. It never stops at the first failure:
the refusal lists every gate that fails, in the user's language, so the practitioner can
put all of it right at once. Every gate reads the database as it is at `at`; nothing is
cached on the session, so a consent withdrawn a minute ago fails the gate now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skinchart.accounts.models import Registration, Role, User
from skinchart.catalogue.definition import Outcome, TreatmentDefinition
from skinchart.catalogue.models import ReviewState
from skinchart.consent.models import Consent
from skinchart.consultations.models import PlanStatus
from skinchart.guides.models import GuideVersion, InformationKind, InformationRecord
from skinchart.lib.dates import format_date, format_local_datetime, reflection_ends_at, start_of_local_day
from skinchart.photos.models import Photo, PhotoContext
from skinchart.scheduling.models import AppointmentStatus
from skinchart.sessions.models import SessionStatus, TreatmentSession

# The gates in the order the page shows them; the labels say what each one checks.
GATE_LABELS = {
    "plan": gettext_lazy("Treatment plan and booking"),
    "age": gettext_lazy("18 or older on the day"),
    "pre_consultation": gettext_lazy("Pre-consultation by an allowed role"),
    "screening": gettext_lazy("Screening and doctor's assessment"),
    "reconfirmation": gettext_lazy("Health re-confirmed today"),
    "information": gettext_lazy("Written, then oral information"),
    "reflection": gettext_lazy("Reflection period over"),
    "consent": gettext_lazy("Active consent to the plan"),
    "guide": gettext_lazy("Client guide in force"),
    "photo": gettext_lazy("Photo of the area today"),
    "registration": gettext_lazy("Practitioner registered"),
    "spacing": gettext_lazy("Spacing to other treatments"),
}
GATE_KEYS = tuple(GATE_LABELS)


@dataclass(frozen=True)
class Gate:
    key: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def label(self) -> str:
        return str(GATE_LABELS[self.key])

    def as_json(self) -> dict[str, Any]:
        return {"gate": self.key, "ok": self.ok, "label": self.label, "problems": list(self.problems)}


@dataclass
class GateReport:
    """Every gate for one performer at one moment, and what the start would rest on."""

    at: dt.datetime
    performer: User
    gates: list[Gate]
    responsible_doctor: User | None = None
    consent: Consent | None = None
    guide_version: GuideVersion | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def failing(self) -> list[Gate]:
        return [gate for gate in self.gates if not gate.ok]

    @property
    def all_hold(self) -> bool:
        return not self.failing

    def as_json(self) -> list[dict[str, Any]]:
        return [gate.as_json() for gate in self.gates]


def evaluate_gates(
    session: TreatmentSession, *, performer: User | None = None, at: dt.datetime | None = None
) -> GateReport:
    """Evaluate every gate for `session` performed by `performer` (default: the session's
    performer) at `at` (default: now)."""
    at = at or timezone.now()
    performer = performer or session.performer
    report = GateReport(at=at, performer=performer, gates=[])
    checks = _Checks(session, performer, at, report)
    for key in GATE_KEYS:
        report.gates.append(Gate(key, tuple(getattr(checks, key)())))
    return report


def area_key(area: str) -> str:
    """One spelling per area: "kinder  venstre" and "Kinder venstre" are one area."""
    return " ".join(area.split()).casefold()


class _Checks:
    """One method per gate, each returning its problems (empty: the gate holds)."""

    def __init__(self, session: TreatmentSession, performer: User, at: dt.datetime, report: GateReport) -> None:
        self.session = session
        self.client = session.client
        self.definition: TreatmentDefinition = session.definition
        self.performer = performer
        self.at = at
        self.day = timezone.localdate(at)
        self.report = report
        self.language = translation.get_language() or "da"

    def method_name(self, key: str) -> str:
        method = self.definition.method(key)
        return method.name.get(self.language) if method is not None else key

    def plan(self) -> list[str]:
        problems = []
        if self.session.plan.status != PlanStatus.ACTIVE:
            problems.append(_("The treatment plan is not active."))
        if self.session.appointment.status != AppointmentStatus.BOOKED:
            problems.append(_("The appointment was cancelled."))
        signed = set(
            TreatmentSession.objects.filter(
                plan_id=self.session.plan_id,
                status=SessionStatus.SIGNED,
                session_number__lt=self.session.session_number,
            ).values_list("session_number", flat=True)
        )
        for number in range(1, self.session.session_number):
            if number not in signed:
                problems.append(_("Session %(number)s of the plan is not signed yet.") % {"number": number})
        if timezone.localdate(self.session.appointment.start) != self.day:
            problems.append(
                _("The session is booked for %(date)s, not today.")
                % {"date": format_date(timezone.localdate(self.session.appointment.start))}
            )
        return problems

    def age(self) -> list[str]:
        """On the day, from the CPR number's date of birth when there is one (as the
        screening reads it), and refused when the two dates disagree."""
        minimum = self.definition.screening.minimum_age
        problems = []
        if len(self.client.birth_dates()) > 1:
            problems.append(_("The date of birth and the date of birth in the CPR number disagree."))
        if not self.client.is_adult_on(self.day, adult_age=minimum):
            problems.append(_("The client is under %(age)s today (REG-1).") % {"age": minimum})
        return problems

    def pre_consultation(self) -> list[str]:
        consultation = self.session.plan.consultation
        problems = []
        for key in self.session.plan.methods():
            method = self.definition.method(key)
            if method is None:
                problems.append(_("The plan's method %(method)s is not in the definition.") % {"method": key})
            elif not consultation.performed_by.has_role(*method.pre_consultation_roles):
                problems.append(
                    _("The pre-consultation for %(method)s was done by %(name)s, whose role may not do it (REG-2).")
                    % {"method": self.method_name(key), "name": consultation.performed_by}
                )
        return problems

    def screening(self) -> list[str]:
        return self.session.plan.screening_problems()

    def reconfirmation(self) -> list[str]:
        questions = [q for q in self.definition.questions if q.reconfirm_each_session]
        if not questions:
            return []
        session = self.session
        if session.reconfirmed_at is None or timezone.localdate(session.reconfirmed_at) != self.day:
            return [_("Ask the client the health questions again today.")]
        answers = session.reconfirmation
        problems = []
        methods = set(session.plan.methods())
        for question in questions:
            answer = answers.get(question.key)
            if answer not in ("yes", "no"):
                problems.append(_("No answer today to: %(question)s") % {"question": question.text.get(self.language)})
                continue
            if answer == "no":
                continue
            for rule in self.definition.screening.rules:
                applies = not rule.methods or methods.intersection(rule.methods)
                if rule.question == question.key and applies and rule.outcome != Outcome.DISCUSS:
                    problems.append(rule.explanation.get(self.language))
        return problems

    def information(self) -> list[str]:
        records = InformationRecord.objects.filter(
            client=self.client, guide_version__guide__treatment_id=self.session.treatment_id, given_at__lte=self.at
        ).select_related("given_by")
        written = records.effective_written().order_by("-given_at").first()
        if written is None:
            return [_("The client has not been given the written information (the client guide).")]
        oral = records.filter(kind=InformationKind.ORAL, given_at__gte=written.given_at).order_by("-given_at").first()
        if oral is None:
            return [_("The oral information after the written is not recorded.")]
        if not oral.given_by.has_role(Role.DOCTOR, Role.NURSE):
            return [_("The oral information must be given by a doctor or a nurse.")]
        return []

    def reflection(self) -> list[str]:
        informed_at = self.session.plan.information_given_at()
        if informed_at is None:
            return [_("The reflection period starts with the oral information, which is not recorded.")]
        problems = []
        for rule in self.session.plan.reflection_rules():
            ends = reflection_ends_at(informed_at, rule["hours"])
            if self.at < ends:
                problems.append(
                    _("The reflection period for %(method)s ends %(when)s (REG-3).")
                    % {"method": self.method_name(rule["method"]), "when": format_local_datetime(ends)}
                )
            elif not rule["same_day_allowed"] and timezone.localdate(informed_at) == self.day:
                problems.append(
                    _("%(method)s may not be done on the day the client was informed.")
                    % {"method": self.method_name(rule["method"])}
                )
        return problems

    def consent(self) -> list[str]:
        consent = (
            Consent.objects.active()
            .for_plan(self.session.plan)
            .filter(given_at__lte=self.at)
            .select_related("guide_version")
            .first()
        )
        if consent is None:
            return [_("There is no active consent to this treatment plan (REG-7).")]
        self.report.consent = consent
        return []

    def guide(self) -> list[str]:
        version = (
            GuideVersion.objects.filter(guide__treatment_id=self.session.treatment_id).in_force_on(self.day).first()
        )
        self.report.guide_version = version
        problems = []
        if version is None:
            problems.append(_("No client guide for this treatment is in force."))
        else:
            consent = self.report.consent
            if consent is not None and consent.guide_version_id != version.pk:
                problems.append(
                    _("The consent rests on guide version %(old)s; version %(new)s is in force now.")
                    % {"old": consent.guide_version.number if consent.guide_version else "?", "new": version.number}
                )
            if version.review_state(self.day) == ReviewState.OVERDUE and settings.DOCUMENT_REVIEW_OVERDUE == "block":
                problems.append(_("The client guide is overdue for review."))
        if problems and self.session.guide_override_reason:
            # The session rests on the version the client was informed by (REG-8).
            if self.report.consent is not None:
                self.report.guide_version = self.report.consent.guide_version
            self.report.warnings.append(
                _("A doctor decided to go ahead: %(reason)s") % {"reason": self.session.guide_override_reason}
            )
            return []
        return problems

    def photo(self) -> list[str]:
        start_of_day = start_of_local_day(self.day)
        photos = Photo.objects.filter(client=self.client, taken_at__lte=self.at).exclude(
            context=PhotoContext.AFTER_SESSION
        )
        if start_of_day is not None:
            photos = photos.filter(taken_at__gte=start_of_day)
        taken = {area_key(area) for area in photos.values_list("area", flat=True)}
        missing = [a["area"] for a in self.session.plan.areas if area_key(a["area"]) not in taken]
        if missing:
            return [
                _("Take a photo of the area before the session (REG-17): %(areas)s")
                % {"areas": ", ".join(dict.fromkeys(missing))}
            ]
        return []

    def registration(self) -> list[str]:
        performer = self.performer
        problems = []
        if not performer.is_active:
            return [_("%(name)s's account is not active.") % {"name": performer}]
        for key in self.session.plan.methods():
            method = self.definition.method(key)
            if method is not None and not performer.has_role(*method.performer_roles):
                problems.append(
                    _("%(name)s's role may not perform %(method)s.")
                    % {"name": performer, "method": self.method_name(key)}
                )
        registrations = Registration.objects.valid_on(self.day).filter(
            treatment_category=self.definition.category, site_id=self.session.site_id
        )
        own = registrations.filter(practitioner=performer).select_related("supervising_doctor").first()
        if own is None:
            problems.append(
                _("%(name)s is not registered for this treatment at this site today (REG-10).") % {"name": performer}
            )
            return problems
        if performer.has_role(Role.DOCTOR):
            self.report.responsible_doctor = performer
            return problems
        doctor = own.supervising_doctor
        if doctor is None:
            problems.append(_("%(name)s's registration names no responsible doctor (REG-11).") % {"name": performer})
        elif not (doctor.is_active and doctor.has_role(Role.DOCTOR)):
            problems.append(_("The responsible doctor %(doctor)s is not an active doctor.") % {"doctor": doctor})
        elif not registrations.filter(practitioner=doctor).exists():
            problems.append(
                _("The responsible doctor %(doctor)s is not registered for this treatment at this site today.")
                % {"doctor": doctor}
            )
        else:
            self.report.responsible_doctor = doctor
        return problems

    def spacing(self) -> list[str]:
        from skinchart.scheduling.actions import BookingError, spacing_warnings

        appointment = self.session.appointment
        try:
            warnings = spacing_warnings(self.client, self.definition, appointment.start, appointment.end)
        except BookingError as exc:
            return [str(exc)]
        # The reason must be given for what the gate sees now: a reason given at booking
        # may have been for another warning, before this treatment was booked.
        if warnings and not self.session.spacing_reason:
            return [*warnings, _("Give a reason to go ahead despite this.")]
        self.report.warnings += warnings
        return []
