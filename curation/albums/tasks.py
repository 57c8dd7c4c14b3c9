"""Celery entry points for albums: the preview mix and the export archive."""

from typing import Any

from celery import Task, shared_task
from django.conf import settings

from albumvote.task_options import LONG_JOB
from curation.albums import jobs

# An export of a long album mixes and tags for minutes; the limit only stops a runaway job.
# It must stay below the broker's visibility timeout, or a running job gets delivered twice.
ALBUM_JOB_TIME_LIMIT = max(60, min(1800, settings.BROKER_VISIBILITY_TIMEOUT - 60))


class AlbumJobTask(Task):
    """Records on the job why it failed once Celery gives up on it."""

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        job_id = kwargs.get("job_id")
        if job_id is not None:
            jobs.job_mark_failed(job_id=job_id, error=jobs.readable(exc))


@shared_task(
    name="curation.build_album_job",
    base=AlbumJobTask,
    **LONG_JOB,
    time_limit=ALBUM_JOB_TIME_LIMIT,
    soft_time_limit=ALBUM_JOB_TIME_LIMIT - 10,
)
def build_album_job(*, job_id: int) -> None:
    jobs.job_run(job_id=job_id)
