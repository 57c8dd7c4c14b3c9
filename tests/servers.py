"""Real servers for tests: a free loopback port, and uvicorn serving the project on it."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UVICORN = str(Path(sys.executable).with_name("uvicorn"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_uvicorn(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """uvicorn serving albumvote.asgi on a free port; returns once /healthz answers."""
    port = free_port()
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                UVICORN,
                "albumvote.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1).close()
            return server, base
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise AssertionError(f"the server did not start:\n{log_path.read_text()}") from None
            time.sleep(0.1)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def stop_group(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Stops a process started with start_new_session=True and every child it made (a Celery
    worker's pool, a server's workers): SIGTERM to the group, SIGKILL if it lingers."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def manage(
    env: dict[str, str], *args: str, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    """`manage.py *args` in a process of its own, with exactly this environment."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def celery_worker_command(concurrency: int, *options: str, loglevel: str = "WARNING") -> list[str]:
    """A worker on both queues, as docker-compose runs it (tests and benches alike)."""
    return [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "albumvote",
        "worker",
        "-Q",
        "generation,default",
        "-c",
        str(concurrency),
        "--loglevel",
        loglevel,
        *options,
    ]
