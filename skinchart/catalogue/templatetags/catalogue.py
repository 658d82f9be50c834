from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import ngettext

from skinchart.catalogue.definition import DURATION

register = template.Library()


@register.filter
def text_in(text: Any, language: str) -> str:
    """A definition's {da, en} text in `language` (Danish when asked for anything else)."""
    if text is None:
        return ""
    if hasattr(text, "get"):
        return str(text.get(language) or text.get("da") or "")
    return str(text)


@register.filter
def duration(value: str | None) -> str:
    """ "24h" → "24 timer" / "24 hours"; "7d" → "7 dage"; "1mo" → "1 måned"."""
    if not value:
        return ""
    match = DURATION.match(value)
    if match is None:
        return value
    number, unit = int(match.group(1)), match.group(2)
    labels = {
        "h": ngettext("%(n)s hour", "%(n)s hours", number),
        "d": ngettext("%(n)s day", "%(n)s days", number),
        "w": ngettext("%(n)s week", "%(n)s weeks", number),
        "mo": ngettext("%(n)s month", "%(n)s months", number),
    }
    return labels[unit] % {"n": number}
