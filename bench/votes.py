"""Load test of voting against the production server set-up; prints figures, then one JSON line.

    .venv/bin/python bench/votes.py [--raters 32] [--listeners 1000] [--seconds 15]

Servers (as in docker-compose): gunicorn (WSGI) for pages and the API, uvicorn (ASGI) for
/ws/live/, PostgreSQL and Redis. The load comes from separate processes: rater processes
drive concurrent HTTP clients posting ratings as many listeners, listener processes hold
websocket connections subscribed to the rated tracks.

Figures:
- accepted ratings per second, p50/p99 rating latency;
- delivery: for each accepted rating and each listener subscribed to that track, the time from
  the rating's response to the first event at that listener showing that rating's version
  (or a later one);
- the ceiling: the same gunicorn serving a trivial view (/ping), measured in the same run.
"""

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # run as a script, this folder would come first
PY = sys.executable
BIN = Path(PY).parent
SECRET_KEY = "bench-secret-key-" + "x" * 48
DB_NAME = "albumvote_votes_bench"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/13"
CSRF = "b" * 32


def server_env(media: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "albumvote.settings.production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "MEDIA_ROOT": str(media),
        "CONN_MAX_AGE": "600",
        # Every rater comes from 127.0.0.1: per-IP limits would be the bench's ceiling.
        "RATE_RATING_PER_IP": "100000000",
        "RATE_RATING_PER_LISTENER": "100000",
        "LOG_LEVEL": "WARNING",
    }


# --- set-up -------------------------------------------------------------------------------------


def prepare(tracks: int, people: int, media: Path) -> tuple[list[int], list[int]]:
    """A fresh database with published tracks and listeners who have listened to all of them."""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {DB_NAME}")
    env = server_env(media)
    subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    with psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://")) as c:
        batch = c.execute(
            "INSERT INTO generation_generationbatch (source, count, params, created_at) "
            "VALUES ('command', %s, '{}', now()) RETURNING id",
            (tracks,),
        ).fetchone()[0]  # type: ignore[index]
        track_ids = [
            c.execute(
                "INSERT INTO generation_track (batch_id, position, title, status, error, attempts,"
                " preset, seed, params, resolved_params, model_version, midi, audio_opus,"
                " audio_mp3, duration_s, key, camelot, tempo_bpm, peaks, sections, metrics,"
                " rejection_reasons, created_at, finished_at, updated_at) VALUES (%s, %s, %s,"
                " 'ready', '', 1, 'celtic_reel', %s, '{}', '{}', 'bench', '', '', '', 120,"
                " 'D major', '10B', 112, '[]', '[]', '{}', '[]', now(), now(), now())"
                " RETURNING id",
                (batch, n, f"Bench track {n}", n),
            ).fetchone()[0]  # type: ignore[index]
            for n in range(tracks)
        ]
        for track_id in track_ids:
            c.execute(
                "INSERT INTO curation_trackstats (track_id, rating_count, rating_sum,"
                " stars_1, stars_2, stars_3, stars_4, stars_5, plays, unique_listeners,"
                " listen_seconds, completes, skips, replays, version, listen_through_sum,"
                " trend_log, updated_at) VALUES (%s, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, now())",
                (track_id,),
            )
        listener_ids = [
            row[0]
            for row in c.execute(
                "INSERT INTO curation_listener (created_at) SELECT now() FROM"
                " generate_series(1, %s) RETURNING id",
                (people,),
            ).fetchall()
        ]
        with c.cursor().copy(
            "COPY curation_listenertrack (listener_id, track_id, listened_s, max_position_s,"
            " plays, completes, skips, replays, session, last_seq, updated_at) FROM STDIN"
        ) as copy:
            for listener_id in listener_ids:
                for track_id in track_ids:
                    copy.write_row(
                        (listener_id, track_id, 60.0, 60.0, 1, 0, 0, 0, "", 0, "2026-01-01")
                    )
    return track_ids, listener_ids


