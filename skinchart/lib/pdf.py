"""HTML to PDF (WeasyPrint) that never fetches anything: stylesheets are inlined by the
caller and every URL in the document is refused, so no document can make the server
read a file or call out (security.md: SSRF via PDF generators)."""

from __future__ import annotations

from typing import Any


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported on use: it loads pango at import

    return bytes(HTML(string=html, url_fetcher=_refuse_fetch).write_pdf())


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"PDFs fetch nothing ({url})")
