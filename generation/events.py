"""Progress events for batches and tracks, sent to the channel layer after the commit.

Generation owns these group names; curation subscribes to them (generation never imports
curation). Every payload is plain JSON.

Event types:
- `batch.launched`: a batch and its queued tracks exist (one event, however many tracks), and
  who launched it (a username, or null for a command or a schedule).
- `track.status`: one track changed status (composing → rendering → terminal, or back to
  queued on a retry), with `stalled_at`: when, unless it is touched again, it will be waiting
  for a worker (selectors.track_stalled_at; null for a track in no worker's hands).
- `batch.finished`: every track of a batch has reached a terminal status.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from . import selectors
from .models import GenerationBatch, Track

logger = logging.getLogger(__name__)

ALL_BATCHES_GROUP = "generation.batches"


def batch_group(batch_id: int) -> str:
    return f"generation.batch.{batch_id}"


def track_status_payload(track: Track) -> dict[str, Any]:
    return {
        "type": "track.status",
        "track": {
            "id": track.pk,
            "batch_id": track.batch_id,
            "position": track.position,
            "title": track.title,
            "preset": track.preset,
            "status": track.status,
            "error": track.error,
            "attempts": track.attempts,
            "duration_s": track.duration_s,
            "stalled_at": _iso(selectors.track_stalled_at(track)),
        },
        "batch": {
            "id": track.batch_id,
            "counts": selectors.batch_status_counts(batch_id=track.batch_id),
        },
    }


def batch_launched_payload(batch: GenerationBatch) -> dict[str, Any]:
    tracks = batch.tracks.order_by("position").values("id", "position", "preset", "status")
    return {
        "type": "batch.launched",
        "batch": {
            "id": batch.pk,
            "source": batch.source,
            "launched_by": batch.launched_by.get_username() if batch.launched_by else None,
            "count": batch.count,
            "params": batch.params,
            "tracks": list(tracks),
            "counts": selectors.batch_status_counts(batch_id=batch.pk),
        },
    }


def batch_finished_payload(batch: GenerationBatch) -> dict[str, Any]:
    return {
        "type": "batch.finished",
        "batch": {
            "id": batch.pk,
            "counts": selectors.batch_status_counts(batch_id=batch.pk),
            "finished_at": _iso(batch.finished_at),
        },
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def send_track_status(track: Track) -> None:
    """Queue a track.status event; the payload is built after the commit, so the batch counts
    include this change and any sibling's."""

    def build() -> dict[str, Any] | None:
        refreshed = Track.objects.filter(pk=track.pk).first()
        return track_status_payload(refreshed) if refreshed is not None else None

    _send_on_commit(track.batch_id, build)


def send_batch_launched(batch: GenerationBatch) -> None:
    _send_on_commit(
        batch.pk,
        lambda: batch_launched_payload(
            GenerationBatch.objects.select_related("launched_by").get(pk=batch.pk)
        ),
    )


def send_batch_finished(batch: GenerationBatch) -> None:
    _send_on_commit(
        batch.pk, lambda: batch_finished_payload(GenerationBatch.objects.get(pk=batch.pk))
    )


def _send_on_commit(batch_id: int, build: Callable[[], dict[str, Any] | None]) -> None:
    def send() -> None:
        payload = build()
        if payload is not None:
            _send_to_groups([batch_group(batch_id), ALL_BATCHES_GROUP], payload)

    transaction.on_commit(send)


def _send_to_groups(groups: list[str], payload: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, payload)
        except Exception:
            # The database is the source of truth; a lost progress event must not fail the work.
            logger.warning("could not send %s to %s", payload["type"], group, exc_info=True)
