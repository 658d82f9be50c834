"""Signing in and out, the second factor, re-authentication and one's own account."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from skinchart.accounts import actions, mfa
from skinchart.accounts.access import (
    acting_user,
    is_verified,
    mark_reauthenticated,
    require_recent_auth,
    staff_member_required,
)
from skinchart.accounts.forms import LoginForm, PasswordChangeForm, ReauthForm, TokenForm
from skinchart.accounts.models import User


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _throttled_message() -> str:
    return _("Too many attempts. Wait %(minutes)d minutes, or ask an administrator for help.") % {
        "minutes": settings.LOGIN_THROTTLE_WINDOW // 60
    }


def login_view(request: HttpRequest) -> HttpResponse:
    if is_verified(request.user):
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.check_password_step(
                request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except actions.LoginThrottled:
            form.add_error(None, _throttled_message())
            status = 429
        else:
            if user is not None:
                target = "accounts:mfa" if mfa.has_mfa(user) else "accounts:mfa-enrol"
                return redirect(f"{reverse(target)}?{urlencode({'next': _next_url(request)})}")
            # One message for an unknown user and a wrong password (V6.3.8).
            form.add_error(None, _("The username or password is wrong."))
            status = 401
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)}, status=status)


def mfa_view(request: HttpRequest) -> HttpResponse:
    user = actions.pending_user(request)
    if user is None:
        return redirect("accounts:login")
    if not mfa.has_mfa(user):
        return redirect("accounts:mfa-enrol")
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if actions.check_second_factor_step(request=request, user=user, token=form.cleaned_data["token"]):
                return redirect(_next_url(request))
            form.add_error("token", _("The code is wrong or has already been used."))
            status = 401
        except actions.LoginThrottled:
            form.add_error(None, _throttled_message())
            status = 429
    context = {"form": form, "next": _next_url(request), "demo_code": _demo_code(user)}
    return render(request, "accounts/mfa.html", context, status=status)


def _demo_code(user: User) -> str:
    if not settings.DEMO_MODE:
        return ""
    from skinchart.demo.totp import current_demo_code

    return current_demo_code(user)


def mfa_enrol_view(request: HttpRequest) -> HttpResponse:
    user = actions.pending_user(request)
    if user is None:
        return redirect("accounts:login")
    if mfa.has_mfa(user):
        return redirect("accounts:mfa")
    device = mfa.pending_totp_device(user)
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        codes = actions.confirm_totp_enrolment(request=request, user=user, token=form.cleaned_data["token"])
        if codes is not None:
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("token", _("The code does not match. Check the time on your phone and try the newest code."))
        status = 401
    context = {
        "form": form,
        "qr_svg": mfa.totp_qr_svg(device),
        "secret": mfa.totp_secret_base32(device),
        "next": _next_url(request),
    }
    return render(request, "accounts/mfa_enrol.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    actions.log_out(request=request)
    messages.info(request, _("You are signed out."))
    return redirect("accounts:login")


@staff_member_required
def reauth_view(request: HttpRequest) -> HttpResponse:
    form = ReauthForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if actions.reauthenticate(
            request=request, password=form.cleaned_data["password"], token=form.cleaned_data["token"]
        ):
            mark_reauthenticated(request)
            return redirect(_next_url(request))
        form.add_error(None, _("The password or the code is wrong."))
        status = 401
    return render(request, "accounts/reauth.html", {"form": form, "next": _next_url(request)}, status=status)


@staff_member_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = PasswordChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        actions.change_password(request=request, user=user, new_password=form.cleaned_data["new_password"])
        # Keep this session; every other login session of the user ends (V7.4.3).
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password was changed."))
        return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form}, status=422 if form.errors else 200)


@staff_member_required
def account_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html", {"account": request.user})


@require_POST
@staff_member_required
def end_sessions_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    actions.end_all_login_sessions(actor=user, user=user, request=request)
    actions.log_out(request=request)
    messages.info(request, _("All your sessions have ended, on every device."))
    return redirect("accounts:login")


@require_POST
@staff_member_required
@require_recent_auth
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    codes = actions.regenerate_recovery_codes(request=request, user=user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("accounts:account")})
