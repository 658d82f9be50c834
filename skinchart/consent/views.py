from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from skinchart.accounts.access import acting_user, require_capability
from skinchart.accounts.permissions import Capability, user_can
from skinchart.audit.log import record
from skinchart.audit.models import Outcome
from skinchart.clients.access import authorise_client, get_client_for_user
from skinchart.consent import actions
from skinchart.consent.documents import consent_context
from skinchart.consent.forms import KioskSignForm, KioskUnlockForm, OralConsentForm, PhotoConsentForm, WithdrawForm
from skinchart.consent.middleware import KIOSK
from skinchart.consent.models import Consent, ConsentKind
from skinchart.consultations.access import get_plan_for_user
from skinchart.consultations.models import TreatmentPlan

KIOSK_UNLOCK_TRIES = 5

clinical = require_capability(Capability.VIEW_CLINICAL)
recorder = require_capability(Capability.GIVE_INFORMATION)


def _consent_for_user(request: HttpRequest, code: UUID, *, action: str) -> Consent:
    consent = (
        Consent.objects.select_related("client", "plan", "guide_version", "recorded_by", "withdrawn_by")
        .filter(code=code)
        .first()
    )
    if consent is None:
        record(action=action, request=request, outcome=Outcome.DENIED, reason="not_found", consent_code=str(code))
        raise Http404
    authorise_client(request, consent.client, capability=Capability.VIEW_CLINICAL, action=action, target=consent)
    return consent


@clinical
def plan_consent(request: HttpRequest, code: UUID) -> HttpResponse:
    """A plan's consent: what still stands in the way, oral consent, or written on the tablet."""
    plan = get_plan_for_user(request, code, action="consent.plan_viewed")
    version, _written, _oral = actions.information_for(plan)
    language = plan.client.preferred_language or "da"
    context = {
        "plan": plan,
        "client": plan.client,
        "problems": actions.consent_problems(plan),
        "consents": Consent.objects.for_plan(plan).select_related("recorded_by", "withdrawn_by"),
        "text": actions.consent_text(plan, version, language) if version is not None else "",
        "oral_form": OralConsentForm(),
        "can_record": user_can(request.user, Capability.GIVE_INFORMATION),
    }
    return render(request, "consent/plan_consent.html", context)


@recorder
@require_POST
def oral_consent(request: HttpRequest, code: UUID) -> HttpResponse:
    plan = get_plan_for_user(request, code, action="consent.oral_submitted")
    form = OralConsentForm(request.POST)
    if form.is_valid():
        try:
            actions.give_treatment_consent(
                actor=acting_user(request),
                plan=plan,
                mode="oral",
                discussed=form.cleaned_data["discussed"],
                language=plan.client.preferred_language or "da",
                request=request,
            )
        except actions.ConsentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The oral consent is recorded in the journal."))
    else:
        messages.error(request, _("Write what was discussed with the client."))
    return redirect("consent:plan", code=plan.code)


@recorder
@require_POST
def kiosk_start(request: HttpRequest, code: UUID) -> HttpResponse:
    """Hand the tablet to the client: this login session shows only the consent to sign
    until the staff member unlocks it with their password."""
    plan = get_plan_for_user(request, code, action="consent.kiosk_started")
    problems = actions.consent_problems(plan)
    if problems:
        messages.error(request, " ".join(problems))
        return redirect("consent:plan", code=plan.code)
    request.session[KIOSK] = {"plan": str(plan.code), "done": False}
    return redirect("consent:kiosk")


def _kiosk_plan(request: HttpRequest) -> TreatmentPlan | None:
    state = request.session.get(KIOSK)
    if not state:
        return None
    return get_plan_for_user(request, UUID(state["plan"]), action="consent.kiosk_viewed")


