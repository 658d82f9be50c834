"""Clients: who they are and how to reach them. No clinical content lives here."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skinchart.lib.cpr import Cpr, looks_like_cpr, parse_cpr
from skinchart.lib.dates import age_on, is_adult_on
from skinchart.lib.phone import display_phone, normalise_phone

_PHONE_QUERY = re.compile(r"^\+?[\d\s-]{4,}$")


class Language(models.TextChoices):
    DANISH = "da", _("Danish")
    ENGLISH = "en", _("English")


def search_key(text: str) -> str:
    """Lower case with accents folded, so "Søren" finds "soren" and "Sören"; æ, ø
    and å keep their Danish spelling (aa → å is not guessed)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).strip()


class ClientQuerySet(models.QuerySet["Client"]):
    def search(self, query: str) -> ClientQuerySet:
        """Clients matching a name, phone number, email address or a full CPR number."""
        query = query.strip()
        if not query:
            return self.none()
        if looks_like_cpr(query):
            try:
                return self.filter(cpr=parse_cpr(query).digits)
            except ValidationError:  # an impossible date is simply no match
                return self.none()
        if _PHONE_QUERY.match(query):
            try:
                return self.filter(phone=normalise_phone(query))
            except ValidationError:  # part of a number
                return self.filter(phone__contains="".join(ch for ch in query if ch.isdigit()))
        # Emails are stored in lower case; a range (not LIKE) lets both databases use the index.
        lowered = query.lower()
        by_email = Q(email__gte=lowered, email__lt=lowered + "\uffff")
        if "@" in query:
            return self.filter(by_email)
        by_name = Q()
        for token in search_key(query).split():
            by_name &= Q(name_key__contains=token)
        return self.filter(by_name | by_email) if " " not in query else self.filter(by_name)


class Client(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    # Ten digits, no separator. Shown masked; in full only through the logged
    # "show CPR" action; never in URLs or logs (REG-39).
    cpr = models.CharField(_("CPR number"), max_length=10, null=True, blank=True, unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.DANISH
    )
    reception_notes = models.TextField(
        _("reception notes"),
        blank=True,
        help_text=_("Practical, non-clinical notes only (e.g. parking, best time to call)."),
    )
    name_key = models.CharField(max_length=210, editable=False, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, editable=False, related_name="+"
    )

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            models.CheckConstraint(
                condition=Q(preferred_language__in=Language.values), name="clients_client_language_valid"
            ),
            models.CheckConstraint(
                condition=Q(cpr__isnull=True) | Q(cpr__regex=r"^[0-9]{10}$"),
                name="clients_client_cpr_ten_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("clients:detail", kwargs={"code": self.code})

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def cpr_value(self) -> Cpr | None:
        return Cpr(self.cpr) if self.cpr else None

    @property
    def cpr_masked(self) -> str:
        return Cpr(self.cpr).masked if self.cpr else ""

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone)

    def age_on(self, day: dt.date) -> int:
        return age_on(self.date_of_birth, day)

    def birth_dates(self) -> set[dt.date]:
        """The recorded date of birth and the CPR number's: one date, or two that disagree."""
        cpr = self.cpr_value
        return {self.date_of_birth} | ({cpr.birth_date} if cpr is not None else set())

    def is_adult_on(self, day: dt.date, *, adult_age: int = 18) -> bool:
        """`adult_age` or older on `day` by every date of birth on record (REG-1)."""
        return all(is_adult_on(birth, day, adult_age=adult_age) for birth in self.birth_dates())

    def refresh_name_key(self) -> None:
        self.name_key = search_key(f"{self.first_name} {self.last_name}")
