"""Fixed authenticator secrets for the demo users, so a newcomer can sign in at once.
Used only when DEMO_MODE is on (refused outside loopback by a system check)."""

from __future__ import annotations

import hashlib
import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from skinchart.accounts.models import User


def demo_key_hex(username: str) -> str:
    return hashlib.sha1(f"skinchart-demo-totp:{username}".encode()).hexdigest()  # noqa: S324


def current_demo_code(user: User) -> str:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or device.key != demo_key_hex(user.username):
        return ""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"
