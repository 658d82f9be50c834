"""CSV for spreadsheets as the clinic opens them: Excel in Denmark reads UTF-8 only
with a byte order mark, and splits on `;` (the comma is the decimal separator).

Every cell is neutralised against formula injection (security.md V1.2.10, B21;
OWASP "CSV Injection"): a cell that begins with `=`, `+`, `-`, `@`, a tab, a carriage
return, a line feed or NUL gets a leading `'`, so the spreadsheet shows it as text
instead of evaluating it. Quoting of separators, quotes and line breaks is the csv
module's (RFC 4180)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

BOM = "\ufeff"
SEPARATOR = ";"
# The characters a spreadsheet may take as the start of a formula (or that hide one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")


def neutralise(value: object) -> str:
    """The cell's text, with a `'` in front when it could start a formula. None is an
    empty cell. The original text is the result without that one added quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def spreadsheet_csv(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """The header and the rows as one CSV text: BOM first, `;` between cells, CRLF
    line ends, every cell (the header's too) neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=SEPARATOR, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return BOM + buffer.getvalue()
