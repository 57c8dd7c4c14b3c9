"""Reads for the listening side: track lists with their sorts and filters, live state."""

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce

from albumvote.builders import build
from curation.filters import TrackFilterSet
from curation.models import ListenerTrack, Rating, TrackStats
from curation.ranking import verdict
from curation.rules import counted_voters, heard_enough, listen_required_s
from curation.serializers import MineSerializer, TrackSummarySerializer, stats_or_empty
from curation.serializers import rating_state as rating_state  # pages show it too
from generation.composer import PRESETS
from generation.models import GenerationBatch, Track

SORTS = {name: verdict.SORTS[name].label for name in verdict.PAGE_SORTS}
# Defined in the verdict; imported here too while album suggestions move over to it.
EMPTY_CROWD_SCORE = verdict.EMPTY_CROWD_SCORE
HOME_LIST_LENGTH = 8  # tracks in each list on the home page
LIVE_LIST_LENGTH = 10  # tracks in the live "Top" and "New" lists


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


# --- what the live lists and events show (shaped by curation.serializers) ----------------------


def track_summary(track: Track) -> dict[str, Any]:
    return build(TrackSummarySerializer, track)


def track_stats(*, track_id: int) -> TrackStats:
    return stats_or_empty(TrackStats.objects.filter(track_id=track_id).first())


def track_stats_many(*, track_ids: list[int]) -> dict[int, TrackStats]:
    """Stats of many tracks in one query, by track id in order (an empty row's for a track
    without one)."""
    found = {s.track_id: s for s in TrackStats.objects.filter(track_id__in=track_ids)}
    return {track_id: stats_or_empty(found.get(track_id)) for track_id in sorted(track_ids)}


def track_top_rated(limit: int) -> QuerySet[Any]:
    """The top of the "top" ranking among tracks with at least one rating (the home page's
    and the live "Top" list)."""
    return track_list(TrackFilters(sort="top")).filter(rating_count__gt=0)[:limit]


def track_newest(limit: int = LIVE_LIST_LENGTH) -> QuerySet[Any]:
    """The live "New" list."""
    return track_list(TrackFilters(sort="new"))[:limit]


def listener_rating(*, listener_id: int | None, track_id: int) -> tuple[int | None, bool]:
    """A listener's stars for the track, and whether they count (curation.rules.counted_voters)."""
    if listener_id is None:
        return None, False
    mine = (
        Rating.objects.filter(listener_id=listener_id, track_id=track_id)
        .annotate(counted=ExpressionWrapper(counted_voters(), output_field=BooleanField()))
        .values_list("stars", "counted")
        .first()
    )
    return (None, False) if mine is None else (mine[0], bool(mine[1]))


def listener_track_listening(
    *, listener_id: int | None, track_id: int, duration_s: float | None
) -> dict[str, Any]:
    """A listener's own view of a track: their stars (and whether they count), how long they
    have listened, and whether that is enough to rate (to be shaped by MineSerializer)."""
    listened = 0.0
    if listener_id is not None:
        listened = (
            ListenerTrack.objects.filter(listener_id=listener_id, track_id=track_id)
            .values_list("listened_s", flat=True)
            .first()
        ) or 0.0
    required = listen_required_s(duration_s)
    stars, counted = listener_rating(listener_id=listener_id, track_id=track_id)
    return {
        "stars": stars,
        "counted": counted,
        "listened_s": listened,
        "required_s": required,
        "can_rate": heard_enough(listened, required),
    }


def listener_track_mine(
    *, listener_id: int | None, track_id: int, duration_s: float | None
) -> dict[str, Any]:
    """listener_track_listening, as the rating API shows it."""
    mine = listener_track_listening(
        listener_id=listener_id, track_id=track_id, duration_s=duration_s
    )
    return build(MineSerializer, mine)