@clinical
def kiosk(request: HttpRequest) -> HttpResponse:
    plan = _kiosk_plan(request)
    if plan is None:
        return redirect("system:home")
    state = request.session[KIOSK]
    language = plan.client.preferred_language or "da"
    version, _written, _oral = actions.information_for(plan)
    text = actions.consent_text(plan, version, language) if version is not None else ""
    form = KioskSignForm(request.POST or None, initial={"text_hash": actions.text_hash(text)})
    if request.method == "POST" and not state.get("done") and form.is_valid():
        try:
            actions.give_treatment_consent(
                actor=acting_user(request),
                plan=plan,
                mode="written",
                signer_name=form.cleaned_data["name"],
                signature=form.cleaned_data["signature"],
                shown_text_hash=form.cleaned_data["text_hash"],
                language=language,
                request=request,
            )
        except actions.ConsentError as exc:
            form.add_error(None, str(exc))
        else:
            request.session[KIOSK] = {**state, "done": True}
            return redirect("consent:kiosk")
    context = {
        "client": plan.client,
        "lines": text.split("\n"),
        "form": form,
        "done": state.get("done"),
        "language": language,
    }
    return render(request, "consent/kiosk.html", context, status=422 if form.errors else 200)


@clinical
def kiosk_unlock(request: HttpRequest) -> HttpResponse:
    """The staff member takes the tablet back with their password."""
    state = request.session.get(KIOSK)
    if not state:
        return redirect("system:home")
    form = KioskUnlockForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            record(action="consent.kiosk_unlocked", request=request)
            del request.session[KIOSK]
            return redirect("consent:plan", code=state["plan"])
        failures = int(state.get("failures", 0)) + 1
        record(action="consent.kiosk_unlocked", request=request, outcome=Outcome.DENIED, failures=failures)
        if failures >= KIOSK_UNLOCK_TRIES:
            # Whoever holds the tablet does not get to keep guessing: the login session
            # ends, and the staff member signs in again with password and code.
            logout(request)
            messages.error(request, _("Too many wrong passwords: the tablet is signed out."))
            return redirect("accounts:login")
        request.session[KIOSK] = {**state, "failures": failures}
    return render(request, "consent/kiosk_unlock.html", {"form": form}, status=422 if form.errors else 200)


@clinical
def consent_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    consent = _consent_for_user(request, code, action="consent.viewed")
    context = {
        **consent_context(consent),
        "client": consent.client,
        "withdraw_form": WithdrawForm(),
    }
    return render(request, "consent/consent_detail.html", context)


@clinical
def consent_pdf(request: HttpRequest, code: UUID) -> HttpResponse:
    consent = _consent_for_user(request, code, action="consent.printed")
    if not consent.pdf:
        raise Http404
    response = HttpResponse(bytes(consent.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="consent-{consent.code}.pdf"'
    return response


@clinical
@require_POST
def withdraw(request: HttpRequest, code: UUID) -> HttpResponse:
    consent = _consent_for_user(request, code, action="consent.withdraw_submitted")
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        cleared = actions.withdraw_consent(actor=acting_user(request), consent=consent, reason=reason, request=request)
    except actions.ConsentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The consent is withdrawn. Nothing in the journal is deleted."))
        if cleared:
            messages.info(
                request,
                ngettext(
                    "%(n)s photo may no longer be used in marketing.",
                    "%(n)s photos may no longer be used in marketing.",
                    cleared,
                )
                % {"n": cleared},
            )
    return redirect(consent.get_absolute_url())


@clinical
def client_consents(request: HttpRequest, code: UUID) -> HttpResponse:
    client = get_client_for_user(request, code, capability=Capability.VIEW_CLINICAL, action="consent.list_viewed")
    consents = Consent.objects.filter(client=client).select_related("plan", "guide_version", "recorded_by")
    photo_consent = next((c for c in consents if c.kind == ConsentKind.PHOTO_MARKETING and c.is_active), None)
    context = {
        "client": client,
        "consents": consents,
        "photo_consent": photo_consent,
        "photo_form": PhotoConsentForm(),
        "can_record": user_can(request.user, Capability.GIVE_INFORMATION),
    }
    return render(request, "consent/client_consents.html", context)


@recorder
@require_POST
def photo_consent(request: HttpRequest, code: UUID) -> HttpResponse:
    client = get_client_for_user(request, code, capability=Capability.VIEW_CLINICAL, action="consent.photo_submitted")
    form = PhotoConsentForm(request.POST)
    if form.is_valid():
        try:
            actions.give_photo_consent(
                actor=acting_user(request),
                client=client,
                discussed=form.cleaned_data["discussed"],
                language=client.preferred_language or "da",
                request=request,
            )
        except actions.ConsentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The consent to use photos in marketing is recorded."))
    else:
        messages.error(request, _("Write what the client agreed to (which photos, where they may be used)."))
    return redirect("consent:client", code=client.code)
