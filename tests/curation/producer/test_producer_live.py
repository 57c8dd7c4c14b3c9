"""/ws/producer/ through the whole ASGI stack (origin check, session auth) and the real Redis
channel layer: producers get generation's progress events, nobody else gets in."""

import asyncio
import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from albumvote.asgi import application
from curation.producer.consumers import CLOSE_FORBIDDEN, MAX_FRAME_BYTES
from generation import dispatch, services
from generation.models import GenerationBatch
from tests.curation.test_live import run  # the websocket tests' one way to run a scenario
from tests.factories import ProducerFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("redis_channel_layer"),
]


def session_cookie(user: Any) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def communicator(cookie: bytes | None = None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if cookie:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, "/ws/producer/", headers=headers)


async def receive(socket: WebsocketCommunicator, timeout: float = 2.0) -> dict[str, Any]:
    return json.loads(await socket.receive_from(timeout=timeout))


async def next_event(socket: WebsocketCommunicator, kind: str, timeout: float = 3.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        event = await receive(socket, timeout=max(remaining, 0.01))
        if event["type"] == kind:
            return event


def launch_and_fail() -> tuple[GenerationBatch, int]:
    params = services.batch_params_validate({"count": 2, "seed": 7})
    batch = services.batch_launch(params=params, source=GenerationBatch.Source.API)
    track = batch.tracks.order_by("position").first()
    assert track is not None
    services.track_mark_failed(track_id=track.pk, error="Renderer crashed")
    return batch, track.pk


def test_a_producer_receives_progress_of_a_launched_batch(monkeypatch):
    monkeypatch.setattr(dispatch, "generate_tracks", lambda ids: None)
    cookie = session_cookie(ProducerFactory.create())

    async def scenario() -> None:
        socket = communicator(cookie)
        connected, _ = await socket.connect()
        assert connected
        assert await receive(socket) == {"type": "ready"}

        batch, track_id = await sync_to_async(launch_and_fail)()
        launched = await next_event(socket, "batch.launched")
        assert launched["batch"]["id"] == batch.pk
        assert [t["status"] for t in launched["batch"]["tracks"]] == ["queued", "queued"]
        status = await next_event(socket, "track.status")
        assert status["track"]["id"] == track_id
        assert status["track"]["batch_id"] == batch.pk
        assert status["track"]["status"] == "failed"
        assert status["track"]["error"] == "Renderer crashed"
        assert status["batch"]["counts"]["failed"] == 1
        assert status["batch"]["counts"]["queued"] == 1
        await socket.disconnect()

    run(scenario)


@pytest.mark.parametrize("who", ["listener", "anonymous"])
def test_non_producers_are_refused(who):
    cookie = session_cookie(UserFactory.create()) if who == "listener" else None

    async def scenario() -> None:
        socket = communicator(cookie)
        await socket.connect()
        error = await receive(socket)
        assert error["type"] == "error" and error["code"] == "forbidden"
        closed = await socket.receive_output(timeout=2)
        assert closed == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}

    run(scenario)


def test_a_listener_hears_nothing_of_a_batch(monkeypatch):
    monkeypatch.setattr(dispatch, "generate_tracks", lambda ids: None)
    cookie = session_cookie(UserFactory.create())

    async def scenario() -> None:
        socket = communicator(cookie)
        await socket.connect()
        await receive(socket)  # the error frame
        await socket.receive_output(timeout=2)  # the close
        await sync_to_async(launch_and_fail)()
        assert await socket.receive_nothing(timeout=0.5)

    run(scenario)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_frame"),
        (json.dumps({"type": "subscribe"}), "unknown_type"),
        ("x" * (MAX_FRAME_BYTES + 1), "frame_too_large"),
    ],
)
def test_a_bad_frame_gets_an_error_frame_and_the_connection_stays(frame, code):
    cookie = session_cookie(ProducerFactory.create())

    async def scenario() -> None:
        socket = communicator(cookie)
        await socket.connect()
        await receive(socket)  # ready
        await socket.send_to(text_data=frame)
        error = await receive(socket)
        assert error["type"] == "error" and error["code"] == code
        await socket.send_to(text_data=json.dumps({"type": "ping"}))
        assert await receive(socket) == {"type": "pong"}
        await socket.disconnect()

    run(scenario)


def test_a_foreign_origin_is_rejected():
    cookie = session_cookie(ProducerFactory.create())

    async def scenario() -> None:
        socket = WebsocketCommunicator(
            application,
            "/ws/producer/",
            headers=[
                (b"origin", b"http://evil.example"),
                (b"host", b"localhost"),
                (b"cookie", cookie),
            ],
        )
        connected, _ = await socket.connect()
        assert not connected

    run(scenario)
