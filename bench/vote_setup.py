"""The set-up of bench/votes.py and bench/vote_costs.py: the production settings on a
database and a Redis database of their own, seeded with published tracks and listeners who
have heard them all, and those listeners' signed cookies."""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis

from bench.servers import database_and_admin, fresh_database

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
SECRET_KEY = "bench-secret-key-" + "x" * 48
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/albumvote_votes_bench"
REDIS_URL = "redis://127.0.0.1:6379/13"
CSRF = "b" * 32


@dataclass(frozen=True)
class Stores:
    """The PostgreSQL database (made afresh) and the Redis database (emptied) a run uses."""

    database_url: str = DATABASE_URL
    redis_url: str = REDIS_URL

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.database_url.replace("postgres://", "postgresql://"))


def server_env(media: Path, stores: Stores = Stores()) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "albumvote.settings.production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": stores.database_url,
        "REDIS_URL": stores.redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "MEDIA_ROOT": str(media),
        "CONN_MAX_AGE": "600",
        # Every rater comes from 127.0.0.1: per-IP limits would be the bench's ceiling.
        "RATE_RATING_PER_IP": "100000000",
        "RATE_RATING_PER_LISTENER": "100000",
        # The same for sockets: all 1,000 listeners come from one address.
        "WS_MAX_PER_ADDRESS": "100000",
        "LOG_LEVEL": "WARNING",
    }


def prepare(
    tracks: int, people: int, media: Path, stores: Stores = Stores()
) -> tuple[list[int], list[int]]:
    """A fresh database with published tracks and listeners who have listened to all of them."""
    fresh_database(*database_and_admin(stores.database_url))
    env = server_env(media, stores)
    subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    redis.Redis.from_url(stores.redis_url).flushdb()
    with stores.connect() as c:
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
                " rejection_reasons, soundfont, candidates, composer_version, created_at,"
                " finished_at, updated_at) VALUES"
                " (%s, %s, %s, 'ready', '', 1, 'celtic_reel', %s, '{}', '{}', 'bench', '', '',"
                " '', 120, 'D major', '10B', 112, '[]', '[]', '{}', '[]', '', '[]', '', now(),"
                " now(), now())"
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
                # Established listeners: a new identity's ratings would wait to count.
                "INSERT INTO curation_listener (created_at, proven_at) SELECT now(), now() FROM"
                " generate_series(1, %s) RETURNING id",
                (people,),
            ).fetchall()
        ]
        with c.cursor().copy(
            "COPY curation_listenertrack (listener_id, track_id, listened_s, max_position_s,"
            " plays, completes, skips, early_skips, replays, session, last_seq, window_counted,"
            " updated_at) FROM STDIN"
        ) as copy:
            for listener_id in listener_ids:
                for track_id in track_ids:
                    copy.write_row(
                        (listener_id, track_id, 60.0, 60.0, 1, 0, 0, 0, 0, "", 0, 0, "2026-01-01")
                    )
    return track_ids, listener_ids


def listener_cookies(listener_ids: list[int]) -> list[str]:
    """The listeners' cookies, signed here with the servers' SECRET_KEY."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "albumvote.settings.dev")
    # The settings refuse to load without one; nothing here connects to it.
    os.environ.setdefault("DATABASE_URL", DATABASE_URL)
    # Django is configured in this function, not at import: vote_costs.py sets the
    # environment first, and the settings are read once.
    import django
    from django.conf import settings

    settings.SECRET_KEY = SECRET_KEY
    django.setup()  # curation.identity imports the models
    from django.http import HttpResponse

    from curation.identity import COOKIE_NAME, COOKIE_SALT

    cookies = []
    for listener_id in listener_ids:
        response = HttpResponse()
        response.set_signed_cookie(COOKIE_NAME, str(listener_id), salt=COOKIE_SALT)
        cookies.append(response.cookies[COOKIE_NAME].value)
    return cookies
