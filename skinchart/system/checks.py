"""System checks that refuse unsafe configurations at start-up."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


@register()
def demo_mode_only_on_loopback(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Demo mode has known passwords: it may run only where nobody else can reach it."""
    if settings.DEMO_MODE and not set(settings.ALLOWED_HOSTS) <= LOOPBACK_HOSTS:
        return [
            Error(
                "DEMO_MODE is on while ALLOWED_HOSTS names a non-loopback host.",
                hint="Demo mode is for a laptop: unset DEMO_MODE in production.",
                id="skinchart.E001",
            )
        ]
    return []
