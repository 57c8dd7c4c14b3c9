"""Ratings: 1 to 5 stars, only after listening, with the track's figures kept in step.

A rating counts in the figures (stars, crowd score, trending) only once its listener is proven
(Listener.proven_at, curation.rules.PROVEN_LISTENING_S): before that it is stored, and shown to
its listener as theirs, and the figures never see it, nor any change or withdrawal of it. The
proof applies all the listener's stored ratings, and their listening, at once (listener_prove).
"""

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.models import Count, Q, Sum

from albumvote.exceptions import ApplicationError
from curation import realtime, scoring
from curation.models import Listener, ListenerTrack, Rating, RefusedAttempt, TrackStats, VoterFlag
from curation.rules import (
    LISTEN_FIRST_S,
    LISTEN_FIRST_SHARE,
    LISTEN_TOLERANCE_S,
    counted_voters,
)
from curation.services.figures import NOTHING, Heard, listening_add, stats_locked
from curation.services.refusals import refusal_count
from generation.models import Track

DEADLOCK = "40P01"


@dataclass(frozen=True)
class RatingResult:
    stars: int | None
    stats: TrackStats
    created: bool
    # Whether the rating is in the track's figures (false while its listener is not proven).
    counted: bool = False
    # Whether the figures changed (they are broadcast when they did).
    changed: bool = False


@dataclass(frozen=True)
class Vote:
    listener_id: int | None
    user_id: int | None
    track_id: int
    stars: int


def rating_submit(
    *, listener_id: int | None, track_id: int, stars: object, user_id: int | None = None
) -> RatingResult:
    """Create or change a listener's rating of a track.

    The listener is the user's when `user_id` is given, else `listener_id` if it is still an
    anonymous listener (not adopted by an account). This is the hot path of the site: the
    whole vote is one call of the `curation_rate` PostgreSQL function (one round trip).
    """
    stars_check(stars)
    assert isinstance(stars, int)
    vote = Vote(listener_id, user_id, track_id, stars)
    result = _result_of(vote, _rate_in_database(vote))
    if isinstance(result, ApplicationError):
        raise result
    if result.changed:
        realtime.rating_changed(track_id)
    return result


def _rate_in_database(vote: Vote) -> tuple[Any, ...]:
    """One call of curation_rate: its row."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM curation_rate(%s, %s, %s, %s, {RULES})",
            [vote.listener_id, vote.user_id, vote.track_id, vote.stars, *_rules()],
        )
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


# Deadlocks between two processes' groups are possible (each holds its rows until it
# commits); PostgreSQL ends one, which is then written again.
GROUP_ATTEMPTS = 3


def ratings_submit_many(votes: list[Vote]) -> list[RatingResult | ApplicationError]:
    """Many votes (each checked as rating_submit checks one: stars_check first) in one
    transaction by one statement, curation_rate_many (migration 0021: each track's figures
    row updated once for the group), each answered as rating_submit would (a refusal as the
    error it would raise; refusals are counted the same), with its track's figures after the
    group. Once it returns, every vote is committed: a group commit (curation/groupcommit.py).
    Sorted by track, the groups of two processes take their rows in the same order."""
    if not votes:
        return []
    order = sorted(range(len(votes)), key=lambda n: (votes[n].track_id, n))
    columns = [[getattr(votes[n], name) for n in order] for name in Vote.__dataclass_fields__]
    for attempt in range(1, GROUP_ATTEMPTS + 1):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT * FROM curation_rate_many(%s::bigint[], %s::integer[], "
                    f"%s::bigint[], %s::integer[], {RULES})",
                    [*columns, *_rules()],
                )
                rows = [row[1:] for row in cursor.fetchall()]  # after the vote's number
                results = {n: _result_of(votes[n], row) for n, row in zip(order, rows, strict=True)}
                changed = sorted(
                    {
                        r.stats.track_id
                        for r in results.values()
                        if isinstance(r, RatingResult) and r.changed
                    }
                )
                if changed:
                    realtime.ratings_changed(changed)
            break
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != DEADLOCK or attempt == GROUP_ATTEMPTS:
                raise
    return [results[n] for n in range(len(votes))]


def stars_check(stars: object) -> None:
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise ApplicationError(
            f"stars must be a whole number from 1 to 5, got {stars!r}.",
            details={"field": "stars"},
        )


# Every rule and constant comes from here (rules, scoring); the function has none.
RULES = "%s, %s, %s, %s, %s, %s, %s"


def _rules() -> list[Any]:
    return [
        LISTEN_FIRST_S,
        LISTEN_FIRST_SHARE,
        LISTEN_TOLERANCE_S,
        [scoring.rating_weight(k) for k in scoring.STARS],
        scoring.TREND_RATE,
        scoring.TREND_EPOCH,
        scoring.TREND_EMPTY,
    ]


def _result_of(vote: Vote, row: tuple[Any, ...]) -> RatingResult | ApplicationError:
    """One vote's row of curation_rate, as rating_submit answers it."""
    outcome, _, listened, required, created, counted = row[:6]
    if outcome == "unknown_track":
        return _unknown_track(vote.track_id)
    if outcome == "listen_first":
        return _refuse_unlistened(vote.track_id, listened, required)
    # A track whose figures row is not open yet has none: zeros.
    figures = {name: value or 0 for name, value in zip(STATS_COLUMNS, row[6:], strict=True)}
    return RatingResult(
        stars=vote.stars,
        stats=TrackStats(track_id=vote.track_id, **figures),
        created=bool(created),
        counted=bool(counted),
        changed=outcome == "changed",
    )


