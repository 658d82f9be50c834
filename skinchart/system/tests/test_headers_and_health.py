from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client as HttpClient

from skinchart.accounts.models import User

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database() -> None:
    response = HttpClient().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True, "vendor": response.json()["database"]["vendor"]},
    }


def test_pages_carry_the_security_headers(sign_in: Callable[[User], HttpClient], doctor: User) -> None:
    response = sign_in(doctor).get("/clients/")
    csp = response["Content-Security-Policy"]
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp and "script-src 'self'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store, private"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_the_login_page_is_danish_by_default() -> None:
    response = HttpClient().get("/accounts/login/")
    assert '<html lang="da">' in response.content.decode()


def test_english_can_be_chosen() -> None:
    http = HttpClient()
    http.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert '<html lang="en">' in http.get("/accounts/login/").content.decode()


def test_an_unknown_page_is_a_friendly_404_and_an_unknown_api_path_is_json() -> None:
    assert HttpClient().get("/no-such-page/").status_code == 404
    response = HttpClient().get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_production_settings_turn_on_https_protections() -> None:
    from skinchart import settings as production

    assert production.SECURE_HSTS_SECONDS >= 31_536_000 or production.DEBUG
    assert production.SESSION_COOKIE_HTTPONLY is True


def test_demo_mode_is_refused_when_the_site_is_reachable_from_outside(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEMO_MODE = True
    settings.ALLOWED_HOSTS = ["skinchart.example.org"]
    with pytest.raises(SystemCheckError):
        call_command("check")


def test_settings_refuse_demo_mode_for_a_public_host() -> None:
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DEMO_MODE": "true",
        "ALLOWED_HOSTS": "skinchart.example.org",
        "DJANGO_SETTINGS_MODULE": "skinchart.settings",
    }
    result = subprocess.run(  # noqa: S603 — our own interpreter and settings
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "DEMO_MODE may only be on" in result.stderr
