from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from skinchart.accounts.models import Registration, Role, Site, StaffRole, TreatmentCategory, User

PASSWORD = "a long test passphrase 42"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("sor_id",)

    name = "O'Skin Clinic"
    sor_id = factory.Sequence(lambda n: f"SOR-{n:05d}")
    address = "Dyrehavegårdsvej 2"
    postal_code = "6000"
    city = "Kolding"
    phone = "+4555664343"
    email = "info@oskin.dk"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        for role in extracted or []:
            StaffRole.objects.create(user=self, role=role)

    @factory.post_generation
    def totp(self, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        if extracted is not False:
            TOTPDevice.objects.create(user=self, name="test", confirmed=True)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    practitioner = factory.SubFactory(UserFactory, roles=[Role.DOCTOR])
    treatment_category = TreatmentCategory.NON_PERMANENT_FILLER
    site = factory.SubFactory(SiteFactory)
    valid_from = dt.date(2025, 1, 1)