def _refuse_unlistened(track_id: int, listened: float, required: float) -> ApplicationError:
    refusal_count(track_id=track_id, kind="rating", reason=RefusedAttempt.Reason.NOT_LISTENED)
    # Whole seconds, rounded so that "needed" never reads as less than "listened".
    return ApplicationError(
        f"Listen a little longer before rating: {math.ceil(required)} s are needed and "
        f"you have listened for {math.floor(listened)} s.",
        code="listen_first",
        details={"listened_s": round(listened, 1), "required_s": round(required, 1)},
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
        # Read after the rating's lock: a proof in progress waits for it (listener_prove locks
        # the ratings it applies), so this sees whether the rating was applied.
        if not Listener.objects.filter(counted_voters(listener=""), pk=listener_id).exists():
            return RatingResult(stars=None, stats=_stats(track_id), created=False)
        stats = _apply_withdrawal(track_id, rating)
    return RatingResult(stars=None, stats=stats, created=False)


def listener_prove(*, listener_id: int, at: datetime) -> bool:
    """The listener has shown real listening (curation.rules.proven): from `at` their ratings
    count, the ones they gave before entering the figures once, as if given then. Once only,
    however many callers race: the UPDATE locks the row and checks proven_at on its latest
    version. Returns whether this call proved them.

    Ratings and then tracks are locked in id order, so two proofs at once cannot deadlock."""
    with transaction.atomic():
        if not Listener.objects.filter(pk=listener_id, proven_at__isnull=True).update(proven_at=at):
            return False
        if not VoterFlag.objects.filter(listener_id=listener_id).exists():
            _count_held(listener_id, at)
    return True


def _count_held(listener_id: int, at: datetime) -> None:
    """Add the listener's held ratings and listening to the figures, track by track in id
    order. Their listening rows do not change meanwhile: every listening batch of theirs
    holds their listener row, and so does this proof (curation.services.listening)."""
    held = {
        r.track_id: r
        for r in Rating.objects.select_for_update()
        .filter(listener_id=listener_id)
        .order_by("track_id")
    }
    heard = {
        state.track_id: state
        for state in ListenerTrack.objects.filter(listener_id=listener_id, last_seq__gt=0)
        .select_related("track")
        .only("listened_s", "plays", "completes", "early_skips", "replays", "track__duration_s")
    }
    for track_id in sorted(held.keys() | heard.keys()):
        if track_id in heard:
            state = heard[track_id]
            listening_add(
                track_id,
                before=NOTHING,
                after=Heard.of(state),
                duration=state.track.duration_s,
                new_listener=True,
                at=at,
            )
        if track_id in held:
            stats = stats_locked(track_id)
            _add_vote(stats, held[track_id].stars, 1)
            given = scoring.rating_term(held[track_id].stars, at)
            stats.trend_log = scoring.trend_add(stats.trend_log, given)
            stats.version += 1
            stats.save()
        realtime.rating_changed(track_id)
    # Trending weighs a rating from when it entered the figures (a withdrawal takes back the
    # term given then).
    Rating.objects.filter(pk__in=[r.pk for r in held.values()]).update(updated_at=at)


def rating_recount_track(*, track_id: int) -> TrackStats:
    """Recompute a track's rating figures from its rating rows (after merges and repairs)."""
    with transaction.atomic():
        stats = stats_locked(track_id)
        figures = Rating.objects.filter(
            track_id=track_id, listener__proven_at__isnull=False
        ).aggregate(
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


def _apply_withdrawal(track_id: int, rating: Rating) -> TrackStats:
    """O(1) update of the figures for one withdrawn vote, under the stats row's lock: its
    counts, and the trend term it added when it was given (curation_rate adds it)."""
    stats = stats_locked(track_id)
    stars = rating.stars
    _add_vote(stats, stars, -1)
    given = scoring.rating_term(stars, rating.updated_at)
    stats.trend_log = scoring.trend_sub(stats.trend_log, given)
    stats.version += 1
    stats.save()
    realtime.rating_changed(track_id)
    return stats


def _add_vote(stats: TrackStats, stars: int, sign: int) -> None:
    stats.rating_count += sign
    stats.rating_sum += sign * stars
    setattr(stats, f"stars_{stars}", getattr(stats, f"stars_{stars}") + sign)


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


def _stats(track_id: int) -> TrackStats:
    return TrackStats.objects.filter(track_id=track_id).first() or TrackStats(track_id=track_id)
