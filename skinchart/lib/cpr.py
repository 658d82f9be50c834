"""Danish CPR numbers: parse, validate, mask.

A CPR number is DDMMYY-SSSS. The first digit of SSSS (the 7th digit) and the year
give the century (CPR-kontoret's table). Modulus-11 is not checked: numbers issued
since 2007 need not satisfy it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_CPR_INPUT = re.compile(r"^\s*(\d{6})[\s-]?(\d{4})\s*$")
CPR_PATTERN = re.compile(r"(?<!\d)(\d{6})[-\s]?(\d{4})(?!\d)")


def century_for(seventh_digit: int, two_digit_year: int) -> int:
    """The century (1800, 1900, 2000) of a birth year, from the 7th CPR digit."""
    if seventh_digit <= 3:
        return 1900
    if seventh_digit in (4, 9):
        return 2000 if two_digit_year <= 36 else 1900
    # 5, 6, 7, 8
    return 2000 if two_digit_year <= 57 else 1800


@dataclass(frozen=True)
class Cpr:
    digits: str  # ten digits, no separator

    @property
    def birth_date(self) -> dt.date:
        return _birth_date(self.digits)

    @property
    def masked(self) -> str:
        return f"{self.digits[:6]}-xxxx"

    @property
    def formatted(self) -> str:
        return f"{self.digits[:6]}-{self.digits[6:]}"

    def __str__(self) -> str:  # never the full number by accident
        return self.masked

    def __repr__(self) -> str:
        return f"Cpr({self.masked})"


def _birth_date(digits: str) -> dt.date:
    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    year = century_for(int(digits[6]), yy) + yy
    return dt.date(year, month, day)


def looks_like_cpr(text: str) -> bool:
    return bool(_CPR_INPUT.match(text))


def parse_cpr(text: str, *, today: dt.date | None = None) -> Cpr:
    """Parse and validate a CPR number typed as DDMMYY-SSSS, DDMMYYSSSS or DDMMYY SSSS."""
    match = _CPR_INPUT.match(text or "")
    if not match:
        raise ValidationError(_("A CPR number has ten digits, written as DDMMYY-SSSS."), code="cpr_format")
    digits = match.group(1) + match.group(2)
    try:
        birth = _birth_date(digits)
    except ValueError:
        raise ValidationError(
            _("The first six digits of the CPR number are not a real date (DDMMYY)."),
            code="cpr_date",
        ) from None
    if today is not None and birth > today:
        raise ValidationError(_("The CPR number gives a date of birth in the future."), code="cpr_future")
    return Cpr(digits)


def mask_cpr_in_text(text: str) -> str:
    """Replace anything shaped like a CPR number with its masked form (for logs)."""
    return CPR_PATTERN.sub(lambda m: f"{m.group(1)}-xxxx", text)
