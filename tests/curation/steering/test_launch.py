"""Launching a steered batch (issue 12, 2): parameters drawn from the model, the launcher's
choices pinned, the exploration share, and each track's provenance recorded."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from albumvote.exceptions import ApplicationError
from curation.steering import services
from curation.steering.launch import steered_batch_launch
from curation.steering.models import TrackSteering
from curation.steering.selectors import recent_presets
from generation import rerank
from generation.models import BatchSchedule, GenerationBatch, Track
from generation.schedules import schedule_run, schedule_save
from generation.services import batch_params_validate
from tests.factories import ProducerFactory

pytestmark = pytest.mark.django_db


def test_a_steered_batch_records_why_each_track_was_composed(
    waltzes_win, queued, django_capture_on_commit_callbacks
):
    version = services.preference_fit()
    assert version is not None
    params = batch_params_validate({"count": 10, "seed": 5, "mode": "major"})
    with django_capture_on_commit_callbacks(execute=True):
        batch = steered_batch_launch(params=params, source=GenerationBatch.Source.COMMAND)
    tracks = list(batch.tracks.order_by("position"))
    assert len(queued) == 10 and batch.count == 10
    steering = {s.track_id: s for s in TrackSteering.objects.filter(track__batch=batch)}
    assert sum(s.steered for s in steering.values()) == 8  # 20% explore
    for track in tracks:
        why = steering[track.pk]
        assert track.params["mode"] == "major" and why.pins == {"mode": "major"}
        _, spec = rerank.compose_request(track.params)  # the composer takes every drawn set
        if why.steered:
            assert why.policy_version == version and why.predicted is not None
            assert track.params["target_seconds"] and track.params["tempo_bpm"]
            assert set(why.sampled) == set(version.features)
            # Composed as the best of 8 candidates, scored by the slot's own draw.
            assert spec is not None and spec.candidates == rerank.CANDIDATES == 8
            assert spec.features == version.features and spec.scale == version.scale
            assert spec.weights == [why.sampled[name] for name in version.features]
        else:
            assert "target_seconds" not in track.params and why.policy_version is None
            assert spec is None  # an exploring slot composes one candidate, as today
    # Steered toward what this crowd likes: waltzes.
    assert sum(t.preset == "waltz" for t in tracks if steering[t.pk].steered) >= 6


def test_without_a_model_a_steered_launch_is_composed_as_today(queued):
    params = batch_params_validate({"count": 4, "seed": 9})
    batch = steered_batch_launch(params=params, source=GenerationBatch.Source.COMMAND)
    assert not TrackSteering.objects.filter(track__batch=batch, steered=True).exists()
    assert TrackSteering.objects.filter(track__batch=batch).count() == 4


def test_the_command_steers_on_request(waltzes_win, queued):
    services.preference_fit()
    out = StringIO()
    call_command("generate_batch", "--count", "5", "--steer", "--exploration", "0", stdout=out)
    batch = GenerationBatch.objects.latest("pk")
    assert f"Launched batch {batch.pk}: 5 track(s)." in out.getvalue()
    assert TrackSteering.objects.filter(track__batch=batch, steered=True).count() == 5
    with pytest.raises(CommandError, match=r"exploration must be from 0 to 1, got 1\.5"):
        call_command("generate_batch", "--count", "2", "--steer", "--exploration", "1.5")
    with pytest.raises(CommandError, match="exploration applies to a steered batch"):
        call_command("generate_batch", "--count", "2", "--exploration", "0.5")


def test_the_producers_track_page_says_why(waltzes_win, queued, client):
    services.preference_fit()
    params = batch_params_validate({"count": 5, "seed": 2, "mode": "minor"})
    batch = steered_batch_launch(params=params, source=GenerationBatch.Source.COMMAND)
    client.force_login(ProducerFactory.create())
    pages = {
        why.steered: client.get(f"/producer/tracks/{why.track_id}/").content.decode()
        for why in TrackSteering.objects.filter(track__batch=batch)
    }
    assert "Steered by preference model" in pages[True]
    assert "predicted crowd score 0." in pages[True]
    assert "Exploring: composed as an unsteered batch would be (20% of its batch" in pages[False]
    assert "Pinned at launch: mode minor." in pages[True]


def test_the_api_launches_a_steered_batch(waltzes_win, queued, client):
    services.preference_fit()
    client.force_login(ProducerFactory.create())
    body = {"count": 4, "seed": 3, "steer": True, "exploration": 0.5}
    response = client.post("/api/v1/batches/", body, content_type="application/json")
    assert response.status_code == 201
    batch = GenerationBatch.objects.get(pk=response.json()["id"])
    assert batch.source == GenerationBatch.Source.API
    steering = TrackSteering.objects.filter(track__batch=batch)
    assert steering.count() == 4 and steering.filter(steered=True).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"steer": "yes"}, "steer"),
        ({"steer": True, "exploration": 2}, "exploration"),
        ({"steer": True, "exploration": True}, "exploration"),
        ({"exploration": 0.3}, "exploration"),
    ],
)
def test_bad_steering_options_are_refused_clearly(client, body, field):
    client.force_login(ProducerFactory.create())
    response = client.post(
        "/api/v1/batches/", {"count": 2, **body}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == field
    assert not GenerationBatch.objects.exists()


def test_a_steered_schedule_launches_steered_batches(waltzes_win, queued):
    services.preference_fit()
    schedule = schedule_save(
        schedule=BatchSchedule(name="nightly", count=5, steer=True, exploration=0.4, hour="*")
    )
    batch = schedule_run(schedule_id=schedule.pk)
    assert batch is not None and batch.schedule == schedule
    assert batch.source == GenerationBatch.Source.SCHEDULE
    steering = TrackSteering.objects.filter(track__batch=batch)
    assert steering.count() == 5 and steering.filter(steered=True).count() == 3
    assert {s.exploration for s in steering} == {0.4}


def test_an_unsteered_schedule_launches_as_today(waltzes_win, queued):
    services.preference_fit()
    schedule = schedule_save(schedule=BatchSchedule(name="plain", count=3, hour="*"))
    batch = schedule_run(schedule_id=schedule.pk)
    assert batch is not None and not TrackSteering.objects.filter(track__batch=batch).exists()


def test_a_schedules_exploration_share_is_checked(client):
    with pytest.raises(ApplicationError, match="exploration must be from 0 to 1"):
        schedule_save(schedule=BatchSchedule(name="bad", exploration=1.5))
    client.force_login(ProducerFactory.create())
    response = client.post(
        "/producer/schedules/new/",
        {"name": "bad", "count": 2, "temperature": 1.0, "exploration": "1.5", "steer": "on"}
        | {"minute": "0", "hour": "3", "day_of_week": "*", "day_of_month": "*"}
        | {"month_of_year": "*"},
    )
    assert response.status_code == 400
    assert "less than or equal to 1" in response.content.decode()
    assert not BatchSchedule.objects.exists()


def test_the_dashboard_launches_a_steered_batch(waltzes_win, queued, client):
    services.preference_fit()
    client.force_login(ProducerFactory.create())
    response = client.post(
        "/producer/batches/launch/",
        {"count": 5, "temperature": 1.0, "steer": "on", "exploration": "0.2"},
        follow=True,
    )
    batch = GenerationBatch.objects.get(source=GenerationBatch.Source.DASHBOARD)
    assert batch.source == GenerationBatch.Source.DASHBOARD
    assert f"Launched batch {batch.pk} (steered by the crowd&#x27;s taste)" in (
        response.content.decode()
    )
    steering = TrackSteering.objects.filter(track__batch=batch)
    assert steering.count() == 5 and steering.filter(steered=True).count() == 4
    client.post("/producer/batches/launch/", {"count": 2, "temperature": 1.0})
    unsteered = GenerationBatch.objects.latest("pk")
    assert not TrackSteering.objects.filter(track__batch=unsteered).exists()


def test_the_latest_steered_batches_presets_are_counted_without_the_turned_away(
    waltzes_win, queued
):
    services.preference_fit()
    params = batch_params_validate({"count": 10, "seed": 5})
    first = steered_batch_launch(params=params, source=GenerationBatch.Source.COMMAND)
    steered_batch_launch(params=params, source=GenerationBatch.Source.COMMAND)
    expected = Counter(
        Track.objects.filter(steering__isnull=False).values_list("preset", flat=True)
    )
    assert recent_presets() == dict(expected) and expected.total() == 20
    turned_away = first.tracks.order_by("position")[0]
    Track.objects.filter(pk=turned_away.pk).update(status=Track.Status.REJECTED)
    expected[turned_away.preset] -= 1
    assert recent_presets() == {name: n for name, n in expected.items() if n}
    assert sum(recent_presets(batches=1).values()) == 10  # the latest batch only
