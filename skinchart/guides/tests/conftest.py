"""Fixtures for the client-guide tests: the shipped catalogue, approved."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient

from skinchart.accounts.models import Site, User
from skinchart.accounts.tests.factories import SiteFactory
from skinchart.catalogue.tests.shipped import approve_shipped_catalogue
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
    approve_shipped_catalogue(doctor)
    version: GuideVersion = GuideVersion.objects.select_related("approved_by").get(number=1)
    return version


@pytest.fixture
def caring(sign_in: Callable[[User], HttpClient], client_record: Client) -> Callable[[User], HttpClient]:
    """Signed in as `user`, who is the client's practitioner."""

    def http(user: User) -> HttpClient:
        CareAssignment.objects.create(client=client_record, practitioner=user, assigned_by=user)
        return sign_in(user)

    return http
