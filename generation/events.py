"""Progress events for batches and tracks, sent to the channel layer after the commit.

Generation owns these group names; curation subscribes to them (generation never imports
curation). Every payload is plain JSON.

Event types:
- `track.status`: one track changed status (queued → composing → rendering → terminal).
- `batch.finished`: every track of a batch has reached a terminal status.
"""

import logging
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
        },
        "batch": {
            "id": track.batch_id,
            "counts": selectors.batch_status_counts(batch_id=track.batch_id),
        },
    }


def batch_finished_payload(batch: GenerationBatch) -> dict[str, Any]:
    return {
        "type": "batch.finished",
        "batch": {
            "id": batch.pk,
            "counts": selectors.batch_status_counts(batch_id=batch.pk),
            "finished_at": batch.finished_at.isoformat() if batch.finished_at else None,
        },
    }


def send_track_status(track: Track) -> None:
    """Queue a track.status event for the batch's group and the all-batches group."""
    batch_id = track.batch_id

    def send() -> None:
        # Built after the commit so the counts include this change and any siblings'.
        refreshed = Track.objects.filter(pk=track.pk).first()
        if refreshed is not None:
            _send_to_groups(
                [batch_group(batch_id), ALL_BATCHES_GROUP], track_status_payload(refreshed)
            )

    transaction.on_commit(send)


def send_batch_finished(batch: GenerationBatch) -> None:
    def send() -> None:
        _send_to_groups(
            [batch_group(batch.pk), ALL_BATCHES_GROUP],
            batch_finished_payload(GenerationBatch.objects.get(pk=batch.pk)),
        )

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
