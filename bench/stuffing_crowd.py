"""The crowd and the browsers of bench/stuffing.py: its set-up (a database and a Redis
database of its own, production settings), the honest crowd's seeded history, and browsers
that listen, rate, sign up and play many tracks at once over the real HTTP paths."""

from __future__ import annotations

import http.cookiejar
import json
import math
import os
import random
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.clients import Client, Results  # noqa: E402
from bench.servers import (  # noqa: E402
    LOCAL_ADMIN_DB,
    celery_beat_command,
    celery_worker_command,
    free_port,
    fresh_database,
    gunicorn_command,
    uvicorn_command,
    wait_for_healthz,
)

DB_NAME = "bench_stuffing"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/7"
SECRET_KEY = "stuffing-" + "k" * 60
DURATION_S = 120.0
ENV = {
    "DJANGO_SETTINGS_MODULE": "albumvote.settings.production",
    "SECRET_KEY": SECRET_KEY,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "NUM_PROXIES": "1",
    "DB_POOL_SIZE": "10",
    "LOG_LEVEL": "WARNING",
    "PYTHONUNBUFFERED": "1",
}
# Django in this process only signs the seeded listeners' cookies and lends its constants.
os.environ.update(ENV)
import django  # noqa: E402

django.setup()
from django.core.signing import get_cookie_signer  # noqa: E402

from curation import scoring  # noqa: E402
from curation.identity import COOKIE_NAME, COOKIE_SALT  # noqa: E402
from curation.rules import listen_required_s  # noqa: E402

# Each track's rating and listening figures straight from the seeded rows (every seeded
# listener is proven; bench/rankings.py fills its figures the same way).
FILL_STATS = """
UPDATE curation_trackstats s SET
  rating_count = c.n, rating_sum = c.total, stars_1 = c.n1, stars_2 = c.n2, stars_3 = c.n3,
  stars_4 = c.n4, stars_5 = c.n5, plays = l.plays, unique_listeners = l.listeners,
  listen_seconds = l.seconds, completes = l.completes, skips = l.skips, replays = 0,
  listen_through_sum = l.through_sum,
  trend_log = (%(trend)s::jsonb ->> s.track_id::text)::float,
  version = s.version + 1
FROM (SELECT track_id, count(*) AS n, sum(stars) AS total,
        count(*) FILTER (WHERE stars = 1) AS n1, count(*) FILTER (WHERE stars = 2) AS n2,
        count(*) FILTER (WHERE stars = 3) AS n3, count(*) FILTER (WHERE stars = 4) AS n4,
        count(*) FILTER (WHERE stars = 5) AS n5
      FROM curation_rating GROUP BY track_id) c
JOIN (SELECT track_id, count(*) AS listeners, sum(plays) AS plays, sum(early_skips) AS skips,
        sum(listened_s) AS seconds, sum(completes) AS completes,
        sum(least(1.0, listened_s / %(duration)s)) AS through_sum
      FROM curation_listenertrack GROUP BY track_id) l ON l.track_id = c.track_id
WHERE s.track_id = c.track_id
"""


def stars_for(quality: float, bias: float, rng: random.Random) -> int:
    """A listener's stars: the track's hidden quality, their leaning, and noise."""
    return max(1, min(5, round(3 + 0.9 * quality + bias + rng.gauss(0, 0.7))))


@dataclass
class World:
    tracks: list[int]
    quality: dict[int, float]
    listeners: list[int]
    bias: dict[int, float]
    rated: dict[int, set[int]] = field(default_factory=dict)


