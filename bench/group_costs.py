"""What a rating costs PostgreSQL by the size of its group, measured in-process.

    .venv/bin/python bench/group_costs.py [--ratings 4000] [--sizes 1,4,16,64,256]
                                          [--database-url ...] [--redis-url ...]

Calls the service the socket path's group commit calls (curation.services.ratings
.ratings_submit_many) directly, one group after another, each vote a new (listener, track) pair
on a fresh database (bench/vote_setup.prepare), and reads the CPU time of the PostgreSQL
backend serving this connection from /proc (its utime + stime) and this process's own. The
live updates after each commit are left out (realtime.ratings_changed is a no-op here): they
cost once per window, not per rating, and bench/votes.py measures them. Prints a line per group
size, then one JSON line.

Why: issue 13 budgets 800 us of server CPU per rating for the web processes, PostgreSQL and
Redis together; this shows how much of it the statement alone takes, and how much a larger
group saves.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.vote_setup import Stores, prepare, server_env  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=4000, help="per group size")
    parser.add_argument("--sizes", default="1,4,16,64,256")
    parser.add_argument("--tracks", type=int, default=50)
    parser.add_argument("--database-url", default=Stores().database_url)
    parser.add_argument("--redis-url", default=Stores().redis_url)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    stores = Stores(args.database_url, args.redis_url)
    people = -(-args.ratings * len(sizes) // args.tracks)  # every vote a new pair
    with tempfile.TemporaryDirectory(prefix="albumvote-groups-") as tmp:
        tracks, listeners = prepare(args.tracks, people, Path(tmp), stores)
        os.environ.update(server_env(Path(tmp), stores))
        import django

        django.setup()
        from django.db import connection

        from curation import realtime
        from curation.services import ratings

        realtime.ratings_changed = lambda track_ids: None
        pairs = iter([(p, t) for p in listeners for t in tracks])
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        found = []
        for size in sizes:
            groups = args.ratings // size
            votes = [
                [
                    ratings.Vote(p, None, t, 1 + (p + t) % 5)
                    for p, t in (next(pairs) for _ in range(size))
                ]
                for _ in range(groups)
            ]
            pg, me, wall = process_cpu_s(backend), time.process_time(), time.perf_counter()
            for group in votes:
                results = ratings.ratings_submit_many(group)
                assert all(isinstance(r, ratings.RatingResult) for r in results), results[:1]
            done = groups * size
            figures = {
                "group": size,
                "ratings": done,
                "pg_backend_us": round((process_cpu_s(backend) - pg) / done * 1e6),
                "python_us": round((time.process_time() - me) / done * 1e6),
                "wall_us": round((time.perf_counter() - wall) / done * 1e6),
            }
            print(
                f"group of {size:>3}: PostgreSQL backend {figures['pg_backend_us']} us a rating,"
                f" this process {figures['python_us']} us, wall {figures['wall_us']} us",
                flush=True,
            )
            found.append(figures)
    print(json.dumps({"groups": found, "tracks": args.tracks}))


if __name__ == "__main__":
    main()
