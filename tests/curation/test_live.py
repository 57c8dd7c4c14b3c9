"""/ws/live/ against the real Redis channel layer: subscriptions, events, bad frames, Redis down."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from albumvote.asgi import application
from curation import realtime
from curation.consumers import MAX_FRAME_BYTES
from curation.routing import websocket_urlpatterns
from curation.services import ratings
from tests.curation.helpers import listen
from tests.factories import ListenerFactory, ReadyTrackFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_url")]

live_app = URLRouter(websocket_urlpatterns)


def run(test: Callable[[], Awaitable[None]]) -> None:
    async def wrapped() -> None:
        try:
            await test()
        finally:
            channel_layers.backends.clear()

    async_to_sync(wrapped)()


async def connect(app: Any = live_app, **kwargs: Any) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(app, "/ws/live/", **kwargs)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


# Generous: a busy machine delays events; how fast they come is bench/votes.py's to measure.
TIMEOUT_S = 15.0


async def send(
    communicator: WebsocketCommunicator, frame: Any, timeout: float = TIMEOUT_S
) -> dict[str, Any]:
    await communicator.send_to(text_data=frame if isinstance(frame, str) else json.dumps(frame))
    return json.loads(await communicator.receive_from(timeout=timeout))


async def next_event(communicator: WebsocketCommunicator, kind: str, timeout: float = TIMEOUT_S):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        event = json.loads(await communicator.receive_from(timeout=max(remaining, 0.01)))
        if event["type"] == kind:
            return event


def rate(track, stars: int, listener=None) -> None:
    listener = listener or ListenerFactory.create()
    listen(listener, track, 25)
    ratings.rating_submit(listener_id=listener.pk, track_id=track.pk, stars=stars)


def test_a_rating_reaches_subscribers_of_the_track_and_of_the_top_list():
    track = ReadyTrackFactory.create(title="Heron")

    async def scenario() -> None:
        viewer = await connect()
        reply = await send(viewer, {"type": "subscribe", "topics": [f"track:{track.pk}", "top"]})
        assert reply == {"type": "subscribed", "topics": [f"track:{track.pk}", "top"]}
        other = await connect()
        await send(other, {"type": "subscribe", "topics": ["track:999"]})

        await sync_to_async(rate)(track, 4)
        # How fast it arrives is bench/votes.py's to measure; here it must arrive at all.
        event = await next_event(viewer, "rating.updated")
        assert event["track"] == track.pk
        assert event["rating"]["count"] == 1
        assert event["rating"]["average"] == 4.0
        assert event["rating"]["distribution"]["4"] == 1
        top = await next_event(viewer, "top.updated")
        assert [t["title"] for t in top["tracks"]] == ["Heron"]
        assert await other.receive_nothing(timeout=0.5)
        await viewer.disconnect()
        await other.disconnect()

    run(scenario)


def test_a_published_track_reaches_the_new_topic():
    from curation.receivers import publish_ready_track

    async def scenario() -> None:
        viewer = await connect()
        await send(viewer, {"type": "subscribe", "topics": ["new"]})
        track = await sync_to_async(ReadyTrackFactory.create)(title="Fresh")
        await sync_to_async(publish_ready_track)(sender=None, track=track)
        event = await next_event(viewer, "track.ready")
        assert event["track"]["title"] == "Fresh"
        assert event["track"]["audio"]["opus"].endswith(f"/tracks/{track.pk}/audio.opus")
        await viewer.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_frame"),
        ({"type": "dance"}, "unknown_type"),
        ({"type": "subscribe", "topics": "top"}, "bad_topics"),
        ({"type": "subscribe", "topics": ["track:abc", "weather"]}, "unknown_topic"),
        ({"type": "subscribe", "topics": [f"track:{n}" for n in range(1, 60)]}, "bad_topics"),
        ("x" * (MAX_FRAME_BYTES + 1), "frame_too_large"),
        # Seen: nested brackets within the size limit dropped the socket with RecursionError.
        ("[" * 2000 + "]" * 2000, "bad_json"),
    ],
)
def test_a_bad_frame_gets_an_error_frame_and_the_connection_stays_up(frame, code):
    async def scenario() -> None:
        communicator = await connect()
        reply = await send(communicator, frame)
        assert reply["type"] == "error"
        assert reply["code"] == code
        assert reply["message"]
        assert await send(communicator, {"type": "ping"}) == {"type": "pong"}
        await communicator.disconnect()

    run(scenario)


def test_binary_frames_are_refused_and_the_connection_stays_up():
    async def scenario() -> None:
        communicator = await connect()
        await communicator.send_to(bytes_data=b"\x00\x01")
        reply = json.loads(await communicator.receive_from())
        assert reply["code"] == "binary_frame"
        assert await send(communicator, {"type": "ping"}) == {"type": "pong"}
        await communicator.disconnect()

    run(scenario)


def test_unsubscribing_stops_the_events():
    track = ReadyTrackFactory.create()

    async def scenario() -> None:
        viewer = await connect()
        await send(viewer, {"type": "subscribe", "topics": [f"track:{track.pk}"]})
        await send(viewer, {"type": "unsubscribe", "topics": [f"track:{track.pk}"]})
        await sync_to_async(rate)(track, 5)
        assert await viewer.receive_nothing(timeout=0.8)
        await viewer.disconnect()

    run(scenario)


def test_the_origin_header_is_checked():
    async def scenario() -> None:
        good = WebsocketCommunicator(
            application,
            "/ws/live/",
            headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")],
        )
        assert (await good.connect())[0]
        await good.disconnect()
        evil = WebsocketCommunicator(
            application,
            "/ws/live/",
            headers=[(b"origin", b"http://evil.example"), (b"host", b"localhost")],
        )
        assert not (await evil.connect())[0]
        # Seen: another port on the same host was accepted. Same origin means the port too.
        other_port = WebsocketCommunicator(
            application,
            "/ws/live/",
            headers=[(b"origin", b"http://localhost:6666"), (b"host", b"localhost:8000")],
        )
        assert not (await other_port.connect())[0]
        same = WebsocketCommunicator(
            application,
            "/ws/live/",
            headers=[(b"origin", b"http://localhost:8000"), (b"host", b"localhost:8000")],
        )
        assert (await same.connect())[0]
        await same.disconnect()

    run(scenario)


def test_one_address_can_hold_only_so_many_sockets(settings, redis_url):
    """Seen: 2,000 sockets from one client were all accepted."""
    settings.WS_MAX_PER_ADDRESS = 3
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]

    async def scenario() -> None:
        def socket(address: str) -> WebsocketCommunicator:
            communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
            communicator.scope["client"] = (address, 40000)
            return communicator

        held = [socket("10.5.5.5") for _ in range(3)]
        for communicator in held:
            assert (await communicator.connect())[0]
        one_more = socket("10.5.5.5")
        assert not (await one_more.connect())[0]
        await one_more.disconnect()  # as the refused client closes its end
        elsewhere = socket("10.6.6.6")
        assert (await elsewhere.connect())[0]  # another address is not affected
        await elsewhere.disconnect()
        # A socket that closes frees its place.
        await held[0].disconnect()
        again = socket("10.5.5.5")
        assert (await again.connect())[0]
        for communicator in (*held[1:], again):
            await communicator.disconnect()

    run(scenario)


def test_with_redis_down_ratings_are_stored_and_the_page_is_told_live_is_paused(settings):
    dead = "redis://127.0.0.1:1/0"
    settings.REDIS_URL = dead
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": dead}]},
        }
    }
    channel_layers.backends.clear()
    track = ReadyTrackFactory.create()
    rate(track, 3)  # stored although nothing can be broadcast
    assert ratings.TrackStats.objects.get(track=track).rating_count == 1

    async def scenario() -> None:
        communicator = await connect()
        reply = await send(communicator, {"type": "subscribe", "topics": ["top"]}, timeout=5)
        assert reply["code"] == "live_unavailable"
        assert "paused" in reply["message"]
        closed = await communicator.receive_output(timeout=3)
        assert closed == {"type": "websocket.close", "code": 1013}

    run(scenario)


def test_the_sync_publisher_reaches_consumers_as_group_send_would():
    """realtime publishes with the shared Redis client in the pub/sub layer's own format."""

    async def scenario() -> None:
        viewer = await connect()
        await send(viewer, {"type": "subscribe", "topics": ["top"]})
        await sync_to_async(realtime.publish)(
            realtime.TOP_GROUP, {"type": "top.updated", "tracks": []}
        )
        assert json.loads(await viewer.receive_from()) == {"type": "top.updated", "tracks": []}
        await viewer.disconnect()

    run(scenario)
