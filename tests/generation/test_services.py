"""Batch launch and the track pipeline, through the services and the task function."""

import json
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone

from albumvote.exceptions import ApplicationError
from generation import composer, services, tasks
from generation.audio import decode, probe
from generation.models import GenerationBatch, Track
from generation.tasks import generate_track
from tests.factories import ProducerFactory, TrackFactory

pytestmark = pytest.mark.django_db(transaction=True)


def first_preset() -> str:
    return sorted(composer.PRESETS)[0]


def launch(count: int = 2, **raw):
    params = services.batch_params_validate({"count": count, **raw})
    return services.batch_launch(params=params, source=GenerationBatch.Source.COMMAND)


# --- launching ---------------------------------------------------------------------------------


def test_launch_creates_queued_tracks_and_queues_each_after_commit(queued):
    batch = launch(3, seed=7)
    tracks = list(batch.tracks.order_by("position"))
    assert [t.position for t in tracks] == [0, 1, 2]
    assert {t.status for t in tracks} == {Track.Status.QUEUED}
    assert len({t.seed for t in tracks}) == 3
    assert queued == [t.pk for t in tracks]
    assert batch.params["seed"] == 7


def test_the_same_base_seed_gives_the_same_track_seeds_and_presets(queued):
    first = launch(4, seed=99)
    second = launch(4, seed=99)
    assert [(t.seed, t.preset) for t in first.tracks.order_by("position")] == [
        (t.seed, t.preset) for t in second.tracks.order_by("position")
    ]


def test_a_mixed_batch_uses_several_presets(queued):
    batch = launch(len(composer.PRESETS), seed=3)
    assert {t.preset for t in batch.tracks.all()} == set(composer.PRESETS)


def test_a_fixed_preset_applies_to_every_track(queued):
    batch = launch(3, preset=first_preset())
    assert {t.preset for t in batch.tracks.all()} == {first_preset()}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"count": 0}, "count must be between 1 and"),
        ({"count": 101}, "count must be between 1 and 100"),
        ({"count": "3"}, "count must be a whole number"),
        ({"count": True}, "count must be a whole number"),
        ({"count": 2, "seed": -1}, "seed must be a whole number from 0 to"),
        ({"count": 2, "seed": 2**32}, "seed must be a whole number from 0 to"),
        ({"count": 2, "seed": "12"}, "seed must be a whole number"),
        ({"count": 2, "preset": "polka-from-mars"}, "polka-from-mars"),
        ({"count": 2, "colour": "blue"}, "Unknown parameter(s): colour"),
    ],
)
def test_bad_parameters_are_refused_with_a_clear_message(raw, message, queued):
    with pytest.raises(ApplicationError) as caught:
        services.batch_params_validate(raw)
    assert message in caught.value.message
    assert GenerationBatch.objects.count() == 0


def test_an_unknown_preset_error_lists_the_known_ones():
    with pytest.raises(ApplicationError) as caught:
        services.batch_params_validate({"count": 1, "preset": "nope"})
    assert first_preset() in caught.value.message
    assert caught.value.details["field"] == "preset"


# --- one track -------------------------------------------------------------------------------


@pytest.fixture
def one_track(model_settings, queued) -> Track:
    batch = launch(1, preset=first_preset(), seed=11)
    return batch.tracks.get()


def test_a_track_goes_from_queued_to_ready_with_files_analysis_and_provenance(
    one_track, media_root
):
    generate_track(track_id=one_track.pk)
    track = Track.objects.get(pk=one_track.pk)
    assert track.status == Track.Status.READY, track.error
    assert track.attempts == 1
    assert track.title
    assert track.model_version
    assert track.resolved_params["seed"] == track.seed
    assert track.resolved_params["preset"] == track.preset
    assert track.duration_s is not None and 60 <= track.duration_s <= 185
    assert track.key and track.camelot
    assert track.tempo_bpm is not None and track.tempo_bpm > 0
    assert track.loudness_lufs is not None and -15.5 <= track.loudness_lufs <= -12.5
    assert track.peak_dbfs is not None and track.peak_dbfs < 0
    assert track.energy is not None and 0 <= track.energy <= 1
    assert len(track.peaks) > 100
    assert {s["label"] for s in track.sections} >= {"intro", "outro"}
    assert set(track.metrics) >= {
        "pitch_class_histogram_distance",
        "scale_consistency",
        "pitch_entropy",
        "groove_consistency",
    }
    assert track.batch.finished_at is not None
    for field in (track.midi, track.audio_opus, track.audio_mp3):
        assert Path(field.path).is_file()
        assert Path(field.path).is_relative_to(media_root)
    assert probe(Path(track.audio_opus.path))["codec"] == "opus"
    samples, rate = decode(Path(track.audio_mp3.path))
    assert abs(len(samples) / rate - track.duration_s) < 1.0


