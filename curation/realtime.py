"""Live updates: the one module that owns the live group names and sends to them.

Topics a page can subscribe to (websocket /ws/live/) and the events each one carries:

- `track:<id>` → `rating.updated` {track, rating}  (RatingStateSerializer)
- `top`        → `top.updated`    {tracks: [...]}  (the top list, whole: LiveTrackSerializer)
- `new`        → `track.ready`    {track: {...}}    (a track was published: TrackSummarySerializer)

The shapes are those of the live state over HTTP (curation.serializers.LiveStateSerializer).

Events carry whole state, not deltas, so a client that applies them ends up where a fresh
fetch would (`version` lets it drop a late, older copy). Everything is sent after the commit.
Rating changes are coalesced per track and for the top list: at most one broadcast per
COALESCE_WINDOW_S, always ending with the final state.
"""

import json
import logging
from typing import Any

from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.db import transaction

from albumvote.builders import build, build_many
from albumvote.redis_client import get_redis
from curation import selectors
from curation.coalesce import Coalescer
from curation.serializers import LiveTrackSerializer, TrackSummarySerializer, rating_state

logger = logging.getLogger(__name__)

COALESCE_WINDOW_S = 0.2
TOP_GROUP = "live.top"
NEW_GROUP = "live.new"
MAX_TRACK_ID = 2**63 - 1


def track_group(track_id: int) -> str:
    return f"live.track.{track_id}"


def topic_group(topic: object) -> str | None:
    """The group behind a client's topic name, or None if there is no such topic."""
    if topic == "top":
        return TOP_GROUP
    if topic == "new":
        return NEW_GROUP
    if isinstance(topic, str) and topic.startswith("track:"):
        number = topic.removeprefix("track:")
        if number.isdigit() and 0 < int(number) <= MAX_TRACK_ID:
            return track_group(int(number))
    return None


# --- what changed --------------------------------------------------------------------------


def rating_changed(track_id: int) -> None:
    """A track's rating figures changed; broadcast them (and the top list), coalesced."""
    ratings_changed([track_id])


def ratings_changed(track_ids: list[int]) -> None:
    """Several tracks' figures changed in one transaction (a group commit): one touch."""
    transaction.on_commit(lambda: coalescer.touch([str(track_id) for track_id in track_ids]))


def track_published(track_id: int) -> None:
    def send() -> None:
        track = selectors.track_detail(track_id=track_id)
        if track is not None:
            summary = build(TrackSummarySerializer, track)
            publish(NEW_GROUP, {"type": "track.ready", "track": summary})

    transaction.on_commit(send)


def _flush_ratings(track_ids: list[str]) -> None:
    """One window's changes: each changed track's figures (one query), then the top list."""
    states = selectors.track_stats_many(track_ids=[int(t) for t in track_ids])
    events = [
        (
            track_group(track_id),
            {"type": "rating.updated", "track": track_id, "rating": rating_state(stats)},
        )
        for track_id, stats in states.items()
    ]
    top = build_many(LiveTrackSerializer, selectors.track_top_rated(selectors.LIVE_LIST_LENGTH))
    events.append((TOP_GROUP, {"type": "top.updated", "tracks": top}))
    publish_many(events)


coalescer = Coalescer(_flush_ratings, window_s=COALESCE_WINDOW_S, prefix="live:ratings")


# --- sending -------------------------------------------------------------------------------


def publish(group: str, event: dict[str, Any]) -> None:
    publish_many([(group, event)])


def publish_many(events: list[tuple[str, dict[str, Any]]]) -> None:
    """Send events to every consumer in their groups, each encoded once for all of them.

    The database is the source of truth: a failure here is logged and never fails a vote.
    """
    messages = [
        (group, {"type": "live.message", "text": json.dumps(event, separators=(",", ":"))})
        for group, event in events
    ]
    layer = get_channel_layer()
    try:
        assert isinstance(layer, RedisPubSubChannelLayer), "CHANNEL_LAYERS must be Redis pub/sub"
        _publish_sync(layer, messages)
    except Exception:
        logger.warning("live update not sent", exc_info=True)


def _publish_sync(
    layer: RedisPubSubChannelLayer, messages: list[tuple[str, dict[str, Any]]]
) -> None:
    """PUBLISH on the shared sync Redis client, as the pub/sub layer's group_send would, all
    in one round trip.

    From a thread without an event loop, async_to_sync would start a loop, and the layer a
    connection, for every message. tests/curation/test_live.py checks that consumers receive
    what this sends.
    """
    client = get_redis()
    prefix = layer._kwargs.get("prefix", "asgi")
    pipe = client.pipeline(transaction=False)
    for group, message in messages:
        pipe.publish(f"{prefix}__group__{group}", layer.serialize(message))
    pipe.execute()
