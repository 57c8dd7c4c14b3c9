"""What the benches run against: a fresh PostgreSQL database, and the processes of
docker-compose (gunicorn or granian, uvicorn, a Celery worker and beat) started here.

The command builders give each program's fixed part; a bench adds its own options after it.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable
from pathlib import Path

import psycopg

# Its one home is tests/servers.py; the benches take it from here.
from tests.servers import celery_worker_command as celery_worker_command
from tests.servers import free_port as free_port

BIN = Path(sys.executable).parent
LOCAL_ADMIN_DB = "postgresql://postgres@127.0.0.1:5432/postgres"
# The benches whose DATABASE_URL follows BENCH_ADMIN_DB use this; the others name their
# database on the local server, so they pass LOCAL_ADMIN_DB.
ADMIN_DB = os.environ.get("BENCH_ADMIN_DB", LOCAL_ADMIN_DB)


# --- PostgreSQL ------------------------------------------------------------------------------


def fresh_database(name: str, admin: str = ADMIN_DB) -> None:
    """Drops and creates `name` on the server `admin` connects to (its sessions cut off)."""
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_and_admin(url: str) -> tuple[str, str]:
    """The database's name, and the URL of the same server's `postgres` database."""
    parts = urllib.parse.urlsplit(url)
    return parts.path.lstrip("/"), parts._replace(path="/postgres").geturl()


def open_connections(name: str, admin: str = ADMIN_DB) -> int:
    """Sessions open on database `name` (this query's own excluded: it is on `admin`'s)."""
    with psycopg.connect(admin) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]
        ).fetchone()
    return int(row[0]) if row else 0


# --- commands ---------------------------------------------------------------------------------


def gunicorn_command(port: int, workers: int, *options: str) -> list[str]:
    return [
        str(BIN / "gunicorn"),
        "albumvote.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        *options,
    ]


def granian_command(port: int, workers: int, threads: int) -> list[str]:
    # Granian parses HTTP in Rust and runs the WSGI app on a pool of Python threads.
    return [
        str(BIN / "granian"),
        "--interface",
        "wsgi",
        "albumvote.wsgi:application",
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-ws",
    ]


def uvicorn_command(port: int, *options: str) -> list[str]:
    return [
        str(BIN / "uvicorn"),
        "albumvote.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--ws-per-message-deflate",
        "false",
        "--log-level",
        "warning",
        *options,
    ]


def celery_beat_command(schedule: Path) -> list[str]:
    return [
        str(BIN / "celery"),
        "-A",
        "albumvote",
        "beat",
        "--loglevel",
        "WARNING",
        "--schedule",
        str(schedule),
    ]


# --- waiting and stopping ---------------------------------------------------------------------


def wait_for_port(port: int, tries: int = 200) -> None:
    """Until something accepts on the port, or `tries` tenths of a second have gone by (the
    bench's own requests then show what is wrong)."""
    for _ in range(tries):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)


def wait_for_healthz(port: int, logs: Path, timeout: float = 60) -> None:
    """Until /healthz answers on the port; exits the bench if it does not in time."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"a server did not start; see {logs}") from None
            time.sleep(0.2)


def stop_groups(processes: Iterable[subprocess.Popen[bytes]]) -> None:
    """Stops processes started with start_new_session=True, children included: SIGTERM to
    every group first, so they shut down together, then SIGKILL to any that lingers."""
    processes = list(processes)
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
