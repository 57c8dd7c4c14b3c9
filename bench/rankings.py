"""Rankings at scale: the top-100 request from stored aggregates against a naive GROUP BY.

    .venv/bin/python bench/rankings.py [--requests 300]

Seeds 10,000 published tracks in a fresh PostgreSQL database, then 10k, 100k and 1M ratings,
each with its rater's listening state (ratings need listening first). At each size it times
GET /api/v1/rankings/?sort=top&page_size=100 (the production WSGI app called in-process, one
request at a time: view, query, serialisation, ETag) and, in alternating rounds of the same
run, the naive ranking: the same crowd score computed with GROUP BY over the raw rating and
listening rows (the query alone, which flatters it). It checks that both give the same top
100. Prints the figures, then one JSON line.

The per-track figures are filled from the raw rows in one statement per size: the seeding
shortcut for what each vote and listening event does in its own transaction
(tests/curation/test_aggregates.py holds the two equal).
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)

from bench.figures import percentile  # noqa: E402
from bench.servers import LOCAL_ADMIN_DB, fresh_database  # noqa: E402

DB_NAME = "albumvote_rankings_bench"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
TRACKS = 10_000
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
LISTENERS = 1_000_000 // TRACKS  # each listener rates every track once at the largest size

# Each track's count, star total and distribution, straight from the rating rows.
COUNTS = """
  SELECT track_id, count(*) AS n, sum(stars) AS total,
         count(*) FILTER (WHERE stars = 1) AS n1, count(*) FILTER (WHERE stars = 2) AS n2,
         count(*) FILTER (WHERE stars = 3) AS n3, count(*) FILTER (WHERE stars = 4) AS n4,
         count(*) FILTER (WHERE stars = 5) AS n5
  FROM curation_rating GROUP BY track_id
"""

# Each track's listening figures, straight from the per-listener rows: listeners, the sum of
# each one's share heard, plays and early skips (the seed's skips are all early ones).
LISTENING = """
  SELECT lt.track_id, count(*) AS listeners, sum(lt.plays) AS plays, sum(lt.skips) AS skips,
         sum(lt.listened_s) AS seconds, sum(lt.completes) AS completes,
         sum(lt.replays) AS replays,
         sum(least(1.0, lt.listened_s / nullif(tt.duration_s, 0))) AS through_sum
  FROM curation_listenertrack lt JOIN generation_track tt ON tt.id = lt.track_id
  GROUP BY lt.track_id
"""

# The naive top 100: the same crowd score (curation/scoring.py) computed from the raw rows on
# every request, as a site without stored aggregates would.
NAIVE = """
SELECT t.id, t.title, c.n, c.total, c.n1, c.n2, c.n3, c.n4, c.n5,
       {stars} / 4 * ((c.total + 15.0) / (c.n + 5) - 1.65 * sqrt(greatest(
         (c.n1 + 4 * c.n2 + 9 * c.n3 + 16 * c.n4 + 25 * c.n5 + 55.0) / (c.n + 5)
         - ((c.total + 15.0) / (c.n + 5)) ^ 2, 0) / (c.n + 6)) - 1)
       + {through} * (coalesce(l.through_sum, 0) + {shrink} * {neutral_through})
         / (coalesce(l.listeners, 0) + {shrink})
       + {kept} * (1 - (coalesce(l.skips, 0) + {shrink} * {neutral_skip})
         / (coalesce(l.plays, 0) + {shrink})) AS crowd_score
FROM (
{counts}
) c JOIN generation_track t ON t.id = c.track_id AND t.status = 'ready'
LEFT JOIN (
{listening}
) l ON l.track_id = c.track_id
ORDER BY crowd_score DESC, t.id DESC LIMIT 100
"""

FILL_STATS = """
UPDATE curation_trackstats s SET
  rating_count = c.n, rating_sum = c.total, stars_1 = c.n1, stars_2 = c.n2, stars_3 = c.n3,
  stars_4 = c.n4, stars_5 = c.n5, version = s.version + 1,
  plays = l.plays, unique_listeners = l.listeners, listen_seconds = l.seconds,
  completes = l.completes, skips = l.skips, replays = l.replays,
  listen_through_sum = l.through_sum
