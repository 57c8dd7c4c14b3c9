"""Reads for generation: tracks and batches, with their query shape decided here."""

from django.db.models import Count, Q, QuerySet

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
