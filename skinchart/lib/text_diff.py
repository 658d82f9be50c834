"""Word-level differences between two versions of a text, for reviewing a new
version of a controlled document against the one before."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    op: str  # "same", "added" or "removed"
    text: str


def word_diff(old: str, new: str) -> list[Piece]:
    """The pieces of `new` and `old` in reading order, each marked same/added/removed.
    A change is shown whole (all removed words, then all added ones) rather than
    interleaved around the spaces the two texts happen to share."""
    a, b = TOKENS.findall(old), TOKENS.findall(new)
    # Spaces never start a match (isjunk): otherwise every space of a rewritten section
    # is a candidate and the matching grows to seconds on a long text.
    opcodes = difflib.SequenceMatcher(isjunk=str.isspace, a=a, b=b, autojunk=False).get_opcodes()
    pieces: list[Piece] = []
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        if removed:
            pieces.append(Piece("removed", "".join(removed)))
        if added:
            pieces.append(Piece("added", "".join(added)))
        removed.clear()
        added.clear()

    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        equal_text = "".join(a[i1:i2]) if tag == "equal" else ""
        between_changes = 0 < index < len(opcodes) - 1
        if tag == "equal" and not (between_changes and not equal_text.strip()):
            flush()
            pieces.append(Piece("same", equal_text))
            continue
        removed.extend(a[i1:i2])
        added.extend(b[j1:j2] if tag != "equal" else a[i1:i2])
    flush()
    return pieces


def has_changes(pieces: list[Piece]) -> bool:
    return any(piece.op != "same" for piece in pieces)