FROM (
{counts}
) c JOIN (
{listening}
) l ON l.track_id = c.track_id
WHERE s.track_id = c.track_id
""".replace("{counts}", COUNTS).replace("{listening}", LISTENING)


def naive_sql() -> str:
    from curation import scoring

    weights = scoring.CROWD_WEIGHTS
    return NAIVE.format(
        stars=weights["stars"],
        through=weights["listen_through"],
        kept=weights["kept"],
        shrink=scoring.SHRINK_LISTENERS,
        neutral_through=scoring.NEUTRAL_LISTEN_THROUGH,
        neutral_skip=scoring.NEUTRAL_SKIP_RATE,
        counts=COUNTS,
        listening=LISTENING,
    )


def server_env(media: Path) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "albumvote.settings.production",
        "SECRET_KEY": "bench-secret-key-" + "x" * 48,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": "redis://127.0.0.1:6379/13",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "MEDIA_ROOT": str(media),
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        # One client asks thousands of times a minute: the limit is counted (its Redis round
        # trip is part of every request measured) but set out of reach.
        "API_RATE_PER_MINUTE": "100000000",
    }


def create_database(media: Path) -> None:
    fresh_database(DB_NAME, LOCAL_ADMIN_DB)
    env = {**os.environ, **server_env(media)}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def seed_tracks(cursor) -> None:
    cursor.execute(
        "INSERT INTO generation_generationbatch (source, count, params, created_at)"
        " VALUES ('command', %s, '{}', now())",
        [TRACKS],
    )
    cursor.execute(
        "INSERT INTO generation_track (batch_id, position, title, status, error, attempts, preset,"
        " seed, params, resolved_params, model_version, midi, audio_opus, audio_mp3, duration_s,"
        " key, camelot, tempo_bpm, peaks, sections, metrics, rejection_reasons, soundfont,"
        " created_at, finished_at, updated_at)"
        " SELECT (SELECT max(id) FROM generation_generationbatch), n, 'Bench track ' || n,"
        " 'ready', '', 1, 'celtic_reel', n, '{}', '{}', 'bench', '', '', '', 120, 'D major',"
        " '10B', 112, '[]', '[]', '{}', '[]', '', now() - n * interval '1 minute',"
        " now() - n * interval '1 minute', now() FROM generate_series(1, %s) AS n",
        [TRACKS],
    )
    cursor.execute(
        "INSERT INTO curation_trackstats (track_id, rating_count, rating_sum, stars_1, stars_2,"
        " stars_3, stars_4, stars_5, plays, unique_listeners, listen_seconds, completes, skips,"
        " replays, version, listen_through_sum, trend_log, updated_at)"
        " SELECT id, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, now() FROM generation_track"
    )
    cursor.execute(
        "INSERT INTO curation_listener (created_at, proven_at)"
        " SELECT now(), now() FROM generate_series(1, %s)",
        [LISTENERS],
    )


def seed_ratings(cursor, start: int, stop: int) -> None:
    """Ratings number start..stop-1: rating i is listener i // TRACKS on track i % TRACKS, its
    stars drawn around the track's own quality (deterministic, so runs compare)."""
    cursor.execute(
        "WITH t AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM generation_track),"
        " l AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM curation_listener)"
        " INSERT INTO curation_rating (listener_id, track_id, stars, created_at, updated_at)"
        " SELECT l.id, t.id, least(5, greatest(1, round(3 + ((t.k * 7919) %% 200) / 100.0 - 1"
        "   + ((i * 2654435761) %% 1000) / 400.0 - 1.25)))::int, now(), now()"
        " FROM generate_series(%s, %s) AS i"
        " JOIN t ON t.k = i %% %s JOIN l ON l.k = i / %s",
        [start, stop - 1, TRACKS, TRACKS],
    )
    # Ratings need listening first: each rater's listening state for the track, heard 20% to
    # 100% of the way (under a quarter counts as an early skip), a third of them twice.
    cursor.execute(
        "WITH t AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM generation_track),"
        " l AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM curation_listener),"
        " f AS (SELECT i, 0.2 + ((i::bigint * 40503) %% 801) / 1000.0 AS heard"
        "   FROM generate_series(%s, %s) AS i)"
        " INSERT INTO curation_listenertrack (listener_id, track_id, listened_s, max_position_s,"
        " plays, completes, skips, early_skips, replays, session, last_seq, window_counted,"
        " updated_at)"
        " SELECT l.id, t.id, 120 * f.heard, 120 * f.heard, 1 + (f.i %% 3 = 0)::int,"
        " (f.heard >= 0.95)::int, (f.heard < 0.25)::int, (f.heard < 0.25)::int, 0, 'bench', 1,"
        " 0, now()"
        " FROM f JOIN t ON t.k = f.i %% %s JOIN l ON l.k = f.i / %s",
        [start, stop - 1, TRACKS, TRACKS],
    )
    cursor.execute(FILL_STATS)
    # Let the bulk load settle (dead tuples from the fill, dirty buffers) before timing, as a
    # live site would have between its votes and its reads.
    cursor.execute("VACUUM ANALYZE")
    cursor.execute("CHECKPOINT")


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    for _ in range(10):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def timed_together(
    fast: Callable[[], object], slow: Callable[[], object], fast_runs: int, slow_runs: int
) -> tuple[list[float], list[float]]:
    """Both timed in alternating rounds, so that the machine's drift (its speed moves by tens
    of percent from minute to minute) weighs on both alike and their ratio holds."""
    fast_times: list[float] = []
    slow_times: list[float] = []
    per_round = max(1, fast_runs // slow_runs)
    for _ in range(slow_runs):
        fast_times += timed(fast, per_round)
        slow_times += timed(slow, 1)
    return fast_times, slow_times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--naive-runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="albumvote-rankings-") as tmp:
        media = Path(tmp)
        create_database(media)
        os.environ.update(server_env(media))
        import django

        django.setup()
        from django.core.wsgi import get_wsgi_application
        from django.db import connection

        app = get_wsgi_application()

        def request() -> None:
            environ = {
                "REQUEST_METHOD": "GET",
                "PATH_INFO": "/api/v1/rankings/",
                "QUERY_STRING": "sort=top&page_size=100",
                "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "80",
                "HTTP_HOST": "127.0.0.1",
                "REMOTE_ADDR": "127.0.0.1",
                "wsgi.input": io.BytesIO(b""),
                "wsgi.url_scheme": "http",
            }
            status: list[str] = []
            body = b"".join(app(environ, lambda s, h, e=None: status.append(s)))  # type: ignore[arg-type]
            assert status[0].startswith("200"), (status, body[:300])
            assert body.count(b'"crowd_score"') == 100

        naive_query = naive_sql()
        naive_top: list[tuple[int, float]] = []

        def naive() -> None:
            with connection.cursor() as cursor:
                cursor.execute(naive_query)
                rows = cursor.fetchall()
                assert len(rows) == 100
                naive_top[:] = [(row[0], row[-1]) for row in rows]

        def agreement() -> str:
            """Whether both rank the same 100 tracks: the same ids, or (where tracks tie to
            the last bit in one and differ in the 15th digit in the other) the same scores."""
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT track_id, crowd_score FROM curation_trackstats"
                    " ORDER BY crowd_score DESC, track_id DESC LIMIT 100"
                )
                stored = cursor.fetchall()
            if [row[0] for row in stored] == [row[0] for row in naive_top]:
                return "the same top 100"
            if all(abs(a[1] - b[1]) < 1e-9 for a, b in zip(stored, naive_top, strict=True)):
                return "the same top-100 scores; tied tracks in another order"
            return "NOT the same top 100"

        figures: dict[str, float] = {}
        with connection.cursor() as cursor:
            seed_tracks(cursor)
            done = 0
            for label, size in SIZES.items():
                started = time.perf_counter()
                seed_ratings(cursor, done, size)
                done = size
                print(
                    f"{size:>9,} ratings seeded in {time.perf_counter() - started:.1f} s",
                    flush=True,
                )
                fast, slow = timed_together(
                    request, naive, args.requests, args.naive_runs if size >= 100_000 else 50
                )
                same = agreement()
                figures[f"p50_ms_{label}"] = round(statistics.median(fast), 2)
                figures[f"p99_ms_{label}"] = round(percentile(fast, 0.99), 2)
                figures[f"naive_p50_ms_{label}"] = round(statistics.median(slow), 2)
                print(
                    f"  top-100 request: p50 {figures[f'p50_ms_{label}']} ms, p99 "
                    f"{figures[f'p99_ms_{label}']} ms | naive GROUP BY query: p50 "
                    f"{figures[f'naive_p50_ms_{label}']} ms ({same})",
                    flush=True,
                )
    flat = figures["p50_ms_1m"] / figures["p50_ms_10k"]
    speedup = figures["naive_p50_ms_1m"] / figures["p50_ms_1m"]
    print(f"1M vs 10k ratings: {flat:.2f}x; naive / stored at 1M: {speedup:.0f}x")
    keys = ("p50_ms_10k", "p50_ms_100k", "p50_ms_1m", "p99_ms_1m", "naive_p50_ms_1m")
    print(json.dumps({key: figures[key] for key in keys}))


if __name__ == "__main__":
    main()
