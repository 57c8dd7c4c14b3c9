"""The arena through its API: an anonymous pair, the listen gate, votes that reveal the names,
ties and both-bad votes, refitting and the leaderboard."""

import json

import pytest
from django.test import Client

from curation.arena import services
from curation.models import ArenaRating, ArenaVote, ListenerTrack
from curation.services.listening import events_record
from curation.tasks import fit_arena, refit_arena
from tests.curation.helpers import established, server_time_passes
from tests.factories import GenerationBatchFactory, ListenerFactory, ReadyTrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch_tracks():
    batch = GenerationBatchFactory.create()
    return batch, [ReadyTrackFactory.create(batch=batch, title=f"Song {n}") for n in range(3)]


def listener_client():
    client = Client(enforce_csrf_checks=True)
    client.get("/")  # the CSRF cookie, as a page visit gives it
    return client


def post(client, path, body):
    return client.post(
        path,
        json.dumps(body),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )


def listen(client, track, seconds, session="s1"):
    """Play `seconds` of a track through the events API (this also creates the listener): the
    play as it starts, the pause `seconds` later by the player's clock and the server's."""
    play = {"type": "play", "position": 0, "seq": 1, "t": 1000}
    pause = {"type": "pause", "position": seconds, "seq": 2, "t": 1000 + int(seconds * 1000)}
    body = {"track": track.pk, "session": session, "events": [play]}
    assert post(client, "/api/v1/listening-events/", body).status_code == 200
    state = ListenerTrack.objects.filter(track=track, session=session).latest("updated_at")
    established(state.listener_id)  # their verdicts count
    server_time_passes(state.listener_id, track.pk, seconds)
    body = {"track": track.pk, "session": session, "events": [pause]}
    assert post(client, "/api/v1/listening-events/", body).status_code == 200


def test_the_pair_is_two_tracks_of_the_batch_without_names(client, batch_tracks):
    batch, tracks = batch_tracks
    pair = client.get("/api/v1/arena/pair/", {"batch": batch.pk}).json()
    ids = {pair["a"]["id"], pair["b"]["id"]}
    assert len(ids) == 2 and ids <= {t.pk for t in tracks}
    assert "title" not in pair["a"] and "title" not in pair["b"]
    assert pair["a"]["audio"]["mp3"] == f"/tracks/{pair['a']['id']}/audio.mp3"


def test_voting_unlocks_after_ten_seconds_of_each_track_and_reveals_names(batch_tracks):
    _, (one, two, _) = batch_tracks
    client = listener_client()
    listen(client, one, 12)
    listen(client, two, 6)
    vote = {"track_a": one.pk, "track_b": two.pk, "outcome": "a"}
    refused = post(client, "/api/v1/arena/votes/", vote)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "listen_first"
    assert refused.json()["error"]["details"]["listened_s"] == {str(one.pk): 12.0, str(two.pk): 6.0}
    listen(client, two, 5, session="s2")  # another playback: 11 s in all
    accepted = post(client, "/api/v1/arena/votes/", vote)
    assert accepted.status_code == 201
    assert accepted.json()["revealed"]["a"]["title"] == "Song 0"
    assert accepted.json()["revealed"]["b"]["title"] == "Song 1"
    assert ArenaVote.objects.get().outcome == "a"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": "a", "track_b": None}, "track_b"),
        ({"outcome": "tie", "same": True}, "track_b"),
    ],
)
def test_bad_votes_are_refused_clearly(batch_tracks, body, field):
    _, (one, two, _) = batch_tracks
    client = listener_client()
    vote = {"track_a": one.pk, "track_b": one.pk if body.pop("same", False) else two.pk, **body}
    response = post(client, "/api/v1/arena/votes/", vote)
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == field


def test_tracks_of_different_batches_cannot_be_compared():
    one, other = ReadyTrackFactory.create(), ReadyTrackFactory.create()
    listener = ListenerFactory.create()
    for track in (one, other):
        events = [
            {"type": "play", "position": 0.0, "seq": 1, "t": 0},
            {"type": "pause", "position": 30.0, "seq": 2, "t": 30_000},
        ]
        events_record(listener_id=listener.pk, track_id=track.pk, session="s", events=events)
    with pytest.raises(services.ApplicationError, match="same batch"):
        services.arena_vote_submit(
            listener_id=listener.pk, track_a=one.pk, track_b=other.pk, outcome="a"
        )