def seed(tracks: int, people: int, rng: random.Random) -> World:
    """Tracks of one batch and proven listeners with three days of history, in SQL."""
    now = datetime.now(UTC)
    with psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://")) as c:
        batch = c.execute(
            "INSERT INTO generation_generationbatch (source, count, params, created_at) "
            "VALUES ('command', %s, '{}', now()) RETURNING id",
            (tracks,),
        ).fetchone()[0]  # type: ignore[index]
        c.execute(
            "INSERT INTO generation_track (batch_id, position, title, status, error, attempts,"
            " preset, seed, params, resolved_params, model_version, midi, audio_opus, audio_mp3,"
            " duration_s, key, camelot, tempo_bpm, peaks, sections, metrics, rejection_reasons,"
            " soundfont, created_at, finished_at, updated_at) SELECT %s, n, 'Stuffing ' || n,"
            " 'ready', '', 1, 'celtic_reel', n, '{}', '{}', 'bench', '', '', '', %s, 'D major',"
            " '10B', 112, '[]', '[]', '{}', '[]', '', now() - interval '4 days',"
            " now() - interval '4 days', now() FROM generate_series(1, %s) AS n",
            (batch, DURATION_S, tracks),
        )
        ids = [r[0] for r in c.execute("SELECT id FROM generation_track ORDER BY id").fetchall()]
        c.execute(
            "INSERT INTO curation_trackstats (track_id, rating_count, rating_sum, stars_1,"
            " stars_2, stars_3, stars_4, stars_5, plays, unique_listeners, listen_seconds,"
            " completes, skips, replays, version, listen_through_sum, trend_log, updated_at)"
            " SELECT id, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, now() FROM generation_track"
        )
        listeners = [
            r[0]
            for r in c.execute(
                "INSERT INTO curation_listener (created_at, proven_at) SELECT now() - interval"
                " '5 days', now() - interval '5 days' FROM generate_series(1, %s) RETURNING id",
                (people,),
            ).fetchall()
        ]
        world = World(ids, {t: rng.gauss(0, 1) for t in ids}, listeners, {})
        trend = {t: scoring.TREND_EMPTY for t in ids}
        states, ratings, verdicts = [], [], []
        for listener in listeners:
            world.bias[listener] = rng.gauss(0, 0.3)
            heard = [t for t in ids if rng.random() < 0.35]
            world.rated[listener] = set()
            for track in heard:
                q = world.quality[track]
                share = min(1.0, max(0.05, 0.5 + 0.2 * q + rng.gauss(0, 0.2)))
                at = now - timedelta(seconds=rng.uniform(600, 72 * 3600))
                states.append(
                    (listener, track, DURATION_S * share, int(share >= 0.95), int(share < 0.25), at)
                )
                trend[track] = scoring.trend_add(trend[track], scoring.trend_term(1, at))
                if share * DURATION_S >= listen_required_s(DURATION_S) and rng.random() < 0.75:
                    stars = stars_for(q, world.bias[listener], rng)
                    ratings.append((listener, track, stars, at))
                    world.rated[listener].add(track)
                    term = scoring.trend_term(scoring.rating_weight(stars), at)
                    trend[track] = scoring.trend_add(trend[track], term)
            for a, b in zip(heard[::2], heard[1::2], strict=False):
                p_a = 1 / (1 + math.exp(-1.2 * (world.quality[a] - world.quality[b])))
                outcome = "tie" if rng.random() < 0.1 else ("a" if rng.random() < p_a else "b")
                verdicts.append((listener, a, b, outcome, now - timedelta(hours=1)))
        with c.cursor().copy(
            "COPY curation_listenertrack (listener_id, track_id, listened_s, max_position_s,"
            " plays, completes, skips, early_skips, replays, session, last_seq, window_counted,"
            " updated_at) FROM STDIN"
        ) as copy:
            for listener, track, seconds, done, skip, at in states:
                copy.write_row(
                    (listener, track, seconds, seconds, 1, done, skip, skip, 0, "seed", 1, 0, at)
                )
        with c.cursor().copy(
            "COPY curation_rating (listener_id, track_id, stars, created_at, updated_at) FROM STDIN"
        ) as copy:
            for listener, track, stars, at in ratings:
                copy.write_row((listener, track, stars, at, at))
        with c.cursor().copy(
            "COPY curation_arenavote (listener_id, track_a_id, track_b_id, outcome, replaced,"
            " created_at) FROM STDIN"
        ) as copy:
            for row in verdicts:
                copy.write_row((*row[:4], False, row[4]))
        c.execute(FILL_STATS, {"trend": json.dumps(trend), "duration": DURATION_S})
        c.execute("ANALYZE")
    print(
        f"seeded {tracks} tracks, {people} proven listeners, {len(ratings)} ratings,"
        f" {len(verdicts)} arena verdicts",
        flush=True,
    )
    return world


