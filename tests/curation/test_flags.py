"""Flagged voters (issue 11, 1.4 and 1.6): identities patient enough to be proven, then used
to push one track up and the crowd's favourites down, are found by the ratings' anomaly test
(Fisher's method, as Chatbot Arena finds insincere voters), and a flagged voter's votes leave
every figure."""

import random
from datetime import timedelta

import pytest
from django.db.models import F

from curation import anomalies
from curation.arena import services as arena
from curation.models import ArenaRating, Listener, Rating, TrackStats, VoterFlag
from curation.services import ratings
from curation.services.aggregates import stats_reconcile
from curation.services.flags import ratings_flag_anomalous
from curation.tasks import flag_raters
from tests.curation.helpers import listen
from tests.factories import GenerationBatchFactory, ListenerFactory, ReadyTrackFactory

pytestmark = pytest.mark.django_db


def rate(listener: Listener, track, stars: int) -> ratings.RatingResult:
    listen(listener, track, 25, session=f"s{track.pk}")
    return ratings.rating_submit(listener_id=listener.pk, track_id=track.pk, stars=stars)


def figures(tracks) -> list[float]:
    """Each track's rating count, star sum and trend, one after another (for approx)."""
    rows = {s.track_id: s for s in TrackStats.objects.filter(track__in=tracks)}
    return [
        value
        for t in tracks
        for value in (rows[t.pk].rating_count, rows[t.pk].rating_sum, rows[t.pk].trend_log)
    ]


@pytest.fixture
def crowd():
    """Six tracks of one batch: five the crowd loves, one it finds middling, each rated by
    twelve listeners with tastes of their own. Returns the tracks."""
    batch = GenerationBatchFactory.create()
    tracks = [ReadyTrackFactory.create(batch=batch, duration_s=120.0) for _ in range(6)]
    rng = random.Random(5)
    for _ in range(12):
        person = ListenerFactory.create()
        leaning = rng.gauss(0, 0.3)
        for n, track in enumerate(tracks):
            quality = 4.4 if n < 5 else 2.6
            rate(person, track, max(1, min(5, round(quality + leaning + rng.gauss(0, 0.6)))))
    an_hour_ago()
    return tracks


def an_hour_ago() -> None:
    """As if every rating so far had been given an hour ago (before the test's window)."""
    Rating.objects.update(updated_at=F("updated_at") - timedelta(hours=1))


def test_the_p_value_of_a_rating_beside_the_crowds():
    loved = [0, 0, 1, 10, 20]
    assert anomalies.rating_p_value(1, loved) < 0.06
    assert anomalies.rating_p_value(4, loved) > 0.5
    assert anomalies.rating_p_value(5, loved) > 0.5
    assert anomalies.rating_p_value(1, [0, 0, 0, 0, 0]) >= 0.4  # nobody rated: no surprise


def test_a_proven_sybil_pushing_one_track_and_burying_the_favourites_is_flagged(crowd):
    tracks = crowd
    before = figures(tracks)
    sybil = ListenerFactory.create()  # patient: proven, as five minutes of listening make it
    target, favourites = tracks[-1], tracks[:-1]
    assert rate(sybil, target, 5).counted is True
    for track in favourites:
        rate(sybil, track, 1)
    assert figures(tracks) != pytest.approx(before, rel=0, abs=1e-6)

    assert flag_raters() == [sybil.pk]
    flag = VoterFlag.objects.get()
    assert flag.listener_id == sybil.pk and flag.reason == VoterFlag.Reason.RATINGS
    assert flag.p_value < anomalies.ALPHA and flag.votes == 6
    # Their ratings leave the figures (trending too), stored for audit; nobody honest is flagged.
    assert figures(tracks) == pytest.approx(before, rel=0, abs=1e-6)
    assert stats_reconcile(repair=False) == []
    assert ratings_flag_anomalous() == []

    # From then on nothing of theirs counts: ratings, listening, arena verdicts.
    assert rate(sybil, target, 4).counted is False
    listened = TrackStats.objects.get(track=target).listen_seconds
    listen(sybil, target, 30, session="later")
    assert TrackStats.objects.get(track=target).listen_seconds == listened
    arena.arena_vote_submit(
        listener_id=sybil.pk, track_a=target.pk, track_b=favourites[0].pk, outcome="a"
    )
    arena.arena_fit_batch(batch_id=target.batch_id, resamples=20)
    assert not ArenaRating.objects.exists()  # theirs was the only verdict
    assert stats_reconcile(repair=False) == []


def test_listeners_with_tastes_of_their_own_are_not_flagged():
    """Forty sincere listeners, each leaning their own way, with noise, rated an hour ago;
    thirty more rate now, and are compared with them: nobody is flagged."""
    tracks = [ReadyTrackFactory.create(duration_s=120.0) for _ in range(6)]
    quality = [4.5, 4.0, 3.5, 3.0, 2.5, 2.0]
    rng = random.Random(8)
    for n in range(70):
        if n == 40:
            an_hour_ago()
        person = ListenerFactory.create()
        leaning = rng.gauss(0, 0.4)
        for track, q in zip(tracks, quality, strict=True):
            rate(person, track, max(1, min(5, round(q + leaning + rng.gauss(0, 0.7)))))
    assert ratings_flag_anomalous() == []


def test_sybils_made_together_do_not_hide_behind_each_other(crowd):
    """Seen (bench/stuffing.py): 15 proven sybils gave the same votes, and each one's votes
    looked ordinary beside a crowd that held the other fourteen's. Each listener tested is
    compared with the crowd without everyone tested in the same run."""
    tracks = crowd
    before = figures(tracks)
    sybils = [ListenerFactory.create() for _ in range(5)]
    for sybil in sybils:
        rate(sybil, tracks[-1], 5)
        for track in tracks[:-1]:
            rate(sybil, track, 1)
    assert sorted(flag_raters()) == sorted(s.pk for s in sybils)
    assert figures(tracks) == pytest.approx(before, rel=0, abs=1e-6)
    assert stats_reconcile(repair=False) == []


def test_the_rule_is_published(client):
    rules = client.get("/how-ranking-works/").content.decode()
    assert "Votes far from everyone else\u2019s are set aside." in rules
    assert "under one chance in 1,000, with at least 5 ratings" in rules
