"""Products and batches (MANAGE_PRODUCTS), and the recall look-up with its CSV export
(RECALL_LOOKUP)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from skinchart.accounts.access import acting_user, require_capability, require_recent_auth
from skinchart.accounts.permissions import Capability, user_can
from skinchart.lib.dates import local_today
from skinchart.lib.spreadsheet_csv import spreadsheet_csv
from skinchart.products import actions
from skinchart.products.forms import BatchForm, NewProductForm, ProductForm, RecallForm
from skinchart.products.models import Batch, Product
from skinchart.products.recall import client_codes, csv_filename, csv_header, csv_rows

manager = require_capability(Capability.MANAGE_PRODUCTS)
recaller = require_capability(Capability.RECALL_LOOKUP)


@manager
def product_list(request: HttpRequest) -> HttpResponse:
    """Every product with its batch counts, and the form to add one."""
    form = NewProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = actions.create_product(actor=acting_user(request), data=form.cleaned_data, request=request)
        except actions.ProductError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The product %(name)s is added.") % {"name": product.name})
            return redirect(product)
    usable = Q(batches__active=True, batches__expires_on__gte=local_today())
    products = Product.objects.annotate(
        batch_count=Count("batches"), usable_count=Count("batches", filter=usable)
    ).order_by("-active", "name", "manufacturer")  # (Meta.ordering does not apply with GROUP BY)
    context = {"products": products, "form": form, "can_recall": user_can(request.user, Capability.RECALL_LOOKUP)}
    return render(request, "products/list.html", context, status=422 if form.errors else 200)


@manager
def product_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    """The product's batches, and the form to add one."""
    product = get_object_or_404(Product, code=code)
    form = BatchForm(request.POST or None, product=product)
    if request.method == "POST" and form.is_valid():
        try:
            batch = actions.add_batch(
                actor=acting_user(request), product=product, data=form.cleaned_data, request=request
            )
        except actions.ProductError as exc:
            form.add_error("lot", str(exc))
        else:
            messages.success(request, _("Batch %(lot)s is added.") % {"lot": batch.lot})
            return redirect(product)
    batches = product.batches.annotate(use_count=Count("uses")).order_by("-active", "expires_on", "lot")
    context = {
        "product": product,
        "batches": batches,
        "form": form,
        "today": local_today(),
        "can_recall": user_can(request.user, Capability.RECALL_LOOKUP),
    }
    return render(request, "products/detail.html", context, status=422 if form.errors else 200)


def changes(form: forms.BaseForm) -> dict[str, Any]:
    """Only what the user changed on the form: a value changed meanwhile by someone
    else (e.g. the stock, which signing a session lowers) is not written back."""
    return {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}


@manager
def product_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    product = get_object_or_404(Product, code=code)
    form = ProductForm(request.POST or None, instance=Product.objects.get(pk=product.pk))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_product(actor=acting_user(request), product=product, data=changes(form), request=request)
        except actions.ProductError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The product is saved."))
            return redirect(product)
    context = {"product": product, "form": form}
    return render(request, "products/product_edit.html", context, status=422 if form.errors else 200)


@manager
def batch_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    """Expiry, received, stock and in use; the lot too until a session records it."""
    batch = get_object_or_404(Batch.objects.select_related("product"), code=code)
    lot_locked = batch.uses.exists()
    form = BatchForm(
        request.POST or None,
        instance=Batch.objects.get(pk=batch.pk),  # the form's copy; `batch` keeps the saved values
        product=batch.product,
        lot_locked=lot_locked,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.update_batch(actor=acting_user(request), batch=batch, data=changes(form), request=request)
        except actions.ProductError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Batch %(lot)s is saved.") % {"lot": saved.lot})
            return redirect(batch.product)
    context = {"batch": batch, "product": batch.product, "form": form, "lot_locked": lot_locked}
    return render(request, "products/batch_edit.html", context, status=422 if form.errors else 200)


@recaller
def recall(request: HttpRequest) -> HttpResponse:
    """Which clients received a lot: one row per product use, oldest session first.
    Each look-up is logged with the clients found."""
    form = RecallForm(request.GET if "lot" in request.GET else None)
    uses = None
    lot = ""
    if form.is_valid():
        lot = form.cleaned_data["lot"]
        uses = actions.look_up_lot(actor=acting_user(request), lot=lot, request=request)
    context = {
        "form": form,
        "lot": lot,
        "uses": uses,
        "client_count": len(client_codes(uses)) if uses is not None else 0,
        "csv_query": urlencode({"lot": lot}),
    }
    return render(request, "products/recall.html", context)


@recaller
@require_recent_auth
def recall_csv(request: HttpRequest) -> HttpResponse:
    """The look-up's rows as CSV for Excel (UTF-8 with BOM, `;`), every cell
    neutralised against formula injection. An export of many clients' data, so it
    asks for a recent sign-in (V7.5.3) and is logged."""
    form = RecallForm(request.GET)
    if not form.is_valid():
        # The page shows why (or the empty search form).
        query = f"?{urlencode({'lot': request.GET['lot']})}" if "lot" in request.GET else ""
        return redirect(reverse("products:recall") + query)
    lot = form.cleaned_data["lot"]
    uses = actions.export_lot(actor=acting_user(request), lot=lot, request=request)
    content = spreadsheet_csv(csv_header(), csv_rows(uses))
    response = HttpResponse(content.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=csv_filename(lot))
    response["Cache-Control"] = "no-store, private"
    return response
