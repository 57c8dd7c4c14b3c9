"""Album preview jobs: requesting, running (progress, idempotence, failure), reuse, the API,
the file view with byte ranges, and one real Celery worker. Tracks are really rendered.
(A track's stems, the other kind of job, are in test_stems_job.py.)"""

import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.urls import reverse
from kombu import Connection

from albumvote.exceptions import ApplicationError
from curation.albums import jobs, mix
from curation.albums import services as album_services
from curation.albums.models import Album, AlbumAudit, AlbumJob
from curation.albums.tasks import build_album_job
from generation.audio import decode, probe
from generation.models import Track
from tests.curation.albums.helpers import (
    JOB_KEYS,
    album_of,
    client_for,
    job_row,
    render_tracks,
)
from tests.factories import UserFactory
from tests.servers import stop_group

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def tracks(rendering) -> list[Track]:
    return render_tracks(2)


@pytest.fixture
def album(tracks, producer) -> Album:
    return album_of(producer, "Night Drive", tracks)


# --- running a preview -------------------------------------------------------------------------


def test_a_preview_runs_to_done_with_rising_progress_and_a_crossfaded_mix(
    album, tracks, producer, enqueued, media_root, monkeypatch
):
    job = jobs.job_request_preview(album_id=album.pk, user=producer)
    assert (job.status, job.kind, job.track_ids) == ("queued", "preview", [t.pk for t in tracks])
    assert enqueued == [job.pk]  # after commit

    seen: list[tuple[str, float]] = []
    load = mix.load

    def spy(path):
        row = job_row(job.pk)
        seen.append((row.status, row.progress))
        return load(path)

    monkeypatch.setattr(mix, "load", spy)
    build_album_job(job_id=job.pk)

    assert [status for status, _ in seen] == ["running", "running"]
    progress = [value for _, value in seen]
    assert progress == sorted(progress) and progress[-1] > progress[0] and progress[-1] < 1
    done = job_row(job.pk)
    assert (done.status, done.progress, done.stage, done.error) == ("done", 1.0, "Done", "")
    assert done.attempts == 1 and done.finished_at is not None
    path = media_root / done.file.name
    assert path.is_file() and path.suffix == ".mp3"

    facts = probe(path)
    expected = sum(t.duration_s for t in tracks) - mix.CROSSFADE_S * (len(tracks) - 1)
    assert facts["codec"] == "mp3"
    assert facts["duration_s"] == pytest.approx(expected, abs=0.3)
    samples, rate = decode(path)
    assert np.sqrt(np.mean(samples**2)) > 0.02  # not silent
    # Across the crossfade (it ends where the first track would have ended) there is sound.
    join = int((tracks[0].duration_s - mix.CROSSFADE_S) * rate)
    around = samples[join : join + int(mix.CROSSFADE_S * rate)]
    assert np.sqrt(np.mean(around**2)) > 0.005

    audit = AlbumAudit.objects.get(action=AlbumAudit.Action.PREVIEW)
    assert audit.album_id == album.pk and audit.actor_id == producer.pk
    assert audit.details["job_id"] == job.pk and audit.details["tracks"] == job.track_ids


def test_running_a_finished_job_again_changes_nothing(album, producer, enqueued, media_root):
    job = jobs.job_request_preview(album_id=album.pk, user=producer)
    jobs.job_run(job_id=job.pk)
    first = job_row(job.pk)
    stat = (media_root / first.file.name).stat()

    jobs.job_run(job_id=job.pk)  # a redelivered message
    again = job_row(job.pk)
    assert (again.status, again.attempts, again.finished_at) == ("done", 1, first.finished_at)
    assert (media_root / again.file.name).stat().st_mtime_ns == stat.st_mtime_ns
    assert AlbumAudit.objects.filter(action=AlbumAudit.Action.PREVIEW).count() == 1
    assert not list(media_root.rglob(".partial-*"))


def test_a_job_left_running_by_a_dead_worker_is_taken_over_and_counted(album, producer, enqueued):
    job = jobs.job_request_preview(album_id=album.pk, user=producer)
    # As a worker killed mid-job leaves it: running, one attempt spent.
    AlbumJob.objects.filter(pk=job.pk).update(status="running", attempts=1, progress=0.4)
    jobs.job_run(job_id=job.pk)
    row = job_row(job.pk)
    assert (row.status, row.attempts, row.progress) == ("done", 2, 1.0)


