"""Ratings through the service: listen first, one row per listener, figures kept in step."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from albumvote.exceptions import ApplicationError
from curation import scoring
from curation.models import Rating, RefusedAttempt, TrackStats
from curation.services import ratings
from curation.services.refusals import refusals_flush
from tests.curation.helpers import established, listen
from tests.factories import ListenerFactory, ReadyTrackFactory, TrackFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def track():
    return ReadyTrackFactory.create(duration_s=120.0)


def test_rating_before_listening_is_refused_with_the_reason_and_counted(track):
    listener = ListenerFactory.create()
    listen(listener, track, 10)
    with pytest.raises(ApplicationError) as caught:
        ratings.rating_submit(listener_id=listener.pk, track_id=track.pk, stars=4)
    error = caught.value
    assert error.code == "listen_first"
    assert error.status_code == 403
    assert "20 s are needed" in error.message and "listened for 10 s" in error.message
    assert error.details == {"listened_s": 10.0, "required_s": 20.0}
    assert not Rating.objects.exists()
    refusals_flush()
    refused = RefusedAttempt.objects.get(track=track, reason="not_listened")
    assert (refused.kind, refused.count) == ("rating", 1)


def test_a_short_track_needs_thirty_percent(track):
    short = ReadyTrackFactory.create(duration_s=50.0)
    listener = ListenerFactory.create()
    listen(listener, short, 15)  # 30% of 50 s is 15 s, less than 20 s
    result = ratings.rating_submit(listener_id=listener.pk, track_id=short.pk, stars=5)
    assert result.created and result.stars == 5


def test_rate_change_and_withdraw_keep_one_row_and_the_figures(track):
    listener = ListenerFactory.create()
    listen(listener, track, 25)
    first = ratings.rating_submit(listener_id=listener.pk, track_id=track.pk, stars=2)
    assert first.created and first.stats.rating_count == 1 and first.stats.stars_2 == 1
    changed = ratings.rating_submit(listener_id=listener.pk, track_id=track.pk, stars=5)
    assert not changed.created
    assert Rating.objects.get().stars == 5
    stats = TrackStats.objects.get(track=track)
    assert (stats.rating_count, stats.rating_sum, stats.stars_2, stats.stars_5) == (1, 5, 0, 1)
    assert stats.version == 2
    withdrawn = ratings.rating_withdraw(listener_id=listener.pk, track_id=track.pk)
    assert withdrawn.stars is None and withdrawn.stats.rating_count == 0
    assert not Rating.objects.exists()
    # Withdrawing twice is not an error.
    ratings.rating_withdraw(listener_id=listener.pk, track_id=track.pk)


@pytest.mark.parametrize("stars", [0, 6, -1, 3.5, "4", True, None])
def test_stars_outside_one_to_five_are_refused(track, stars):
    listener = ListenerFactory.create()
    listen(listener, track, 25)
    with pytest.raises(ApplicationError, match="stars must be a whole number from 1 to 5"):
        ratings.rating_submit(listener_id=listener.pk, track_id=track.pk, stars=stars)


def test_unknown_or_unpublished_tracks_are_refused():
    listener = ListenerFactory.create()
    hidden = TrackFactory.create(status="rejected")
    for track_id in (hidden.pk, 987654):
        with pytest.raises(ApplicationError) as caught:
            ratings.rating_submit(listener_id=listener.pk, track_id=track_id, stars=3)
        assert caught.value.code == "unknown_track"


def test_the_database_keeps_one_rating_per_listener_and_track_and_stars_in_range(track):
    listener = ListenerFactory.create()
    Rating.objects.create(listener=listener, track=track, stars=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(listener=listener, track=track, stars=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(listener=ListenerFactory.create(), track=track, stars=9)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    actions=st.lists(
        st.tuples(st.integers(0, 3), st.one_of(st.none(), st.integers(1, 5))),
        min_size=1,
        max_size=25,
    )
)
def test_any_sequence_of_rate_change_withdraw_matches_a_recount(actions):
    """Aggregates updated one vote at a time equal a recompute from the raw rows."""
    track = ReadyTrackFactory.create(duration_s=60.0)
    people = [ListenerFactory.create() for _ in range(4)]
    for person in people:
        listen(person, track, 18)
    for who, stars in actions:
        if stars is None:
            ratings.rating_withdraw(listener_id=people[who].pk, track_id=track.pk)
        else:
            ratings.rating_submit(listener_id=people[who].pk, track_id=track.pk, stars=stars)
    live = TrackStats.objects.get(track=track)
    recount = ratings.rating_recount_track(track_id=track.pk)
    rows = list(Rating.objects.filter(track=track).values_list("stars", flat=True))
    assert live.rating_count == recount.rating_count == len(rows)
    assert live.rating_sum == recount.rating_sum == sum(rows)
    assert live.distribution == recount.distribution == {str(k): rows.count(k) for k in range(1, 6)}


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_of_one_listener_count_once(postgres_required):
    """A double click sends two first ratings at once: one row, counted once."""
    import threading

    from django.db import close_old_connections

    track = ReadyTrackFactory.create(duration_s=60.0)
    listener = ListenerFactory.create()
    listen(listener, track, 20)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def vote(stars: int) -> None:
        try:
            barrier.wait()
            ratings.rating_submit(listener_id=listener.pk, track_id=track.pk, stars=stars)
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=vote, args=(1 + n % 5,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stats = TrackStats.objects.get(track=track)
    rating = Rating.objects.get(track=track)
    assert stats.rating_count == 1
    assert stats.rating_sum == rating.stars
    assert stats.distribution[str(rating.stars)] == 1


def test_changing_a_rating_replaces_its_trend_contribution(track):
    """Seen: 30 alternating 5/4 changes added +54 to the trend score while the rating count
    stayed 1. A listener's change replaces their contribution."""
    listener = ListenerFactory.create()
    listen(listener, track, 30)
    before = TrackStats.objects.get(track=track).trend_log
    for n in range(30):
        ratings.rating_submit(listener_id=listener.pk, track_id=track.pk, stars=5 - n % 2)
    stats = TrackStats.objects.get(track=track)
    assert stats.rating_count == 1
    now = timezone.now()
    gained = scoring.trend_now(stats.trend_log, now) - scoring.trend_now(before, now)
    # One rating's weight (4 stars: 1.6), give or take the decay since.
    assert gained == pytest.approx(scoring.rating_weight(4), rel=1e-3)
    # Taking it back takes its contribution back too.
    ratings.rating_withdraw(listener_id=listener.pk, track_id=track.pk)
    after = TrackStats.objects.get(track=track).trend_log
    assert scoring.trend_now(after, now) == pytest.approx(scoring.trend_now(before, now), rel=1e-6)


