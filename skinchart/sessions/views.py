"""The treatment room on a tablet: one page per session that follows it from the checks
on the day (re-confirmation, photo, gates) through the checklist and the products to the
signature and the aftercare. Views fetch through the access helper, validate a form, call
one action and redirect; a refusal re-renders the page with the reason and a 4xx."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from skinchart.accounts.access import acting_user, require_capability
from skinchart.accounts.permissions import Capability, user_can
from skinchart.clients.access import authorise_client
from skinchart.photos.actions import ingest_photo
from skinchart.photos.models import Photo
from skinchart.photos.pipeline import PhotoRejected
from skinchart.scheduling.models import Appointment
from skinchart.sessions import actions
from skinchart.sessions.access import get_session_for_user
from skinchart.sessions.forms import (
    ChecklistForm,
    ProductUseForm,
    ReasonForm,
    ReconfirmForm,
    SessionPhotoForm,
    SignForm,
    StartForm,
)
from skinchart.sessions.gates import evaluate_gates
from skinchart.sessions.handout import advice_sentences
from skinchart.sessions.models import ProductUse, SessionStatus, TreatmentSession

clinical = require_capability(Capability.VIEW_CLINICAL)
treating = require_capability(Capability.TREAT)


@treating
@require_POST
def open_from_appointment(request: HttpRequest, code: UUID) -> HttpResponse:
    """Open (or return to) the session of a booked session appointment."""
    appointment = Appointment.objects.select_related("client").filter(code=code).first()
    if appointment is None:
        raise Http404
    authorise_client(
        request, appointment.client, capability=Capability.VIEW_CLINICAL, action="session.open", target=appointment
    )
    try:
        session = actions.open_session(actor=acting_user(request), appointment=appointment, request=request)
    except actions.SessionError as exc:
        messages.error(request, str(exc))
        return redirect("clients:detail", code=appointment.client.code)
    return redirect(session)


def _page(request: HttpRequest, session: TreatmentSession, *, status: int = 200, **bound: Any) -> HttpResponse:
    """The session page in its current state; `bound` holds a submitted form with errors."""
    user = acting_user(request)
    can_treat = user_can(user, Capability.TREAT)
    context: dict[str, Any] = {
        "session": session,
        "client": session.client,
        "plan": session.plan,
        "definition": session.definition,
        "treatment_name": session.definition.name.get(translation.get_language() or "da"),
        "can_treat": can_treat,
        "is_performer": session.performer_id == user.pk,
        "areas": list(dict.fromkeys(item["area"] for item in session.plan.areas)),
        "photos": Photo.objects.filter(client=session.client, subject_type="treatment_sessions.treatmentsession")
        .filter(subject_id=str(session.code))
        .order_by("taken_at"),
        "stop_form": bound.get("stop_form") or ReasonForm(),
    }
    if session.is_preparing:
        report = evaluate_gates(session, performer=user if can_treat else session.performer)
        context.update(
            report=report,
            reconfirm_form=bound.get("reconfirm_form") or ReconfirmForm(session=session),
            photo_form=bound.get("photo_form") or SessionPhotoForm(session=session),
            start_form=bound.get("start_form") or StartForm(),
            override_form=bound.get("override_form") or ReasonForm(),
            can_override=user_can(user, Capability.APPROVE_DOCUMENTS),
        )
    elif session.is_in_progress:
        uses = list(session.product_uses.select_related("batch__product").order_by("recorded_at", "pk"))
        context.update(
            uses=uses,
            checklist_form=bound.get("checklist_form") or ChecklistForm(session=session),
            product_form=bound.get("product_form") or ProductUseForm(session=session),
            photo_form=bound.get("photo_form") or SessionPhotoForm(session=session),
            missing=actions.checklist_problems(session, uses),
            sign_form=bound.get("sign_form") or SignForm(session=session),
        )
    elif session.is_signed:
        context.update(
            uses=list(session.product_uses.select_related("batch__product").order_by("recorded_at", "pk")),
            aftercare=advice_sentences(session, session.language),
        )
    return render(request, "sessions/session.html", context, status=status)


@clinical
@require_GET
def detail(request: HttpRequest, code: UUID) -> HttpResponse:
    return _page(request, get_session_for_user(request, code, action="session.viewed"))


def _refused(request: HttpRequest, session: TreatmentSession, exc: actions.SessionError, **bound: Any) -> HttpResponse:
    messages.error(request, str(exc))
    return _page(request, TreatmentSession.objects.get(pk=session.pk), status=409, **bound)


@treating
@require_POST
def reconfirm(request: HttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request, code, action="session.reconfirm_submitted")
    form = ReconfirmForm(request.POST, session=session)
    if not form.is_valid():
        return _page(request, session, status=422, reconfirm_form=form)
    try:
        actions.reconfirm_health(actor=acting_user(request), session=session, answers=form.answers(), request=request)
    except actions.SessionError as exc:
        return _refused(request, session, exc, reconfirm_form=form)
    messages.success(request, _("Today's answers are recorded."))
    return redirect(session)


@treating
@require_POST
def photo(request: HttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request, code, action="session.photo_submitted")
    if session.status in (SessionStatus.SIGNED, SessionStatus.STOPPED):
        return _refused(request, session, actions.SessionError(_("The session has ended.")))
    form = SessionPhotoForm(request.POST, request.FILES, session=session)
    if not form.is_valid():
        return _page(request, session, status=422, photo_form=form)
    try:
        ingest_photo(
            actor=acting_user(request),
            client=session.client,
            upload=form.cleaned_data["file"],
            area=form.cleaned_data["area"],
            angle=form.cleaned_data["angle"],
            context=form.cleaned_data["context"],
            site=session.site,
            subject=session,
            request=request,
        )
    except PhotoRejected as exc:
        form.add_error("file", exc.message)
        return _page(request, session, status=exc.status, photo_form=form)
    messages.success(request, _("The photo is saved."))
    return redirect(session)


@require_capability(Capability.APPROVE_DOCUMENTS)
@require_POST
def guide_override(request: HttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request, code, action="session.guide_override_submitted")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _page(request, session, status=422, override_form=form)
    try:
        actions.override_guide_gate(
            actor=acting_user(request), session=session, reason=form.cleaned_data["reason"], request=request
        )
    except actions.SessionError as exc:
        return _refused(request, session, exc, override_form=form)
    return redirect(session)


@treating
@require_POST
def start(request: HttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request, code, action="session.start_submitted")
    form = StartForm(request.POST)
    if not form.is_valid():
        return _page(request, session, status=422, start_form=form)
    try:
        actions.start_session(
            actor=acting_user(request),
            session=session,
            spacing_reason=form.cleaned_data["spacing_reason"],
            request=request,
        )
    except actions.SessionBlocked as exc:
        actions.record_refused_start(session=session, refusal=exc, request=request)
        messages.error(request, _("The session cannot start yet; see what is missing below."))
        return _page(request, TreatmentSession.objects.get(pk=session.pk), status=409, start_form=form)
    except actions.SessionError as exc:
        return _refused(request, session, exc, start_form=form)
    messages.success(request, _("The session has started."))
    return redirect(session)


@treating
@require_POST
def checklist(request: HttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request, code, action="session.checklist_submitted")
    if not session.is_in_progress:
        return _refused(request, session, actions.SessionError(_("The session is not in progress.")))
    form = ChecklistForm(request.POST, session=session)
    if not form.is_valid():
        return _page(request, session, status=422, checklist_form=form)
    try:
        actions.record_checklist(
            actor=acting_user(request),
            session=session,
            done=form.done(),
            area_settings=form.area_settings(),
            notes=form.cleaned_data["notes"],
            request=request,
        )
    except actions.SessionError as exc:
        return _refused(request, session, exc, checklist_form=form)
    messages.success(request, _("The checklist is saved."))
    return redirect(session)


@treating
@require_POST
def add_product(request: HttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request, code, action="session.product_submitted")
    if not session.is_in_progress:
        return _refused(request, session, actions.SessionError(_("The session is not in progress.")))
    form = ProductUseForm(request.POST, session=session)
    if not form.is_valid():
        return _page(request, session, status=422, product_form=form)
    try:
        actions.add_product(
            actor=acting_user(request),
            session=session,
            batch=form.cleaned_data["batch"],
            quantity=form.cleaned_data["quantity"],
            area=form.cleaned_data["area"],
            request=request,
        )
    except actions.SessionError as exc:
        form.add_error(None, str(exc))
        return _page(request, TreatmentSession.objects.get(pk=session.pk), status=422, product_form=form)
    messages.success(request, _("The product is recorded."))
    return redirect(session)


@treating
@require_POST
def remove_product(request: HttpRequest, code: UUID, use: UUID) -> HttpResponse:
    session = get_session_for_user(request, code, action="session.product_removal_submitted")
    line = ProductUse.objects.select_related("batch").filter(code=use, session=session).first()
    if line is None:
        raise Http404
    try:
        actions.remove_product(actor=acting_user(request), session=session, use=line, request=request)
    except actions.SessionError as exc:
        return _refused(request, session, exc)
    return redirect(session)


@treating
@require_POST
def sign(request: HttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request, code, action="session.sign_submitted")
    form = SignForm(request.POST, session=session)
    if not form.is_valid():
        return _page(request, session, status=422, sign_form=form)
    try:
        actions.sign_session(actor=acting_user(request), session=session, ended_at=form.ended_at(), request=request)
    except actions.SessionError as exc:
        return _refused(request, session, exc, sign_form=form)
    messages.success(request, _("The session is signed. Give the client the aftercare handout."))
    return redirect(session)


@treating
@require_POST
def stop(request: HttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request, code, action="session.stop_submitted")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _page(request, session, status=422, stop_form=form)
    try:
        actions.stop_session(
            actor=acting_user(request), session=session, reason=form.cleaned_data["reason"], request=request
        )
    except actions.SessionError as exc:
        return _refused(request, session, exc, stop_form=form)
    messages.success(request, _("The session is stopped."))
    return redirect(session)
