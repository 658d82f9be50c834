"""Canonical bytes and digests for tamper evidence."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    """One byte string per value: sorted keys, no insignificant spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def chain_hash(previous: str, payload: Any) -> str:
    """SHA-256 over the previous link's hash and this link's canonical content."""
    return hashlib.sha256(previous.encode() + b"\n" + canonical_json(payload)).hexdigest()
