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
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # run as a script, this folder would come first

from bench.clients import Connection, WebSocketClient  # noqa: E402
from bench.figures import CpuSampler, percentile  # noqa: E402
from bench.servers import (  # noqa: E402
    free_port,
    granian_command,
    gunicorn_command,
    uvicorn_command,
    wait_for_port,
)
from bench.vote_setup import CSRF, listener_cookies, prepare, server_env  # noqa: E402

# --- servers ------------------------------------------------------------------------------------


def start_servers(
    media: Path, workers: int, threads: int, server: str
) -> tuple[list[subprocess.Popen[bytes]], int, int]:
    env = server_env(media)
    http_port, ws_port = free_port(), free_port()
    log = open(media / "servers.log", "wb")  # noqa: SIM115
    if server == "granian":
        http_command = granian_command(http_port, workers, threads)
    else:
        http_command = gunicorn_command(
            http_port,
            workers,
            # gthread keeps connections alive (sync workers close each one) and overlaps the
            # database and Redis round trips of one process's requests.
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--backlog",
            "4096",
            "--log-level",
            "warning",
        )
    http_server = subprocess.Popen(http_command, cwd=ROOT, env=env, stdout=log, stderr=log)
    uvicorn = subprocess.Popen(
        uvicorn_command(ws_port, "--workers", "2", "--no-access-log"),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    for port in (http_port, ws_port):
        wait_for_port(port)
    return [http_server, uvicorn], http_port, ws_port


# --- load ---------------------------------------------------------------------------------------


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


# --- figures ------------------------------------------------------------------------------------


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
    cpu.report("voting")
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
