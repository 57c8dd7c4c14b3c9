"""Hands tasks to Celery, or to an in-process thread when there is no Redis (tracks here;
curation's album jobs use send as well)."""

import logging
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)

# Without a broker (the run command's zero-set-up mode) tasks run in-process. One thread per
# lane keeps the web responsive while it works through a batch, one track at a time.
_lanes: dict[str, ThreadPoolExecutor] = {}
_lanes_lock = threading.Lock()


def generate_tracks(track_ids: Iterable[int]) -> None:
    from .tasks import generate_track

    for track_id in track_ids:
        # If queueing fails the row stays queued; the requeue_stalled beat task sends it again.
        send(generate_track, {"track_id": track_id})


def send(task: Any, kwargs: dict[str, Any], *, lane: str = "generation") -> None:
    """Queue a task for a Celery worker, or, without a broker, run it on the lane's one
    in-process thread (each lane works through its tasks in order, beside the others).
    Never raises: the caller's row stays in its waiting state and is picked up again later."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        with _lanes_lock:
            executor = _lanes.get(lane)
            if executor is None:
                executor = _lanes[lane] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=lane)
        executor.submit(_run_in_process, task, kwargs)
        return
    try:
        task.apply_async(kwargs=kwargs)
    except Exception:
        logger.exception("could not queue %s %s", task.name, kwargs)


def _run_in_process(task: Any, kwargs: dict[str, Any]) -> None:
    close_old_connections()
    try:
        task.apply(kwargs=kwargs, throw=False)
    except Exception:
        logger.exception("in-process %s %s failed", task.name, kwargs)
    finally:
        close_old_connections()