def db_rows(sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://")) as c:
        return c.execute(sql).fetchall()


def db_value(sql: str) -> Any:
    rows = db_rows(sql)
    return rows[0][0] if rows else None


def wait_for(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(2)
    return True


# --- people ------------------------------------------------------------------------------------


def browser(base: str, address: str, results: Results, listener: int | None = None) -> Client:
    """A fresh browser with the page's CSRF cookie, or a seeded listener's browser."""
    client = Client(base, address, results)
    if listener is not None:
        value = get_cookie_signer(salt=COOKIE_NAME + COOKIE_SALT).sign(str(listener))
        client.jar.set_cookie(
            http.cookiejar.Cookie(
                0,
                COOKIE_NAME,
                value,
                None,
                False,
                "127.0.0.1",
                False,
                False,
                "/",
                True,
                False,
                None,
                False,
                None,
                None,
                {},
            )
        )
    client.call("page", "GET", "/")
    return client


def events(client: Client, track: int, session: str, batch: list[dict[str, Any]]) -> Any:
    body = {"track": track, "session": session, "events": batch}
    return client.call("events", "POST", "/api/v1/listening-events/", body, ok=(200, 429))


def play(client: Client, track: int, seconds: float, stop: threading.Event) -> Any:
    """As static/js/listening.js sends it: play, progress every 5 s, pause."""
    session, started, seq, result = f"s-{random.getrandbits(40):x}", time.monotonic(), 0, None

    def send(kind: str) -> Any:
        nonlocal seq
        seq += 1
        at = time.monotonic() - started
        event = {"type": kind, "position": round(at, 3), "seq": seq, "t": int(at * 1000)}
        return events(client, track, session, [event])

    send("play")
    while not stop.is_set() and (left := seconds - (time.monotonic() - started)) > 0:
        stop.wait(min(5.0, left))
        if time.monotonic() - started < seconds:
            result = send("progress")
    return send("pause") or result


def rate(client: Client, track: int, stars: int) -> Any:
    path = f"/api/v1/tracks/{track}/rating/"
    return client.call("rating", "POST", path, {"stars": stars}, ok=(200, 201, 403, 429))


def honest(
    client: Client,
    world: World,
    me: int,
    avoid: set[int],
    stop: threading.Event,
    tally: dict[str, int],
) -> None:
    """A live honest listener: hears tracks as long as they hold them, rates by taste."""
    rng = random.Random(me)
    choices = [t for t in world.tracks if t not in avoid and t not in world.rated[me]]
    while choices and not stop.is_set():
        track = rng.choice(choices)
        q = world.quality[track]
        heard = play(client, track, min(50.0, max(5.0, rng.gauss(28 + 10 * q, 8))), stop)
        tally["listens"] += 1
        if isinstance(heard, dict) and heard.get("can_rate") and not stop.is_set():
            answer = rate(client, track, stars_for(q, world.bias[me], rng))
            tally["ratings"] += int(isinstance(answer, dict) and bool(answer.get("counted")))
            choices.remove(track)
        stop.wait(rng.uniform(1, 3))


def listen_at_once(client: Client, tracks: list[int], seconds: float) -> None:
    """The least a script can send: play on every track, wait, pause on every track."""
    session, started = f"x-{random.getrandbits(40):x}", time.monotonic()
    for track in tracks:
        events(client, track, session, [{"type": "play", "position": 0, "seq": 1, "t": 0}])
    time.sleep(max(0.0, seconds - (time.monotonic() - started)))
    at = time.monotonic() - started
    pause = {"type": "pause", "position": round(at, 3), "seq": 2, "t": int(at * 1000)}
    for track in tracks:
        events(client, track, session, [pause])


def sign_up(base: str, address: str, results: Results, name: str) -> Client | None:
    """A new account from the sign-up form; None when the address's limit refuses it."""
    client = browser(base, address, results)
    client.call("page", "GET", "/accounts/signup/")
    form = {
        "username": name,
        "password1": "Stuffing-pw-8812",
        "password2": "Stuffing-pw-8812",
        "csrfmiddlewaretoken": client.csrf(),
    }
    request = urllib.request.Request(
        base + "/accounts/signup/",
        urllib.parse.urlencode(form).encode(),
        {"X-Forwarded-For": address, "Referer": base + "/accounts/signup/"},
        method="POST",
    )
    try:
        with client.opener.open(request, timeout=60) as response:
            return client if response.status == 200 else None
    except urllib.error.HTTPError as error:
        if error.code != 429:
            results.error(f"signup: {error.code}")
        return None


def together(work: list[Callable[[], None]]) -> None:
    threads = [threading.Thread(target=job, daemon=True) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def start(work: Path) -> tuple[list[subprocess.Popen[bytes]], str]:
    env = {
        **os.environ,
        **ENV,
        "MEDIA_ROOT": str(work / "media"),
        "STATIC_ROOT": str(work / "static"),
        "DATA_DIR": str(work),
    }
    fresh_database(DB_NAME, LOCAL_ADMIN_DB)
    redis.Redis.from_url(REDIS_URL).flushdb()
    for command in (["migrate", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
    http_port, ws_port = free_port(), free_port()
    commands = [
        gunicorn_command(http_port, 2),
        uvicorn_command(ws_port),
        celery_worker_command(1),
        celery_beat_command(work / "beat-schedule"),
    ]
    processes = []
    for n, command in enumerate(commands):
        log = (work / f"process-{n}.log").open("wb")
        processes.append(
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    for port in (http_port, ws_port):
        wait_for_healthz(port, work)
    return processes, f"http://127.0.0.1:{http_port}"


def refitted_since_last_vote() -> bool:
    return bool(
        db_value(
            "SELECT (SELECT max(computed_at) FROM curation_arenarating)"
            " > (SELECT max(created_at) FROM curation_arenavote)"
        )
    )
