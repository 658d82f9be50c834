"""Batches and recalls: which sessions used a lot."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["products"])
