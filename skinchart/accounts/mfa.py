"""Second factor: TOTP apps and single-use recovery codes (django-otp)."""

from __future__ import annotations

import secrets
from base64 import b32encode
from binascii import unhexlify

import qrcode
import qrcode.image.svg
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from skinchart.accounts.models import User

RECOVERY_CODE_COUNT = 10


def confirmed_devices(user: User) -> list[Device]:
    devices: list[Device] = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    devices += list(StaticDevice.objects.filter(user=user, confirmed=True))
    return devices


def has_mfa(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verify_second_factor(user: User, token: str) -> Device | None:
    """The device that accepts `token` (a TOTP code or a recovery code), or None.
    Each device throttles its own failures; a TOTP code is accepted once."""
    token = "".join(token.split())
    if not token or len(token) > 16:
        return None
    for device in confirmed_devices(user):
        if device.verify_token(token):
            return device
    return None


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (made once, reused on reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def totp_secret_base32(device: TOTPDevice) -> str:
    return b32encode(unhexlify(device.key)).decode().rstrip("=")


def totp_qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg: bytes = image.to_string()
    return svg.decode()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones and return them (shown once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def remove_all_devices(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
