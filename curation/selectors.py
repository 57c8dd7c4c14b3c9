"""Reads for the listening side: track lists with their sorts and filters, live state."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import (
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse

from curation import scoring
from curation.models import ListenerTrack, Rating, TrackStats
from curation.rules import heard_enough, listen_required_s
from generation.composer import PRESETS
from generation.models import GenerationBatch, Track

SORTS = {
    "new": "Newest",
    "top": "Top rated",
    "trending": "Trending",
    "controversial": "Controversial",
}
# A track without a stats row yet scores as one with no feedback at all.
EMPTY_CROWD_SCORE = scoring.crowd_score([0, 0, 0, 0, 0], 0.0, 0, 0, 0)


@dataclass(frozen=True)
class TrackFilters:
    sort: str = "new"
    batch: int | None = None
    preset: str | None = None
    key: str | None = None
    tempo_min: float | None = None
    tempo_max: float | None = None


def site_mean_rating() -> float:
    """The site-wide mean, summed now; pages use the cached copy (ranking.selectors)."""
    totals = TrackStats.objects.aggregate(n=Sum("rating_count"), total=Sum("rating_sum"))
    return totals["total"] / totals["n"] if totals["n"] else 3.0


def published_tracks() -> QuerySet[Any]:
    """Ready tracks with their figures joined in (one query, no N+1).

    The scores come from stored columns of TrackStats (curation.scoring), kept in step by
    every vote, so sorting by them uses an index instead of aggregating votes. The Bayesian
    average depends on the site-wide mean, which every vote moves, so it is computed here.
    """
    from curation.ranking.selectors import site_mean_rating as cached_site_mean

    prior = cached_site_mean()
    strength = settings.CURATION_BAYES_PRIOR_STRENGTH
    count = Coalesce(F("stats__rating_count"), 0)
    total = Coalesce(F("stats__rating_sum"), 0)
    return (
        Track.objects.filter(status=Track.Status.READY)
        .select_related("batch", "stats")
        .annotate(
            rating_count=count,
            bayes=ExpressionWrapper(
                (total + Value(strength * prior)) / (count + Value(strength)),
                output_field=FloatField(),
            ),
            crowd_score=Coalesce(F("stats__crowd_score"), Value(EMPTY_CROWD_SCORE)),
            controversy=Coalesce(F("stats__controversy"), Value(0.0)),
            trend_log=Coalesce(F("stats__trend_log"), Value(scoring.TREND_EMPTY)),
        )
        .defer("peaks", "metrics", "resolved_params", "sections")
    )


def track_list(filters: TrackFilters) -> QuerySet[Any]:
    """Annotated with rating_count, bayes, crowd_score, controversy and trend_log (typed Any
    for that reason)."""
    tracks = published_tracks()
    if filters.batch is not None:
        tracks = tracks.filter(batch_id=filters.batch)
    if filters.preset:
        tracks = tracks.filter(preset=filters.preset)
    if filters.key:
        tracks = tracks.filter(Q(key=filters.key) | Q(camelot=filters.key))
    if filters.tempo_min is not None:
        tracks = tracks.filter(tempo_bpm__gte=filters.tempo_min)
    if filters.tempo_max is not None:
        tracks = tracks.filter(tempo_bpm__lte=filters.tempo_max)
    if filters.sort == "top":
        return tracks.order_by("-crowd_score", "-rating_count", "-id")
    if filters.sort == "trending":
        return tracks.order_by("-trend_log", "-finished_at", "-id")
    if filters.sort == "controversial":
        return tracks.filter(rating_count__gt=0).order_by("-controversy", "-rating_count", "-id")
    return tracks.order_by("-finished_at", "-id")


def track_filter_choices() -> dict[str, Any]:
    ready = Track.objects.filter(status=Track.Status.READY)
    return {
        "sorts": SORTS,
        "presets": {name: preset.label for name, preset in sorted(PRESETS.items())},
        "keys": sorted(k for k in ready.values_list("key", flat=True).distinct() if k),
        "batches": list(
            GenerationBatch.objects.filter(tracks__status=Track.Status.READY)
            .distinct()
            .order_by("-created_at")
            .values_list("pk", flat=True)[:50]
        ),
    }


def track_detail(*, track_id: int) -> Track | None:
    return published_tracks().filter(pk=track_id).first()


def batch_detail(*, batch_id: int) -> GenerationBatch | None:
    return GenerationBatch.objects.filter(pk=batch_id).first()


def batch_latest() -> GenerationBatch | None:
    return (
        GenerationBatch.objects.filter(tracks__status=Track.Status.READY)
        .order_by("-created_at")
        .first()
    )


# --- live state: what the websocket events carry, also served over HTTP --------------------


def rating_state(stats: TrackStats | None) -> dict[str, Any]:
    if stats is None:
        return {
            "count": 0,
            "average": None,
            "distribution": {str(k): 0 for k in range(1, 6)},
            "version": 0,
        }
    average = stats.average
    return {
        "count": stats.rating_count,
        "average": round(average, 3) if average is not None else None,
        "distribution": stats.distribution,
        "version": stats.version,
    }


def track_rating_state(*, track_id: int) -> dict[str, Any]:
    return rating_state(TrackStats.objects.filter(track_id=track_id).first())


def track_rating_states(*, track_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Rating state of many tracks in one query (tracks without figures get empty ones)."""
    found = {s.track_id: s for s in TrackStats.objects.filter(track_id__in=track_ids)}
    return {track_id: rating_state(found.get(track_id)) for track_id in sorted(track_ids)}


