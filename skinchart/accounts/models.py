"""Staff accounts, roles, sites and practitioner registrations."""

from __future__ import annotations

import uuid
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DOCTOR = "doctor", _("Doctor")
    NURSE = "nurse", _("Nurse")
    COSMETOLOGIST = "cosmetologist", _("Cosmetologist")
    RECEPTION = "reception", _("Reception")
    ADMIN = "admin", _("Administrator")


class TreatmentCategory(models.TextChoices):
    """The treatment types the patient-safety authority (STPS) registers
    practitioners for, per site. Treatment definitions map to one of these."""

    NON_PERMANENT_FILLER = "non_permanent_filler", _("Non-permanent fillers (incl. mesotherapy)")
    BOTULINUM_TOXIN = "botulinum_toxin", _("Botulinum toxin")
    CHEMICAL_PEEL = "chemical_peel", _("Chemical peels")
    LASER_IPL = "laser_ipl", _("Laser and IPL")
    MICRONEEDLING = "microneedling", _("Microneedling")


class Site(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    sor_id = models.CharField(_("SOR-ID"), max_length=30, unique=True)
    address = models.CharField(_("address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, help_text=_("E.164, e.g. +4555664343"))
    email = models.EmailField(_("email"))
    website = models.CharField(_("website"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name

    @property
    def phone_display(self) -> str:
        from skinchart.lib.phone import display_phone

        return display_phone(self.phone)


class User(AbstractUser):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    authorisation_id = models.CharField(
        _("authorisation ID"),
        max_length=20,
        blank=True,
        help_text=_("The health professional's authorisation ID (Autorisationsregisteret)."),
    )
    sites = models.ManyToManyField(Site, blank=True, related_name="staff", verbose_name=_("sites"))
    must_change_password = models.BooleanField(default=False)
    # Raised to end every login session of the user at once (see get_session_auth_hash).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    # Django checks this hash against the one stored in each login session on every
    # request; including the epoch makes `end_all_login_sessions` effective at once.
    def get_session_auth_hash(self) -> str:
        return salted_hmac(
            "skinchart.accounts.User.session",
            f"{self.password}:{self.session_epoch}",
            algorithm="sha256",
        ).hexdigest()

    def get_session_auth_fallback_hash(self):  # type: ignore[no-untyped-def]
        from django.conf import settings

        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield salted_hmac(
                "skinchart.accounts.User.session",
                f"{self.password}:{self.session_epoch}",
                secret=fallback_secret,
                algorithm="sha256",
            ).hexdigest()

    @cached_property
    def role_set(self) -> frozenset[str]:
        return frozenset(r.role for r in self.staff_roles.all())

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_staff_member(self) -> bool:
        return bool(self.role_set)

    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in Role.values if r in self.role_set]


class StaffRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="accounts_staffrole_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="accounts_staffrole_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def valid_on(self, day: object) -> RegistrationQuerySet:
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class Registration(models.Model):
    """A practitioner's registration with STPS: treatment type × site × period;
    a helper (nurse, cosmetologist) is registered under a supervising doctor (REG-10)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practitioner = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("practitioner")
    )
    treatment_category = models.CharField(_("treatment type"), max_length=40, choices=TreatmentCategory.choices)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("site"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    supervising_doctor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_registrations",
        verbose_name=_("supervising doctor"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["practitioner", "treatment_category", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(treatment_category__in=TreatmentCategory.values),
                name="accounts_registration_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="accounts_registration_period_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} · {self.get_treatment_category_display()} · {self.site}"


class LoginFailure(models.Model):
    """One failed password or second-factor attempt, for throttling (V6.1.1)."""

    username_key = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField()
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"], name="accounts_loginfail_ip_at")]

    def __str__(self) -> str:
        return f"{self.username_key} from {self.ip} at {self.at:%Y-%m-%d %H:%M}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    label = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
