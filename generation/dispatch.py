"""Hands work to the Celery workers, by task name: callers need not import the task modules
(which import the services that call this), so there is no import cycle."""

import logging
from collections.abc import Iterable
from typing import Any

from albumvote.celery import app

logger = logging.getLogger(__name__)

GENERATE_TRACK = "generation.generate_track"


def generate_tracks(track_ids: Iterable[int]) -> None:
    for track_id in track_ids:
        # If queueing fails the row stays queued; the requeue_stalled beat task sends it again.
        send(GENERATE_TRACK, {"track_id": track_id})


def send(task_name: str, kwargs: dict[str, Any]) -> None:
    """Queue a task by name (routed to its queue by CELERY_TASK_ROUTES). Never raises: the
    caller's row stays in its waiting state and is picked up again later."""
    try:
        app.send_task(task_name, kwargs=kwargs)
    except Exception:
        logger.exception("could not queue %s %s", task_name, kwargs)
