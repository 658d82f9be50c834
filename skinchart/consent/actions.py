"""Giving and withdrawing consent. A treatment consent is valid only when the written,
then the oral, information of the guide version in force was given by an authorised
person and the reflection period of every method in the plan has passed (REG-3, REG-4,
REG-7, REG-8); the refusal names each condition that fails.

All functions take the acting user, run in one transaction and journal explicitly."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from skinchart.accounts.models import Role
from skinchart.accounts.permissions import Capability, user_can
from skinchart.audit.log import record
from skinchart.catalogue.models import ReviewState
from skinchart.consent.models import Consent, ConsentKind, ConsentMode, ConsentStatus
from skinchart.consultations.models import TreatmentPlan
from skinchart.guides.models import GuideVersion, InformationKind, InformationRecord
from skinchart.journal.actions import record_entry
from skinchart.journal.models import EntryKind
from skinchart.lib.dates import format_date, format_local_datetime, reflection_ends_at

MAX_STROKES = 200
MAX_POINTS = 5000
BOX = (600, 200)


class ConsentError(Exception):
    """Consent cannot be recorded; the message names every condition that fails."""


def _informed_by_authorised(record: InformationRecord) -> bool:
    return record.given_by.has_role(Role.DOCTOR) or record.given_by.has_role(Role.NURSE)


def information_for(
    plan: TreatmentPlan,
) -> tuple[GuideVersion | None, InformationRecord | None, InformationRecord | None]:
    """The guide version in force for the plan's treatment, the client's latest written
    information of it, and the latest oral information given after that written."""
    version = GuideVersion.objects.filter(guide__treatment=plan.treatment).in_force_on(timezone.localdate()).first()
    if version is None:
        return None, None, None
    records = InformationRecord.objects.filter(client=plan.client, guide_version=version).select_related("given_by")
    written = records.effective_written().order_by("-given_at").first()
    oral = None
    if written is not None:
        oral = records.filter(kind=InformationKind.ORAL, given_at__gte=written.given_at).order_by("-given_at").first()
    return version, written, oral


def consent_problems(plan: TreatmentPlan, *, at: dt.datetime | None = None) -> list[str]:
    """Every reason a treatment consent for `plan` cannot be valid at `at` (empty: it can)."""
    at = at or timezone.now()
    problems = list(plan.readiness_problems())
    version, written, oral = information_for(plan)
    if version is None:
        problems.append(_("No client guide for this treatment is in force."))
        return problems
    if version.review_state() == ReviewState.OVERDUE and settings.DOCUMENT_REVIEW_OVERDUE == "block":
        problems.append(_("The client guide is overdue for review; a doctor must approve a reviewed version."))
    if written is None:
        problems.append(
            _("The client has not been given the written information (version %(number)s).")
            % {"number": version.number}
        )
        return problems
    if oral is None:
        problems.append(_("The oral information after the written is not recorded."))
        return problems
    if not _informed_by_authorised(oral):
        problems.append(_("The oral information must be given by a doctor or a nurse."))
    informed_at = plan.information_given_at() or oral.given_at  # the same start as bookings use
    for rule in plan.reflection_rules():
        name = plan.definition.method(rule["method"])
        label = name.name.get(translation.get_language() or "da") if name else rule["method"]
        ends = reflection_ends_at(informed_at, rule["hours"])
        if at < ends:
            problems.append(
                _("The reflection period for %(method)s ends %(when)s.")
                % {"method": label, "when": format_local_datetime(ends)}
            )
        elif not rule["same_day_allowed"] and timezone.localdate(at) == timezone.localdate(informed_at):
            problems.append(_("%(method)s may not be agreed on the day of the information.") % {"method": label})
    return problems


def consent_text(plan: TreatmentPlan, version: GuideVersion, language: str) -> str:
    """The exact statement the client consents to, in the client's language."""
    definition = plan.definition
    lang = "en" if language.startswith("en") else "da"
    areas = "; ".join(
        f"{a['area']} ({definition.method(a['method']).name.get(lang)})"  # type: ignore[union-attr]
        for a in plan.areas
    )
    with translation.override(lang):
        lines = [
            _("Consent to treatment: %(treatment)s") % {"treatment": definition.name.get(lang)},
            _("Areas: %(areas)s. Course: %(sessions)s sessions.") % {"areas": areas, "sessions": plan.sessions},
            _(
                "I have received the written client guide “%(title)s”, version %(number)s (revised %(revised)s), "
                "and then oral information about the course, possible side effects and realistic results, "
                "and I have been able to ask questions."
            )
            % {"title": version.title_in(lang), "number": version.number, "revised": format_date(version.revised_on)},
            _("I have read and understood the information and still want the treatment."),
            _("I know that I can withdraw my consent at any time."),
            _("Document: version %(number)s, content hash %(hash)s.")
            % {"number": version.number, "hash": version.content_hash[:16]},
        ]
    return "\n".join(lines)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def clean_signature(strokes: Any) -> list[list[list[float]]]:
    """A drawn signature: strokes of points inside the signature box; at least a few points."""
    if not isinstance(strokes, list) or not 0 < len(strokes) <= MAX_STROKES:
        raise ConsentError(_("Draw the signature in the box."))
    cleaned: list[list[list[float]]] = []
    total = 0
    for stroke in strokes:
        if not isinstance(stroke, list) or not stroke:
            raise ConsentError(_("Draw the signature in the box."))
        points = []
        for point in stroke:
            if (
                not isinstance(point, list)
                or len(point) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in point)
                or not (0 <= point[0] <= BOX[0] and 0 <= point[1] <= BOX[1])
            ):
                raise ConsentError(_("Draw the signature in the box."))
            points.append([round(float(point[0]), 1), round(float(point[1]), 1)])
        total += len(points)
        cleaned.append(points)
    if total < 5 or total > MAX_POINTS:
        raise ConsentError(_("Draw the signature in the box."))
    return cleaned


