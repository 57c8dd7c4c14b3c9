"""Group commit of the ratings sent over sockets (issue 13): ratings that arrive together are
written in one transaction by one statement and each is answered only once it is committed,
so killing the server in the middle of a group loses nothing it acknowledged."""

import asyncio
import json
import os
import signal
from pathlib import Path

import psycopg
import pytest
import websockets
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from django.db import connection
from django.http import HttpResponse
from websockets.typing import Origin

from curation import groupcommit, votes
from curation.identity import COOKIE_NAME, COOKIE_SALT
from curation.models import Rating, TrackStats
from tests.curation.helpers import established, listen
from tests.curation.raters import page_socket
from tests.factories import ListenerFactory, ReadyTrackFactory
from tests.servers import start_uvicorn, stop_server

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("redis_url", "postgres_required"),
]

# Generous: a busy machine is slow; how fast ratings are answered is bench/votes.py's concern.
TIMEOUT_S = 30.0


def cookie(listener_id: int) -> str:
    """The listener's cookie, signed as the site signs it."""
    response = HttpResponse()
    response.set_signed_cookie(COOKIE_NAME, str(listener_id), salt=COOKIE_SALT)
    return f"{COOKIE_NAME}={response.cookies[COOKIE_NAME].value}"


def ready_listeners(count: int, tracks: list) -> list:
    listeners = ListenerFactory.create_batch(count)
    for listener in listeners:
        for track in tracks:
            listen(listener, track, 30)
        established(listener.pk)
    return listeners


def test_ratings_that_arrive_together_are_written_as_one_group(monkeypatch, settings):
    track = ReadyTrackFactory.create(duration_s=100.0)
    listeners = ready_listeners(6, [track])
    groups: list[int] = []
    write = votes.frames_rate

    def counted(frames):
        groups.append(len(frames))
        return write(frames)

    monkeypatch.setattr(groupcommit.votes, "frames_rate", counted)
    # Wide enough that every frame below joins the first group on any machine.
    settings.CURATION_RATING_GROUP_WINDOW_S = 0.5

    async def scenario() -> list[dict]:
        sockets = []
        for listener in listeners:
            socket = page_socket(cookie(listener.pk))
            assert (await socket.connect())[0]
            sockets.append(socket)
        try:
            for n, socket in enumerate(sockets):
                frame = {"type": "rate", "track": track.pk, "stars": 1 + n % 5, "ref": str(n)}
                await socket.send_to(text_data=json.dumps(frame))
            return [json.loads(await s.receive_from(timeout=TIMEOUT_S)) for s in sockets]
        finally:
            for socket in sockets:
                await socket.disconnect()
            channel_layers.backends.clear()

    answers = async_to_sync(scenario)()
    assert [(a["type"], a["ref"], a["stars"]) for a in answers] == [
        ("rated", str(n), 1 + n % 5) for n in range(6)
    ]
    assert groups == [6]
    stats = TrackStats.objects.get(track=track)
    assert stats.rating_count == 6 and stats.rating_sum == sum(1 + n % 5 for n in range(6))
    assert answers[-1]["rating"]["count"] == 6  # the group's figures, after every vote in it


def _backends(dsn: str, condition: str) -> int:
    """This database's backends (other than the one asking) that meet the condition."""
    with psycopg.connect(dsn, autocommit=True) as probe:
        row = probe.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            f"AND pid <> pg_backend_pid() AND {condition}"
        ).fetchone()
    return int(row[0]) if row else 0


# A group commit's statement (curation.services.ratings.ratings_submit_many), and one waiting.
GROUP = "query LIKE '%%FROM curation_rate_many(%%'"
WAITING = f"{GROUP} AND wait_event_type = 'Lock'"


def test_killing_the_server_mid_group_loses_no_acknowledged_rating(server_env, tmp_path: Path):
    first, second, locked = ReadyTrackFactory.create_batch(3, duration_s=100.0)
    listeners = ready_listeners(4, [first, second, locked])
    TrackStats.objects.get_or_create(track=locked)
    # A wide window: the four ratings sent below are surely one group.
    window = {"RATING_GROUP_WINDOW_S": "1.0"}
    server, base = start_uvicorn({**server_env, **window}, tmp_path / "server.log")
    params = connection.get_connection_params()
    dsn = " ".join(f"{k}={v}" for k, v in params.items() if k in ("dbname", "host", "port", "user"))
    acked: dict[tuple[int, int], int] = {}
    blocker = psycopg.connect(dsn)
    try:

        async def scenario() -> None:
            url = base.replace("http", "ws") + "/ws/live/"
            sockets = [
                await websockets.connect(
                    url, origin=Origin(base), additional_headers={"Cookie": cookie(listener.pk)}
                )
                for listener in listeners
            ]

            async def rate(socket, listener, track, stars: int) -> None:
                frame = {"type": "rate", "track": track.pk, "stars": stars, "ref": "x"}
                await socket.send(json.dumps(frame))
                answer = json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT_S))
                assert answer["type"] == "rated", answer
                acked[(listener.pk, track.pk)] = stars

            # Acknowledged: each committed before its answer.
            await asyncio.gather(
                *(rate(s, lr, first, 4) for s, lr in zip(sockets, listeners, strict=True))
            )
            # One group: two ratings of the second track, written first (by track), then
            # two of the locked track, whose figures row it waits for, mid-transaction.
            # The server dies there.
            blocker.execute(
                "SELECT 1 FROM curation_trackstats WHERE track_id = %s FOR UPDATE", [locked.pk]
            )
            for n, socket in enumerate(sockets):
                track = second if n < 2 else locked
                await socket.send(json.dumps({"type": "rate", "track": track.pk, "stars": 2}))
            deadline = asyncio.get_running_loop().time() + TIMEOUT_S
            while not await asyncio.to_thread(_backends, dsn, WAITING):
                assert asyncio.get_running_loop().time() < deadline, "no group waited"
                await asyncio.sleep(0.05)
            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=TIMEOUT_S)
            for socket in sockets:
                await socket.close()

        async_to_sync(scenario)()
    finally:
        blocker.rollback()  # the lock goes; the dead group's transaction never commits
        stop_server(server)
        channel_layers.backends.clear()
    # The dead server's backend takes the row it waited for, finds its client gone and rolls
    # the group back, letting go of the second track's row, which it holds till then.
    try:
        blocker.execute(f"SET lock_timeout = '{int(TIMEOUT_S)}s'")
        blocker.execute(
            "SELECT 1 FROM curation_trackstats WHERE track_id = %s FOR UPDATE", [second.pk]
        )
    finally:
        blocker.rollback()
        blocker.close()
    stored = {(r.listener_id, r.track_id): r.stars for r in Rating.objects.all()}
    assert len(acked) == 4 and all(stored.get(key) == stars for key, stars in acked.items())
    # Nothing of the unacknowledged group was kept, not even the ratings it wrote before it
    # waited: a group commits whole or not at all.
    assert stored == acked
    assert TrackStats.objects.get(track=second).rating_count == 0
