"""Reads for generation: tracks and batches, with their query shape decided here."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import GenerationBatch, Track


def batch_status_counts(*, batch_id: int) -> dict[str, int]:
    counts = {status: 0 for status in Track.Status.values}
    rows = Track.objects.filter(batch_id=batch_id).values("status").annotate(n=Count("id"))
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


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
