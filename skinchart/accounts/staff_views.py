"""Staff administration for the clinic's administrators."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from skinchart.accounts import actions
from skinchart.accounts.access import acting_user, require_capability, require_recent_auth
from skinchart.accounts.forms import EndRegistrationForm, RegistrationForm, StaffForm
from skinchart.accounts.models import Registration, User
from skinchart.accounts.permissions import Capability

manage_staff = require_capability(Capability.MANAGE_STAFF)


def _actor(request: HttpRequest) -> User:
    return acting_user(request)


@manage_staff
def staff_list(request: HttpRequest) -> HttpResponse:
    staff = User.objects.prefetch_related("staff_roles", "sites").order_by("-is_active", "first_name", "last_name")
    return render(request, "accounts/staff_list.html", {"staff": staff})


@manage_staff
def staff_create(request: HttpRequest) -> HttpResponse:
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, password = actions.create_staff_member(
            actor=_actor(request),
            data=form.account_data(),
            roles=form.cleaned_data["roles"],
            sites=list(form.cleaned_data["sites"]),
            request=request,
        )
        return render(request, "accounts/initial_password.html", {"member": user, "password": password})
    return render(request, "accounts/staff_form.html", {"form": form}, status=422 if form.errors else 200)


@manage_staff
def staff_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    member = get_object_or_404(User.objects.prefetch_related("staff_roles", "sites"), code=code)
    form = StaffForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        actions.update_staff_member(
            actor=_actor(request),
            user=member,
            data=form.account_data(),
            roles=form.cleaned_data["roles"],
            sites=list(form.cleaned_data["sites"]),
            request=request,
        )
        messages.success(request, _("The changes were saved."))
        return redirect("accounts:staff-detail", code=member.code)
    registrations = member.registrations.select_related("site", "supervising_doctor")
    context = {
        "member": member,
        "form": form,
        "registrations": registrations,
        "registration_form": RegistrationForm(practitioner=member),
        "end_form": EndRegistrationForm(),
    }
    return render(request, "accounts/staff_detail.html", context, status=422 if form.errors else 200)


@require_POST
@manage_staff
def staff_set_active(request: HttpRequest, code: UUID) -> HttpResponse:
    member = get_object_or_404(User, code=code)
    active = request.POST.get("active") == "1"
    if member == request.user and not active:
        messages.error(request, _("You cannot deactivate your own account."))
    else:
        actions.set_staff_active(actor=_actor(request), user=member, active=active, request=request)
        messages.success(
            request,
            _("The account is active.") if active else _("The account is deactivated and signed out everywhere."),
        )
    return redirect("accounts:staff-detail", code=member.code)


@require_POST
@manage_staff
@require_recent_auth
def staff_reset_mfa(request: HttpRequest, code: UUID) -> HttpResponse:
    member = get_object_or_404(User, code=code)
    actions.reset_mfa(actor=_actor(request), user=member, request=request)
    messages.success(
        request,
        _("Two-step sign-in was reset. %(name)s sets up a new authenticator at the next sign-in.") % {"name": member},
    )
    return redirect("accounts:staff-detail", code=member.code)


@require_POST
@manage_staff
@require_recent_auth
def staff_reset_password(request: HttpRequest, code: UUID) -> HttpResponse:
    member = get_object_or_404(User, code=code)
    password = actions.reset_password(actor=_actor(request), user=member, request=request)
    return render(request, "accounts/initial_password.html", {"member": member, "password": password})


@require_POST
@manage_staff
def registration_add(request: HttpRequest, code: UUID) -> HttpResponse:
    member = get_object_or_404(User, code=code)
    form = RegistrationForm(request.POST, practitioner=member)
    if form.is_valid():
        actions.add_registration(actor=_actor(request), data=form.registration_data(), request=request)
        messages.success(request, _("The registration was added."))
        return redirect("accounts:staff-detail", code=member.code)
    context = {
        "member": member,
        "form": StaffForm(instance=member),
        "registrations": member.registrations.select_related("site", "supervising_doctor"),
        "registration_form": form,
        "end_form": EndRegistrationForm(),
    }
    return render(request, "accounts/staff_detail.html", context, status=422)


@require_POST
@manage_staff
def registration_end(request: HttpRequest, code: UUID) -> HttpResponse:
    registration = get_object_or_404(Registration, code=code)
    form = EndRegistrationForm(request.POST)
    if form.is_valid() and form.cleaned_data["valid_to"] >= registration.valid_from:
        actions.end_registration(
            actor=_actor(request), registration=registration, valid_to=form.cleaned_data["valid_to"], request=request
        )
        messages.success(request, _("The registration was ended."))
    else:
        messages.error(request, _("Enter a last valid day on or after the start date, as dd.mm.yyyy."))
    return redirect("accounts:staff-detail", code=registration.practitioner.code)
