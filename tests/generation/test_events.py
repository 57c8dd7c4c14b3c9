"""Progress events reach the batch group and the all-batches group, after the commit only."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from generation import dispatch, events, services
from generation.models import GenerationBatch, Track
from generation.tasks import generate_track

pytestmark = pytest.mark.django_db(transaction=True)


def subscribe(*groups: str) -> tuple[object, str]:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    for group in groups:
        async_to_sync(layer.group_add)(group, channel)
    return layer, channel


def drain(layer, channel, limit: int = 100) -> list[dict]:
    received = []

    async def read_all() -> None:
        import asyncio

        for _ in range(limit):
            try:
                received.append(await asyncio.wait_for(layer.receive(channel), timeout=0.5))
            except TimeoutError:
                return

    async_to_sync(read_all)()
    return received


@pytest.fixture(params=["redis", "memory"])
def layer_kind(request):
    """The real Redis channel layer, and the in-memory one the run command falls back to."""
    fixture = "redis_channel_layer" if request.param == "redis" else "in_memory_channel_layer"
    request.getfixturevalue(fixture)
    return request.param


def test_every_status_change_of_a_batch_is_announced_in_order(
    layer_kind, model_settings, monkeypatch
):
    monkeypatch.setattr(dispatch, "generate_tracks", lambda ids: None)
    layer, everything = subscribe(events.ALL_BATCHES_GROUP)
    params = services.batch_params_validate({"count": 1, "seed": 1})
    batch = services.batch_launch(params=params, source=GenerationBatch.Source.COMMAND)
    _, one_batch = subscribe(events.batch_group(batch.pk))
    track = batch.tracks.get()
    generate_track(track_id=track.pk)

    received = drain(layer, everything)
    assert [m["type"] for m in received] == [
        "batch.launched",
        "track.status",
        "track.status",
        "track.status",
        "batch.finished",
    ]
    launched = received[0]["batch"]
    assert launched["tracks"] == [
        {"id": track.pk, "position": 0, "preset": track.preset, "status": "queued"}
    ]
    assert launched["counts"]["queued"] == 1
    statuses = [m["track"]["status"] for m in received if m["type"] == "track.status"]
    assert statuses == ["composing", "rendering", "ready"]
    finished = [m for m in received if m["type"] == "batch.finished"]
    assert len(finished) == 1
    assert finished[0]["batch"]["counts"]["ready"] == 1
    last = [m for m in received if m["type"] == "track.status"][-1]
    assert last["batch"]["counts"] == {**{s: 0 for s in Track.Status.values}, "ready": 1}
    assert last["track"]["title"] == Track.objects.get(pk=track.pk).title
    # Payloads are plain JSON.
    assert json.loads(json.dumps(received)) == received
    # The batch's own group saw the events after it subscribed.
    assert [m["track"]["status"] for m in drain(layer, one_batch) if "track" in m] == [
        "composing",
        "rendering",
        "ready",
    ]


def test_nothing_is_sent_when_the_transaction_rolls_back(in_memory_channel_layer):
    from django.db import transaction

    from tests.factories import TrackFactory

    layer, channel = subscribe(events.ALL_BATCHES_GROUP)
    with pytest.raises(RuntimeError), transaction.atomic():
        track = TrackFactory.create()
        events.send_track_status(track)
        raise RuntimeError("rolled back")
    assert drain(layer, channel) == []


def test_a_channel_layer_failure_does_not_fail_the_work(settings, monkeypatch, caplog):
    from tests.factories import TrackFactory

    class BrokenLayer:
        async def group_send(self, group, message):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(events, "get_channel_layer", lambda: BrokenLayer())
    track = TrackFactory.create()
    events.send_track_status(track)  # on_commit runs at once outside a transaction
    assert "could not send track.status" in caplog.text
