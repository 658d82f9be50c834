"""Phone numbers: parse with Denmark (+45) as the default region, store E.164."""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def normalise_phone(text: str) -> str:
    """E.164 form (+4555664343) of a typed number; +45 is assumed without a prefix."""
    try:
        number = phonenumbers.parse(text, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a phone number, e.g. 55 66 43 43 or +45 55 66 43 43."), code="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("This is not a valid phone number. Numbers outside Denmark need their country code, e.g. +46."),
            code="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """+45 55 66 43 43 for Danish numbers, international format for the rest."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