def track_summary(track: Track) -> dict[str, Any]:
    return {
        "id": track.pk,
        "title": track.title,
        "preset": track.preset,
        "preset_label": track.get_preset_label(),
        "key": track.key,
        "camelot": track.camelot,
        "tempo_bpm": track.tempo_bpm,
        "duration_s": track.duration_s,
        "batch": track.batch_id,
        "url": reverse("curation:track", args=[track.pk]),
        "audio": {
            "opus": reverse("curation:track-audio", args=[track.pk, "opus"]),
            "mp3": reverse("curation:track-audio", args=[track.pk, "mp3"]),
        },
        "peaks_url": reverse("curation:track-peaks", args=[track.pk]),
    }


def track_live_summary(*, track_id: int) -> dict[str, Any] | None:
    track = published_tracks().filter(pk=track_id).first()
    return track_summary(track) if track is not None else None


def track_top_live(limit: int = 10) -> list[dict[str, Any]]:
    tracks = track_list(TrackFilters(sort="top")).filter(rating_count__gt=0)[:limit]
    return [{**track_summary(t), "rating": rating_state(getattr(t, "stats", None))} for t in tracks]


def track_new_live(limit: int = 10) -> list[dict[str, Any]]:
    return [track_summary(t) for t in track_list(TrackFilters(sort="new"))[:limit]]


def listener_rating(*, listener_id: int | None, track_id: int) -> int | None:
    if listener_id is None:
        return None
    return (
        Rating.objects.filter(listener_id=listener_id, track_id=track_id)
        .values_list("stars", flat=True)
        .first()
    )


def listener_track_mine(
    *, listener_id: int | None, track_id: int, duration_s: float | None
) -> dict[str, Any]:
    """A listener's own view of a track: their stars, how long they have listened, and
    whether that is enough to rate."""
    listened = 0.0
    if listener_id is not None:
        listened = (
            ListenerTrack.objects.filter(listener_id=listener_id, track_id=track_id)
            .values_list("listened_s", flat=True)
            .first()
        ) or 0.0
    required = listen_required_s(duration_s)
    return {
        "stars": listener_rating(listener_id=listener_id, track_id=track_id),
        "listened_s": round(listened, 1),
        "required_s": round(required, 1),
        "can_rate": heard_enough(listened, required),
    }
