"""The signed consent as a document: the exact text, the typed name, the drawn signature
(as SVG, so nothing is fetched) and the document-control facts, as PDF (WeasyPrint)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from skinchart.consent.models import Consent
from skinchart.lib.pdf import html_to_pdf


def signature_svg_paths(strokes: Any) -> list[str]:
    """SVG path data for each stroke (numbers only, so safe to put in markup)."""
    paths = []
    for stroke in strokes or []:
        points = [f"{float(x):.1f} {float(y):.1f}" for x, y in stroke]
        if len(points) == 1:
            points.append(points[0])
        paths.append("M " + " L ".join(points))
    return paths


def consent_context(consent: Consent) -> dict[str, Any]:
    return {
        "consent": consent,
        "lines": consent.text.split("\n"),
        "paths": signature_svg_paths(consent.signature),
    }


def render_consent_pdf(consent: Consent) -> bytes:
    with translation.override(consent.language):
        html = render_to_string("consent/consent_document.html", consent_context(consent))
    return html_to_pdf(html)
