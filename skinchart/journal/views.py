from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from skinchart.accounts.access import acting_user, require_capability
from skinchart.accounts.permissions import Capability
from skinchart.audit.log import record
from skinchart.clients.access import get_client_for_user
from skinchart.journal import actions
from skinchart.journal.access import get_entry_for_user
from skinchart.journal.forms import BreakGlassForm, CorrectionForm, NoteForm, ReviewForm, TimelineFilterForm
from skinchart.journal.models import BreakGlass, Entry, EntryKind

clinical = require_capability(Capability.VIEW_CLINICAL)


@clinical
def timeline(request: HttpRequest, code: UUID) -> HttpResponse:
    client = get_client_for_user(request, code, capability=Capability.VIEW_CLINICAL, action="journal.viewed")
    filters = TimelineFilterForm(request.GET)
    entries = Entry.objects.filter(client=client).visible_to(request.user)
    if filters.is_valid():
        entries = entries.filtered(**filters.cleaned_data)
    page = Paginator(entries.for_timeline(), settings.JOURNAL_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"client": client, "page": page, "filters": filters, "query": query.urlencode()}
    return render(request, "journal/timeline.html", context)


@clinical
def note_create(request: HttpRequest, code: UUID) -> HttpResponse:
    action = "journal.note_form_viewed" if request.method == "GET" else "journal.note_submitted"
    client = get_client_for_user(request, code, capability=Capability.VIEW_CLINICAL, action=action)
    actor = acting_user(request)
    form = NoteForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            entry = actions.record_entry(
                actor=actor,
                client=client,
                kind=EntryKind.CLINICAL_NOTE,
                text=form.cleaned_data["text"],
                occurred_at=form.occurred_at(),
                on_behalf_of=form.cleaned_data["on_behalf_of"],
                sign=request.POST.get("sign") == "1",
                request=request,
            )
        except actions.JournalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The note is signed.") if entry.is_signed else _("The draft is saved."))
            return redirect("journal:timeline", code=client.code)
    status = 422 if form.errors else 200
    return render(request, "journal/note_form.html", {"client": client, "form": form}, status=status)


@clinical
def entry_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    entry = get_entry_for_user(request, code)
    original = entry.corrects or entry
    corrections = original.corrections.select_related("author", "on_behalf_of").order_by("recorded_at")
    context = {"entry": entry, "original": original, "corrections": corrections, "client": entry.client}
    return render(request, "journal/entry_detail.html", context)


@clinical
def entry_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    entry = get_entry_for_user(request, code, action="journal.draft_opened")
    if entry.is_signed:
        return redirect("journal:entry-correct", code=entry.code)
    actor = acting_user(request)
    local = timezone.localtime(entry.occurred_at)
    initial = {
        "text": entry.text,
        "occurred_on": local.date(),
        "occurred_time": local.time().replace(second=0, microsecond=0),
        "on_behalf_of": entry.on_behalf_of,
    }
    form = NoteForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_draft(
                actor=actor,
                entry=entry,
                text=form.cleaned_data["text"],
                occurred_at=form.occurred_at(),
                on_behalf_of=form.cleaned_data["on_behalf_of"],
                request=request,
            )
            if request.POST.get("sign") == "1":
                actions.sign_entry(actor=actor, entry=entry, request=request)
        except actions.JournalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("journal:timeline", code=entry.client.code)
    status = 422 if form.errors else 200
    return render(
        request, "journal/note_form.html", {"client": entry.client, "form": form, "entry": entry}, status=status
    )


@require_POST
@clinical
def entry_sign(request: HttpRequest, code: UUID) -> HttpResponse:
    entry = get_entry_for_user(request, code, action="journal.entry_sign_requested")
    try:
        actions.sign_entry(actor=acting_user(request), entry=entry, request=request)
    except actions.JournalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The note is signed."))
    return redirect("journal:timeline", code=entry.client.code)


@clinical
def entry_correct(request: HttpRequest, code: UUID) -> HttpResponse:
    original = get_entry_for_user(request, code, action="journal.correction_form_viewed")
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            correction = actions.correct_entry(
                actor=acting_user(request), original=original, request=request, **form.cleaned_data
            )
        except actions.JournalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The correction is signed. The original stays readable and is marked."))
            return redirect("journal:entry", code=correction.code)
    status = 422 if form.errors else 200
    return render(
        request,
        "journal/correct_form.html",
        {"original": original, "client": original.client, "form": form},
        status=status,
    )


@clinical
def break_glass(request: HttpRequest, code: UUID) -> HttpResponse:
    client = get_client_for_user(request, code, action="journal.break_glass_form_viewed")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = client.get_absolute_url()
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.break_glass(
                actor=acting_user(request), client=client, reason=form.cleaned_data["reason"], request=request
            )
        except actions.JournalError as exc:
            form.add_error("reason", str(exc))
        else:
            return redirect(next_url)
    context = {"client": client, "form": form, "next": next_url, "minutes": settings.BREAK_GLASS_MINUTES}
    return render(request, "journal/break_glass.html", context, status=422 if form.errors else 200)


@require_capability(Capability.APPROVE_DOCUMENTS)
def break_glass_review(request: HttpRequest) -> HttpResponse:
    """The responsible doctor's list of break-glass accesses to review."""
    pending = BreakGlass.objects.awaiting_review().select_related("client", "user")
    reviewed = BreakGlass.objects.filter(reviewed_at__isnull=False).select_related("client", "user", "reviewed_by")[:50]
    record(action="journal.break_glass_list_viewed", request=request)
    return render(
        request, "journal/break_glass_review.html", {"pending": pending, "reviewed": reviewed, "form": ReviewForm()}
    )


@require_POST
@require_capability(Capability.APPROVE_DOCUMENTS)
def break_glass_reviewed(request: HttpRequest, code: UUID) -> HttpResponse:
    access = get_object_or_404(BreakGlass.objects.select_related("client"), code=code, reviewed_at__isnull=True)
    form = ReviewForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        actions.review_break_glass(actor=acting_user(request), access=access, note=note, request=request)
    except actions.JournalError as exc:
        messages.error(request, str(exc))
    return redirect("journal:break-glass-review")
