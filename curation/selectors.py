"""Reads for the listening side: track lists with their sorts and filters, live state."""

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    F,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce
from django.urls import reverse

from curation.filters import TrackFilterSet
from curation.models import ListenerTrack, Rating, TrackStats
from curation.ranking import verdict
from curation.rules import heard_enough, listen_required_s
from generation.composer import PRESETS
from generation.models import GenerationBatch, Track

SORTS = {name: verdict.SORTS[name].label for name in verdict.PAGE_SORTS}
# Defined in the verdict; imported here too while album suggestions move over to it.
EMPTY_CROWD_SCORE = verdict.EMPTY_CROWD_SCORE
HOME_LIST_LENGTH = 8  # tracks in each list on the home page


@dataclass(frozen=True)
class TrackFilters:
    sort: str = "new"
    batch: int | None = None
    preset: str | None = None
    key: str | None = None
    tempo_min: float | None = None
    tempo_max: float | None = None


def published_tracks() -> QuerySet[Any]:
    """Ready tracks with their stats joined in (one query, no N+1), annotated with
    rating_count (0 without a stats row)."""
    return (
        Track.objects.filter(status=Track.Status.READY)
        .select_related("batch", "stats")
        .annotate(rating_count=Coalesce(F("stats__rating_count"), 0))
        .defer("peaks", "metrics", "resolved_params", "sections")
    )


def track_list(filters: TrackFilters) -> QuerySet[Any]:
    """Published tracks in the verdict's order for the sort (typed Any: annotated)."""
    given = {k: v for k, v in vars(filters).items() if k != "sort" and v not in (None, "")}
    tracks = TrackFilterSet(given, queryset=published_tracks()).qs  # the one set of filters
    return verdict.ranked(tracks, filters.sort)


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
    """The newest batch with a published track, annotated with ready_count (its published
    tracks)."""
    return (
        GenerationBatch.objects.filter(tracks__status=Track.Status.READY)
        .annotate(ready_count=Count("tracks", filter=Q(tracks__status=Track.Status.READY)))
        .order_by("-created_at")
        .first()
    )


def home_latest_batch_rest(*, batch: GenerationBatch | None, shown: list[Any]) -> list[Any]:
    """The home page's "Latest batch": its published tracks that "New tracks" (`shown`) does
    not list already, newest first. On a first run that is none: the two would repeat."""
    if batch is None:
        return []
    rest = track_list(TrackFilters(batch=batch.pk)).exclude(pk__in=[t.pk for t in shown])
    return list(rest[:HOME_LIST_LENGTH])


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


def track_top_rated(limit: int) -> QuerySet[Any]:
    """The top of the "top" ranking among tracks with at least one rating (the home page's
    and the live "Top" list)."""
    return track_list(TrackFilters(sort="top")).filter(rating_count__gt=0)[:limit]


def track_top_live(limit: int = 10) -> list[dict[str, Any]]:
    tracks = track_top_rated(limit)
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
