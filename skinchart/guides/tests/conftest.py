"""Fixtures for the client-guide tests: the shipped catalogue, approved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.utils import timezone

from skinchart.accounts.models import Site, User
from skinchart.accounts.tests.factories import SiteFactory
from skinchart.catalogue.actions import approve_version, import_catalogue
from skinchart.catalogue.loader import read_catalogue
from skinchart.catalogue.models import DefinitionVersion
from skinchart.clients.models import Client
from skinchart.guides.models import GuideVersion
from skinchart.journal.models import CareAssignment


@pytest.fixture
def site(db: None) -> Site:
    site: Site = SiteFactory(name="O'Skin Clinic", website="oskinclinic.dk")
    return site


@pytest.fixture
def guide_version(doctor: User, site: Site) -> GuideVersion:
    """The shipped mesotherapy guide, version 1, approved and in force today."""
    import_catalogue(actor=None, documents=read_catalogue(Path(settings.CATALOGUE_DIR)))
    today = timezone.localdate()
    for model in (DefinitionVersion, GuideVersion):
        approve_version(
            actor=doctor,
            version=model.objects.get(number=1),
            in_force_from=today,
            review_by=dt.date(2027, 9, 30),
        )
    version: GuideVersion = GuideVersion.objects.select_related("approved_by").get(number=1)
    return version


@pytest.fixture
def caring(sign_in: Callable[[User], HttpClient], client_record: Client) -> Callable[[User], HttpClient]:
    """Signed in as `user`, who is the client's practitioner."""

    def http(user: User) -> HttpClient:
        CareAssignment.objects.create(client=client_record, practitioner=user, assigned_by=user)
        return sign_in(user)

    return http
