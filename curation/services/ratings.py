"""Ratings: 1 to 5 stars, only after listening, with the track's figures kept in step."""

import math
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from albumvote.exceptions import ApplicationError
from curation import realtime
from curation.models import ListenerTrack, Rating, RefusedAttempt, TrackStats
from curation.rules import listen_required_s
from curation.services.refusals import refusal_count
from generation.models import Track


@dataclass(frozen=True)
class RatingResult:
    stars: int | None
    stats: TrackStats
    created: bool


def rating_submit(*, listener_id: int, track_id: int, stars: object) -> RatingResult:
    """Create or change a listener's rating of a track.

    This is the hot path of the site, so it is few round trips: one query that locks the
    listener's listening row for this track (serialising their own concurrent votes) and reads
    the track, their listen time and their old rating; one write for the rating; one
    UPDATE ... RETURNING for the figures.
    """
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise ApplicationError(
            f"stars must be a whole number from 1 to 5, got {stars!r}.",
            details={"field": "stars"},
        )
    with transaction.atomic():
        state = (
            ListenerTrack.objects.select_for_update(of=("self",))
            .filter(listener_id=listener_id, track_id=track_id)
            .annotate(
                old_stars=Subquery(
                    Rating.objects.filter(
                        listener_id=OuterRef("listener_id"), track_id=OuterRef("track_id")
                    ).values("stars")[:1]
                )
            )
            .values("listened_s", "old_stars", "track__status", "track__duration_s")
            .first()
        )
        if state is None:
            # Never listened: the row that would be locked does not exist.
            track = _published_track(track_id)
            _refuse_unlistened(track_id, 0.0, listen_required_s(track.duration_s))
        assert state is not None
        if state["track__status"] != Track.Status.READY:
            raise _unknown_track(track_id)
        required = listen_required_s(state["track__duration_s"])
        if state["listened_s"] + 1e-6 < required:
            _refuse_unlistened(track_id, state["listened_s"], required)
        old = state["old_stars"]
        if old == stars:
            return RatingResult(stars=stars, stats=_stats(track_id), created=False)
        if old is None:
            Rating.objects.create(listener_id=listener_id, track_id=track_id, stars=stars)
        else:
            Rating.objects.filter(listener_id=listener_id, track_id=track_id).update(
                stars=stars, updated_at=timezone.now()
            )
        stats = _apply_returning(track_id, removed=old, added=stars)
    return RatingResult(stars=stars, stats=stats, created=old is None)


def _refuse_unlistened(track_id: int, listened: float, required: float) -> None:
    refusal_count(track_id=track_id, kind="rating", reason=RefusedAttempt.Reason.NOT_LISTENED)
    # Whole seconds, rounded so that "needed" never reads as less than "listened".
    raise ApplicationError(
        f"Listen a little longer before rating: {math.ceil(required)} s are needed and "
        f"you have listened for {math.floor(listened)} s.",
        code="listen_first",
        details={"listened_s": round(listened, 1), "required_s": required},
        status_code=403,
    )


def rating_withdraw(*, listener_id: int, track_id: int) -> RatingResult:
    """Take a rating back; withdrawing a rating that is not there is not an error."""
    _published_track(track_id)
    with transaction.atomic():
        rating = (
            Rating.objects.select_for_update()
            .filter(listener_id=listener_id, track_id=track_id)
            .first()
        )
        if rating is None:
            return RatingResult(stars=None, stats=_stats(track_id), created=False)
        rating.delete()
        stats = _apply(track_id, removed=rating.stars, added=None)
    return RatingResult(stars=None, stats=stats, created=False)


def rating_recount_track(*, track_id: int) -> TrackStats:
    """Recompute a track's rating figures from its rating rows (after merges and repairs)."""
    with transaction.atomic():
        stats = _locked_stats(track_id)
        figures = Rating.objects.filter(track_id=track_id).aggregate(
            count=Count("id"),
            total=Sum("stars"),
            **{f"n{k}": Count("id", filter=Q(stars=k)) for k in range(1, 6)},
        )
        stats.rating_count = figures["count"]
        stats.rating_sum = figures["total"] or 0
        for k in range(1, 6):
            setattr(stats, f"stars_{k}", figures[f"n{k}"])
        stats.version += 1
        stats.save()
        realtime.rating_changed(track_id)
    return stats


def _published_track(track_id: int) -> Track:
    track = Track.objects.filter(pk=track_id).only("status", "duration_s").first()
    if track is None or track.status != Track.Status.READY:
        raise _unknown_track(track_id)
    return track


def _unknown_track(track_id: int) -> ApplicationError:
    return ApplicationError(
        f"There is no published track {track_id}.",
        code="unknown_track",
        details={"track": track_id},
    )


def _locked_stats(track_id: int) -> TrackStats:
    stats = TrackStats.objects.select_for_update().filter(track_id=track_id).first()
    if stats is None:
        TrackStats.objects.get_or_create(track_id=track_id)
        stats = TrackStats.objects.select_for_update().get(track_id=track_id)
    return stats


def _apply(track_id: int, *, removed: int | None, added: int | None) -> TrackStats:
    """O(1) update of the figures for one changed vote, under the stats row's lock."""
    stats = _locked_stats(track_id)
    if removed is not None:
        stats.rating_count -= 1
        stats.rating_sum -= removed
        setattr(stats, f"stars_{removed}", getattr(stats, f"stars_{removed}") - 1)
    if added is not None:
        stats.rating_count += 1
        stats.rating_sum += added
        setattr(stats, f"stars_{added}", getattr(stats, f"stars_{added}") + 1)
    stats.version += 1
    stats.save()
    realtime.rating_changed(track_id)
    return stats


STATS_COLUMNS = [
    "rating_count",
    "rating_sum",
    "stars_1",
    "stars_2",
    "stars_3",
    "stars_4",
    "stars_5",
    "version",
]


def _apply_returning(track_id: int, *, removed: int | None, added: int) -> TrackStats:
    """The O(1) update of _apply as one UPDATE ... RETURNING (PostgreSQL and SQLite)."""
    star_changes = {k: (1 if k == added else 0) - (1 if k == removed else 0) for k in range(1, 6)}
    assignments = ", ".join(
        [
            "rating_count = rating_count + %s",
            "rating_sum = rating_sum + %s",
            *(f"stars_{k} = stars_{k} + %s" for k in range(1, 6)),
            "version = version + 1",
            "updated_at = %s",
        ]
    )
    params = [
        0 if removed is not None else 1,
        added - (removed or 0),
        *star_changes.values(),
        timezone.now(),
        track_id,
    ]
    table = TrackStats._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} WHERE track_id = %s "
            f"RETURNING {', '.join(STATS_COLUMNS)}",
            params,
        )
        row = cursor.fetchone()
    if row is None:  # a track published before its stats row existed
        TrackStats.objects.get_or_create(track_id=track_id)
        return _apply_returning(track_id, removed=removed, added=added)
    realtime.rating_changed(track_id)
    return TrackStats(track_id=track_id, **dict(zip(STATS_COLUMNS, row, strict=True)))


def _stats(track_id: int) -> TrackStats:
    return TrackStats.objects.filter(track_id=track_id).first() or TrackStats(track_id=track_id)
