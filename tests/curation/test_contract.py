"""The live contract: HTTP state plus the event stream, applied as a page does, equals a fetch."""

import json
import random
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client

from curation.models import Listener
from curation.receivers import publish_ready_track
from curation.routing import websocket_urlpatterns
from curation.services import ratings
from tests.curation.helpers import listen
from tests.factories import ListenerFactory, ReadyTrackFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_url")]


def fetch(topics: list[str]) -> dict[str, Any]:
    return Client().get("/api/v1/live/", {"topics": ",".join(topics)}).json()


def apply(state: dict[str, Any], event: dict[str, Any]) -> None:
    """What static/js/live.js does with each event."""
    if event["type"] == "rating.updated":
        key = str(event["track"])
        current = state["tracks"].get(key)
        if current is None or event["rating"]["version"] > current["version"]:
            state["tracks"][key] = event["rating"]
    elif event["type"] == "top.updated":
        state["top"] = event["tracks"]
    elif event["type"] == "track.ready":
        rest = [t for t in state["new"] if t["id"] != event["track"]["id"]]
        state["new"] = [event["track"], *rest][:10]


def test_http_state_plus_events_equals_a_fresh_fetch():
    rng = random.Random(7)
    tracks = [ReadyTrackFactory.create(duration_s=60.0) for _ in range(3)]
    people: list[Listener] = [ListenerFactory.create() for _ in range(5)]
    for person in people:
        for track in tracks:
            listen(person, track, 20)
    topics = [f"track:{t.pk}" for t in tracks] + ["top", "new"]

    def churn() -> None:
        for _ in range(40):
            who, track = rng.choice(people), rng.choice(tracks)
            if rng.random() < 0.2:
                ratings.rating_withdraw(listener_id=who.pk, track_id=track.pk)
            else:
                ratings.rating_submit(
                    listener_id=who.pk, track_id=track.pk, stars=rng.randint(1, 5)
                )
        fresh = ReadyTrackFactory.create(duration_s=60.0)
        publish_ready_track(sender=None, track=fresh)

    async def scenario() -> None:
        page = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/live/")
        assert (await page.connect())[0]
        # Subscribe first, then load: nothing that happens in between is missed.
        await page.send_to(text_data=json.dumps({"type": "subscribe", "topics": topics}))
        assert json.loads(await page.receive_from())["type"] == "subscribed"
        state = await sync_to_async(fetch)(topics)
        await sync_to_async(churn)()
        # Until quiet for a second: by then every coalesced window has closed.
        while not await page.receive_nothing(timeout=1.0):
            apply(state, json.loads(await page.receive_from()))
        expected = await sync_to_async(fetch)(topics)
        assert state == expected
        assert sum(r["count"] for r in expected["tracks"].values()) > 0
        await page.disconnect()

    try:
        async_to_sync(scenario)()
    finally:
        channel_layers.backends.clear()


@pytest.mark.django_db
def test_live_state_reads_any_number_of_tracks_in_one_query(client, django_assert_num_queries):
    from tests.factories import ReadyTrackFactory

    tracks = ReadyTrackFactory.create_batch(3)
    topics = ",".join(f"track:{t.pk}" for t in tracks)
    with django_assert_num_queries(1):
        state = client.get("/api/v1/live/", {"topics": topics}).json()
    assert set(state["tracks"]) == {str(t.pk) for t in tracks}
    more = ReadyTrackFactory.create_batch(10)
    topics = ",".join(f"track:{t.pk}" for t in [*tracks, *more])
    with django_assert_num_queries(1):
        client.get("/api/v1/live/", {"topics": topics})
