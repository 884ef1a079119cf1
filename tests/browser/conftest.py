"""Playwright in Debian's Chromium against pytest-django's live server.

One browser for the session, a fresh context (cookies, storage) per test. Without
/usr/bin/chromium the tests skip, loudly, except under CI=true, where they fail: CI requires them.
Screenshots of the main pages go to tests/browser/screenshots/ (git-ignored) for review."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run where an
# event loop runs unless told that it is safe (it is: nothing here is async).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        reason = (
            f"!!! BROWSER TESTS NOT RUN: {CHROMIUM} is missing. Install it with "
            "`apt-get install chromium` (make browser-deps does so as root). !!!"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def staff(transactional_db):
    """A staff user who may do everything (a superuser: the groups of the data migration do not
    survive the flush between transactional tests)."""
    from tests.factories import UserFactory

    return UserFactory(username="dana", first_name="Dana", is_superuser=True)


@pytest.fixture
def signed_in(page, staff):
    """The page, signed in as `staff`, on the start page."""
    sign_in(page, staff.username)
    return page


def sign_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
