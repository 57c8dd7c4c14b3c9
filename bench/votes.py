"""Load test of voting against the production server set-up; prints figures, then one JSON line.

    .venv/bin/python bench/votes.py [--paths http,socket] [--seconds 15] [--listeners 1000]
                                    [--database-url ...] [--redis-url ...] [--quick]

Servers (as in docker-compose): gunicorn (WSGI) for pages and the API, uvicorn (ASGI) for
/ws/live/, PostgreSQL and Redis. The load comes from other processes:
- HTTP raters: Debian's wrk (compiled) posting ratings through keep-alive connections, each
  request as another listener (bench/wrk_rate.lua);
- socket raters: rate frames over /ws/live/ sockets, one frame in flight per socket, each
  socket connected as a listener (bench/sockets.py);
- 1,000 listeners: sockets subscribed to the rated tracks (bench/sockets.py).
Each path runs in its own phase with listeners of its own; every rating is a distinct
(listener, track) pair, so each acknowledged rating is a row of curation_rating. After each
phase the rows are counted: a rating acknowledged and not stored is `lost`, and the bench
exits non-zero when the acknowledged ratings and the stored rows differ.

Figures per path: acknowledged ratings per second, p50/p99 latency of a rating (wrk's
distribution; frame sent to answer on the socket), delivery (for each acknowledged rating and
each listener subscribed to its track: from the answer to the first event at that listener
showing that rating's version or a later one), the server side's CPU per rating (bench/cpu_use
explains what it counts) and the load generator's share. The ceiling: wrk on the same
gunicorn's trivial view (/ping).
"""

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from multiprocessing.process import BaseProcess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # run as a script, this folder would come first

from bench import wrk  # noqa: E402
from bench.cpu_use import CpuWindow, server_parts  # noqa: E402
from bench.figures import percentile  # noqa: E402
from bench.servers import (  # noqa: E402
    database_and_admin,
    free_port,
    granian_command,
    gunicorn_command,
    uvicorn_command,
    wait_for_port,
)
from bench.sockets import listener_process, socket_rater_process  # noqa: E402
from bench.vote_figures import (  # noqa: E402
    PathRun,
    deliveries,
    listener_index,
    report,
    table,
)
from bench.vote_setup import (  # noqa: E402
    CSRF,
    DATABASE_URL,
    REDIS_URL,
    Stores,
    listener_cookies,
    prepare,
    server_env,
)

SPAWN = mp.get_context("spawn")

# --- servers ------------------------------------------------------------------------------------


