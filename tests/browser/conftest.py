"""Browser tests: Playwright (sync API) driving the system's Chromium, never a downloaded one.

Environment:
  CHROMIUM                 path of the Chromium binary (default /usr/bin/chromium)
  SKINCHART_SKIP_BROWSER=1 skip the browser tests on purpose
  CI=true                  a missing Chromium fails the run instead of skipping it
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to
# run in a thread with a running loop unless told otherwise. Set before any query.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from playwright.sync_api import ConsoleMessage, Page, expect  # noqa: E402

from skinchart.accounts.models import User  # noqa: E402
from skinchart.accounts.tests.factories import PASSWORD  # noqa: E402

from .helpers import current_totp  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _chromium_missing() -> str:
    """Why Chromium cannot be used, or "" if it can."""
    path = Path(CHROMIUM)
    if not path.is_absolute():
        found = shutil.which(CHROMIUM)
        if found is None:
            return f"Chromium {CHROMIUM!r} (env CHROMIUM) is not on PATH"
        path = Path(found)
    if not path.is_file():
        return f"Chromium not found at {path} (set env CHROMIUM, or install Debian's chromium package)"
    if not os.access(path, os.X_OK):
        return f"Chromium at {path} is not executable"
    return ""


@pytest.fixture(scope="session", autouse=True)
def _require_chromium() -> None:
    """Runs before any browser fixture (session scope, autouse): skip or fail early."""
    in_ci = os.environ.get("CI", "").lower() == "true"
    if os.environ.get("SKINCHART_SKIP_BROWSER") == "1":
        pytest.skip("browser tests skipped on purpose: SKINCHART_SKIP_BROWSER=1")
    reason = _chromium_missing()
    if reason:
        if in_ci:
            pytest.fail(f"CI=true and the browser tests cannot run: {reason}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "da-DK", "timezone_id": "Europe/Copenhagen"}


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Console messages of type error, and uncaught page errors, as text."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    return errors


@pytest.fixture
def log_in(page: Page) -> Callable[..., None]:
    """Sign in through the real two-step form, starting at `base_url`/ (the site root)."""

    def sign_in(base_url: str, user: User, *, second_time: bool = False) -> None:
        """`second_time`: the user signed in moments ago, so the authenticator's next
        code is typed (the server refuses a code it has seen)."""
        page.goto(base_url + "/")
        expect(page).to_have_url(re.compile(r"/accounts/login/"))
        page.locator("#id_username").fill(user.username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/accounts/login/code/"))
        page.locator("#id_token").fill(current_totp(user, steps_ahead=1 if second_time else 0))
        page.locator("main form button[type=submit]").click()
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    return sign_in


@pytest.fixture
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = Path(os.environ.get("SKINCHART_SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    yield path
