from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from skinchart.accounts.access import staff_member_required
from skinchart.accounts.models import User
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
    """The dashboard: what needs attention, and the way to a client."""
    from skinchart.consultations.models import Consultation
    from skinchart.guides.alerts import document_alerts
    from skinchart.journal.models import BreakGlass

    user = request.user
    if not isinstance(user, User) or not user.is_staff_member:
        return render(request, "system/home.html")
    context = {
        "alerts": document_alerts(user),
        "can_search": user_can(user, Capability.VIEW_CLIENTS),
        "assessments_waiting": (
            Consultation.objects.awaiting_assessment().count() if user_can(user, Capability.ASSESS_CLIENTS) else 0
        ),
        "break_glass_waiting": (
            BreakGlass.objects.awaiting_review().exclude(user=user).count()
            if user_can(user, Capability.APPROVE_DOCUMENTS)
            else 0
        ),
    }
    return render(request, "system/dashboard.html", context)


def root(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("system:home")
    return redirect("accounts:login")
