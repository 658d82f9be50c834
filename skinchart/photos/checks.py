"""Start-up checks of the photo settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register()
def photo_keys_configured(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Outside DEBUG there is no development key: without PHOTO_KEYS no photo can be
    stored or shown (the pipeline refuses rather than store one unencrypted)."""
    if not settings.PHOTO_KEYS or settings.PHOTO_KEY_ID not in settings.PHOTO_KEYS:
        return [
            Error(
                "PHOTO_KEYS is not set: clinical photos cannot be encrypted.",
                hint="Set PHOTO_KEYS (or PHOTO_KEYS_FILE) to 'id:<base64 of 32 random bytes>' and PHOTO_KEY_ID; "
                "see README and ADR 0010.",
                id="skinchart.E010",
            )
        ]
    return []
