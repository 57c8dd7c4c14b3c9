"""Per-track aggregates: kept in step by every vote and listening batch (equal to a recompute
from the raw rows, whatever the sequence), and repaired by the reconcile task when not."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curation import scoring, tasks
from curation.models import TrackStats
from curation.services import aggregates, ratings
from curation.services.listening import events_record
from tests.curation.helpers import server_time_passes
from tests.factories import ListenerFactory, ReadyTrackFactory

pytestmark = pytest.mark.django_db


rate = st.tuples(st.just("rate"), st.integers(0, 3), st.integers(1, 5))
withdraw = st.tuples(st.just("withdraw"), st.integers(0, 3), st.none())
# Listen from `start` for `seconds`, then end with a pause, a skip or the end of the track.
play = st.tuples(
    st.just("play"),
    st.integers(0, 3),
    st.tuples(
        st.integers(0, 50), st.integers(1, 70), st.sampled_from(["pause", "skip", "complete"])
    ),
)


def play_batch(person, track, start, seconds, ending, seq):
    end = min(start + seconds, track.duration_s)
    events = [
        {"type": "play", "position": float(start), "seq": seq, "t": seq * 100_000},
        {
            "type": ending,
            "position": float(end),
            "seq": seq + 1,
            "t": seq * 100_000 + 1000 * seconds,
        },
    ]
    # The server's clock has run as long as the player's (tests do not wait for it).
    server_time_passes(person.pk, track.pk, seconds)
    events_record(listener_id=person.pk, track_id=track.pk, session=f"s{seq}", events=events)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=st.lists(st.one_of(rate, withdraw, play), min_size=1, max_size=30))
def test_any_sequence_of_votes_and_listening_equals_a_recompute(actions):
    track = ReadyTrackFactory.create(duration_s=60.0)
    people = [ListenerFactory.create() for _ in range(4)]
    for seq, (kind, who, arg) in enumerate(actions, start=1):
        if kind == "play":
            start, seconds, ending = arg
            play_batch(people[who], track, start, seconds, ending, seq=seq * 2)
        elif kind == "withdraw":
            ratings.rating_withdraw(listener_id=people[who].pk, track_id=track.pk)
        else:
            play_batch(people[who], track, 0, 20, "pause", seq=seq * 2)
            ratings.rating_submit(listener_id=people[who].pk, track_id=track.pk, stars=arg)
    assert aggregates.stats_reconcile(track_ids=[track.pk], repair=False) == []
    stats = TrackStats.objects.get_or_create(track=track)[0]
    counts = [getattr(stats, f"stars_{k}") for k in scoring.STARS]
    assert stats.crowd_score == pytest.approx(
        scoring.crowd_score(
            counts, stats.listen_through_sum, stats.unique_listeners, stats.skips, stats.plays
        )
    )


def test_drift_is_reported_and_repaired_by_the_reconcile_task(caplog):
    track, other = ReadyTrackFactory.create(duration_s=60.0), ReadyTrackFactory.create()
    person = ListenerFactory.create()
    play_batch(person, track, 0, 30, "pause", seq=1)
    ratings.rating_submit(listener_id=person.pk, track_id=track.pk, stars=4)
    good = TrackStats.objects.get(track=track)
    # Drift: a lost update and a hand edit.
    TrackStats.objects.filter(track=track).update(
        rating_count=7, stars_4=0, listen_through_sum=3.0, plays=9
    )
    assert tasks.reconcile_stats() == 4
    assert "rating_count was 7, the rows say 1 (repaired)" in caplog.text
    fixed = TrackStats.objects.get(track=track)
    assert (fixed.rating_count, fixed.stars_4, fixed.plays) == (1, 1, 1)
    assert fixed.listen_through_sum == pytest.approx(0.5)
    assert fixed.crowd_score == pytest.approx(good.crowd_score)
    assert fixed.version > good.version  # pages holding the drifted figures get new ones
    assert tasks.reconcile_stats() == 0
    assert not TrackStats.objects.filter(track=other).exists()  # nothing to repair there


def test_reconcile_without_repair_only_reports():
    track = ReadyTrackFactory.create()
    TrackStats.objects.create(track=track, skips=3)
    drifts = aggregates.stats_reconcile(repair=False)
    assert [(d.track_id, d.field, d.stored, d.recomputed) for d in drifts] == [
        (track.pk, "skips", 3, 0)
    ]
    assert TrackStats.objects.get(track=track).skips == 3


def test_the_reconcile_task_runs_hourly_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["curation-reconcile-stats"]
    assert entry == {"task": "curation.reconcile_stats", "schedule": 3600.0}
