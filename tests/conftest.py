"""Shared fixtures: media in a temporary folder, the small composer model, real services."""

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection

from tests.servers import start_uvicorn, stop_server

pytest_plugins = (
    ["tests.composer_fixtures"] if (Path(__file__).parent / "composer_fixtures.py").exists() else []
)

# A Redis database of its own, so tests never see (or eat) the run command's messages.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def require_service(name: str, available: bool) -> None:
    """Skip when a service is missing locally; in CI (ALBUMVOTE_REQUIRE_SERVICES=1) fail."""
    if available:
        return
    if os.environ.get("ALBUMVOTE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{name} is required in CI but is not reachable")
    pytest.skip(f"{name} is not reachable")


def redis_reachable(url: str = TEST_REDIS_URL) -> bool:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False
    return True


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path, settings) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def model_settings(settings, composer_model_dir: Path):
    """Point the project at the small test model."""
    settings.COMPOSER_MODEL_DIR = composer_model_dir
    return settings


@pytest.fixture(autouse=True)
def _clean_test_redis() -> None:
    """Counters and locks in the tests' Redis database must not leak from test to test."""
    with contextlib.suppress(redis.RedisError):
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=0.2).flushdb()


@pytest.fixture
def redis_url() -> Iterator[str]:
    require_service("Redis", redis_reachable())
    client = redis.Redis.from_url(TEST_REDIS_URL)
    client.flushdb()
    yield TEST_REDIS_URL
    client.flushdb()


@pytest.fixture
def redis_channel_layer(settings, redis_url: str):
    # The test settings' layer (its own Redis database and channel prefix), made afresh.
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def database_url(db: dict) -> str:
    """The URL of a connection's database, on a TCP host or on a Unix socket folder (the
    embedded server's)."""
    user, name = db["USER"] or "", db["NAME"]
    host = db["HOST"] or db.get("OPTIONS", {}).get("host", "")
    if host.startswith("/"):
        port = f"&port={db['PORT']}" if db["PORT"] else ""
        return f"postgres://{user}@/{name}?host={host}{port}"
    return f"postgres://{user}@{host or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def subprocess_env(media_root: Path) -> dict[str, str]:
    """Environment for servers and workers a test starts: they see what the test wrote (its
    database, which must be PostgreSQL to be shared, its Redis database and its media)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "albumvote.settings.test",
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": TEST_REDIS_URL,
        "TEST_REDIS_URL": TEST_REDIS_URL,
        "MEDIA_ROOT": str(media_root),
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def postgres_required() -> None:
    require_service("PostgreSQL", connection.vendor == "postgresql")


@pytest.fixture(autouse=True)
def _no_stray_settings_module() -> None:
    assert django_settings.SETTINGS_MODULE == "albumvote.settings.test"


@pytest.fixture(autouse=True)
def _fresh_site_mean() -> None:
    """Rankings reuse the site-wide mean for a few seconds; each test starts without it."""
    from curation.ranking import verdict  # models: only once Django is set up

    verdict._prior = None


@pytest.fixture(autouse=True)
def _coalescer_idle_after_a_transactional_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """A vote's live update is flushed by the coalescer's thread on a connection of its own;
    seen: its query and the flush that empties the tables after a transactional test
    deadlocked. Let it finish first (set up after pytest-django's database fixture, so torn
    down before it)."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        from curation.realtime import coalescer  # models: only once Django is set up

        coalescer.wait_idle()


@pytest.fixture(autouse=True, scope="session")
def _coalescer_idle_at_the_end() -> Iterator[None]:
    """The live coalescer's thread holds a database connection while it works; let it finish
    before the test database is dropped."""
    yield
    from curation.realtime import coalescer

    coalescer.wait_idle()


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
        cwd=Path(__file__).resolve().parents[1],
        env=server_env,
        check=True,
        timeout=120,
    )
    servers: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(**overrides: str) -> str:
        log_path = tmp_path / f"server-{len(servers)}.log"
        server, base = start_uvicorn({**server_env, **overrides}, log_path)
        servers.append((server, log_path))
        return base

    yield start
    for server, log_path in servers:
        stop_server(server)
        print(f"server log: {log_path}")


@pytest.fixture
def site(start_site: Callable[..., str]) -> str:
    return start_site()


@pytest.fixture
def keep_the_test_connection() -> Iterator[None]:
    """For calls straight to the WSGI app (Schemathesis): as Django's test client does, keep
    the request signals from closing the connection that holds the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)
