"""The Danish translation is complete and the UI really speaks Danish by default.

- every message in locale/da/LC_MESSAGES/django.po is translated, none is fuzzy,
  and placeholders survive translation;
- makemessages, run on a copy of the project, finds no string that the committed
  .po lacks (and the .po carries no string the code no longer has);
- the login page is Danish by default and English after choosing English.

Regenerate the catalogue with (then translate the new entries):

    DEBUG=true .venv/bin/python manage.py makemessages -l da --no-obsolete \
        --ignore=.venv --ignore=var --ignore=bench --ignore=tests --ignore=static \
        --ignore=docs --ignore=scripts --ignore=skinchart.egg-info --ignore='*/tests/*'
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from django.test import Client as HttpClient

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "locale" / "da" / "LC_MESSAGES" / "django.po"

# What makemessages must not read: tooling, tests, generated and third-party files.
# Used both to copy the project and as makemessages' --ignore patterns.
NOT_PROJECT_CODE = (
    ".*",
    "__pycache__",
    "*.egg-info",
    "bench",
    "docs",
    "locale",
    "scripts",
    "static",
    "tests",
    "var",
    "*/tests/*",
)


def _read_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _messages(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def _key(message: Message) -> tuple[object, object]:
    return (message.id, message.context)


def _forms(message: Message) -> tuple[str, ...]:
    return message.string if message.pluralizable else (message.string,)


@pytest.fixture(scope="module")
def committed() -> Catalog:
    return _read_catalog(PO_FILE)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """A fresh catalogue from makemessages run on a copy of the project, so the real
    tree is never written to."""
    before = PO_FILE.read_bytes()
    work = tmp_path_factory.mktemp("makemessages")
    src = work / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(*NOT_PROJECT_CODE))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "skinchart.settings_test",
        "PYTHONPATH": str(src),
        "VAR_DIR": str(work / "var"),
    }
    ignores = [f"--ignore={pattern}" for pattern in NOT_PROJECT_CODE]
    command = [sys.executable, "manage.py", "makemessages", "-l", "da", "--no-obsolete", *ignores]
    subprocess.run(command, cwd=src, env=env, check=True, capture_output=True, timeout=120)  # noqa: S603
    assert PO_FILE.read_bytes() == before, "makemessages wrote into the real tree"
    return _read_catalog(src / "locale" / "da" / "LC_MESSAGES" / "django.po")


def test_catalogue_is_danish_with_plural_rule(committed: Catalog) -> None:
    assert str(committed.locale) == "da"
    assert committed.num_plurals == 2
    assert committed.plural_expr == "(n != 1)"
    assert not committed.fuzzy


def test_every_message_is_translated(committed: Catalog) -> None:
    untranslated = [message.id for message in _messages(committed) if not all(_forms(message))]
    assert len(_messages(committed)) > 100
    assert untranslated == []


def test_no_message_is_fuzzy(committed: Catalog) -> None:
    assert [message.id for message in _messages(committed) if message.fuzzy] == []


def test_placeholders_survive_translation(committed: Catalog) -> None:
    problems = [(message.id, [str(error) for error in errors]) for message, errors in committed.check()]
    assert problems == []


def test_every_string_in_code_and_templates_is_in_the_po(committed: Catalog, extracted: Catalog) -> None:
    missing = sorted(map(str, {_key(m) for m in _messages(extracted)} - {_key(m) for m in _messages(committed)}))
    assert len(_messages(extracted)) > 100
    assert missing == [], "run makemessages (see module docstring) and translate the new entries"


def test_the_po_has_no_stale_strings(committed: Catalog, extracted: Catalog) -> None:
    stale = sorted(map(str, {_key(m) for m in _messages(committed)} - {_key(m) for m in _messages(extracted)}))
    assert stale == [], "run makemessages with --no-obsolete (see module docstring)"


@pytest.mark.django_db
def test_login_page_is_danish_by_default_and_english_on_request() -> None:
    http = HttpClient()

    danish = http.get("/accounts/login/").content.decode()
    assert '<html lang="da">' in danish
    assert "<h1>Log ind</h1>" in danish
    assert "Brugernavn" in danish
    assert "Adgangskode" in danish
    assert "Fortsæt" in danish
    assert "godkendelsesapp" in danish
    assert "Sign in" not in danish

    switched = http.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert switched.status_code == 302

    english = http.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in english
    assert "<h1>Sign in</h1>" in english
    assert "Username" in english
    assert "authenticator app" in english
    assert "Log ind" not in english