def _require_recorder(actor: Any) -> None:
    if not user_can(actor, Capability.GIVE_INFORMATION):
        raise ConsentError(_("Only a doctor or a nurse may record consent."))


@transaction.atomic
def give_treatment_consent(
    *,
    actor: Any,
    plan: TreatmentPlan,
    mode: str,
    discussed: str = "",
    signer_name: str = "",
    signature: Any = None,
    shown_text_hash: str = "",
    language: str = "da",
    request: HttpRequest | None = None,
) -> Consent:
    """Oral (recorded by the practitioner: what was discussed) or written (typed name and
    drawn signature on exactly the text shown, checked by its hash)."""
    _require_recorder(actor)
    TreatmentPlan.objects.select_for_update().filter(pk=plan.pk).first()  # one consent at a time per plan
    if Consent.objects.for_plan(plan).active().exists():
        raise ConsentError(_("The plan already has an active consent."))
    problems = consent_problems(plan)
    if problems:
        raise ConsentError(" ".join(problems))
    version, written, oral = information_for(plan)
    if version is None or written is None or oral is None:  # consent_problems said so already
        raise ConsentError(_("The information is not complete."))
    text = consent_text(plan, version, language)
    fields: dict[str, Any] = {}
    if mode == ConsentMode.ORAL:
        if not discussed.strip():
            raise ConsentError(_("Write what was discussed with the client."))
        fields["discussed"] = discussed.strip()
    elif mode == ConsentMode.WRITTEN:
        if shown_text_hash != text_hash(text):
            raise ConsentError(_("The consent text changed while it was shown. Show the new text and sign again."))
        if not signer_name.strip():
            raise ConsentError(_("Type your name."))
        fields["signer_name"] = signer_name.strip()[:200]
        fields["signature"] = clean_signature(signature)
    else:
        raise ConsentError(_("Choose oral or written consent."))
    consent = Consent.objects.create(
        client=plan.client,
        kind=ConsentKind.TREATMENT,
        mode=mode,
        plan=plan,
        guide_version=version,
        written_information=written,
        oral_information=oral,
        language=language,
        text=text,
        text_hash=text_hash(text),
        recorded_by=actor,
        **fields,
    )
    if mode == ConsentMode.WRITTEN:
        from skinchart.consent.documents import render_consent_pdf

        consent.pdf = render_consent_pdf(consent)
        consent.save(update_fields=["pdf"])
    consent.entry = record_entry(
        actor=actor,
        client=plan.client,
        kind=EntryKind.CONSENT,
        text=_("Treatment consent given (%(mode)s), bound to client guide version %(number)s.%(discussed)s")
        % {
            "mode": ConsentMode(mode).label,
            "number": version.number,
            "discussed": f"\n{consent.discussed}" if consent.discussed else "",
        },
        content={
            "consent": str(consent.code),
            "kind": ConsentKind.TREATMENT,
            "mode": mode,
            "plan": str(plan.code),
            "guide_version": str(version.code),
            "guide_content_hash": version.content_hash,
            "text_hash": consent.text_hash,
            "signer_name": consent.signer_name,
        },
        subject=consent,
        request=request,
    )
    consent.save(update_fields=["entry"])
    record(action="consent.given", actor=actor, request=request, client=plan.client, target=consent, mode=mode)
    return consent


