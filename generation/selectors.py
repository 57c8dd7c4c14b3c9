"""Reads for generation: tracks and batches, with their query shape decided here."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from .models import GenerationBatch, Track

WAITING_FOR_WORKER = "waiting for a worker"
# The statuses a worker's task is in the middle of.
IN_HAND = (Track.Status.COMPOSING, Track.Status.RENDERING)


def batch_status_counts(*, batch_id: int) -> dict[str, int]:
    counts = {status: 0 for status in Track.Status.values}
    rows = Track.objects.filter(batch_id=batch_id).values("status").annotate(n=Count("id"))
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def track_stalled_at(track: Track) -> datetime | None:
    """When a track that is being composed or rendered can no longer be in a worker's hands:
    its task's time limit after anything last touched the row (every stage commits to it). A
    track past this waits for a worker (tracks_requeue_stalled sends it again); None for a
    track in no worker's hands."""
    if track.status not in IN_HAND or track.updated_at is None:
        return None
    return track.updated_at + timedelta(seconds=settings.GENERATION_TASK_TIME_LIMIT)


def track_status_label(track: Track, *, now: datetime | None = None) -> str:
    """The track's status as the producer pages say it: "waiting for a worker" once no
    worker can still be on it (a dead worker says nothing), else the status itself."""
    stalled_at = track_stalled_at(track)
    if stalled_at is not None and stalled_at <= (now or timezone.now()):
        return WAITING_FOR_WORKER
    return str(track.status)


def batch_list() -> QuerySet[GenerationBatch]:
    return GenerationBatch.objects.annotate(
        **{
            f"n_{status}": Count("tracks", filter=Q(tracks__status=status))
            for status in Track.Status.values
        }
    ).select_related("launched_by", "schedule")


def batch_published() -> QuerySet[GenerationBatch]:
    """Batches with at least one published track, with how many (`ready`)."""
    return GenerationBatch.objects.annotate(
        ready=Count("tracks", filter=Q(tracks__status=Track.Status.READY))
    ).filter(ready__gt=0)


def batch_running_progress() -> dict[str, int] | None:
    """The oldest unfinished batch and how far it has got, for "composing…" notices."""
    batch = GenerationBatch.objects.filter(finished_at__isnull=True).order_by("created_at").first()
    if batch is None:
        return None
    counts = batch_status_counts(batch_id=batch.pk)
    done = sum(counts[status] for status in Track.TERMINAL)
    return {"id": batch.pk, "done": done, "total": sum(counts.values())}


def track_remixes(*, track_id: int) -> list[GenerationBatch]:
    """Remix batches of a track, newest first, each with its tracks in order (two queries).

    Every status is included: this is the producer's view.
    """
    return list(
        GenerationBatch.objects.filter(remix_of_id=track_id).prefetch_related(
            Prefetch("tracks", queryset=Track.objects.order_by("position"))
        )
    )


@dataclass(frozen=True)
class RemixLinks:
    """What a public track page shows of its remix family: only ready tracks."""

    parent: Track | None  # the track this one remixes
    remixes: list[Track]  # remixes of this track, newest batch first


def track_remix_links_published(*, track: Track) -> RemixLinks:
    """The ready parent and ready remixes of a track, in one query.

    Listeners never see rejected or failed tracks, so a parent that is not ready is left out.
    The track's batch should be loaded (select_related) to spare a query.
    """
    parent_id = track.batch.remix_of_id
    wanted = Q(batch__remix_of_id=track.pk)
    if parent_id is not None:
        wanted |= Q(pk=parent_id)
    rows = list(
        Track.objects.filter(wanted, status=Track.Status.READY).order_by(
            "-batch__created_at", "-batch_id", "position"
        )
    )
    parent = next((row for row in rows if row.pk == parent_id), None)
    return RemixLinks(parent=parent, remixes=[row for row in rows if row.pk != parent_id])