def test_a_group_of_votes_is_answered_vote_by_vote_as_one_at_a_time_would_be(track):
    """ratings_submit_many (the socket's group commit): each vote answered, in the order
    given, as rating_submit answers it; refusals counted; the figures those of the votes."""
    other = ReadyTrackFactory.create(duration_s=120.0)
    heard, unheard = ListenerFactory.create(), ListenerFactory.create()
    for listener in (heard, unheard):
        established(listener.pk)
    listen(heard, track, 30)
    listen(heard, other, 30)
    group = [
        ratings.Vote(heard.pk, None, other.pk, 5),
        ratings.Vote(unheard.pk, None, track.pk, 4),  # never listened
        ratings.Vote(heard.pk, None, track.pk, 2),
        ratings.Vote(heard.pk, None, 999999, 3),
        ratings.Vote(heard.pk, None, track.pk, 3),  # changes the rating given just before
    ]
    results = ratings.ratings_submit_many(group)
    assert [getattr(r, "code", None) for r in results] == [
        None,
        "listen_first",
        None,
        "unknown_track",
        None,
    ]
    first, created, changed = results[0], results[2], results[4]
    assert isinstance(first, ratings.RatingResult) and isinstance(created, ratings.RatingResult)
    assert isinstance(changed, ratings.RatingResult)
    assert (created.created, changed.created) == (True, False)
    assert changed.stats.rating_count == 1 and changed.stats.rating_sum == 3
    assert first.stats.track_id == other.pk and first.stats.rating_sum == 5
    assert {(r.track_id, r.stars) for r in Rating.objects.all()} == {(other.pk, 5), (track.pk, 3)}
    refusals_flush()
    assert RefusedAttempt.objects.get(track=track, reason="not_listened").count == 1
    for stats in TrackStats.objects.all():
        recounted = ratings.rating_recount_track(track_id=stats.track_id)
        assert (stats.rating_count, stats.rating_sum) == (
            recounted.rating_count,
            recounted.rating_sum,
        )
