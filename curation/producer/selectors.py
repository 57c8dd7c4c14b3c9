"""Reads for the producer dashboard: every track whatever its status, batches, chart data."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import (
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from curation.arena import selectors as arena_selectors
from curation.models import ArenaRating, ListenerTrack, Rating, RefusedAttempt
from curation.rules import counted_voters
from generation import selectors as generation_selectors
from generation.models import BatchSchedule, GenerationBatch, Track

REFUSED_REASONS = [RefusedAttempt.Reason.NOT_LISTENED, RefusedAttempt.Reason.INVALID]
THROTTLED_REASONS = [
    RefusedAttempt.Reason.THROTTLED_LISTENER,
    RefusedAttempt.Reason.THROTTLED_IP,
]

# Sort name -> (label, ordering). Figures a track has no row for yet sort last either way.
SORTS: dict[str, tuple[str, list[Any]]] = {
    "new": ("Newest", [F("created_at").desc(), F("id").desc()]),
    "crowd": ("Crowd score", [F("stats__crowd_score").desc(nulls_last=True), F("id").desc()]),
    "ratings": ("Most ratings", [F("stats__rating_count").desc(nulls_last=True), F("id").desc()]),
    "mean": ("Mean rating", [F("stats__mean").desc(nulls_last=True), F("id").desc()]),
    "lower_bound": (
        "Lower bound",
        [F("stats__lower_bound").desc(nulls_last=True), F("id").desc()],
    ),
    "arena": ("Arena rating", [F("arena__rating").desc(nulls_last=True), F("id").desc()]),
    "plays": ("Plays", [F("stats__plays").desc(nulls_last=True), F("id").desc()]),
    "listen_through": (
        "Listen-through",
        [F("stats__listen_through").desc(nulls_last=True), F("id").desc()],
    ),
    "skip_rate": ("Skip rate", [F("stats__skip_rate").desc(nulls_last=True), F("id").desc()]),
    "tempo": ("Tempo", [F("tempo_bpm").asc(nulls_last=True), F("id").desc()]),
    "energy": ("Energy", [F("energy").desc(nulls_last=True), F("id").desc()]),
    "length": ("Length", [F("duration_s").desc(nulls_last=True), F("id").desc()]),
    "refused": ("Refused attempts", [F("refused").desc(), F("id").desc()]),
}


def _attempts(reasons: list[RefusedAttempt.Reason]) -> Coalesce:
    total = (
        RefusedAttempt.objects.filter(track_id=OuterRef("pk"), reason__in=reasons)
        .values("track_id")
        .annotate(total=Sum("count"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def track_list() -> QuerySet[Track]:
    """Tracks of every status, newest first, with stats, arena rating, pick and the
    refused/throttled attempt totals, in one query whatever the page size (filtered and
    sorted by curation.producer.filters.ProducerTrackFilterSet)."""
    return (
        Track.objects.select_related("batch", "stats", "arena", "pick")
        .annotate(refused=_attempts(REFUSED_REASONS), throttled=_attempts(THROTTLED_REASONS))
        .defer("peaks", "resolved_params", "sections")
        .order_by(*SORTS["new"][1])
    )


def batch_ids_recent(limit: int = 50) -> list[int]:
    """The newest batches' ids, for the tracks table's batch list."""
    return list(
        GenerationBatch.objects.order_by("-created_at").values_list("pk", flat=True)[:limit]
    )


def arena_mark(ratings: Iterable[ArenaRating | None]) -> None:
    """Mark each arena rating with whether its interval means something yet and with its
    interval as the arena writes it, by the arena's own rules; the producer pages say "needs
    more votes" where the interval means nothing yet."""
    for rating in ratings:
        if rating is None:
            continue
        marks = {
            "meaningful": arena_selectors.arena_interval_is_meaningful(rating),
            "rating_label": arena_selectors.rating_label(rating.rating),
            "interval_label": arena_selectors.arena_interval_label(rating.low, rating.high),
        }
        for name, value in marks.items():
            setattr(rating, name, value)


