"""Celery entry points for generation: thin, keyword-only, ids in, services do the work."""

from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from albumvote.task_options import LONG_JOB

from . import schedules, services


class TrackTask(Task):
    """Records on the track why it failed once Celery gives up on it."""

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        track_id = kwargs.get("track_id")
        if track_id is not None:
            services.track_mark_failed(track_id=track_id, error=f"{type(exc).__name__}: {exc}")


@shared_task(
    name="generation.generate_track",
    base=TrackTask,
    **LONG_JOB,
    time_limit=settings.GENERATION_TASK_TIME_LIMIT,
    soft_time_limit=settings.GENERATION_TASK_SOFT_TIME_LIMIT,
)
def generate_track(*, track_id: int) -> None:
    try:
        services.track_generate(track_id=track_id)
    except SoftTimeLimitExceeded:
        services.track_mark_failed(
            track_id=track_id,
            error=f"Took longer than {settings.GENERATION_TASK_SOFT_TIME_LIMIT} s and was stopped.",
        )


@shared_task(name="generation.launch_scheduled_batch", acks_late=True)
def launch_scheduled_batch(*, schedule_id: int) -> None:
    schedules.schedule_run(schedule_id=schedule_id)


@shared_task(name="generation.requeue_stalled")
def requeue_stalled() -> None:
    """Beat, every minute: what a dead worker left behind (its tracks, its scratch files)."""
    services.tracks_requeue_stalled()
    services.scratch_sweep()
