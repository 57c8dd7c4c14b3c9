"""A listener's listening, added to a track's figures (TrackStats).

Two writers add it: each listening batch of a proven listener adds what the batch changed
(curation.services.listening), and the proof of a new listener adds everything they had
heard until then, held out of the figures meanwhile (curation.services.ratings).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F

from curation import scoring
from curation.models import ListenerTrack, TrackStats


@dataclass(frozen=True)
class Heard:
    """The parts of a ListenerTrack that the track's figures add up."""

    listened_s: float = 0.0
    plays: int = 0
    completes: int = 0
    early_skips: int = 0
    replays: int = 0

    @classmethod
    def of(cls, state: ListenerTrack) -> "Heard":
        return cls(state.listened_s, state.plays, state.completes, state.early_skips, state.replays)


NOTHING = Heard()


def listening_add(
    track_id: int,
    *,
    before: Heard,
    after: Heard,
    duration: float | None,
    new_listener: bool,
    at: datetime,
) -> None:
    """Add to the track's figures what took one listener's listening from `before` to
    `after`; plays enter trending as if played `at`."""
    changes: dict[str, Any] = {
        "listen_seconds": F("listen_seconds") + (after.listened_s - before.listened_s),
        "listen_through_sum": F("listen_through_sum")
        + (
            scoring.through(after.listened_s, duration)
            - scoring.through(before.listened_s, duration)
        ),
        "plays": F("plays") + (after.plays - before.plays),
        "completes": F("completes") + (after.completes - before.completes),
        "replays": F("replays") + (after.replays - before.replays),
        "skips": F("skips") + (after.early_skips - before.early_skips),
    }
    if new_listener:
        changes["unique_listeners"] = F("unique_listeners") + 1
    if after.plays > before.plays:
        term = scoring.trend_term(after.plays - before.plays, at)
        changes["trend_log"] = scoring.db_trend_add(term)
    if not TrackStats.objects.filter(track_id=track_id).update(**changes):
        TrackStats.objects.get_or_create(track_id=track_id)
        TrackStats.objects.filter(track_id=track_id).update(**changes)


def stats_locked(track_id: int) -> TrackStats:
    """The track's figures row, locked for this transaction (opened if it is not yet)."""
    stats = TrackStats.objects.select_for_update().filter(track_id=track_id).first()
    if stats is None:
        TrackStats.objects.get_or_create(track_id=track_id)
        stats = TrackStats.objects.select_for_update().get(track_id=track_id)
    return stats
