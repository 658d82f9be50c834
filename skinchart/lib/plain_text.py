"""The plain-text format of client guides: paragraphs separated by a blank line, and
lines starting with "- " as bullet lists. Nothing else is markup, so guide text can
never carry HTML (templates escape every piece). Also the cleaning of free text typed
by staff before an action stores it."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext


@dataclass
class Block:
    kind: str  # "p" or "ul"
    text: str = ""
    items: list[str] = field(default_factory=list)


def text_blocks(body: str) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []
    in_list = False

    def end_paragraph() -> None:
        if paragraph:
            blocks.append(Block("p", text=" ".join(paragraph)))
            paragraph.clear()

    for raw in body.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            end_paragraph()
            in_list = False
        elif line.startswith("- "):
            end_paragraph()
            if not in_list:
                blocks.append(Block("ul"))
                in_list = True
            blocks[-1].items.append(line[2:].strip())
        else:
            in_list = False
            paragraph.append(line)
    end_paragraph()
    return blocks


def clean_plain_text(value: str, *, max_length: int) -> str:
    """Free text from a person as it is stored: NFC, stripped, line breaks kept; refused
    (ValueError with a translated message) when it holds control characters, NUL
    included (PostgreSQL cannot store it), or is longer than `max_length`."""
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").strip()
    if any(unicodedata.category(char) == "Cc" and char not in "\n\t" for char in text):
        raise ValueError(gettext("The text may not contain control characters."))
    if len(text) > max_length:
        raise ValueError(gettext("The text can be at most %(max)s characters.") % {"max": max_length})
    return text