def test_running_the_task_again_changes_nothing(one_track):
    generate_track(track_id=one_track.pk)
    before = Track.objects.get(pk=one_track.pk)
    stamps = {f: Path(getattr(before, f).path).stat().st_mtime_ns for f in ("midi", "audio_mp3")}
    generate_track(track_id=one_track.pk)
    after = Track.objects.get(pk=one_track.pk)
    assert after.attempts == 1
    assert after.finished_at == before.finished_at
    assert {f: Path(getattr(after, f).path).stat().st_mtime_ns for f in stamps} == stamps
    assert Track.objects.filter(batch=one_track.batch).count() == 1


def test_a_redelivered_task_finishes_a_track_left_mid_render_once(one_track, media_root):
    # A first delivery claimed the track and died while rendering.
    assert services._track_begin(one_track.pk) == 1
    Track.objects.filter(pk=one_track.pk).update(status=Track.Status.RENDERING)
    generate_track(track_id=one_track.pk)
    track = Track.objects.get(pk=one_track.pk)
    assert track.status == Track.Status.READY
    assert track.attempts == 2
    track_dir = media_root / "tracks" / str(track.batch_id)
    names = sorted(p.name for p in track_dir.iterdir())
    assert names == [f"{track.pk}.mid", f"{track.pk}.mp3", f"{track.pk}.opus"]
    assert not list(media_root.rglob(".partial-*"))


def test_an_overtaken_attempt_cannot_write_its_result(one_track):
    first = services._track_begin(one_track.pk)
    second = services._track_begin(one_track.pk)
    assert (first, second) == (1, 2)
    services._track_fail(one_track.pk, 1, "the stale run failed")
    track = Track.objects.get(pk=one_track.pk)
    assert track.status == Track.Status.COMPOSING
    assert track.error == ""


@override_settings(GENERATION_MAX_ATTEMPTS=3)
def test_a_track_that_keeps_killing_its_worker_is_given_up_after_n_attempts(one_track):
    Track.objects.filter(pk=one_track.pk).update(attempts=3, status=Track.Status.RENDERING)
    generate_track(track_id=one_track.pk)
    track = Track.objects.get(pk=one_track.pk)
    assert track.status == Track.Status.FAILED
    assert "Gave up after 3 attempts" in track.error
    assert not track.audio_mp3
    assert track.batch.finished_at is not None


def test_transient_database_errors_are_retried(one_track, monkeypatch):
    real = services.track_generate
    calls: list[int] = []

    def flaky(*, track_id: int) -> None:
        calls.append(track_id)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        real(track_id=track_id)

    monkeypatch.setattr(services, "track_generate", flaky)
    monkeypatch.setattr(generate_track, "retry_backoff", False)
    generate_track.apply(kwargs={"track_id": one_track.pk})
    assert len(calls) == 2
    assert Track.objects.get(pk=one_track.pk).status == Track.Status.READY


def test_a_task_that_gives_up_records_why_on_the_track(one_track, monkeypatch):
    def broken(*, track_id: int) -> None:
        raise OperationalError("database is down")

    monkeypatch.setattr(services, "track_generate", broken)
    monkeypatch.setattr(generate_track, "retry_backoff", False)
    monkeypatch.setattr(generate_track, "max_retries", 1)
    generate_track.apply(kwargs={"track_id": one_track.pk})
    track = Track.objects.get(pk=one_track.pk)
    assert track.status == Track.Status.FAILED
    assert "database is down" in track.error


