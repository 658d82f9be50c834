"""Reading the audit and access log: MFA-verified doctors and administrators only,
and every reading is itself logged (REG-30)."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from skinchart.accounts.access import require_capability
from skinchart.accounts.permissions import Capability
from skinchart.audit.log import record
from skinchart.audit.models import AuditEvent, Outcome

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    client = forms.UUIDField(label=_("Client (UUID)"), required=False)
    action = forms.CharField(label=_("Action starts with"), max_length=64, required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", _("All")), *Outcome.choices], required=False)


@require_capability(Capability.VIEW_AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    events = AuditEvent.objects.select_related("actor", "client", "on_behalf_of").order_by("-at", "-pk")
    filters: dict[str, str] = {}
    if form.is_valid():
        data = form.cleaned_data
        if data["client"]:
            events = events.filter(client__code=data["client"])
            filters["client"] = str(data["client"])
        if data["action"]:
            events = events.filter(action__startswith=data["action"])
            filters["action"] = data["action"]
        if data["outcome"]:
            events = events.filter(outcome=data["outcome"])
            filters["outcome"] = data["outcome"]
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    record(action="audit.viewed", request=request, page=page.number, filters=filters)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {"form": form, "page": page, "query": query.urlencode()})