def listener_cookies(listener_ids: list[int]) -> list[str]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "albumvote.settings.dev")
    from django.conf import settings

    settings.SECRET_KEY = SECRET_KEY
    from django.http import HttpResponse

    from curation.identity import COOKIE_NAME, COOKIE_SALT

    cookies = []
    for listener_id in listener_ids:
        response = HttpResponse()
        response.set_signed_cookie(COOKIE_NAME, str(listener_id), salt=COOKIE_SALT)
        cookies.append(response.cookies[COOKIE_NAME].value)
    return cookies


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_servers(
    media: Path, workers: int, threads: int, server: str
) -> tuple[list[subprocess.Popen[bytes]], int, int]:
    env = server_env(media)
    http_port, ws_port = free_port(), free_port()
    log = open(media / "servers.log", "wb")  # noqa: SIM115
    if server == "granian":
        # Granian parses HTTP in Rust and runs the WSGI app on a pool of Python threads.
        http_command = [
            str(BIN / "granian"),
            "--interface",
            "wsgi",
            "albumvote.wsgi:application",
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--port",
            str(http_port),
            "--log-level",
            "warning",
            "--no-ws",
        ]
    else:
        http_command = [
            str(BIN / "gunicorn"),
            "albumvote.wsgi:application",
            "--workers",
            str(workers),
            # gthread keeps connections alive (sync workers close each one) and overlaps the
            # database and Redis round trips of one process's requests.
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{http_port}",
            "--backlog",
            "4096",
            "--log-level",
            "warning",
        ]
    http_server = subprocess.Popen(http_command, cwd=ROOT, env=env, stdout=log, stderr=log)
    uvicorn = subprocess.Popen(
        [
            str(BIN / "uvicorn"),
            "albumvote.asgi:application",
            "--workers",
            "2",
            "--port",
            str(ws_port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--ws-per-message-deflate",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    for port in (http_port, ws_port):
        for _ in range(200):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
    return [http_server, uvicorn], http_port, ws_port


# --- load: a minimal keep-alive HTTP/1.1 client ---------------------------------------------


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"", headers: str = "") -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
            f"{headers}\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and "close" in value.lower():
                close = True
        self.body = await self.reader.readexactly(length)
        if close:
            self.writer.close()
            self.writer = None
        return int(status_line.split()[1])


def rater_process(
    port: int,
    tracks: list[int],
    cookies: list[str],
    concurrency: int,
    seconds: float,
    start_at: float,
    out: str,
) -> None:
    async def rater(records: list[tuple[float, float, int, int, int]]) -> None:
        connection = Connection(port)
        rng = random.Random()
        while time.time() < start_at:
            await asyncio.sleep(0.01)
        while time.time() < start_at + seconds:
            cookie = rng.choice(cookies)
            track = rng.choice(tracks)
            body = json.dumps({"stars": rng.randint(1, 5)}).encode()
            headers = (
                "Content-Type: application/json\r\n"
                f"Cookie: albumvote_listener={cookie}; csrftoken={CSRF}\r\n"
                f"X-CSRFToken: {CSRF}\r\n"
            )
            sent = time.time()
            try:
                status = await connection.request(
                    "POST", f"/api/v1/tracks/{track}/rating/", body, headers
                )
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                connection = Connection(port)
                continue
            done = time.time()
            version = json.loads(connection.body)["rating"]["version"] if status < 300 else -1
            records.append((sent, done, status, track, version))

    async def main() -> None:
        records: list[tuple[float, float, int, int, int]] = []
        await asyncio.gather(*(rater(records) for _ in range(concurrency)))
        Path(out).write_text(json.dumps(records))

    asyncio.run(main())


def ping_process(port: int, concurrency: int, seconds: float, start_at: float, out: str) -> None:
    async def pinger(counts: list[int]) -> None:
        connection = Connection(port)
        while time.time() < start_at:
            await asyncio.sleep(0.01)
        while time.time() < start_at + seconds:
            if await connection.request("GET", "/ping") == 200:
                counts.append(1)

    async def main() -> None:
        counts: list[int] = []
        await asyncio.gather(*(pinger(counts) for _ in range(concurrency)))
        Path(out).write_text(str(len(counts)))

    asyncio.run(main())


class WebSocketClient:
    """A bare RFC 6455 client: handshake, masked text frames out, frames in from a buffered
    stream. The websockets library spent far more CPU per message than the server did, so
    with 500 sockets per process it measured its own queueing, not delivery."""

    def __init__(self, port: int) -> None:
        self.port = port

    async def connect(self) -> None:
        import base64

        self.reader, self.writer = await asyncio.open_connection(
            "127.0.0.1", self.port, limit=2**20
        )
        key = base64.b64encode(os.urandom(16)).decode()
        self.writer.write(
            (
                "GET /ws/live/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1\r\n\r\n"
            ).encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(head[:100])

    def send_text(self, text: str) -> None:
        payload = text.encode()
        mask = os.urandom(4)
        header = (
            bytes([0x81, 0x80 | len(payload)])
            if len(payload) < 126
            else (bytes([0x81, 0x80 | 126]) + len(payload).to_bytes(2, "big"))
        )
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(header + mask + masked)

    async def receive_text(self) -> bytes:
        while True:
            first, second = await self.reader.readexactly(2)
            length = second & 0x7F
            if length == 126:
                length = int.from_bytes(await self.reader.readexactly(2), "big")
            elif length == 127:
                length = int.from_bytes(await self.reader.readexactly(8), "big")
            payload = await self.reader.readexactly(length)
            opcode = first & 0x0F
            if opcode == 0x1:
                return payload
            if opcode == 0x8:
                raise ConnectionError("closed")


def listener_process(port: int, topics: list[int], stop_at: float, ready: str, out: str) -> None:
    async def listen(
        index: int, track: int, seen: list[tuple[int, int, float, int]], opened: list[int]
    ) -> None:
        client = WebSocketClient(port)
        await client.connect()
        client.send_text(json.dumps({"type": "subscribe", "topics": [f"track:{track}"]}))
        await client.receive_text()
        opened.append(index)
        while time.time() < stop_at:
            try:
                raw = await asyncio.wait_for(
                    client.receive_text(), timeout=max(0.1, stop_at - time.time())
                )
            except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
                break
            arrived = time.time()
            event = json.loads(raw)
            if event.get("type") == "rating.updated":
                seen.append((index, track, arrived, event["rating"]["version"]))
        client.writer.close()

    async def main() -> None:
        seen: list[tuple[int, int, float, int]] = []
        opened: list[int] = []
        tasks = []
        for index, track in enumerate(topics):
            tasks.append(asyncio.create_task(listen(index, track, seen, opened)))
            await asyncio.sleep(0.002)  # don't stampede the server's accept queue
        while len(opened) < len(topics) and time.time() < stop_at:
            await asyncio.sleep(0.05)
        Path(ready).write_text(str(len(opened)))
        await asyncio.gather(*tasks, return_exceptions=True)
        subscribed = [(index, topics[index]) for index in opened]
        Path(out).write_text(json.dumps({"seen": seen, "subscribed": subscribed}))

    asyncio.run(main())


class CpuSampler:
    """Where the two cores go while votes flow: CPU share per kind of process."""

    KINDS = (
        ("gunicorn", "gunicorn"),
        ("uvicorn", "uvicorn"),
        ("postgres", "postgres"),
        ("redis", "redis-server"),
        ("load generator", "multiprocessing"),
    )

    def __init__(self, start: float, stop: float) -> None:
        import threading

        self.shares: dict[str, float] = {}
        self.thread = threading.Thread(target=self._sample, args=(start, stop), daemon=True)
        self.thread.start()

    def _sample(self, start: float, stop: float) -> None:
        import psutil

        time.sleep(max(0.0, start - time.time()))
        before = {p.pid: (p, p.cpu_times()) for p in psutil.process_iter()}
        began = time.time()
        time.sleep(max(0.1, stop - time.time()))
        elapsed = time.time() - began
        for process, times in before.values():
            try:
                now = process.cpu_times()
                # uvicorn's workers are spawned children: name them after their parent.
                command = " ".join(" ".join(p.cmdline()) for p in [process, *process.parents()[:2]])
            except psutil.Error:
                continue
            used = (now.user + now.system - times.user - times.system) / elapsed * 100
            kind = next((k for k, needle in self.KINDS if needle in command), "other")
            self.shares[kind] = self.shares.get(kind, 0.0) + used

    def report(self) -> None:
        self.thread.join()
        parts = [
            f"{kind} {share:.0f}%"
            for kind, share in sorted(self.shares.items(), key=lambda item: -item[1])
            if share >= 1
        ]
        print("CPU while voting (100% = one core): " + ", ".join(parts))


# --- figures ------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def deliveries(ratings: list[list], listened: list[dict]) -> list[float]:
    """Per (accepted rating, subscribed listener): first arrival of that version or later."""
    import bisect

    per_listener: dict[int, list[list[tuple[int, float]]]] = {}
    for result in listened:
        # Each subscribed connection: its track and the rating events it received.
        connections: dict[int, tuple[int, list[tuple[int, float]]]] = {
            index: (track, []) for index, track in result["subscribed"]
        }
        for index, _, arrived, version in result["seen"]:
            connections[index][1].append((version, arrived))
        for track, events in connections.values():
            events.sort()
            # Earliest arrival among events at or above each version (suffix minimum).
            suffix: list[tuple[int, float]] = []
            best = float("inf")
            for version, arrived in reversed(events):
                best = min(best, arrived)
                suffix.append((version, best))
            suffix.reverse()
            per_listener.setdefault(track, []).append(suffix)
    latencies = []
    for _, done, status, track, version in ratings:
        if status >= 300:
            continue
        for suffix in per_listener.get(track, []):
            index = bisect.bisect_left(suffix, (version, -1.0))
            if index < len(suffix):
                latencies.append(max(0.0, suffix[index][1] - done) * 1000)
            else:
                latencies.append(float("inf"))  # never delivered
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--raters", type=int, default=32, help="concurrent HTTP raters")
    parser.add_argument("--rater-processes", type=int, default=2)
    parser.add_argument("--listeners", type=int, default=1000)
    parser.add_argument("--listener-processes", type=int, default=2)
    parser.add_argument("--tracks", type=int, default=50)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--server", choices=["gunicorn", "granian"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=3, help="HTTP server processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per HTTP process")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="albumvote-votes-") as tmp:
        work = Path(tmp)
        print(f"seeding {args.tracks} tracks and {args.people} listeners ...", flush=True)
        tracks, people = prepare(args.tracks, args.people, work)
        cookies = listener_cookies(people)
        servers, http_port, ws_port = start_servers(work, args.workers, args.threads, args.server)
        try:
            ceiling = measure_ceiling(http_port, args, work)
            figures = measure_votes(http_port, ws_port, tracks, cookies, args, work)
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(timeout=30)
    figures["ceiling_per_s"] = round(ceiling)
    print(f"ceiling (trivial view on the same {args.server}): {ceiling:.0f} req/s")
    print(
        json.dumps(
            {
                key: figures[key]
                for key in (
                    "ratings_per_s",
                    "ceiling_per_s",
                    "p50_rating_ms",
                    "p99_rating_ms",
                    "p50_delivery_ms",
                    "p99_delivery_ms",
                    "listeners",
                )
            }
        )
    )


def measure_ceiling(port: int, args: argparse.Namespace, work: Path) -> float:
    start_at = time.time() + 1.0
    seconds = min(args.seconds, 10.0)
    outs = [str(work / f"ping-{n}.json") for n in range(args.rater_processes)]
    processes = [
        mp.get_context("spawn").Process(
            target=ping_process,
            args=(port, args.raters // args.rater_processes, seconds, start_at, out),
        )
        for out in outs
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    return sum(int(Path(out).read_text()) for out in outs) / seconds


def measure_votes(
    http_port: int,
    ws_port: int,
    tracks: list[int],
    cookies: list[str],
    args: argparse.Namespace,
    work: Path,
) -> dict:
    ctx = mp.get_context("spawn")
    topics = [tracks[n % len(tracks)] for n in range(args.listeners)]
    warmup = 10.0 + args.listeners / 200
    start_at = time.time() + warmup
    stop_listening = start_at + args.seconds + 3.0
    listener_outs, readies, processes = [], [], []
    for n in range(args.listener_processes):
        out, ready = str(work / f"listen-{n}.json"), str(work / f"ready-{n}")
        share = topics[n :: args.listener_processes]
        processes.append(
            ctx.Process(target=listener_process, args=(ws_port, share, stop_listening, ready, out))
        )
        listener_outs.append(out)
        readies.append(ready)
    rater_outs = [str(work / f"rate-{n}.json") for n in range(args.rater_processes)]
    share = args.raters // args.rater_processes
    processes += [
        ctx.Process(
            target=rater_process,
            args=(http_port, tracks, cookies, share, args.seconds, start_at, out),
        )
        for out in rater_outs
    ]
    for process in processes:
        process.start()
    cpu = CpuSampler(start_at + 2, start_at + args.seconds - 1)
    for process in processes:
        process.join()
    cpu.report()
    connected = sum(int(Path(r).read_text()) for r in readies if Path(r).exists())
    ratings = [row for out in rater_outs for row in json.loads(Path(out).read_text())]
    listened = [json.loads(Path(out).read_text()) for out in listener_outs]
    accepted = [r for r in ratings if r[2] < 300]
    refused = len(ratings) - len(accepted)
    latency = [(done - sent) * 1000 for sent, done, status, _, _ in accepted]
    delivery = deliveries(ratings, listened)
    lost = sum(1 for d in delivery if d == float("inf"))
    finite = [d for d in delivery if d != float("inf")]
    figures = {
        "ratings_per_s": round(len(accepted) / args.seconds),
        "p50_rating_ms": round(percentile(latency, 0.5), 1),
        "p99_rating_ms": round(percentile(latency, 0.99), 1),
        "p50_delivery_ms": round(percentile(delivery, 0.5), 1),
        "p99_delivery_ms": round(percentile(delivery, 0.99), 1),
        "listeners": connected,
    }
    print(
        f"ratings: {len(accepted)} accepted in {args.seconds:.0f} s "
        f"({figures['ratings_per_s']}/s), {refused} refused; latency p50 "
        f"{figures['p50_rating_ms']} ms, p99 {figures['p99_rating_ms']} ms"
    )
    print(
        f"delivery to {connected} websocket listeners ({len(delivery)} rating-listener "
        f"pairs, {lost} never delivered): p50 {figures['p50_delivery_ms']} ms, p99 "
        f"{figures['p99_delivery_ms']} ms; mean {statistics.mean(finite or [0]):.0f} ms"
    )
    return figures


if __name__ == "__main__":
    main()
