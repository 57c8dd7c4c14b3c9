"""Real Celery workers against real Redis and PostgreSQL: a batch end to end, and a SIGKILL."""

import os
import signal
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from generation.models import GenerationBatch, Track
from tests.servers import celery_worker_command, manage, stop_group
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.worker,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_required"),
]


@pytest.fixture
def worker_env(
    redis_url: str, composer_model_dir: Path, subprocess_env: dict[str, str]
) -> dict[str, str]:
    """Environment for workers: the test database, a Redis DB of their own, test media."""
    return {
        **subprocess_env,
        "CELERY_BROKER_URL": redis_url,
        "COMPOSER_MODEL_DIR": str(composer_model_dir),
    }


@pytest.fixture
def start_worker(
    worker_env: dict[str, str], tmp_path: Path
) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(concurrency: int = 2, **extra_env: str) -> subprocess.Popen[bytes]:
        name = f"test-{uuid.uuid4().hex[:8]}@%h"
        log = (tmp_path / f"worker-{len(started)}.log").open("wb")
        process = subprocess.Popen(
            celery_worker_command(
                concurrency, "-n", name, "--without-gossip", "--without-mingle", loglevel="INFO"
            ),
            cwd=ROOT,
            env={**worker_env, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so SIGKILL reaches the children
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            stop_group(process)


def test_a_real_worker_completes_a_small_batch(start_worker, worker_env, media_root):
    start_worker(concurrency=2)
    result = manage(
        worker_env, "generate_batch", "--count", "2", "--seed", "21", "--wait", "--timeout", "180"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0/2 done" in result.stdout and "2/2 done" in result.stdout
    assert "finished: 2 ready, 0 rejected, 0 failed" in result.stdout
    assert "No Celery worker" not in result.stdout + result.stderr
    batch = GenerationBatch.objects.get()
    tracks = list(batch.tracks.all())
    assert [t.status for t in tracks] == [Track.Status.READY] * 2, [t.error for t in tracks]
    assert batch.finished_at is not None
    for track in tracks:
        assert track.attempts == 1
        for field in (track.midi, track.audio_opus, track.audio_mp3):
            assert (media_root / field.name).stat().st_size > 1000


def test_tracks_whose_whole_worker_is_killed_complete_exactly_once(
    start_worker, worker_env, media_root, redis_url
):
    """The whole worker killed outright (SIGKILL to its process group) with two tracks in
    flight: a new worker finishes each exactly once, within the visibility timeout plus one
    task (seen: stranded for about an hour with the old 3,600 s timeout)."""
    # Short timings so the test is quick; the defaults keep the same relation (limit + 60 s).
    timing = {"GENERATION_TASK_TIME_LIMIT": "20", "BROKER_VISIBILITY_TIMEOUT": "25"}
    first = start_worker(concurrency=2, **timing)
    result = manage({**worker_env, **timing}, "generate_batch", "--count", "2", "--seed", "5")
    assert result.returncode == 0, result.stderr

    def tracks() -> list[Track]:
        return list(Track.objects.order_by("pk"))

    wait_for(
        lambda: (
            sum(t.status == Track.Status.RENDERING for t in tracks()) >= 1
            and not any(t.status == Track.Status.QUEUED for t in tracks())
        ),
        timeout=120,
        what="the worker to take both tracks",
    )
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    unfinished = [t.pk for t in tracks() if not t.is_terminal]
    assert unfinished, "both tracks finished before the kill; nothing was tested"

    # Their messages are still unacknowledged in Redis. A new worker, started at once,
    # restores them once the visibility timeout has passed (it sweeps every 10 s).
    broker = redis.Redis.from_url(redis_url)
    assert broker.hlen("unacked") == len(unfinished)
    start_worker(concurrency=2, **timing)
    # The visibility timeout, a sweep, and one task (20 s at most), with room to spare.
    wait_for(lambda: all(t.is_terminal for t in tracks()), timeout=25 + 10 + 20 + 120, what="both")

    for finished in tracks():
        assert finished.status == Track.Status.READY, finished.error
        assert finished.attempts == (2 if finished.pk in unfinished else 1)
    assert GenerationBatch.objects.get().finished_at is not None
    batch_id = tracks()[0].batch_id
    names = sorted(p.name for p in (media_root / "tracks" / str(batch_id)).iterdir())
    assert len(names) == 6  # one MIDI, Opus and MP3 per track, no duplicates
    assert not list(media_root.rglob(".partial-*"))
    # Nothing is left to deliver again: the queue is empty and nothing is unacknowledged.
    wait_for(lambda: broker.hlen("unacked") == 0, timeout=10, what="the acks")
    assert broker.llen("generation") == 0
