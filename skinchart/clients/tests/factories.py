from __future__ import annotations

import datetime as dt

import factory

from skinchart.clients.models import Client, search_key


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    date_of_birth = dt.date(1985, 6, 15)
    phone = factory.Sequence(lambda n: f"+4520{n:06d}")
    email = factory.Sequence(lambda n: f"client{n}@example.org")
    name_key = factory.LazyAttribute(lambda c: search_key(f"{c.first_name} {c.last_name}"))