def test_a_job_that_keeps_killing_its_worker_is_given_up(album, producer, enqueued):
    job = jobs.job_request_preview(album_id=album.pk, user=producer)
    AlbumJob.objects.filter(pk=job.pk).update(status="running", attempts=jobs.MAX_ATTEMPTS)
    jobs.job_run(job_id=job.pk)
    row = job_row(job.pk)
    assert row.status == "failed" and "Gave up after 3 attempts" in row.error
    assert not row.file


def test_a_broken_track_file_fails_the_job_with_a_readable_error(
    album, tracks, producer, enqueued, media_root
):
    job = jobs.job_request_preview(album_id=album.pk, user=producer)
    (media_root / tracks[1].audio_mp3.name).write_bytes(b"this is not an mp3 at all" * 40)
    jobs.job_run(job_id=job.pk)
    row = job_row(job.pk)
    assert (row.status, row.stage, row.attempts) == ("failed", "Failed", 1)
    assert "could not decode" in row.error and f"{tracks[1].pk}.mp3" in row.error
    assert row.progress < 1 and not row.file and row.finished_at is not None
    assert not AlbumAudit.objects.filter(action=AlbumAudit.Action.PREVIEW).exists()
    # A failed job is final: running it again does nothing.
    jobs.job_run(job_id=job.pk)
    assert job_row(job.pk).attempts == 1


def test_a_deleted_track_fails_the_job_naming_it(album, tracks, producer, enqueued):
    job = jobs.job_request_preview(album_id=album.pk, user=producer)
    gone = tracks[0].pk
    Track.objects.filter(pk=gone).delete()
    jobs.job_run(job_id=job.pk)
    row = job_row(job.pk)
    assert row.status == "failed"
    assert row.error == f"Track {gone} has no audio (it may have been deleted)."


# --- reuse -------------------------------------------------------------------------------------


def test_an_identical_preview_is_reused_until_the_list_changes_or_the_file_is_gone(
    album, tracks, producer, enqueued, media_root
):
    first = jobs.job_request_preview(album_id=album.pk, user=producer)
    assert jobs.job_request_preview(album_id=album.pk, user=producer).pk == first.pk  # queued
    jobs.job_run(job_id=first.pk)
    assert jobs.job_request_preview(album_id=album.pk, user=producer).pk == first.pk  # done
    assert enqueued == [first.pk]

    album_services.album_tracklist_set(
        album_id=album.pk, user=producer, track_ids=[tracks[1].pk, tracks[0].pk]
    )
    reordered = jobs.job_request_preview(album_id=album.pk, user=producer)
    assert reordered.pk != first.pk and reordered.track_ids == [tracks[1].pk, tracks[0].pk]

    album_services.album_tracklist_set(
        album_id=album.pk, user=producer, track_ids=[t.pk for t in tracks]
    )
    (media_root / job_row(first.pk).file.name).unlink()
    remade = jobs.job_request_preview(album_id=album.pk, user=producer)
    assert remade.pk not in (first.pk, reordered.pk)
    assert enqueued == [first.pk, reordered.pk, remade.pk]


def test_a_failed_preview_is_not_reused(album, tracks, producer, enqueued):
    first = jobs.job_request_preview(album_id=album.pk, user=producer)
    AlbumJob.objects.filter(pk=first.pk).update(status="failed", error="boom")
    assert jobs.job_request_preview(album_id=album.pk, user=producer).pk != first.pk


def test_an_empty_album_has_no_preview(producer, enqueued):
    album = album_services.album_create(user=producer, title="Nothing yet")
    with pytest.raises(ApplicationError) as caught:
        jobs.job_request_preview(album_id=album.pk, user=producer)
    assert caught.value.code == "empty_album"
    assert not AlbumJob.objects.exists() and enqueued == []


# --- API ---------------------------------------------------------------------------------------


