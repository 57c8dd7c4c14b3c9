"""Flagged voters: their votes leave every figure (curation.models.VoterFlag).

A flag comes from the arena's anomaly test or repeated verdicts (curation.arena.services), or
from the ratings' anomaly test here: a listener whose ratings sit improbably far from the rest
of the crowd's (curation.anomalies: each rating's p-value beside the others' stars for the
track, combined by Fisher's method), the pattern of identities made to push one track up and
the crowd's favourites down. Tested every minute (beat) over the listeners who rated lately.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from curation import anomalies, scoring
from curation.models import Listener, ListenerTrack, Rating, VoterFlag
from curation.rules import counted_voters
from curation.services.aggregates import stats_rebuild
from curation.services.figures import stats_locked

# Each run tests the listeners who rated in this long (the beat runs every minute; the margin
# covers a late or skipped run).
RECENT = timedelta(minutes=10)


def voter_flag(*, listener_id: int, reason: str, p_value: float, votes: int) -> bool:
    """Flag the listener, once: from now on their votes count nowhere, and what they had
    counted leaves the figures. Returns whether this call flagged them."""
    with transaction.atomic():
        # The listener's row, as their listening batches and their proof take it.
        listener = Listener.objects.select_for_update(no_key=True).get(pk=listener_id)
        _, created = VoterFlag.objects.get_or_create(
            listener_id=listener_id,
            defaults={
                "reason": reason,
                "p_value": p_value,
                "votes": votes,
                "flagged_at": timezone.now(),
            },
        )
        if not created or listener.proven_at is None:
            return created  # nothing of theirs was in the figures
        rated = Rating.objects.select_for_update().filter(listener_id=listener_id)
        # Trending takes back the terms their ratings and plays added.
        terms: dict[int, list[float]] = {}
        for rating in rated.order_by("track_id"):
            # updated_at: when it entered the figures.
            terms.setdefault(rating.track_id, []).append(
                scoring.rating_term(rating.stars, rating.updated_at)
            )
        for state in listener.track_states.filter(plays__gt=0):
            terms.setdefault(state.track_id, []).extend(_play_terms(state, listener.proven_at))
        for track_id in sorted(terms):
            stats = stats_locked(track_id)
            for term in terms[track_id]:
                stats.trend_log = scoring.trend_sub(stats.trend_log, term)
            stats.save(update_fields=["trend_log"])
        heard = set(listener.track_states.values_list("track_id", flat=True))
        # The counts, from the rows that still count (a flagged voter's do not).
        stats_rebuild(track_ids=sorted(set(terms) | heard))
    return True


def _play_terms(state: ListenerTrack, proven_at: datetime) -> list[float]:
    """The trend terms a listener's plays of a track added: plays heard before the proof
    entered at the proof, together; a play after it, when its listening window opened. Only
    the latest window's time is kept, so earlier windows after the proof are taken back as
    if at the proof: a little less than they added, never more."""
    opened = state.window_started_at
    if opened is None or opened <= proven_at:
        return [scoring.trend_term(state.plays, proven_at)]
    terms = [scoring.trend_term(1, opened)]
    if state.plays > 1:
        terms.append(scoring.trend_term(state.plays - 1, proven_at))
    return terms


def ratings_flag_anomalous(*, recent: timedelta = RECENT) -> list[int]:
    """Test the listeners who rated lately (and whose ratings count) for ratings improbably far
    from the rest of the crowd's; flag those who fail. Returns who was flagged.

    The rest of the crowd is its ratings from before the run's window: a cohort voting alike
    at once (sybils made together) would otherwise make its own votes look ordinary. So a
    surge of votes on a track nobody rated before surprises nobody (one of each star)."""
    since = timezone.now() - recent
    lately = Rating.objects.filter(counted_voters(), updated_at__gte=since)
    voters = lately.values_list("listener_id", flat=True).distinct()
    rows = list(
        Rating.objects.filter(counted_voters(), listener_id__in=voters).values_list(
            "listener_id",
            "track_id",
            "stars",
            "updated_at",
            *(f"track__stats__stars_{k}" for k in scoring.STARS),
        )
    )
    given_lately: dict[int, list[int]] = {}  # per track, how many gave 1..5 stars lately
    for track_id, stars, n in lately.values_list("track_id", "stars").annotate(n=Count("id")):
        given_lately.setdefault(track_id, [0] * len(scoring.STARS))[stars - 1] = n
    p_values: dict[int, list[float]] = {}
    for listener_id, track_id, stars, at, *counts in rows:
        before = given_lately.get(track_id, [0] * len(scoring.STARS))
        mine = [int(k == stars and at < since) for k in scoring.STARS]  # their own, if older
        others = [
            max(0, (n or 0) - late - own) for n, late, own in zip(counts, before, mine, strict=True)
        ]
        p_values.setdefault(listener_id, []).append(anomalies.rating_p_value(stars, others))
    return voters_flag_anomalous(p_values, reason=VoterFlag.Reason.RATINGS)


def voters_flag_anomalous(p_values: dict[int, list[float]], *, reason: str) -> list[int]:
    """Flag each listener whose votes' p-values, combined, are too unlikely for sincere votes
    (curation.anomalies); returns them, flagged now or before."""
    anomalous = []
    for listener_id, values in sorted(p_values.items()):
        unlikely, combined = anomalies.is_anomalous(values)
        if unlikely:
            voter_flag(listener_id=listener_id, reason=reason, p_value=combined, votes=len(values))
            anomalous.append(listener_id)
    return anomalous
