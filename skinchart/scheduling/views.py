from __future__ import annotations

import datetime as dt
import uuid
from uuid import UUID

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from skinchart.accounts.access import acting_user, require_capability
from skinchart.accounts.models import Site, User
from skinchart.accounts.permissions import Capability, user_can
from skinchart.clients.access import get_client_for_user
from skinchart.consultations.models import TreatmentPlan
from skinchart.lib.dates import local_today
from skinchart.scheduling import actions
from skinchart.scheduling.access import get_appointment_for_user
from skinchart.scheduling.forms import CLINICAL_ROLES, FIRST_DAY, LAST_DAY, BookingForm, DayForm, day_bounds
from skinchart.scheduling.models import Appointment, AppointmentKind, Room


@require_capability(Capability.VIEW_CLIENTS)
def day(request: HttpRequest) -> HttpResponse:
    """One local day's appointments of a practitioner, a room, or everyone. A bad
    date or code shows a form error and the default calendar, never an error page."""
    user = acting_user(request)
    form = DayForm(request.GET)
    form.is_valid()  # the fields that are valid are used; the others show their error
    date = form.cleaned_data.get("date") or local_today()
    practitioner, room = form.cleaned_data.get("practitioner"), form.cleaned_data.get("room")
    first_visit = "practitioner" not in request.GET and "room" not in request.GET
    if first_visit and user.has_role(*CLINICAL_ROLES):
        practitioner = user  # by default one's own day; an empty choice shows everyone's
    start, end = day_bounds(date)
    appointments = Appointment.objects.booked().starting_between(start, end).for_listing().order_by("start")
    if practitioner is not None:
        appointments = appointments.filter(practitioner=practitioner)
    if room is not None:
        appointments = appointments.filter(room=room)
    selected = {"date": date, "practitioner": practitioner, "room": room}
    if not request.GET:
        form = DayForm(initial=selected)  # the selectors show the default calendar
    context = {
        "form": form,
        "appointments": appointments,
        "today": local_today(),
        "can_treat": user_can(user, Capability.TREAT),
        "previous_day": max(date - dt.timedelta(days=1), FIRST_DAY),
        "next_day": min(date + dt.timedelta(days=1), LAST_DAY),
        **selected,
    }
    return render(request, "scheduling/day.html", context)


def rooms_for(user: User) -> QuerySet[Room]:
    """The rooms of the user's first site, or every room in use."""
    rooms = Room.objects.filter(active=True).select_related("site")
    first_site = user.sites.order_by("name", "pk").first()
    return rooms.filter(site=first_site) if first_site is not None and rooms.filter(site=first_site).exists() else rooms


def site_for(user: User, room: Room | None) -> Site | None:
    if room is not None:
        return room.site
    return user.sites.order_by("name", "pk").first() or Site.objects.order_by("pk").first()


def requested_plan(request: HttpRequest) -> UUID | None:
    raw = request.GET.get("plan")
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise Http404 from exc


@require_capability(Capability.VIEW_CLIENTS)
def book(request: HttpRequest, code: UUID) -> HttpResponse:
    """Book a pre-consultation (reception may) or, with ?plan=…, a session of a
    treatment plan (clinical staff, through the clinical access check)."""
    plan_code = requested_plan(request)
    if plan_code is None:
        kind = AppointmentKind.PRE_CONSULTATION
        client = get_client_for_user(request, code, capability=Capability.EDIT_CLIENTS, action="scheduling.booking")
        plan = None
    else:
        kind = AppointmentKind.SESSION
        client = get_client_for_user(
            request, code, capability=Capability.VIEW_CLINICAL, action="scheduling.session_booking"
        )
        plan = get_object_or_404(
            TreatmentPlan.objects.select_related("consultation", "definition_version", "treatment"),
            code=plan_code,
            client=client,
        )
    actor = acting_user(request)
    # From the plan's "Book" links: the session and its proposed date; the user as practitioner.
    initial = {
        "session_number": request.GET.get("session"),
        "date": request.GET.get("date", "")[:10],
        "practitioner": actor,
    }
    form = BookingForm(request.POST or None, kind=kind, rooms=rooms_for(actor), initial=initial)
    warnings: list[str] = []
    if request.method == "POST" and form.is_valid():
        room = form.cleaned_data["room"]
        site = site_for(actor, room)
        try:
            if site is None:
                raise actions.BookingError(_("No site is set up; an administrator must add one first."))
            actions.book_appointment(
                actor=actor,
                client=client,
                site=site,
                practitioner=form.cleaned_data["practitioner"],
                room=room,
                start=form.start(),
                end=form.end(),
                kind=kind,
                plan=plan,
                session_number=form.cleaned_data.get("session_number"),
                override_reason=form.cleaned_data["override_reason"],
                request=request,
            )
        except actions.BookingNeedsReason as exc:
            warnings = exc.warnings
            form.add_error("override_reason", _("State why the appointment should be booked despite the warnings."))
        except actions.BookingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The appointment is booked."))
            return redirect(plan.get_absolute_url() if plan is not None else client.get_absolute_url())
    context = {"client": client, "plan": plan, "kind": kind, "form": form, "warnings": warnings}
    return render(request, "scheduling/book.html", context, status=422 if form.errors else 200)


@require_POST
@require_capability(Capability.EDIT_CLIENTS)
def cancel(request: HttpRequest, code: UUID) -> HttpResponse:
    appointment = get_appointment_for_user(request, code, action="scheduling.cancel_requested")
    try:
        actions.cancel_appointment(actor=acting_user(request), appointment=appointment, request=request)
    except actions.BookingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The appointment is cancelled."))
    return redirect(appointment.client.get_absolute_url())
