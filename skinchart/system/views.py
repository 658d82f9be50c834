from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from skinchart.accounts.access import staff_member_required
from skinchart.accounts.permissions import Capability, user_can


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: is the database answering?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = {"ok": True, "vendor": connection.vendor}
    except Exception:
        database = {"ok": False, "vendor": connection.vendor}
    status = 200 if database["ok"] else 503
    return JsonResponse({"status": "ok" if database["ok"] else "unavailable", "database": database}, status=status)


@staff_member_required
def home(request: HttpRequest) -> HttpResponse:
    if user_can(request.user, Capability.VIEW_CLIENTS):
        return redirect("clients:list")
    if user_can(request.user, Capability.MANAGE_STAFF):
        return redirect("accounts:staff-list")
    return render(request, "system/home.html")


def root(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("system:home")
    return redirect("accounts:login")
