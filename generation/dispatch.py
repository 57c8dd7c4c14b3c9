"""Hands track ids to Celery, or to an in-process thread when there is no Redis."""

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)

# Without a broker (the run command's zero-set-up mode) tasks run in-process. One thread keeps
# the web responsive while it works through a batch, one track at a time.
_in_process = ThreadPoolExecutor(max_workers=1, thread_name_prefix="generation")


def generate_tracks(track_ids: Iterable[int]) -> None:
    from .tasks import generate_track

    for track_id in track_ids:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            _in_process.submit(_run_in_process, track_id)
            continue
        try:
            generate_track.apply_async(kwargs={"track_id": track_id})
        except Exception:
            # The row stays queued; the requeue_stalled beat task sends it again later.
            logger.exception("could not queue track %s", track_id)


def _run_in_process(track_id: int) -> None:
    from .tasks import generate_track

    close_old_connections()
    try:
        generate_track.apply(kwargs={"track_id": track_id}, throw=False)
    except Exception:
        logger.exception("in-process generation of track %s failed", track_id)
    finally:
        close_old_connections()
