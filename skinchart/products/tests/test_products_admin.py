"""The products and batches pages (MANAGE_PRODUCTS): list, add, edit, over HTTP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from skinchart.accounts.models import User
from skinchart.audit.models import AuditEvent
from skinchart.clients.tests.factories import ClientFactory
from skinchart.products.models import Batch, Product
from skinchart.products.tests.factories import BatchFactory, ProductFactory
from skinchart.products.tests.treated import treat

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], HttpClient]
LIST = "/products/"


def detail_url(product: Product) -> str:
    return f"/products/{product.code}/"


def edit_url(product: Product) -> str:
    return f"/products/{product.code}/edit/"


def batch_edit_url(batch: Batch) -> str:
    return f"/batches/{batch.code}/edit/"


def day(offset: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=offset)


def batch_data(**fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "lot": "A-1",
        "expires_on": f"{day(300):%d.%m.%Y}",
        "received_on": f"{day(-2):%d.%m.%Y}",
        "stock": "12,5",
        "active": "on",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def http(nurse: User, sign_in: SignIn) -> HttpClient:
    return sign_in(nurse)


# --- products ---------------------------------------------------------------------------------


def test_the_list_shows_each_product_with_its_batch_counts(http: HttpClient) -> None:
    ProductFactory(name="Skin Glow")
    ProductFactory(name="Aqua Old", active=False)
    product = ProductFactory(name="Hydra Boost")
    BatchFactory(product=product)
    BatchFactory(product=product, expires_on=day(-1))  # expired
    BatchFactory(product=product, active=False)

    response = http.get(LIST)

    assert response.status_code == 200
    html = response.content.decode()
    row = html.split(f'id="product-{product.code}"', 1)[1].split("</tr>", 1)[0]
    assert '<td data-count="batches">3</td>' in row
    assert '<td data-count="usable">1</td>' in row
    # In use first, then by name.
    assert html.index("Hydra Boost") < html.index("Skin Glow") < html.index("Aqua Old")
    assert 'id="product-form"' in html


def test_it_adds_a_product_and_logs_it(http: HttpClient, nurse: User) -> None:
    response = http.post(
        LIST, {"name": "  Hydra Boost ", "manufacturer": "Dermica", "contains_hyaluronic_acid": "on", "unit": "vial"}
    )

    product = Product.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(product)
    assert (product.name, product.manufacturer, product.contains_hyaluronic_acid, product.unit, product.active) == (
        "Hydra Boost",
        "Dermica",
        True,
        "vial",
        True,
    )
    event = AuditEvent.objects.get(action="products.product_created")
    assert (event.actor, event.target_id) == (nurse, str(product.code))


def test_a_duplicate_product_is_a_form_error(http: HttpClient) -> None:
    ProductFactory(name="Hydra Boost", manufacturer="Dermica")

    response = http.post(LIST, {"name": "Hydra Boost", "manufacturer": "Dermica", "unit": "ml"})

    assert response.status_code == 422
    assert Product.objects.count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "", "manufacturer": "Dermica", "unit": "ml"},
        {"name": "Hydra\x1bBoost", "manufacturer": "Dermica", "unit": "ml"},
        {"name": "Hydra", "manufacturer": "Dermica", "unit": "litre"},
        {"name": "H" * 201, "manufacturer": "Dermica", "unit": "ml"},
    ],
)
def test_bad_product_data_is_a_form_error(http: HttpClient, fields: dict[str, str]) -> None:
    response = http.post(LIST, fields)

    assert response.status_code == 422
    assert not Product.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="products.").exists()


def test_it_edits_a_product_and_logs_the_changes(http: HttpClient) -> None:
    product = ProductFactory(name="Hydra Boost", unit="ml", contains_hyaluronic_acid=True)

    assert http.get(edit_url(product)).status_code == 200
    response = http.post(edit_url(product), {"name": "Hydra Boost 2", "manufacturer": "Dermica", "unit": "ml"})

    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.contains_hyaluronic_acid, product.active) == ("Hydra Boost 2", False, False)
    event = AuditEvent.objects.get(action="products.product_changed")
    assert event.data["changes"] == {
        "active": [True, False],
        "contains_hyaluronic_acid": [True, False],
        "name": ["Hydra Boost", "Hydra Boost 2"],
    }


def test_saving_a_product_unchanged_logs_nothing(http: HttpClient) -> None:
    product = ProductFactory(name="Hydra Boost", manufacturer="Dermica", unit="ml", contains_hyaluronic_acid=False)

    response = http.post(
        edit_url(product), {"name": "Hydra Boost", "manufacturer": "Dermica", "unit": "ml", "active": "on"}
    )

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="products.product_changed").exists()


def test_renaming_onto_another_product_is_a_form_error(http: HttpClient) -> None:
    ProductFactory(name="Skin Glow", manufacturer="Dermica")
    product = ProductFactory(name="Hydra Boost", manufacturer="Dermica")

    response = http.post(edit_url(product), {"name": "Skin Glow", "manufacturer": "Dermica", "unit": "ml"})

    assert response.status_code == 422
    product.refresh_from_db()
    assert product.name == "Hydra Boost"


def test_an_unknown_product_is_404(http: HttpClient) -> None:
    assert http.get("/products/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert http.get("/products/00000000-0000-0000-0000-000000000000/edit/").status_code == 404
    assert http.get("/batches/00000000-0000-0000-0000-000000000000/edit/").status_code == 404


# --- batches ----------------------------------------------------------------------------------


def test_the_product_page_lists_its_batches_with_expiry_marked(http: HttpClient) -> None:
    product = ProductFactory()
    fresh = BatchFactory(product=product, lot="FRESH", expires_on=day(30), stock=Decimal("4.5"))
    old = BatchFactory(product=product, lot="OLD", expires_on=day(-1), received_on=dt.date(2025, 3, 4))
    BatchFactory(lot="ELSEWHERE")

    html = http.get(detail_url(product)).content.decode()

    fresh_row = html.split(f'id="batch-{fresh.code}"', 1)[1].split("</tr>", 1)[0]
    old_row = html.split(f'id="batch-{old.code}"', 1)[1].split("</tr>", 1)[0]
    assert f"{day(30):%d.%m.%Y}" in fresh_row and "data-expired" not in fresh_row
    assert "4,50" in fresh_row
    assert "data-expired" in old_row and "04.03.2025" in old_row
    assert "ELSEWHERE" not in html
    assert 'href="/products/recall/?lot=FRESH"' in html  # a nurse may look it up


def test_it_adds_a_batch_with_danish_dates_and_logs_it(http: HttpClient, nurse: User) -> None:
    product = ProductFactory()

    response = http.post(detail_url(product), batch_data(lot="  LOT 7-B \t"))

    assert response.status_code == 302
    batch = Batch.objects.get()
    assert (batch.product, batch.lot, batch.expires_on, batch.received_on, batch.stock, batch.active) == (
        product,
        "LOT 7-B",
        day(300),
        day(-2),
        Decimal("12.5"),
        True,
    )
    event = AuditEvent.objects.get(action="products.batch_created")
    assert (event.actor, event.target_id, event.data["lot"]) == (nurse, str(batch.code), "LOT 7-B")


def test_a_duplicate_lot_of_the_same_product_is_a_form_error(http: HttpClient) -> None:
    product = ProductFactory()
    BatchFactory(product=product, lot="A-1")

    response = http.post(detail_url(product), batch_data(lot=" A-1 "))

    assert response.status_code == 422
    assert b'class="field has-error"' in response.content
    assert Batch.objects.filter(product=product).count() == 1


def test_the_same_lot_of_another_product_is_allowed(http: HttpClient) -> None:
    BatchFactory(lot="A-1")
    product = ProductFactory()

    response = http.post(detail_url(product), batch_data(lot="A-1"))

    assert response.status_code == 302
    assert Batch.objects.filter(lot="A-1").count() == 2


@pytest.mark.parametrize(
    "fields",
    [
        {"lot": ""},
        {"lot": "   "},
        {"lot": "A\x00B"},
        {"lot": "A\x1bB"},
        {"lot": "A\u200bB"},  # invisible
        {"lot": "A\u202eB"},  # right-to-left override
        {"lot": "L" * 61},
        {"expires_on": ""},
        {"expires_on": "2027-31-12"},
        {"expires_on": "31.12.27"},
        {"expires_on": f"{day(-10):%d.%m.%Y}"},  # before it was received
        {"stock": "-1"},
        {"stock": "many"},
        {"stock": "1,234"},
    ],
)
def test_bad_batch_data_is_a_form_error(http: HttpClient, fields: dict[str, str]) -> None:
    product = ProductFactory()

    response = http.post(detail_url(product), batch_data(**fields))

    assert response.status_code == 422
    assert not Batch.objects.exists()


def test_it_edits_a_batch_and_logs_the_changes(http: HttpClient) -> None:
    batch = BatchFactory(lot="A-1", expires_on=day(100), stock=Decimal("10"))

    assert http.get(batch_edit_url(batch)).status_code == 200
    response = http.post(
        batch_edit_url(batch), batch_data(lot="A-2", expires_on=f"{day(90):%d.%m.%Y}", stock="7,25", active=None)
    )

    assert response.status_code == 302
    assert response["Location"] == detail_url(batch.product)
    batch.refresh_from_db()
    assert (batch.lot, batch.expires_on, batch.stock, batch.active) == ("A-2", day(90), Decimal("7.25"), False)
    changes = AuditEvent.objects.get(action="products.batch_changed").data["changes"]
    assert changes["lot"] == ["A-1", "A-2"]
    assert changes["stock"] == ["10.00", "7.25"]
    assert changes["active"] == [True, False]


def test_an_untouched_stock_is_not_written_back_over_a_change_made_meanwhile(http: HttpClient) -> None:
    batch = BatchFactory(expires_on=day(100), stock=Decimal("10"))
    form = http.get(batch_edit_url(batch)).content.decode()
    assert 'name="initial-stock" value="10,00"' in form
    Batch.objects.filter(pk=batch.pk).update(stock=Decimal("8"))  # a session signed meanwhile

    response = http.post(
        batch_edit_url(batch),
        batch_data(lot=batch.lot, expires_on=f"{day(90):%d.%m.%Y}", stock="10,00", **{"initial-stock": "10,00"}),
    )

    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.expires_on, batch.stock) == (day(90), Decimal("8"))


def test_a_recorded_lot_cannot_be_changed(http: HttpClient, doctor: User, nurse: User) -> None:
    batch = BatchFactory(lot="A-1", expires_on=day(100))
    treat(doctor=doctor, nurse=nurse, client=ClientFactory(), uses=[(batch, "1")])

    page = http.get(batch_edit_url(batch))
    response = http.post(batch_edit_url(batch), batch_data(lot="A-2", stock="3"))

    assert b'id="lot-locked"' in page.content
    assert b'name="lot"' not in page.content
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.lot, batch.stock) == ("A-1", Decimal("3"))


def test_the_action_refuses_a_recorded_lot_change_too(doctor: User, nurse: User) -> None:
    from skinchart.products.actions import ProductError, update_batch

    batch = BatchFactory(lot="A-1")
    treat(doctor=doctor, nurse=nurse, client=ClientFactory(), uses=[(batch, "1")])

    with pytest.raises(ProductError):
        update_batch(actor=nurse, batch=batch, data={"lot": "A-2"})
    batch.refresh_from_db()
    assert batch.lot == "A-1"


def test_the_unit_of_a_product_with_recorded_amounts_cannot_change(doctor: User, nurse: User) -> None:
    from skinchart.products.actions import ProductError, update_product

    batch = BatchFactory(lot="U-1")
    treat(doctor=doctor, nurse=nurse, client=ClientFactory(), uses=[(batch, "1")])

    with pytest.raises(ProductError):
        update_product(actor=nurse, product=batch.product, data={"unit": "vial"})
    batch.product.refresh_from_db()
    assert batch.product.unit == "ml"


def test_renaming_a_lot_onto_another_batch_of_the_product_is_a_form_error(http: HttpClient) -> None:
    product = ProductFactory()
    BatchFactory(product=product, lot="A-1")
    batch = BatchFactory(product=product, lot="A-2")

    response = http.post(batch_edit_url(batch), batch_data(lot="A-1"))

    assert response.status_code == 422
    batch.refresh_from_db()
    assert batch.lot == "A-2"


def test_a_duplicate_that_slips_past_the_form_is_refused_with_a_message(nurse: User) -> None:
    from skinchart.products.actions import ProductError, add_batch

    product = ProductFactory()
    BatchFactory(product=product, lot="A-1")

    with pytest.raises(ProductError):
        add_batch(actor=nurse, product=product, data={"lot": "A-1", "expires_on": day(10)})
    assert not AuditEvent.objects.filter(action="products.batch_created").exists()


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["doctor", "nurse", "admin"])
def test_doctors_nurses_and_admins_manage_products(
    make_persona: Callable[[str], User], sign_in: SignIn, persona: str
) -> None:
    http = sign_in(make_persona(persona))
    batch = BatchFactory()

    for url in (LIST, detail_url(batch.product), edit_url(batch.product), batch_edit_url(batch)):
        assert http.get(url).status_code == 200, url
    assert http.post(LIST, {"name": "New", "manufacturer": "M", "unit": "ml"}).status_code == 302


def test_the_admin_sees_no_recall_links(admin_user: User, sign_in: SignIn) -> None:
    batch = BatchFactory(lot="A-1")
    http = sign_in(admin_user)

    assert b"/products/recall/" not in http.get(LIST).content
    assert b"/products/recall/" not in http.get(detail_url(batch.product)).content


@pytest.mark.parametrize("persona", ["reception", "cosmetologist", "outsider"])
def test_others_may_not_manage_products(make_persona: Callable[[str], User], sign_in: SignIn, persona: str) -> None:
    http = sign_in(make_persona(persona))
    batch = BatchFactory()

    for url in (LIST, detail_url(batch.product), edit_url(batch.product), batch_edit_url(batch)):
        assert http.get(url).status_code == 403, url
    assert http.post(LIST, {"name": "New", "manufacturer": "M", "unit": "ml"}).status_code == 403
    assert http.post(batch_edit_url(batch), batch_data(lot="HACKED")).status_code == 403
    assert Product.objects.count() == 1
    batch.refresh_from_db()
    assert batch.lot != "HACKED"


def test_signed_out_users_are_sent_to_the_login() -> None:
    response = HttpClient().get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
