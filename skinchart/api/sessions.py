"""Treatment sessions: the gates, and starting a session."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["sessions"])
