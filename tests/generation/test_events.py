"""Progress events reach the batch group and the all-batches group, after the commit only."""

import json
from datetime import timedelta

import pytest
from django.conf import settings

from generation import dispatch, events, services
from generation.models import GenerationBatch, Track
from generation.tasks import generate_track
from tests.factories import ProducerFactory, TrackFactory
from tests.layers import LayerListener

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listen():
    listeners: list[LayerListener] = []

    def make(*groups: str) -> LayerListener:
        listeners.append(LayerListener().join(*groups))
        return listeners[-1]

    yield make
    for listener in listeners:
        listener.close()


def test_every_status_change_of_a_batch_is_announced_in_order(
    redis_channel_layer, model_settings, monkeypatch, listen
):
    monkeypatch.setattr(dispatch, "generate_tracks", lambda ids: None)
    everything = listen(events.ALL_BATCHES_GROUP)
    params = services.batch_params_validate({"count": 1, "seed": 1})
    batch = services.batch_launch(params=params, source=GenerationBatch.Source.COMMAND)
    one_batch = listen(events.batch_group(batch.pk))
    track = batch.tracks.get()
    generate_track(track_id=track.pk)

    received = everything.wait(count=5)
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
    assert [m["track"]["status"] for m in one_batch.wait(count=4) if "track" in m] == [
        "composing",
        "rendering",
        "ready",
    ]


def test_nothing_is_sent_when_the_transaction_rolls_back(redis_channel_layer, listen):
    from django.db import transaction

    from tests.factories import TrackFactory

    listener = listen(events.ALL_BATCHES_GROUP)
    with pytest.raises(RuntimeError), transaction.atomic():
        track = TrackFactory.create()
        events.send_track_status(track)
        raise RuntimeError("rolled back")
    # The same send, committed, does arrive: so silence above means nothing was sent.
    events.send_track_status(TrackFactory.create())
    assert [m["type"] for m in listener.wait(count=1)] == ["track.status"]


def test_a_channel_layer_failure_does_not_fail_the_work(settings, monkeypatch, caplog):
    from tests.factories import TrackFactory

    class BrokenLayer:
        async def group_send(self, group, message):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(events, "get_channel_layer", lambda: BrokenLayer())
    track = TrackFactory.create()
    events.send_track_status(track)  # on_commit runs at once outside a transaction
    assert "could not send track.status" in caplog.text


def test_a_launch_says_who_launched_it(redis_channel_layer, monkeypatch, listen):
    monkeypatch.setattr(dispatch, "generate_tracks", lambda ids: None)
    everything = listen(events.ALL_BATCHES_GROUP)
    params = services.batch_params_validate({"count": 1, "seed": 1})
    producer = ProducerFactory.create(username="curator")
    services.batch_launch(
        params=params, source=GenerationBatch.Source.DASHBOARD, launched_by=producer
    )
    services.batch_launch(params=params, source=GenerationBatch.Source.COMMAND)
    launched = [m["batch"] for m in everything.wait(count=2) if m["type"] == "batch.launched"]
    assert [(b["source"], b["launched_by"]) for b in launched] == [
        ("dashboard", "curator"),
        ("command", None),
    ]


def test_a_track_status_says_when_the_track_would_wait_for_a_worker(redis_channel_layer, listen):
    listener = listen(events.ALL_BATCHES_GROUP)
    rendering = TrackFactory.create(status=Track.Status.RENDERING)
    events.send_track_status(rendering)
    events.send_track_status(TrackFactory.create(status=Track.Status.READY))
    busy, done = [m["track"] for m in listener.wait(count=2)]
    limit = timedelta(seconds=settings.GENERATION_TASK_TIME_LIMIT)
    touched = Track.objects.get(pk=rendering.pk).updated_at
    assert busy["stalled_at"] == (touched + limit).isoformat()
    assert done["stalled_at"] is None