def test_a_track_outside_the_quality_bounds_is_rejected_and_never_published(
    one_track, monkeypatch, client
):
    monkeypatch.setattr(composer, "quality_gate", lambda metrics, model: ["pitch entropy too low"])
    generate_track(track_id=one_track.pk)
    track = Track.objects.get(pk=one_track.pk)
    assert track.status == Track.Status.REJECTED
    assert track.rejection_reasons == ["pitch entropy too low"]
    assert track.midi and not track.audio_mp3
    assert track.title not in client.get("/").content.decode()
    assert client.get(f"/tracks/{track.pk}/audio.mp3").status_code == 404
    # Its MIDI is kept for producers to study, not published.
    assert client.get(f"/tracks/{track.pk}/track.mid").status_code == 404
    client.force_login(ProducerFactory.create())
    assert client.get(f"/tracks/{track.pk}/track.mid").status_code == 200


def test_a_composer_error_fails_the_track_with_its_message(one_track):
    Track.objects.filter(pk=one_track.pk).update(params={"preset": "gone", "seed": 1})
    generate_track(track_id=one_track.pk)
    track = Track.objects.get(pk=one_track.pk)
    assert track.status == Track.Status.FAILED
    assert track.error.startswith("Composer error:")
    assert "gone" in track.error


def test_the_same_seed_and_params_give_identical_midi(model_settings, queued, media_root):
    first = launch(1, preset=first_preset(), seed=5).tracks.get()
    second = launch(1, preset=first_preset(), seed=5).tracks.get()
    for track in (first, second):
        generate_track(track_id=track.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert Path(first.midi.path).read_bytes() == Path(second.midi.path).read_bytes()
    assert first.resolved_params == second.resolved_params
    assert json.loads(json.dumps(first.resolved_params)) == first.resolved_params


# --- retry and stalled ----------------------------------------------------------------------------


def test_failed_tracks_can_be_retried_and_their_batch_reopens(queued):
    track = TrackFactory.create(status=Track.Status.FAILED, attempts=3, error="boom")
    track.batch.finished_at = timezone.now()
    track.batch.save()
    ready = TrackFactory.create(batch=track.batch, status=Track.Status.READY)
    assert services.tracks_retry(track_ids=[track.pk, ready.pk]) == [track.pk]
    track.refresh_from_db()
    assert (track.status, track.attempts, track.error) == (Track.Status.QUEUED, 0, "")
    assert queued == [track.pk]
    track.batch.refresh_from_db()
    assert track.batch.finished_at is None


def test_stalled_tracks_are_requeued(queued, settings):
    stalled = TrackFactory.create(status=Track.Status.RENDERING)
    fresh = TrackFactory.create(status=Track.Status.QUEUED)
    TrackFactory.create(status=Track.Status.READY)
    later = timezone.now() + timedelta(seconds=settings.GENERATION_REQUEUE_AFTER_S + 1)
    Track.objects.filter(pk=fresh.pk).update(updated_at=later)
    assert services.tracks_requeue_stalled(now=later) == [stalled.pk]
    assert queued == [stalled.pk]


def test_a_track_stranded_by_a_dead_worker_waits_minutes_not_an_hour(settings):
    """Seen: a worker killed outright stranded its tracks for about an hour (3,600 s of
    visibility timeout; the stalled-track requeue after 3,900 s, run every 10 minutes)."""
    limit = settings.GENERATION_TASK_TIME_LIMIT
    # Redelivery just after the longest a task may run; the requeue soon after that.
    assert limit < settings.BROKER_VISIBILITY_TIMEOUT <= limit + 60
    assert settings.GENERATION_REQUEUE_AFTER_S <= settings.BROKER_VISIBILITY_TIMEOUT + 60
    assert settings.CELERY_BEAT_SCHEDULE["generation-requeue-stalled"]["schedule"] <= 60


def test_scratch_folders_a_killed_render_left_behind_are_swept(media_root, settings):
    """Seen: killed renders left MEDIA_ROOT/.scratch/tmp* behind for good."""
    scratch = media_root / ".scratch"
    abandoned, working = scratch / "tmpdead", scratch / "tmplive"
    for folder in (abandoned, working):
        folder.mkdir(parents=True)
        (folder / "audio.opus").write_bytes(b"x" * 100)
    long_ago = time.time() - settings.GENERATION_TASK_TIME_LIMIT - 120
    os.utime(abandoned, (long_ago, long_ago))
    tasks.requeue_stalled()
    assert not abandoned.exists()
    assert working.exists()  # a render may still be writing there
