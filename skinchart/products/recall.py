"""Recall: every product use of a lot, with the client, the session and who treated
(REG-16, REG-40). The page, the CSV export and the API all read `uses_of_lot`, so
they show the same rows; one query whatever the number of rows."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Sequence

from django.db.models import F, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from skinchart.lib.dates import format_date, format_local_datetime
from skinchart.sessions.models import ProductUse

# Unicode categories a lot number may not contain: control characters, and format
# characters and line/paragraph separators (invisible: a lot typed from the label
# would never match one that holds them).
CONTROL = frozenset({"Cc"})
INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp"})


def has_characters_of(text: str, categories: frozenset[str]) -> bool:
    return any(unicodedata.category(char) in categories for char in text)


def uses_of_lot(lot: str) -> QuerySet[ProductUse]:
    """The product uses of batches whose lot is exactly `lot` (case-sensitive; any
    product, any session status), in the order the sessions started."""
    return (
        ProductUse.objects.filter(batch__lot=lot)
        .select_related(
            "session__client",
            "session__performer",
            "session__responsible_doctor",
            "batch__product",
        )
        .order_by(F("session__started_at").asc(nulls_last=True), "session__pk", "recorded_at", "pk")
    )


def client_codes(uses: Sequence[ProductUse]) -> list[str]:
    """The clients' codes, each once, in the order of the rows."""
    return list(dict.fromkeys(str(use.session.client.code) for use in uses))


def local_datetime(value: dt.datetime | None) -> str:
    """dd.mm.yyyy HH:MM in the clinic's time zone; empty for a session not started."""
    return format_local_datetime(value) if value is not None else ""


def csv_header() -> list[str]:
    return [
        _("Client"),
        _("Date of birth"),
        _("Session started"),
        _("Session status"),
        _("Performed by"),
        _("Responsible doctor"),
        _("Product"),
        _("Manufacturer"),
        _("Lot"),
        _("Expiry date"),
        _("Quantity"),
        pgettext("product quantity", "Unit"),
        _("Area"),
    ]


def csv_rows(uses: Sequence[ProductUse]) -> Iterator[list[str]]:
    """The rows as text in the user's language (dates dd.mm.yyyy, decimal comma in
    Danish); the CSV writer neutralises them."""
    for use in uses:
        session, batch = use.session, use.batch
        yield [
            session.client.full_name,
            format_date(session.client.date_of_birth),
            local_datetime(session.started_at),
            str(session.get_status_display()),
            str(session.performer),
            str(session.responsible_doctor) if session.responsible_doctor is not None else "",
            batch.product.name,
            batch.product.manufacturer,
            batch.lot,
            format_date(batch.expires_on),
            formats.number_format(use.quantity, decimal_pos=2),
            str(batch.product.get_unit_display()),
            use.area,
        ]


def csv_filename(lot: str) -> str:
    """recall-<lot>-<date>.csv with only letters, digits, dot, dash and underscore."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", lot).strip("_")[:40] or "lot"
    return f"recall-{safe}-{timezone.localdate():%Y-%m-%d}.csv"