def test_refit_rates_the_batch_counting_ties_half_and_leaving_both_bad_out(batch_tracks):
    batch, (one, two, three) = batch_tracks
    # Six listeners, one verdict each per pair (a listener's later verdict would replace it),
    # and six more who find one and three both bad.
    for _ in range(6):
        listener = ListenerFactory.create()
        ArenaVote.objects.create(listener=listener, track_a=one, track_b=two, outcome="a")
        ArenaVote.objects.create(listener=listener, track_a=two, track_b=three, outcome="a")
        ArenaVote.objects.create(listener=listener, track_a=one, track_b=three, outcome="tie")
        critic = ListenerFactory.create()
        ArenaVote.objects.create(listener=critic, track_a=three, track_b=one, outcome="both_bad")
    assert refit_arena() == [batch.pk]
    assert refit_arena() == []  # nothing new since
    ratings = {r.track_id: r for r in ArenaRating.objects.all()}
    assert ratings[one.pk].rating > ratings[two.pk].rating
    assert ratings[one.pk].votes == 12  # both-bad votes are not counted
    assert ratings[one.pk].low < ratings[one.pk].rating < ratings[one.pk].high
    board = Client().get("/api/v1/arena/leaderboard/", {"batch": batch.pk}).json()
    assert board[0]["track"]["id"] == one.pk
    assert board[0]["ci95"][0] < board[0]["rating"] < board[0]["ci95"][1]
    assert fit_arena(batch_id=batch.pk) == 3


def test_a_batch_with_one_track_has_no_pair(client):
    track = ReadyTrackFactory.create()
    response = client.get("/api/v1/arena/pair/", {"batch": track.batch_id})
    assert response.status_code == 404
    assert client.get("/api/v1/arena/pair/").status_code == 400


def test_a_voter_who_always_picks_the_weaker_track_is_flagged_and_left_out():
    from curation.models import VoterFlag

    batch = GenerationBatchFactory.create()
    # Best first: the sincere crowd agrees on this order over all 15 pairs.
    tracks = [ReadyTrackFactory.create(batch=batch, title=f"Song {n}") for n in range(6)]
    pairs = [(a, b) for i, a in enumerate(tracks) for b in tracks[i + 1 :]]
    votes = []
    for _ in range(12):
        person = ListenerFactory.create()
        votes += [ArenaVote(listener=person, track_a=a, track_b=b, outcome="a") for a, b in pairs]
    troll = ListenerFactory.create()
    votes += [ArenaVote(listener=troll, track_a=a, track_b=b, outcome="b") for a, b in pairs]
    ArenaVote.objects.bulk_create(votes)
    fit_arena(batch_id=batch.pk)
    flag = VoterFlag.objects.get()
    assert flag.listener == troll and flag.p_value < 1e-3 and flag.votes == len(pairs)
    assert flag.reason == VoterFlag.Reason.UNLIKELY
    # Kept for audit, left out of the ratings.
    assert ArenaVote.objects.filter(listener=troll).count() == len(pairs)
    ratings = {r.track_id: r for r in ArenaRating.objects.all()}
    assert ratings[tracks[0].pk].votes == 12 * 5
    assert [ratings[t.pk].rating for t in tracks] == sorted(
        (ratings[t.pk].rating for t in tracks), reverse=True
    )


def test_leaderboard_query_count_does_not_grow(client, batch_tracks, django_assert_num_queries):
    from django.utils import timezone

    batch, tracks = batch_tracks
    for n, track in enumerate(tracks):
        ArenaRating.objects.create(
            track=track,
            rating=1000 + n,
            low=990,
            high=1010 + n,
            votes=3,
            computed_at=timezone.now(),
        )
    with django_assert_num_queries(1):
        client.get("/api/v1/arena/leaderboard/", {"batch": batch.pk})
    more = [ReadyTrackFactory.create(batch=batch) for _ in range(5)]
    for track in more:
        ArenaRating.objects.create(
            track=track, rating=1000, low=990, high=1010, votes=3, computed_at=timezone.now()
        )
    with django_assert_num_queries(1):
        board = client.get("/api/v1/arena/leaderboard/", {"batch": batch.pk}).json()
    assert len(board) == 8


def test_a_single_vote_does_not_give_a_falsely_narrow_interval(batch_tracks):
    batch, (one, two, _) = batch_tracks
    ArenaVote.objects.create(
        listener=ListenerFactory.create(), track_a=one, track_b=two, outcome="a"
    )
    fit_arena(batch_id=batch.pk)
    rating = ArenaRating.objects.get(track=one)
    assert rating.high - rating.low > 200  # one vote tells little
