"""Facts about the incoming request that logs and throttles need."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the last hop of CLIENT_IP_HEADER when
    the site runs behind a proxy that sets it."""
    header = settings.CLIENT_IP_HEADER
    candidate = ""
    if header:
        meta_key = "HTTP_" + header.upper().replace("-", "_")
        candidate = request.META.get(meta_key, "").split(",")[-1].strip()
    if not candidate:
        candidate = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return "0.0.0.0"  # noqa: S104 — "unknown address", never bound to
