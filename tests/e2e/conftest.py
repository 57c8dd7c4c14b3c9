"""Browser tests: a real uvicorn server (pages, API, websockets, ranged audio) on the test
database, and Debian's chromium driven by Playwright."""

from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
OUTPUT = ROOT / "test-output" / "e2e"


@pytest.fixture
def server_env(server_env: dict[str, str]) -> dict[str, str]:
    """Playwright's wait_for_function evaluates in the page with eval(): admit that, and only
    that, beyond the production Content-Security-Policy (albumvote/settings/test.py)."""
    return {**server_env, "CSP_ADMIT_EVAL_FOR_PLAYWRIGHT": "1"}


@pytest.fixture
def output_dir() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


class WatchedBrowser:
    """The browser, noting every Content-Security-Policy violation in any page it opens
    (Chromium reports each one on the console), so that every browser test also shows the
    site keeps to its own policy."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.violations: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.browser, name)

    def watch(self, context: Any) -> None:
        def note(message: Any) -> None:
            if "Content Security Policy" in message.text:
                self.violations.append(f"{message.location.get('url')}: {message.text}")

        context.on("console", note)

    def new_context(self, **options: Any) -> Any:
        context = self.browser.new_context(**options)
        self.watch(context)
        return context

    def new_page(self, **options: Any) -> Any:
        page = self.browser.new_page(**options)
        self.watch(page.context)
        return page


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch):
    require_service("Chromium (/usr/bin/chromium)", CHROMIUM.exists())
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the ORM calls the test
    # makes meanwhile are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        watched = WatchedBrowser(chromium)
        try:
            yield watched
            assert not watched.violations, watched.violations
        finally:
            chromium.close()
            # While Playwright's loop runs, Django keeps the test's database connection in a
            # context variable rather than the thread; close it here or it outlives the test
            # and blocks dropping the test database.
            connections.close_all()
