"""Helpers shared by the browser tests (kept out of conftest.py so tests can import them)."""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from skinchart.accounts.models import User


def current_totp(user: User, *, steps_ahead: int = 0) -> str:
    """The code the user's authenticator app shows now (or `steps_ahead` time steps
    later: a second code within the same 30 seconds, which the server's tolerance of
    one step accepts while refusing to see the same code twice), zero-padded."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def assert_no_csp_errors(console_errors: list[str]) -> None:
    """None of the collected console errors is a Content Security Policy violation."""
    csp = [text for text in console_errors if "content security policy" in text.lower()]
    assert not csp, f"the page broke its own Content Security Policy: {csp}"
