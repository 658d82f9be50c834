"""What a guide looks like to a reader: the approved text as blocks, the clinic's
contact block and the document-control footer — one context for the staff view, the
client's link, print and PDF, so all four show exactly the same text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from skinchart.accounts.models import Site
from skinchart.guides.models import GuideVersion, pick_language
from skinchart.lib.pdf import html_to_pdf
from skinchart.lib.plain_text import text_blocks


def contact_site(user: Any = None) -> Site | None:
    """The site whose contact details go under a guide: the user's first site, else
    the organisation's first."""
    site = user.sites.first() if user is not None and getattr(user, "pk", None) else None
    return site or Site.objects.first()


def guide_context(version: GuideVersion, *, language: str, site: Site | None) -> dict[str, Any]:
    lang = pick_language(language, version.languages())
    return {
        "version": version,
        "doc_language": lang,
        "title": version.title_in(lang),
        "sections": [
            {"key": s["key"], "heading": s["heading"], "blocks": text_blocks(s["body"])}
            for s in version.sections_in(lang)
        ],
        "site": site,
        "approver": version.approved_by,
    }


def render_guide_pdf(version: GuideVersion, *, language: str, site: Site | None) -> bytes:
    """The guide as PDF (WeasyPrint), in the guide's language, with nothing fetched
    from anywhere: the stylesheet is inlined and every other URL is refused."""
    context = guide_context(version, language=language, site=site)
    css_path = finders.find("css/guide.css")
    context["inline_css"] = Path(str(css_path)).read_text(encoding="utf-8") if css_path else ""
    with translation.override(context["doc_language"]):
        html = render_to_string("guides/guide_document.html", context)
    return html_to_pdf(html)
