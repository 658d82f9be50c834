"""Password rules per NIST SP 800-63B (REG-34): length and a blocklist; no
composition rules and no forced expiry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_PASSWORD_LENGTH = 128

# Words an attacker tries first against a Danish skin clinic.
CLINIC_WORDS = ("oskin", "skinchart", "kolding", "klinik", "clinic", "mesoterapi", "password", "adgangskode")


class MaximumLengthValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > MAX_PASSWORD_LENGTH:
            raise ValidationError(
                _("The password may be at most %(max)d characters long.") % {"max": MAX_PASSWORD_LENGTH},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("At most %(max)d characters; spaces and any characters are welcome.") % {"max": MAX_PASSWORD_LENGTH}


class ClinicWordsValidator:
    """Rejects passwords that are a clinic word with a few digits or symbols around it."""

    def validate(self, password: str, user: Any = None) -> None:
        letters = "".join(ch for ch in password.casefold() if ch.isalpha())
        if letters in CLINIC_WORDS:
            raise ValidationError(_("This password is too easy to guess."), code="password_clinic_word")

    def get_help_text(self) -> str:
        return _("It must not be the clinic's name or a similar word.")
