from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from skinchart.products.models import Batch, Product


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Hydra Boost {n}")
    manufacturer = "Dermica"
    contains_hyaluronic_acid = True


class BatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Batch

    product = factory.SubFactory(ProductFactory)
    lot = factory.Sequence(lambda n: f"LOT-{n:04d}")
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=365))
