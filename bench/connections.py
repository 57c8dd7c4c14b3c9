"""PostgreSQL connections under the ASGI server: the psycopg pool (what albumvote.asgi uses)
against a new connection per request (CONN_MAX_AGE=0) and the old production setting
(CONN_MAX_AGE=60, which kept one connection per request thread).

Each mode: uvicorn on a fresh database of its own, 20 client threads, 1,000 requests to a
page and the catalogue API; it prints requests/s, latency and the most connections open.

    .venv/bin/python bench/connections.py [--requests 1000]
"""

import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.servers import fresh_database, open_connections  # noqa: E402
from tests.servers import start_uvicorn, stop_server  # noqa: E402

DATABASE = "bench_connections"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
MODES = {
    "pool": {"CONN_MAX_AGE": "60", "DB_POOL_SIZE": "10"},
    "conn_max_age_0": {"CONN_MAX_AGE": "0", "DB_POOL_SIZE": "0"},
    "conn_max_age_60_no_pool": {"CONN_MAX_AGE": "60", "DB_POOL_SIZE": "0"},
}


def prepare(env: dict[str, str]) -> None:
    fresh_database(DATABASE)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    seed = "from tests.factories import ReadyTrackFactory; ReadyTrackFactory.create_batch(30)"
    subprocess.run([*manage, "shell", "-c", seed], cwd=ROOT, env=env, check=True)


def run(mode: str, env: dict[str, str], requests: int) -> dict[str, float]:
    extra = dict(MODES[mode])
    server, base = start_uvicorn({**env, **extra}, Path(f"/tmp/bench-connections-{mode}.log"))
    peak = 0
    done = threading.Event()

    errors = 0

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                peak = max(peak, open_connections(DATABASE))
            except psycopg.OperationalError:  # the server is full: that is the point
                peak = max(peak, -1)
            time.sleep(0.05)

    def get(n: int) -> float:
        nonlocal errors
        path = "/api/v1/tracks/" if n % 2 else "/tracks/"
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{base}{path}", timeout=60) as response:
                response.read()
        except urllib.error.HTTPError:
            errors += 1
        return (time.perf_counter() - started) * 1000

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
            times = sorted(pool.map(get, range(requests)))
        elapsed = time.perf_counter() - started
        time.sleep(1)
        try:
            left_open = open_connections(DATABASE)
        except psycopg.OperationalError:
            left_open = -1  # still full
    finally:
        done.set()
        stop_server(server)
    return {
        "rps": round(requests / elapsed, 1),
        "p50_ms": round(statistics.median(times), 1),
        "p99_ms": round(times[int(len(times) * 0.99) - 1], 1),
        "peak_connections": peak,
        "open_after": left_open,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "albumvote.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "REDIS_URL": REDIS_URL,
        "TEST_REDIS_URL": REDIS_URL,
        "STATIC_ROOT": "/tmp/bench-connections-static",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "API_RATE_PER_MINUTE": "1000000",
    }
    prepare(env)
    figures = {}
    for mode in MODES:
        figures[mode] = run(mode, env, args.requests)
        print(mode, figures[mode], flush=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
