"""Reconciling the per-track aggregates with the raw rows they summarise.

Every rating and listening batch updates TrackStats in its own transaction (O(1) work), so
the figures should never drift; this is the check that they have not (a bug, a manual
edit, a restore), and the repair when they have. The trending score is left out: it adds a
term per vote at the time of the vote, and the raw rows keep only each listener's latest
rating, so it cannot be rebuilt from them. Ratings and listening count only when their
listener is proven and not flagged (curation.rules.counted_voters).
"""

import logging
import math
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum

from curation import realtime, scoring
from curation.models import ListenerTrack, Rating, TrackStats
from curation.rules import counted_voters
from generation.models import Track

logger = logging.getLogger(__name__)

RATING_FIELDS = ["rating_count", "rating_sum", *(f"stars_{k}" for k in scoring.STARS)]
LISTENING_FIELDS = [
    "plays",
    "unique_listeners",
    "listen_seconds",
    "listen_through_sum",
    "completes",
    "skips",
    "replays",
]
FIELDS = RATING_FIELDS + LISTENING_FIELDS


@dataclass(frozen=True)
class Drift:
    track_id: int
    field: str
    stored: float
    recomputed: float


def track_publish(*, track_id: int) -> None:
    """A track generation has just published: open its (empty) stats row, so every ranking
    finds it, and announce it on the live "new" list after commit."""
    TrackStats.objects.get_or_create(track_id=track_id)
    realtime.track_published(track_id)


def stats_recompute(*, track_ids: list[int] | None = None) -> dict[int, dict[str, float]]:
    """Each track's figures computed from the rating, listening-state and event rows."""
    tracks = Track.objects.filter(status=Track.Status.READY)
    if track_ids is not None:
        tracks = tracks.filter(pk__in=track_ids)
    durations = dict(tracks.values_list("pk", "duration_s"))
    figures: dict[int, dict[str, float]] = {pk: dict.fromkeys(FIELDS, 0) for pk in durations}
    ratings: Any = (
        Rating.objects.filter(counted_voters(), track_id__in=durations)
        .values("track_id")
        .annotate(
            rating_count=Count("id"),
            rating_sum=Sum("stars"),
            **{f"stars_{k}": Count("id", filter=Q(stars=k)) for k in scoring.STARS},
        )
    )
    for row in ratings:
        figures[row.pop("track_id")].update(row)
    states = ListenerTrack.objects.filter(
        counted_voters(), track_id__in=durations, last_seq__gt=0
    ).values("track_id", "listened_s", "plays", "completes", "replays", "early_skips")
    for state in states:
        track = figures[state["track_id"]]
        track["unique_listeners"] += 1
        track["plays"] += state["plays"]
        track["completes"] += state["completes"]
        track["replays"] += state["replays"]
        track["skips"] += state["early_skips"]
        track["listen_seconds"] += state["listened_s"]
        duration = durations[state["track_id"]]
        track["listen_through_sum"] += scoring.through(state["listened_s"], duration)
    return figures


def stats_reconcile(*, track_ids: list[int] | None = None, repair: bool = True) -> list[Drift]:
    """Compare stored figures with a recompute; repair the tracks that drifted (if asked)."""
    expected = stats_recompute(track_ids=track_ids)
    stored = {
        row["track_id"]: row
        for row in TrackStats.objects.filter(track_id__in=expected).values("track_id", *FIELDS)
    }
    drifts = [
        Drift(track_id, field, (stored.get(track_id) or {}).get(field, 0), value)
        for track_id, values in sorted(expected.items())
        for field, value in values.items()
        if not _same((stored.get(track_id) or {}).get(field, 0), value)
    ]
    if repair:
        for track_id in sorted({d.track_id for d in drifts}):
            _repair(track_id)
    for drift in drifts:
        logger.warning(
            "track %s: %s was %s, the rows say %s%s",
            drift.track_id,
            drift.field,
            drift.stored,
            drift.recomputed,
            " (repaired)" if repair else "",
        )
    return drifts


def stats_rebuild(*, track_ids: list[int]) -> None:
    """Set these tracks' figures from their rows (after merging two listeners' histories)."""
    for track_id in track_ids:
        _repair(track_id)


def _repair(track_id: int) -> None:
    # Recomputed again under the row lock: votes that landed since the comparison count.
    with transaction.atomic():
        TrackStats.objects.get_or_create(track_id=track_id)
        TrackStats.objects.select_for_update().filter(track_id=track_id).first()
        fresh = stats_recompute(track_ids=[track_id]).get(track_id)
        if fresh is None:  # no longer published
            return
        TrackStats.objects.filter(track_id=track_id).update(**fresh, version=F("version") + 1)
        realtime.rating_changed(track_id)


def _same(stored: float, recomputed: float) -> bool:
    return math.isclose(stored, recomputed, rel_tol=1e-9, abs_tol=1e-6)
