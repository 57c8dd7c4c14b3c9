"""Soak: mixed, realistic traffic for a long while on the production set-up, to find leaks.

The processes of docker-compose, run here: gunicorn (pages and the API), uvicorn (websockets),
a Celery worker and beat, with the production settings, on a database and a Redis database of
the bench's own. Listeners browse, listen (the player's events, in real time), rate and vote in
the arena, each from an address of their own (X-Forwarded-For, behind one proxy); an API client
reads the rankings, the catalogue and the feeds; 500 websockets watch the live lists; a
producer launches a batch every few minutes.

It prints, as one JSON line at the end: errors (any 5xx, refused connection or unexpected
refusal), p99 latency per kind of request, RSS per process after warm-up and at the end,
PostgreSQL connections at the end (and the most the set-up should hold), and what is left in
the media scratch folder. Targets: 0 errors, RSS growth <= 10%, connections within the bound,
an empty scratch folder.

    .venv/bin/python bench/soak.py                # 20 minutes
    .venv/bin/python bench/soak.py --seconds 60   # what CI runs (tests/test_soak.py)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import redis
import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.clients import Client, Results  # noqa: E402
from bench.servers import (  # noqa: E402
    celery_beat_command,
    celery_worker_command,
    database_and_admin,
    free_port,
    fresh_database,
    gunicorn_command,
    open_connections,
    stop_groups,
    uvicorn_command,
    wait_for_healthz,
)

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_soak"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
DB_POOL_SIZE = 10
GUNICORN_WORKERS = 2
LISTENERS = 12
SOCKETS = 500


# --- the people ----------------------------------------------------------------------------


def listener(client: Client, stop: threading.Event, rng: random.Random) -> None:
    """Browses, plays a track in real time (events every 5 s, as the player sends them), rates
    it once heard long enough, and votes in the arena."""
    client.call("page", "GET", "/")
    while not stop.is_set():
        client.call("page", "GET", rng.choice(["/", "/tracks/?sort=top", "/tracks/"]))
        tracks = client.call("api", "GET", "/api/v1/tracks/?page_size=50")
        if not tracks or not tracks.get("results"):
            stop.wait(2)
            continue
        track = rng.choice(tracks["results"])
        client.call("page", "GET", f"/tracks/{track['id']}/")
        heard = play(client, track["id"], seconds=rng.uniform(24, 32), stop=stop)
        if heard is not None and heard.get("can_rate"):
            client.call(
                "rating",
                "POST",
                f"/api/v1/tracks/{track['id']}/rating/",
                {"stars": rng.randint(1, 5)},
                ok=(200, 201),
            )
        pair = client.call(
            "api", "GET", f"/api/v1/arena/pair/?batch={track['batch']}", ok=(200, 404)
        )
        if pair and "a" in pair:
            a, b = pair["a"]["id"], pair["b"]["id"]
            play(client, a, seconds=11, stop=stop)
            play(client, b, seconds=11, stop=stop)
            if stop.is_set():  # cut short: the pair was not heard, so no verdict
                break
            client.call(
                "arena",
                "POST",
                "/api/v1/arena/votes/",
                {"track_a": a, "track_b": b, "outcome": rng.choice(["a", "b", "tie"])},
                ok=(201,),
            )
        stop.wait(rng.uniform(1, 4))


def play(client: Client, track_id: int, *, seconds: float, stop: threading.Event) -> Any:
    session = f"soak-{random.getrandbits(40):x}"
    seq, started, result = 0, time.monotonic(), None

    def send(kind: str, position: float) -> Any:
        nonlocal seq
        seq += 1
        t = int((time.monotonic() - started) * 1000)
        event = {"type": kind, "position": round(position, 3), "seq": seq, "t": t}
        body = {"track": track_id, "session": session, "events": [event]}
        return client.call("events", "POST", "/api/v1/listening-events/", body)

    send("play", 0.0)
    while not stop.is_set():
        elapsed = time.monotonic() - started
        if elapsed >= seconds:
            break
        stop.wait(min(5.0, seconds - elapsed))
        result = send("progress", time.monotonic() - started)
    return send("pause", time.monotonic() - started) or result


def api_reader(client: Client, stop: threading.Event, rng: random.Random) -> None:
    paths = [
        "/api/v1/rankings/?sort=top",
        "/api/v1/rankings/?sort=trending",
        "/api/v1/rankings/?sort=new",
        "/api/v1/tracks/",
        "/api/v1/batches/",
        "/feeds/top.rss",
        "/feeds/new.json",
        "/api/v1/arena/leaderboard/?batch={batch}",
    ]
    batch = 1
    while not stop.is_set():
        answer = client.call("api", "GET", rng.choice(paths).format(batch=batch))
        # The leaderboard is per batch: follow the newest one the track list shows.
        if isinstance(answer, dict) and answer.get("results"):
            batch = answer["results"][0].get("batch", batch)
        stop.wait(0.5)


def producer(client: Client, stop: threading.Event, every_s: float) -> None:
    while not stop.wait(every_s):
        client.call("batch", "POST", "/api/v1/batches/", {"count": 2}, ok=(201, 202))


async def sockets(ws_base: str, count: int, stop: threading.Event, results: Results) -> None:
    async def one(n: int) -> None:
        headers = {
            "Origin": ws_base.replace("ws://", "http://"),
            "X-Forwarded-For": f"10.50.{n // 250}.{n % 250 + 1}",
        }
        try:
            async with websockets.connect(
                f"{ws_base}/ws/live/", additional_headers=headers, open_timeout=30
            ) as socket:
                await socket.send(json.dumps({"type": "subscribe", "topics": ["top", "new"]}))
                while not stop.is_set():
                    try:
                        await asyncio.wait_for(socket.recv(), timeout=1.0)
                        results.ws_messages += 1
                    except TimeoutError:
                        continue
        except Exception as error:  # a socket dropped before the end is an error
            if not stop.is_set():
                results.error(f"websocket {n}: {error!r}")

    await asyncio.gather(*(one(n) for n in range(count)))


# --- the set-up ------------------------------------------------------------------------------


def prepare(work: Path, args: argparse.Namespace) -> dict[str, str]:
    name, admin = database_and_admin(args.database_url)
    fresh_database(name, admin)
    redis.Redis.from_url(args.redis_url).flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "albumvote.settings.production",
        "SECRET_KEY": "soak-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "MEDIA_ROOT": str(work / "media"),
        "STATIC_ROOT": str(work / "static"),
        "DATA_DIR": str(work),
        "COMPOSER_MODEL_DIR": str(args.model_dir or work / "models"),
        "COMPOSER_DEFAULT_COLLECTIONS": "miscFolk",
        "NUM_PROXIES": "1",
        "DB_POOL_SIZE": str(DB_POOL_SIZE),
        "PYTHONUNBUFFERED": "1",
    }
    manage = [sys.executable, "manage.py"]
    for command in (
        ["migrate", "-v", "0"],
        ["collectstatic", "--noinput", "-v", "0"],
        ["train_composer", "--if-missing"],
    ):
        subprocess.run(
            [*manage, *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    token_code = (
        "from django.contrib.auth.models import User, Group; "
        "from rest_framework.authtoken.models import Token; "
        "from albumvote.permissions import PRODUCERS_GROUP; "
        "u = User.objects.create_user('soak-producer'); "
        "u.groups.add(Group.objects.get_or_create(name=PRODUCERS_GROUP)[0]); "
        "print(Token.objects.create(user=u).key)"
    )
    token = (
        subprocess.run(
            [*manage, "shell", "-c", token_code],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    env["SOAK_TOKEN"] = token
    return env


def start(env: dict[str, str], work: Path) -> tuple[dict[str, subprocess.Popen[bytes]], int, int]:
    http_port, ws_port = free_port(), free_port()
    commands = {
        "api": gunicorn_command(http_port, GUNICORN_WORKERS),
        "web": uvicorn_command(ws_port),
        "worker": celery_worker_command(1),
        "beat": celery_beat_command(work / "beat-schedule"),
    }
    processes = {}
    for name, command in commands.items():
        log = (work / f"{name}.log").open("wb")
        processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    for port in (http_port, ws_port):
        wait_for_healthz(port, work)
    return processes, http_port, ws_port


def rss_mb(processes: dict[str, subprocess.Popen[bytes]]) -> dict[str, float]:
    """Resident memory of each role, its children included (gunicorn and Celery fork)."""
    figures = {}
    for name, process in processes.items():
        try:
            root = psutil.Process(process.pid)
            members = [root, *root.children(recursive=True)]
            figures[name] = round(sum(p.memory_info().rss for p in members) / 2**20, 1)
        except psutil.Error:
            figures[name] = -1.0
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1200)
    parser.add_argument("--batch-every", type=float, default=180)
    parser.add_argument("--sockets", type=int, default=SOCKETS)
    parser.add_argument("--database-url", default=DATABASE_URL, help="made afresh")
    parser.add_argument("--redis-url", default=REDIS_URL, help="emptied first")
    parser.add_argument("--model-dir", type=Path, help="a trained model (else one is trained)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="albumvote-soak-"))
    env = prepare(work, args)
    processes, http_port, ws_port = start(env, work)
    base = f"http://127.0.0.1:{http_port}"
    results = Results()
    stop = threading.Event()
    try:
        seed = Client(base, "10.9.0.1", results)
        seed.token = env["SOAK_TOKEN"]
        seed.call("batch", "POST", "/api/v1/batches/", {"count": 4}, ok=(201, 202))
        deadline = time.monotonic() + 300
        while not (seed.call("api", "GET", "/api/v1/tracks/") or {}).get("results"):
            if time.monotonic() > deadline:
                raise SystemExit("the first batch did not finish; see the worker log")
            time.sleep(2)

        rng = random.Random(7)
        threads = [
            threading.Thread(
                target=listener,
                args=(
                    Client(base, f"10.1.{n // 250}.{n % 250 + 1}", results),
                    stop,
                    random.Random(n),
                ),
                daemon=True,
            )
            for n in range(LISTENERS)
        ]
        threads.append(
            threading.Thread(
                target=api_reader, args=(Client(base, "10.2.0.1", results), stop, rng), daemon=True
            )
        )
        maker = Client(base, "10.3.0.1", results)
        maker.token = env["SOAK_TOKEN"]
        threads.append(
            threading.Thread(target=producer, args=(maker, stop, args.batch_every), daemon=True)
        )
        socket_thread = threading.Thread(
            target=lambda: asyncio.run(
                sockets(f"ws://127.0.0.1:{ws_port}", args.sockets, stop, results)
            ),
            daemon=True,
        )
        threads.append(socket_thread)
        for thread in threads:
            thread.start()
        warm_up = min(120.0, args.seconds * 0.25)
        time.sleep(warm_up)
        rss_start = rss_mb(processes)
        time.sleep(max(0.0, args.seconds - warm_up))
        rss_end = rss_mb(processes)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        pg_connections = open_connections(*database_and_admin(args.database_url))
    finally:
        stop.set()
        stop_groups(processes.values())
    scratch = work / "media" / ".scratch"
    left = (
        sorted(str(p.relative_to(scratch)) for p in scratch.rglob("*")) if scratch.exists() else []
    )
    growth = {
        name: round((rss_end[name] - rss_start[name]) / rss_start[name] * 100, 1)
        for name in rss_start
        if rss_start[name] > 0
    }
    figures = {
        "seconds": args.seconds,
        "errors": len(results.errors),
        "requests": sum(len(v) for v in results.latency.values()),
        "p99_ms": {
            kind: round(sorted(v)[max(0, int(len(v) * 0.99) - 1)], 1)
            for kind, v in sorted(results.latency.items())
        },
        "p50_ms": {k: round(statistics.median(v), 1) for k, v in sorted(results.latency.items())},
        "rss_mb_after_warm_up": rss_start,
        "rss_mb_end": rss_end,
        "rss_growth_pct": growth,
        "pg_connections_end": pg_connections,
        # uvicorn's pool, one per gunicorn worker, the Celery worker's child and parent, beat.
        "pg_connections_bound": DB_POOL_SIZE + GUNICORN_WORKERS + 3,
        "websocket_messages": results.ws_messages,
        "scratch_left": left,
        "work": str(work),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
