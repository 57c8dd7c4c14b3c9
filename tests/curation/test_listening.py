"""Listening events: listen time from played intervals, validation, retries counted once."""

import pytest
from django.db.models import Sum
from django.utils import timezone

from albumvote.exceptions import ApplicationError
from curation import scoring
from curation.models import ListenerTrack, ListeningEvent, TrackStats
from curation.rules import LISTEN_WINDOW
from curation.services.listening import events_record
from tests.curation.helpers import server_time_passes
from tests.factories import ListenerFactory, ReadyTrackFactory, TrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def track():
    return ReadyTrackFactory.create(duration_s=120.0)


@pytest.fixture
def listener():
    return ListenerFactory.create()


def record(listener, track, events, session="s1"):
    return events_record(listener_id=listener.pk, track_id=track.pk, session=session, events=events)


def seconds_since(moment) -> float:
    """The server's clock since `moment`: what a listener can have been credited at most."""
    return (timezone.now() - moment).total_seconds()


@pytest.fixture
def long_ago(listener, track):
    """The server first saw this listener play the track an hour ago: its clock does not bind,
    so these tests see the interval arithmetic alone."""
    server_time_passes(listener.pk, track.pk, 3600)


def ev(kind, position, seq, t, **extra):
    return {"type": kind, "position": position, "seq": seq, "t": t, **extra}


def test_listen_time_is_the_sum_of_played_intervals(listener, track, long_ago):
    result = record(
        listener,
        track,
        [
            ev("play", 0, 1, 0),
            ev("progress", 10, 2, 10_000),
            ev("pause", 15, 3, 15_000),  # 15 s played
            ev("play", 15, 4, 60_000),  # paused for 45 s: not listening
            ev("seek", 70, 5, 65_000, from_position=20),  # 5 s more, then a jump
            ev("complete", 120, 6, 115_000),  # 50 s from 70 to 120
        ],
    )
    assert result.listened_s == pytest.approx(70.0)
    state = ListenerTrack.objects.get(listener=listener, track=track)
    # Two plays in one listening window count as one.
    assert (state.plays, state.completes, state.max_position_s) == (1, 1, 120.0)
    stats = TrackStats.objects.get(track=track)
    assert (stats.plays, stats.completes, stats.unique_listeners) == (1, 1, 1)
    assert stats.listen_seconds == pytest.approx(70.0)
    assert ListeningEvent.objects.filter(listener=listener).count() == 6


def test_an_interval_stays_open_across_batches(listener, track, long_ago):
    record(listener, track, [ev("play", 0, 1, 0), ev("progress", 10, 2, 10_000)])
    result = record(listener, track, [ev("progress", 20, 3, 20_000)])
    assert result.listened_s == pytest.approx(20.0)


def test_claims_faster_than_real_time_are_capped(listener, track, long_ago):
    # 100 s of "listening" reported 5 s apart on the player's own clock.
    result = record(listener, track, [ev("play", 0, 1, 0), ev("pause", 100, 2, 5_000)])
    assert result.listened_s == pytest.approx(5.0 * 1.1 + 0.25)


def test_a_batch_sent_twice_is_counted_once(listener, track, long_ago):
    batch = [ev("play", 0, 1, 0), ev("pause", 30, 2, 30_000)]
    record(listener, track, batch)
    again = record(listener, track, batch)
    assert again.accepted == 0
    assert again.listened_s == pytest.approx(30.0)
    assert ListeningEvent.objects.count() == 2
    assert TrackStats.objects.get(track=track).plays == 1


def test_skips_replays_and_early_skips(listener, track, long_ago):
    record(
        listener,
        track,
        [
            ev("play", 0, 1, 0),
            ev("skip", 12, 2, 12_000),
            ev("replay", 0, 3, 13_000),
            ev("skip", 50, 4, 63_000),
        ],
    )
    state = ListenerTrack.objects.get()
    # One listening window: its first skip and its replay count, once each.
    assert (state.skips, state.early_skips, state.replays) == (1, 1, 1)
    assert TrackStats.objects.get(track=track).skips == 1


def test_a_second_listener_is_a_new_unique_listener(track):
    for _ in range(2):
        record(ListenerFactory.create(), track, [ev("play", 0, 1, 0)])
    assert TrackStats.objects.get(track=track).unique_listeners == 2


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([ev("play", -1, 1, 0)], "events[0].position -1 is outside the track"),
        ([ev("play", 500, 1, 0)], "events[0].position 500 is outside the track"),
        ([ev("play", float("nan"), 1, 0)], "events[0].position must be a number"),
        ([ev("play", "10", 1, 0)], "events[0].position must be a number"),
        ([ev("dance", 0, 1, 0)], "events[0].type 'dance' is not one of"),
        ([ev("play", 0, 0, 0)], "events[0].seq must be a whole number from 1"),
        ([ev("play", 0, 2, 0), ev("pause", 1, 1, 10)], "events[1].seq must be larger"),
        ([ev("play", 0, 1, 50), ev("pause", 1, 2, 10)], "events[1].t must not go back"),
        ([ev("play", 0, 1, -5)], "events[0].t must be from 0 to"),
        ([ev("seek", 10, 1, 0)], "events[0].from_position must be a number"),
        ([{**ev("play", 0, 1, 0), "volume": 11}], "unknown field(s): volume"),
        ([], "events must be a non-empty list"),
        ("play", "events must be a non-empty list"),
        ([ev("play", 0, n + 1, n) for n in range(201)], "at most 200 events"),
    ],
)
def test_malformed_events_are_refused_clearly_and_nothing_is_stored(
    listener, track, events, message
):
    with pytest.raises(ApplicationError) as caught:
        record(listener, track, events)
    assert message in caught.value.message
    assert caught.value.status_code == 400
    assert not ListeningEvent.objects.exists()
    assert not ListenerTrack.objects.exists()