def status_mark(tracks: Iterable[Track]) -> None:
    """Mark each track with its status as the producer pages say it and, while a worker has
    it, when it will be said to wait for one (generation.selectors' rule; the dashboard's
    script relabels the row then)."""
    now = timezone.now()
    for track in tracks:
        track.status_label = generation_selectors.track_status_label(track, now=now)  # type: ignore[attr-defined]
        track.stalled_at = generation_selectors.track_stalled_at(track)  # type: ignore[attr-defined]


def tracks_marked(tracks: list[Track]) -> list[Track]:
    """The tracks, with their arena ratings marked (arena_mark) and their statuses
    (status_mark)."""
    arena_mark(getattr(track, "arena", None) for track in tracks)
    status_mark(tracks)
    return tracks


def track_get(*, track_id: int) -> Track | None:
    """One track of any status, with everything the producer page shows of it."""
    return (
        Track.objects.select_related(
            "batch", "batch__launched_by", "stats", "arena", "pick", "steering"
        )
        .annotate(refused=_attempts(REFUSED_REASONS), throttled=_attempts(THROTTLED_REASONS))
        .filter(pk=track_id)
        .first()
    )


def track_refusals(*, track_id: int) -> list[dict[str, Any]]:
    """Refused and throttled attempts on a track, per kind and reason, all days summed."""
    labels = dict(RefusedAttempt.Reason.choices)
    rows = (
        RefusedAttempt.objects.filter(track_id=track_id)
        .values("kind", "reason")
        .annotate(total=Sum("count"))
        .order_by("-total", "kind", "reason")
    )
    return [{**row, "label": labels.get(row["reason"], row["reason"])} for row in rows]


def listener_max_positions(*, track_id: int) -> list[float]:
    """How far each listener got into the track (ListenerTrack.max_position_s)."""
    return list(
        ListenerTrack.objects.filter(track_id=track_id, plays__gt=0).values_list(
            "max_position_s", flat=True
        )
    )


def rating_times(*, track_id: int) -> list[datetime]:
    """When each current rating that counts was given (created_at: a changed rating is not a
    new one)."""
    return list(
        Rating.objects.filter(counted_voters(), track_id=track_id)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )


def batch_arena(*, batch_id: int) -> list[ArenaRating]:
    """The batch's arena leaderboard, each rating marked as by arena_mark."""
    rows = list(arena_selectors.arena_leaderboard(batch_id=batch_id))
    arena_mark(rows)
    return rows


RECENT_BATCHES = 8


def batches_for_dashboard(*, recent: int = RECENT_BATCHES) -> dict[str, list[GenerationBatch]]:
    """Running batches and the most recent finished ones, each with its tracks (3 queries).

    A batch is finished once generation.services has set its finished_at, which it does in
    the transaction that brings its last track to a final status (and clears on a retry)."""
    tracks = Prefetch("tracks", queryset=Track.objects.order_by("position").defer("peaks"))
    base = GenerationBatch.objects.select_related("launched_by", "schedule", "remix_of")
    running = list(
        base.filter(finished_at__isnull=True).order_by("-created_at").prefetch_related(tracks)
    )
    finished = list(
        base.filter(finished_at__isnull=False)
        .order_by("-created_at")[:recent]
        .prefetch_related(tracks)
    )
    for batch in [*running, *finished]:
        counts = {status: 0 for status in Track.Status.values}
        status_mark(batch.tracks.all())
        for track in batch.tracks.all():
            counts[track.status] += 1
        done = sum(counts[status] for status in Track.TERMINAL)
        batch.status_counts = counts  # type: ignore[attr-defined]
        batch.done = done  # type: ignore[attr-defined]
        batch.total = sum(counts.values())  # type: ignore[attr-defined]
    return {"running": running, "recent": finished}


def schedule_list() -> QuerySet[BatchSchedule]:
    return BatchSchedule.objects.select_related("periodic_task").order_by("name")


def schedule_get(*, schedule_id: int) -> BatchSchedule | None:
    return BatchSchedule.objects.filter(pk=schedule_id).first()