@transaction.atomic
def give_photo_consent(
    *, actor: Any, client: Any, discussed: str, language: str = "da", request: HttpRequest | None = None
) -> Consent:
    """The separate, optional consent to use the client's photos in marketing (REG-18)."""
    _require_recorder(actor)
    if not discussed.strip():
        raise ConsentError(_("Write what the client agreed to (which photos, where they may be used)."))
    type(client).objects.select_for_update().filter(pk=client.pk).first()  # one at a time per client
    if Consent.objects.filter(client=client, kind=ConsentKind.PHOTO_MARKETING).active().exists():
        raise ConsentError(_("The client has already given this consent."))
    with translation.override(language):
        text = _("I allow the clinic to use photos of me in its marketing, as agreed: %(what)s") % {
            "what": discussed.strip()
        }
    consent = Consent.objects.create(
        client=client,
        kind=ConsentKind.PHOTO_MARKETING,
        mode=ConsentMode.ORAL,
        language=language,
        text=text,
        text_hash=text_hash(text),
        discussed=discussed.strip(),
        recorded_by=actor,
    )
    consent.entry = record_entry(
        actor=actor,
        client=client,
        kind=EntryKind.CONSENT,
        text=_("Consent to use photos in marketing given: %(what)s") % {"what": discussed.strip()},
        content={"consent": str(consent.code), "kind": ConsentKind.PHOTO_MARKETING},
        subject=consent,
        request=request,
    )
    consent.save(update_fields=["entry"])
    record(action="consent.given", actor=actor, request=request, client=client, target=consent, mode="oral")
    return consent


@transaction.atomic
def withdraw_consent(*, actor: Any, consent: Consent, reason: str, request: HttpRequest | None = None) -> int:
    """Withdraw a consent. Nothing is deleted (REG-25); a treatment consent's plan gets
    no further sessions; a photo consent clears the marketing flag of every photo of the
    client at once. Returns how many photos lost the flag."""
    if not user_can(actor, Capability.VIEW_CLINICAL):
        raise ConsentError(_("You may not record this."))
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if not consent.is_active:
        raise ConsentError(_("This consent is already withdrawn."))
    consent.status, consent.withdrawn_at, consent.withdrawn_by = ConsentStatus.WITHDRAWN, timezone.now(), actor
    consent.withdrawal_reason = reason.strip()
    consent.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    cancelled = 0
    if consent.kind == ConsentKind.TREATMENT and consent.plan is not None:
        from skinchart.scheduling.actions import cancel_appointment
        from skinchart.scheduling.models import Appointment
        from skinchart.sessions.models import SessionStatus

        # Bookings still to come; one whose session is already under way is stopped or
        # signed by the practitioner, not cancelled.
        upcoming = (
            Appointment.objects.booked()
            .filter(plan=consent.plan, start__gt=timezone.now())
            .exclude(treatment_session__status__in=[SessionStatus.IN_PROGRESS, SessionStatus.SIGNED])
        )
        for appointment in upcoming:
            cancel_appointment(actor=actor, appointment=appointment, request=request)
            cancelled += 1
    cleared = 0
    if consent.kind == ConsentKind.PHOTO_MARKETING:
        from skinchart.photos.models import Photo

        cleared = Photo.objects.clear_marketing_for(consent.client)
    record_entry(
        actor=actor,
        client=consent.client,
        kind=EntryKind.CONSENT,
        text=_("Consent withdrawn (%(kind)s) %(when)s.%(reason)s%(photos)s")
        % {
            "kind": ConsentKind(consent.kind).label,
            "when": format_local_datetime(consent.withdrawn_at),
            "reason": f" {consent.withdrawal_reason}" if consent.withdrawal_reason else "",
            "photos": (
                " "
                + ngettext(
                    "Marketing use removed from %(n)s photo.", "Marketing use removed from %(n)s photos.", cleared
                )
                % {"n": cleared}
            )
            if cleared
            else "",
        },
        content={
            "consent": str(consent.code),
            "withdrawn": True,
            "photos_cleared": cleared,
            "sessions_cancelled": cancelled,
        },
        subject=consent,
        request=request,
    )
    record(action="consent.withdrawn", actor=actor, request=request, client=consent.client, target=consent)
    return cleared
