"""The CPU a bench's run costs, from /proc (through psutil): the servers' processes, the
PostgreSQL and Redis processes serving them, and the load generator's.

On this machine PostgreSQL and Redis are shared system services, so their part is measured as
the CPU their processes used over the run: the PostgreSQL backends connected to the bench's
database (exact), PostgreSQL's own background processes (WAL writer, checkpointer, background
writer, autovacuum: shared with whatever else the machine's server does meanwhile) and the one
Redis server process (shared likewise). Each part is reported, so a busy neighbour shows.
"""

import contextlib
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import psutil
import psycopg
import redis

PARTS = ("http_server", "ws_server", "postgres_backends", "postgres_shared", "redis")


def cpu_seconds(pid: int) -> float | None:
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return None
    return times.user + times.system


def with_children(processes: Iterable[subprocess.Popen[bytes]]) -> set[int]:
    pids = set()
    for process in processes:
        pids.add(process.pid)
        with contextlib.suppress(psutil.Error):  # it is gone
            pids.update(child.pid for child in psutil.Process(process.pid).children(True))
    return pids


def server_parts(
    http_server: subprocess.Popen[bytes],
    ws_server: subprocess.Popen[bytes],
    admin_url: str,
    database: str,
    redis_url: str,
) -> Callable[[], dict[str, set[int]]]:
    """Finds, each time it is called, the processes of each part of the server side: the web
    servers (gunicorn, uvicorn) with their workers, PostgreSQL's and Redis's."""

    def find() -> dict[str, set[int]]:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid, datname, backend_type FROM pg_stat_activity"
                " WHERE pid <> pg_backend_pid()"
            ).fetchall()
        info = redis.Redis.from_url(redis_url).info("server")
        return {
            "http_server": with_children([http_server]),
            "ws_server": with_children([ws_server]),
            "postgres_backends": {
                pid for pid, name, kind in rows if kind == "client backend" and name == database
            },
            "postgres_shared": {
                pid for pid, _, kind in rows if kind != "client backend" and kind is not None
            },
            "redis": {int(info["process_id"])},
        }

    return find


@dataclass
class Use:
    seconds: float  # wall-clock time of the window
    parts: dict[str, float]  # CPU seconds of each part of the server side
    loadgen: float  # CPU seconds of the load generator (its processes, alive or reaped)
    machine_busy: float  # CPU seconds of the whole machine, every process


class CpuWindow:
    """CPU used between start() and stop() by the server side's parts (as `find` names their
    processes, at both ends: a process born in between counts in full), by the load generator
    (the `clients` processes, and what stop() is told) and by the machine as a whole."""

    def __init__(self, find: Callable[[], dict[str, set[int]]], clients: Callable[[], set[int]]):
        self.find, self.clients = find, clients

    @staticmethod
    def _machine() -> float:
        times = psutil.cpu_times()
        return sum(times) - times.idle - getattr(times, "iowait", 0.0)

    def _snapshot(self, pids: Iterable[int]) -> dict[int, float]:
        return {pid: used for pid in pids if (used := cpu_seconds(pid)) is not None}

    def start(self) -> None:
        self.began = time.monotonic()
        self.groups = self.find()
        self.before = self._snapshot(set().union(*self.groups.values()) | self.clients())
        self.machine = self._machine()

    def stop(self, loadgen_s: float) -> Use:
        """`loadgen_s`: the CPU of load generator processes that ended in the window, as they
        measured it (they are gone before /proc can be read)."""
        groups = self.find()
        parts = {}
        for part in PARTS:
            pids = self.groups[part] | groups[part]
            after = self._snapshot(pids)
            parts[part] = sum(used - self.before.get(pid, 0.0) for pid, used in after.items())
        clients = self._snapshot(self.clients())
        loadgen = sum(used - self.before.get(pid, 0.0) for pid, used in clients.items())
        return Use(
            seconds=time.monotonic() - self.began,
            parts=parts,
            loadgen=loadgen + loadgen_s,
            machine_busy=self._machine() - self.machine,
        )