def start_servers(
    media: Path, args: argparse.Namespace, stores: Stores
) -> tuple[list[subprocess.Popen[bytes]], int, int]:
    env = server_env(media, stores)
    http_port, ws_port = free_port(), free_port()
    log = open(media / "servers.log", "wb")  # noqa: SIM115
    if args.server == "granian":
        http_command = granian_command(http_port, args.workers, args.threads)
    else:
        http_command = gunicorn_command(
            http_port,
            args.workers,
            # gthread keeps connections alive (sync workers close each one) and overlaps the
            # database and Redis round trips of one process's requests.
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--backlog",
            "4096",
            "--log-level",
            "warning",
        )
    http_server = subprocess.Popen(http_command, cwd=ROOT, env=env, stdout=log, stderr=log)
    uvicorn = subprocess.Popen(
        uvicorn_command(ws_port, "--workers", str(args.ws_workers), "--no-access-log"),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    for port in (http_port, ws_port):
        wait_for_port(port)
    return [http_server, uvicorn], http_port, ws_port


# --- listeners ----------------------------------------------------------------------------------


def start_listeners(
    ws_port: int, tracks: list[int], args: argparse.Namespace, work: Path
) -> tuple[list[BaseProcess], list[str], Path]:
    topics = [tracks[n % len(tracks)] for n in range(args.listeners)]
    stop = work / "stop-listening"
    processes: list[BaseProcess] = []
    outs, readies = [], []
    for n in range(args.listener_processes):
        out, ready = str(work / f"listen-{n}.json"), str(work / f"ready-{n}")
        share = topics[n :: args.listener_processes]
        processes.append(
            SPAWN.Process(target=listener_process, args=(ws_port, share, str(stop), ready, out))
        )
        outs.append(out)
        readies.append(ready)
    for process in processes:
        process.start()
    deadline = time.time() + 30 + args.listeners / 50
    while time.time() < deadline and not all(Path(ready).exists() for ready in readies):
        time.sleep(0.2)
    connected = sum(int(Path(r).read_text()) for r in readies if Path(r).exists())
    print(f"{connected} of {args.listeners} listeners subscribed", flush=True)
    return processes, outs, stop


# --- the paths ----------------------------------------------------------------------------------


def http_phase(
    port: int,
    tracks: list[int],
    cookies: list[str],
    window: CpuWindow,
    args: argparse.Namespace,
    work: Path,
) -> tuple[dict, list]:
    start_at = time.time() + 0.5
    window.start()
    run = wrk.rate(
        port, tracks, cookies, CSRF, args.http_connections, args.wrk_threads, start_at,
        args.seconds, work,
    )  # fmt: skip
    figures = {
        "sent": run.sent,
        "accepted": run.accepted,
        "refused": run.refused,
        "refusals": run.refusals,
        "unanswered": run.sent - run.answered,
        "p50_ms": run.p50_ms,
        "p99_ms": run.p99_ms,
        "loadgen_s": run.cpu_s,
    }
    if any(run.errors.values()) or run.late:
        print(f"  wrk's socket errors: {run.errors}; requests sent after the stop: {run.late}")
    return figures, run.ratings


def socket_phase(
    port: int,
    tracks: list[int],
    listeners: list[tuple[int, str]],
    window: CpuWindow,
    args: argparse.Namespace,
    work: Path,
) -> tuple[dict, list]:
    start_at = time.time() + 5  # the processes start (imports) before it
    outs = [str(work / f"socket-rate-{n}.json") for n in range(args.socket_processes)]
    processes = [
        SPAWN.Process(
            target=socket_rater_process,
            args=(
                port,
                tracks,
                listeners[n :: args.socket_processes],
                args.socket_raters // args.socket_processes,
                start_at,
                start_at + args.seconds,
                out,
            ),
        )
        for n, out in enumerate(outs)
    ]
    for process in processes:
        process.start()
    time.sleep(max(0.0, start_at - 0.1 - time.time()))
    window.start()
    for process in processes:
        process.join()
    results = [json.loads(Path(out).read_text()) for out in outs]
    rows = [row for result in results for row in result["rows"]]
    accepted = [row for row in rows if row[4] == "rated"]
    refused = [row for row in rows if row[4] == "error"]
    refusals: dict[str, int] = {}
    for row in refused:
        refusals[row[5]] = refusals.get(row[5], 0) + 1
    latency = [(answered - sent) * 1000 for _, _, sent, answered, *_ in accepted]
    figures = {
        "sent": len(rows),
        "accepted": len(accepted),
        "refused": len(refused),
        "refusals": refusals,
        "unanswered": len(rows) - len(accepted) - len(refused),
        "p50_ms": percentile(latency, 0.5),
        "p99_ms": percentile(latency, 0.99),
        # The pairs acknowledged, to check one by one against the rows.
        "pairs": {(row[0], row[1]) for row in accepted},
        "loadgen_s": sum(result["cpu_s"] for result in results),
    }
    return figures, [(row[3], row[1], row[6]) for row in accepted]


def run_path(
    path: str,
    ports: tuple[int, int],
    tracks: list[int],
    people: list[tuple[int, str]],
    window: CpuWindow,
    stores: Stores,
    args: argparse.Namespace,
    work: Path,
) -> PathRun:
    print(f"rating over {path} as {len(people)} listeners ...", flush=True)
    if path == "http":
        figures, rated = http_phase(ports[0], tracks, [c for _, c in people], window, args, work)
    else:
        figures, rated = socket_phase(ports[1], tracks, people, window, args, work)
    use = window.stop(figures.pop("loadgen_s"))
    with stores.connect() as c:
        stored = c.execute(
            "SELECT listener_id, track_id FROM curation_rating WHERE listener_id = ANY(%s)",
            ([listener for listener, _ in people],),
        ).fetchall()
    pairs = figures.pop("pairs", None)
    # Socket answers name their pair: each is looked up. wrk's are counted, as are the rows.
    lost = (
        len(pairs - set(stored)) if pairs is not None else max(0, figures["accepted"] - len(stored))
    )
    return PathRun(
        path=path,
        seconds=args.seconds,
        stored=len(stored),
        lost=lost,
        use=use,
        rated=rated,
        **figures,
    )


# --- the run ------------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", default="http,socket", help="http, socket or both")
    parser.add_argument("--seconds", type=float, default=15.0, help="rating time per path")
    parser.add_argument("--http-connections", type=int, default=32, help="wrk's connections")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--socket-raters", type=int, default=32, help="rating sockets")
    parser.add_argument("--socket-processes", type=int, default=1)
    parser.add_argument("--listeners", type=int, default=1000)
    parser.add_argument("--listener-processes", type=int, default=2)
    parser.add_argument("--tracks", type=int, default=50)
    parser.add_argument("--people", type=int, default=3000, help="listeners who rate")
    parser.add_argument("--server", choices=["gunicorn", "granian"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=3, help="HTTP server processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per HTTP process")
    parser.add_argument("--ws-workers", type=int, default=2, help="uvicorn processes")
    parser.add_argument("--ceiling-seconds", type=float, default=10.0)
    parser.add_argument("--database-url", default=DATABASE_URL, help="made afresh")
    parser.add_argument("--redis-url", default=REDIS_URL, help="emptied first")
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.ceiling_seconds, args.tracks, args.people = 3.0, 2.0, 10, 400
        args.listeners, args.listener_processes, args.workers, args.threads = 40, 1, 1, 2
        args.ws_workers, args.http_connections, args.socket_raters = 1, 4, 4
    args.paths = [path.strip() for path in args.paths.split(",") if path.strip()]
    if not set(args.paths) <= {"http", "socket"}:
        parser.error("--paths: http, socket or both")
    return args


def main() -> None:
    args = arguments()
    stores = Stores(args.database_url, args.redis_url)
    with tempfile.TemporaryDirectory(prefix="albumvote-votes-") as tmp:
        work = Path(tmp)
        print(f"seeding {args.tracks} tracks and {args.people} listeners ...", flush=True)
        tracks, people = prepare(args.tracks, args.people, work, stores)
        cookies = listener_cookies(people)
        servers, http_port, ws_port = start_servers(work, args, stores)
        listening: list[BaseProcess] = []
        try:
            listening, listened_outs, stop = start_listeners(ws_port, tracks, args, work)
            database, admin = database_and_admin(args.database_url)
            window = CpuWindow(
                server_parts(servers[0], servers[1], admin, database, args.redis_url),
                lambda: {pid for p in listening if (pid := p.pid) is not None},
            )
            runs = []
            for n, path in enumerate(args.paths):
                # Each path rates as listeners of its own: no pair is rated twice.
                share = list(zip(people, cookies, strict=True))[n :: len(args.paths)]
                runs.append(
                    run_path(path, (http_port, ws_port), tracks, share, window, stores, args, work)
                )
            ceiling = wrk.ceiling(
                http_port, args.http_connections, args.wrk_threads, args.ceiling_seconds
            )
            stop.touch()
            for process in listening:
                process.join(timeout=60)
            listened = [json.loads(Path(out).read_text()) for out in listened_outs]
        finally:
            for process in listening:
                if process.is_alive():
                    process.terminate()
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(timeout=30)
    per_track, subscribed = listener_index(listened)
    cores = os.cpu_count() or 1
    for run in runs:
        run.delivery = deliveries(run.rated, per_track)
        report(run, cores)
    dropped = sum(result["dropped"] for result in listened)
    print(f"{subscribed} listeners subscribed, {dropped} dropped by the server before the end")
    print(f"ceiling (trivial view on the same {args.server}, wrk): {ceiling:.0f} req/s")
    figures = table(runs, subscribed, ceiling)
    print(json.dumps(figures))
    unequal = [run.path for run in runs if run.accepted != run.stored or run.lost]
    if unequal:
        print(f"acknowledged ratings and stored rows differ on: {', '.join(unequal)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
