"""Browser tests: a real uvicorn server (pages, API, websockets, ranged audio) on the test
database, and Debian's chromium driven by Playwright."""

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def output_dir() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


@pytest.fixture
def server_env(redis_url: str, subprocess_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The server sees what the test wrote: the test database, its Redis DB, its media."""
    return {
        **subprocess_env,
        "STATIC_ROOT": str(tmp_path / "static"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }


@pytest.fixture
def start_site(server_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Starts uvicorn serving albumvote.asgi on a free port (env overrides allowed) and
    returns its base URL; every server started is stopped after the test."""
    # DEBUG is off in test settings, so WhiteNoise serves collected files only.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=server_env,
        check=True,
        timeout=120,
    )
    servers: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(**overrides: str) -> str:
        port = free_port()
        log_path = tmp_path / f"server-{len(servers)}.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("uvicorn")),
                    "albumvote.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env={**server_env, **overrides},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        servers.append((server, log_path))
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).close()
                return base
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        f"the server did not start:\n{log_path.read_text()}"
                    ) from None
                time.sleep(0.1)

    yield start
    for server, log_path in servers:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        print(f"server log: {log_path}")


@pytest.fixture
def site(start_site: Callable[..., str]) -> str:
    return start_site()


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch):
    require_service("Chromium (/usr/bin/chromium)", CHROMIUM.exists())
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the ORM calls the test
    # makes meanwhile are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # While Playwright's loop runs, Django keeps the test's database connection in a
            # context variable rather than the thread; close it here or it outlives the test
            # and blocks dropping the test database.
            connections.close_all()