def test_unknown_tracks_and_bad_sessions_are_refused(listener, track):
    hidden = TrackFactory.create(status="failed")
    track_ids: list[object] = [hidden.pk, 424242, "12"]
    for track_id in track_ids:
        with pytest.raises(ApplicationError):
            events_record(
                listener_id=listener.pk,
                track_id=track_id,
                session="s",
                events=[ev("play", 0, 1, 0)],
            )
    with pytest.raises(ApplicationError, match="session must be 1 to 36 printable"):
        record(listener, track, [ev("play", 0, 1, 0)], session="x" * 40)


# --- the server's clock and listening windows (trust) --------------------------------------


def test_credited_listening_never_exceeds_the_servers_clock(listener, track):
    """Seen: play at t=1 s then progress to 21 s at t=22 s, in one batch, credited 21 s at
    once (the player's clock said so); the listener rated 0.03 s later."""
    started = timezone.now()
    result = record(listener, track, [ev("play", 0, 1, 1000), ev("progress", 21, 2, 22_000)])
    assert result.listened_s <= seconds_since(started) and not result.can_rate
    # The same events again under a new session are not worth more.
    again = record(
        listener, track, [ev("play", 0, 1, 1000), ev("progress", 21, 2, 22_000)], session="s2"
    )
    assert again.listened_s <= seconds_since(started)
    # As the server's clock runs, the listening it has seen is credited, up to that clock.
    server_time_passes(listener.pk, track.pk, 8)
    later = record(listener, track, [ev("progress", 40, 3, 41_000)], session="s2")
    assert 0 < later.listened_s <= 8.0 + seconds_since(started)


def test_a_thousand_play_skip_pairs_a_millisecond_apart_are_not_a_listen(listener, track):
    """Seen: 1,000 play/skip pairs 1 ms apart credited as 251 s."""
    started = timezone.now()
    for start in range(0, 2000, 200):
        events = [
            ev("play" if n % 2 == 0 else "skip", 1.0 if n % 2 else 0.0, n + 1, n)
            for n in range(start, start + 200)
        ]
        result = record(listener, track, events)
    assert result.listened_s <= seconds_since(started)


def test_a_flood_of_events_from_one_identity_weighs_as_one_listen(track):
    """Seen: 2,000 plays took a track's plays from 0 to 2,000 (skip rate 0.0), and 1,000
    play+skip pairs took another's skip rate to 0.996. Within a listening window a listener's
    plays, skips, replays and completes count once."""
    honest = ListenerFactory.create()
    record(honest, track, [ev("play", 0, 1, 0), ev("skip", 5, 2, 5000)])
    one_listen = TrackStats.objects.get(track=track)
    flooder = ListenerFactory.create()
    for start in range(0, 2000, 200):
        kinds = ["play", "skip", "replay", "complete"]
        events = [ev(kinds[n % 4], 5 if n % 2 else 0, n + 1, n) for n in range(start, start + 200)]
        record(flooder, track, events)
    stats = TrackStats.objects.get(track=track)
    assert (stats.plays, stats.skips, stats.replays, stats.completes) == (2, 2, 1, 1)
    assert stats.skip_rate == pytest.approx(
        scoring.skip_rate(2 * one_listen.skips, 2 * one_listen.plays)
    )


def test_a_new_listening_window_counts_a_new_play(listener, track):
    record(listener, track, [ev("play", 0, 1, 0), ev("pause", 10, 2, 10_000)])
    record(listener, track, [ev("play", 10, 3, 20_000)])
    assert TrackStats.objects.get(track=track).plays == 1
    server_time_passes(listener.pk, track.pk, LISTEN_WINDOW.total_seconds())
    record(listener, track, [ev("pause", 20, 4, 30_000), ev("play", 0, 5, 40_000)])
    assert TrackStats.objects.get(track=track).plays == 2


def test_playback_first_seen_as_progress_starts_the_servers_clock_too(listener, track):
    """Two first batches of one page racing can leave the play with another identity: the
    next batch opens its interval with a progress event, and that starts the clock."""
    record(listener, track, [ev("progress", 5, 1, 5000)])
    assert ListenerTrack.objects.get(listener=listener, track=track).heard_since is not None
    server_time_passes(listener.pk, track.pk, 10)
    result = record(listener, track, [ev("progress", 15, 2, 15_000)])
    assert result.listened_s == pytest.approx(10.0, abs=0.5)


def test_playing_many_tracks_at_once_is_credited_no_faster_than_the_servers_clock():
    """Seen (bench/stuffing.py): a new identity played 20 tracks at once for 21 s and was
    credited 420 s, and so proven (300 s) in 21 s. Its listening over all tracks together is
    bounded by the server's clock too."""
    listener = ListenerFactory.create(proven_at=None)
    tracks = [ReadyTrackFactory.create(duration_s=120.0) for _ in range(20)]
    started = timezone.now()
    for track in tracks:
        record(listener, track, [ev("play", 0, 1, 0)])
    server_time_passes(listener.pk, None, 21)
    for track in tracks:
        record(listener, track, [ev("pause", 21, 2, 21_000)])
    credited = ListenerTrack.objects.filter(listener=listener).aggregate(total=Sum("listened_s"))
    assert 0 < credited["total"] <= 21 + seconds_since(started)
    listener.refresh_from_db()
    assert listener.proven_at is None

    # One after another, the same listening is credited in full.
    patient = ListenerFactory.create(proven_at=None)
    for track in tracks[:3]:
        record(patient, track, [ev("play", 0, 1, 0)])
        server_time_passes(patient.pk, track.pk, 21)
        assert record(patient, track, [ev("pause", 21, 2, 21_000)]).listened_s == 21.0
