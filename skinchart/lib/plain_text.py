"""The plain-text format of client guides: paragraphs separated by a blank line, and
lines starting with "- " as bullet lists. Nothing else is markup, so guide text can
never carry HTML (templates escape every piece)."""

from __future__ import annotations

from dataclasses import dataclass, field


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