def test_only_producers_may_ask_for_or_follow_jobs(album, producer, enqueued):
    url = reverse("api-album-preview", args=[album.pk])
    anonymous = client_for().post(url)
    assert anonymous.status_code in (401, 403)
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    listener = client_for(UserFactory()).post(url)
    assert listener.status_code == 403
    assert listener.json()["error"] == {
        "code": "permission_denied",
        "message": "Only producers can do this.",
        "details": {},
    }
    assert not AlbumJob.objects.exists()

    accepted = client_for(producer).post(url)
    assert accepted.status_code == 202
    body = accepted.json()
    assert set(body) == JOB_KEYS
    assert body["kind"] == "preview" and body["status"] == "queued"
    assert body["album_id"] == album.pk and body["version"] is None
    assert body["track_id"] is None and body["stems"] is False
    assert body["file_url"] is None and body["finished_at"] is None
    job_url = reverse("api-album-job", args=[body["id"]])
    assert client_for(UserFactory()).get(job_url).status_code == 403
    assert client_for().get(job_url).status_code in (401, 403)

    jobs.job_run(job_id=body["id"])
    polled = client_for(producer).get(job_url)
    assert polled.status_code == 200
    done = polled.json()
    assert (done["status"], done["progress"], done["error"]) == ("done", 1.0, "")
    assert done["file_url"] == reverse("curation:album-job-file", args=[body["id"]])
    assert done["finished_at"] is not None


def test_api_errors_have_the_one_shape(producer, enqueued):
    client = client_for(producer)
    missing = client.post(reverse("api-album-preview", args=[999999]))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    empty = album_services.album_create(user=producer, title="Empty")
    refused = client.post(reverse("api-album-preview", args=[empty.pk]))
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "empty_album"
    no_job = client.get(reverse("api-album-job", args=[999999]))
    assert no_job.status_code == 404 and set(no_job.json()["error"]) == {
        "code",
        "message",
        "details",
    }


# --- the file view ----------------------------------------------------------------------------


def test_the_preview_file_streams_to_producers_with_byte_ranges(
    album, producer, enqueued, client, media_root
):
    job = jobs.job_request_preview(album_id=album.pk, user=producer)
    url = reverse("curation:album-job-file", args=[job.pk])
    client.force_login(producer)
    assert client.get(url).status_code == 404  # not built yet

    jobs.job_run(job_id=job.pk)
    size = (media_root / job_row(job.pk).file.name).stat().st_size
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Content-Type"] == "audio/mpeg"
    assert whole["Accept-Ranges"] == "bytes" and int(whole["Content-Length"]) == size
    assert not whole["Content-Disposition"].startswith("attachment")
    part = client.get(url, headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-1099/{size}"
    body = b"".join(part.streaming_content)
    assert body == (media_root / job_row(job.pk).file.name).read_bytes()[100:1100]

    client.logout()
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and reverse("curation:login") in anonymous["Location"]
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


# --- a real worker -----------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.usefixtures("postgres_required")
def test_a_real_worker_builds_a_preview(
    album, producer, enqueued, redis_url, subprocess_env, tmp_path, media_root
):
    job = jobs.job_request_preview(album_id=album.pk, user=producer)
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("celery")),
                "-A", "albumvote", "worker",
                "-Q", "generation,default", "-c", "1",
                "-n", f"test-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip", "--without-mingle", "--loglevel", "INFO",
            ],
            cwd=ROOT,
            env={**subprocess_env, "CELERY_BROKER_URL": redis_url},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        # Send once the worker listens, so the message spends no time waiting in Redis.
        deadline = time.monotonic() + 60
        while b" ready." not in log_path.read_bytes() and time.monotonic() < deadline:
            assert worker.poll() is None, log_path.read_text()[-3000:]
            time.sleep(0.1)
        # The test process's Celery app is set up for the in-memory broker; send to Redis.
        with Connection(redis_url) as connection:
            # (Typed as Any: celery-types leaves out apply_async's connection option.)
            options: dict[str, Any] = {"connection": connection}
            build_album_job.apply_async(kwargs={"job_id": job.pk}, **options)
        deadline = time.monotonic() + 120
        while job_row(job.pk).status in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop_group(worker)
    row = job_row(job.pk)
    assert row.status == "done", (row.error, log_path.read_text()[-3000:])
    assert row.attempts == 1 and row.progress == 1.0
    assert probe(media_root / row.file.name)["duration_s"] > 100
