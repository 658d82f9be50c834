from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from skinchart.accounts.access import require_capability
from skinchart.accounts.permissions import Capability, user_can
from skinchart.clients import actions
from skinchart.clients.access import get_client_for_user
from skinchart.clients.forms import ClientForm, ClientSearchForm
from skinchart.clients.models import Client
from skinchart.scheduling.models import Appointment

SEARCH_LIMIT = 50


@require_capability(Capability.VIEW_CLIENTS)
def client_list(request: HttpRequest) -> HttpResponse:
    form = ClientSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = list(Client.objects.search(query)[: SEARCH_LIMIT + 1]) if query else []
    context = {
        "form": form,
        "query": query,
        "results": results[:SEARCH_LIMIT],
        "more": len(results) > SEARCH_LIMIT,
        "can_register": user_can(request.user, Capability.EDIT_CLIENTS),
    }
    template = "clients/_results.html" if request.htmx else "clients/client_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_capability(Capability.EDIT_CLIENTS)
def client_create(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            client = actions.register_client(actor=request.user, data=data, request=request)
        except actions.DuplicateCprError as exc:
            form.add_error("cpr", str(exc))
        else:
            messages.success(request, _("The client was registered."))
            return redirect(client)
    return render(request, "clients/client_form.html", {"form": form}, status=422 if form.errors else 200)


@require_capability(Capability.VIEW_CLIENTS)
def client_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    client = get_client_for_user(request, code)
    context = {
        "client": client,
        "can_edit": user_can(request.user, Capability.EDIT_CLIENTS),
        "can_reveal_cpr": user_can(request.user, Capability.REVEAL_CPR),
        "can_view_clinical": user_can(request.user, Capability.VIEW_CLINICAL),
        "appointments": Appointment.objects.upcoming_for(client),
    }
    return render(request, "clients/client_detail.html", context)


@require_capability(Capability.EDIT_CLIENTS)
def client_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    client = get_client_for_user(request, code, capability=Capability.EDIT_CLIENTS)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        client.refresh_from_db()  # the form wrote its values onto the instance
        try:
            actions.update_client(actor=request.user, client=client, data=data, request=request)
        except actions.DuplicateCprError as exc:
            form.add_error("cpr", str(exc))
        else:
            messages.success(request, _("The changes were saved."))
            return redirect(client)
    status = 422 if form.errors else 200
    return render(request, "clients/client_form.html", {"form": form, "client": client}, status=status)


@require_POST
@require_capability(Capability.REVEAL_CPR)
def client_reveal_cpr(request: HttpRequest, code: UUID) -> HttpResponse:
    client = get_client_for_user(request, code, capability=Capability.REVEAL_CPR)
    full = actions.reveal_cpr(actor=request.user, client=client, request=request)
    return render(request, "clients/_cpr.html", {"client": client, "full_cpr": full})


@require_capability(Capability.VIEW_CLINICAL)
def client_clinical(request: HttpRequest, code: UUID) -> HttpResponse:
    client = get_client_for_user(request, code, capability=Capability.VIEW_CLINICAL)
    return render(request, "clients/client_clinical.html", {"client": client})
