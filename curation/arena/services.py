"""Arena writes: a listener's vote (after hearing both tracks), and refitting a batch."""

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from albumvote.exceptions import ApplicationError
from curation.arena import anomalies, pairs
from curation.arena import bradley_terry as bt
from curation.models import ArenaRating, ArenaVote, Listener, ListenerTrack, VoterFlag
from curation.rules import counted_voters, heard_enough
from curation.services.flags import voter_flag, voters_flag_anomalous
from generation.models import Track

# Each track of the pair must have been heard this long (per the listener's own events).
LISTEN_EACH_S = 10.0
SCORES: dict[str, float] = {
    ArenaVote.Outcome.A.value: 1.0,
    ArenaVote.Outcome.B.value: 0.0,
    ArenaVote.Outcome.TIE.value: 0.5,  # half a win to each side
}


@dataclass(frozen=True)
class Reveal:
    a: dict[str, object]
    b: dict[str, object]
    # Whether the verdict counts in the fits (curation.rules.counted_voters): a new listener's
    # is kept and counts once they are proven.
    counted: bool


def arena_vote_submit(
    *, listener_id: int, track_a: object, track_b: object, outcome: object
) -> Reveal:
    """Record a verdict on two tracks of one batch, once both have been heard for
    LISTEN_EACH_S; returns the tracks' names (hidden until the vote)."""
    if outcome not in ArenaVote.Outcome.values:
        raise ApplicationError(
            f"outcome must be one of {', '.join(ArenaVote.Outcome.values)}.",
            details={"field": "outcome", "choices": ArenaVote.Outcome.values},
        )
    ids = []
    for field, value in (("track_a", track_a), ("track_b", track_b)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ApplicationError(f"{field} must be a track id.", details={"field": field})
        ids.append(value)
    if ids[0] == ids[1]:
        raise ApplicationError("Compare two different tracks.", details={"field": "track_b"})
    tracks = {
        t.pk: t
        for t in Track.objects.filter(pk__in=ids, status=Track.Status.READY).only(
            "title", "batch_id", "preset"
        )
    }
    missing = [pk for pk in ids if pk not in tracks]
    if missing:
        raise ApplicationError(
            f"There is no published track {missing[0]}.", code="unknown_track", status_code=404
        )
    a, b = tracks[ids[0]], tracks[ids[1]]
    if a.batch_id != b.batch_id:
        raise ApplicationError("The arena compares tracks of the same batch.")
    heard = dict(
        ListenerTrack.objects.filter(listener_id=listener_id, track_id__in=ids).values_list(
            "track_id", "listened_s"
        )
    )
    short = [pk for pk in ids if not heard_enough(heard.get(pk, 0.0), LISTEN_EACH_S)]
    if short:
        raise ApplicationError(
            f"Listen to both tracks for at least {LISTEN_EACH_S:.0f} s before voting.",
            code="listen_first",
            details={"listened_s": {str(pk): round(heard.get(pk, 0.0), 1) for pk in ids}},
            status_code=403,
        )
    _record_verdict(listener_id, a, b, str(outcome))
    a_side, b_side = ({"id": t.pk, "title": t.title, "preset": t.preset} for t in (a, b))
    counted = Listener.objects.filter(counted_voters(listener=""), pk=listener_id).exists()
    return Reveal(a_side, b_side, counted)


def _record_verdict(listener_id: int, a: Track, b: Track, outcome: str) -> None:
    """The listener's verdict on this pair, replacing any earlier one (kept, marked replaced)."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                ArenaVote.objects.filter(
                    Q(track_a=a, track_b=b) | Q(track_a=b, track_b=a),
                    listener_id=listener_id,
                    replaced=False,
                ).update(replaced=True)
                ArenaVote.objects.create(
                    listener_id=listener_id, track_a=a, track_b=b, outcome=outcome
                )
            return
        except IntegrityError:
            # A verdict of theirs on the same pair landed at the same moment: replace it too.
            if attempt:
                raise


def arena_fit_batch(*, batch_id: int, resamples: int = 1000) -> int:
    """Fit the batch's Bradley-Terry ratings with bootstrap intervals; "both bad" votes, and
    the votes of flagged voters and of listeners not yet proven, are left out. Returns how
    many tracks were rated."""
    track_ids = list(
        Track.objects.filter(batch_id=batch_id, status=Track.Status.READY)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    index = {pk: i for i, pk in enumerate(track_ids)}
    rows = [
        (listener_id, bt.Vote(index[a], index[b], SCORES[outcome]))
        for listener_id, a, b, outcome in ArenaVote.objects.filter(
            # Proven and not flagged, here as in the crowd score.
            counted_voters(),
            track_a_id__in=index,
            track_b_id__in=index,
            replaced=False,
        )
        .exclude(outcome=ArenaVote.Outcome.BOTH_BAD)
        .values_list("listener_id", "track_a_id", "track_b_id", "outcome")
    ]
    repeaters = _flag_repeated_verdicts(index)
    rows = [(listener_id, vote) for listener_id, vote in rows if listener_id not in repeaters]
    # Flag on the point estimate (cheap), refitting without each newly flagged voter until
    # none is left; the bootstrap then runs once, on the votes that count.
    while rows:
        ratings = bt.fit(bt.win_matrix([vote for _, vote in rows], len(track_ids)))
        flagged = _flag_anomalous_voters(rows, ratings)
        if not flagged:
            break
        rows = [(listener_id, vote) for listener_id, vote in rows if listener_id not in flagged]
    votes = [vote for _, vote in rows]
    if not votes:
        return 0
    ratings, low, high = bt.bootstrap(votes, len(track_ids), resamples=resamples)
    counts = [0] * len(track_ids)
    pair_counts = np.zeros((len(track_ids), len(track_ids)))
    for vote in votes:
        counts[vote.a] += 1
        counts[vote.b] += 1
        pair_counts[vote.a, vote.b] += 1
        pair_counts[vote.b, vote.a] += 1
    # With a handful of votes the bootstrap collapses (resampling one vote gives that vote
    # every time); the interval shown is the wider of it and the normal approximation.
    widths = pairs.half_widths(pair_counts, ratings)
    low = np.minimum(low, ratings - widths)
    high = np.maximum(high, ratings + widths)
    now = timezone.now()
    with transaction.atomic():
        for pk, i in index.items():
            ArenaRating.objects.update_or_create(
                track_id=pk,
                defaults={
                    "rating": float(ratings[i]),
                    "low": float(low[i]),
                    "high": float(high[i]),
                    "votes": counts[i],
                    "computed_at": now,
                },
            )
    return len(track_ids)


def _flag_repeated_verdicts(index: dict[int, int]) -> set[int]:
    """Flag voters who gave one pair of this batch more verdicts than anomalies.MAX_REPEATS
    (only their latest counts, but stuffing the same pair is a sign of its own)."""
    repeated = (
        ArenaVote.objects.filter(track_a_id__in=index, track_b_id__in=index)
        .values("listener_id", low=Least("track_a", "track_b"), high=Greatest("track_a", "track_b"))
        .annotate(n=Count("id"))
        .filter(n__gt=anomalies.MAX_REPEATS)
    )
    flagged = set()
    for row in repeated:
        voter_flag(
            listener_id=row["listener_id"],
            reason=VoterFlag.Reason.REPEATS,
            p_value=0.0,
            votes=row["n"],
        )
        flagged.add(row["listener_id"])
    return flagged


def _flag_anomalous_voters(rows: list[tuple[int, bt.Vote]], ratings: Any) -> set[int]:
    """Flag voters whose votes the fitted model finds too unlikely (curation.arena.anomalies);
    returns who was flagged. Flagged votes are kept, for audit, and left out of fits."""
    per_listener: dict[int, list[float]] = {}
    for listener_id, vote in rows:
        p = anomalies.vote_p_value(ratings[vote.a], ratings[vote.b], vote.score)
        per_listener.setdefault(listener_id, []).append(p)
    return set(voters_flag_anomalous(per_listener, reason=VoterFlag.Reason.UNLIKELY))


def arena_refit_stale() -> list[int]:
    """Refit every batch with votes newer than its ratings (beat, every minute: fitting
    with the bootstrap per vote would cost a second of CPU per vote)."""
    stale = []
    latest_votes = (
        ArenaVote.objects.values("track_a__batch_id")
        .annotate(last=Max("created_at"))
        .values_list("track_a__batch_id", "last")
    )
    for batch_id, last_vote in latest_votes:
        fitted = ArenaRating.objects.filter(track__batch_id=batch_id).aggregate(
            at=Max("computed_at")
        )["at"]
        if fitted is None or fitted < last_vote:
            arena_fit_batch(batch_id=batch_id)
            stale.append(batch_id)
    return stale
