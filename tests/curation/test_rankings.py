"""GET /api/v1/rankings/: the stored scores in order, filtered, cursor-paginated, with ETags."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from albumvote.exceptions import ApplicationError
from curation.models import ArenaRating, TrackStats
from curation.ranking import verdict
from curation.ranking.apis import RankingsApi, _parse
from curation.services import ratings
from tests.curation.helpers import listen
from tests.factories import GenerationBatchFactory, ListenerFactory, ReadyTrackFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/rankings/"


def with_stats(**figures):
    """A published track with these figures, and an arena rating (so every sort lists it)."""
    track = ReadyTrackFactory.create()
    TrackStats.objects.update_or_create(track=track, defaults=figures)
    rating = 1000.0 + (track.pk * 37) % 101
    ArenaRating.objects.create(
        track=track,
        rating=rating,
        low=rating - 40,
        high=rating + 40,
        votes=9,
        computed_at=timezone.now(),
    )
    return track


def ids(response):
    assert response.status_code == 200, response.json()
    return [entry["track"]["id"] for entry in response.json()["results"]]


@pytest.fixture
def client():
    return APIClient()


def test_top_is_the_crowd_score_order_many_good_votes_beat_a_few_perfect_ones(client):
    few_perfect = with_stats(rating_count=2, rating_sum=10, stars_5=2)
    many_good = with_stats(rating_count=100, rating_sum=480, stars_4=20, stars_5=80)
    panned = with_stats(rating_count=50, rating_sum=60, stars_1=40, stars_2=10)
    unrated = with_stats()
    assert ids(client.get(URL)) == [many_good.pk, few_perfect.pk, unrated.pk, panned.pk]
    first = client.get(URL).json()["results"][0]
    assert first["ratings"]["count"] == 100
    assert first["ratings"]["mean"] == 4.8
    assert first["ratings"]["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 20, "5": 80}
    assert set(first) == {"track", "crowd_score", "ratings", "listening", "trending", "controversy"}
    assert set(first["ratings"]) >= {"bayesian_average", "lower_bound"}
    assert set(first["listening"]) == {
        "plays",
        "unique_listeners",
        "listen_through",
        "skip_rate",
        "replays",
    }


def test_controversial_lists_split_votes_only_most_balanced_first(client):
    split = with_stats(rating_count=10, rating_sum=30, stars_1=5, stars_5=5)
    leaning = with_stats(rating_count=10, rating_sum=46, stars_1=1, stars_5=9)
    with_stats(rating_count=10, rating_sum=50, stars_5=10)  # no low votes: not controversial
    assert ids(client.get(URL, {"sort": "controversial"})) == [split.pk, leaning.pk]


def test_trending_follows_recent_votes_and_new_follows_publication(client):
    older = ReadyTrackFactory.create(finished_at=timezone.now() - timedelta(hours=3))
    newer = ReadyTrackFactory.create(finished_at=timezone.now() - timedelta(hours=1))
    for track in (older, newer):
        TrackStats.objects.get_or_create(track=track)
    person = ListenerFactory.create()
    listen(person, older, 40)
    ratings.rating_submit(listener_id=person.pk, track_id=older.pk, stars=5)
    assert ids(client.get(URL, {"sort": "trending"})) == [older.pk, newer.pk]
    assert ids(client.get(URL, {"sort": "new"})) == [newer.pk, older.pk]
    assert client.get(URL, {"sort": "trending"}).json()["results"][0]["trending"] > 1


def test_window_keeps_tracks_published_within_it_and_batch_filters(client):
    batch = GenerationBatchFactory.create()
    today = ReadyTrackFactory.create(batch=batch, finished_at=timezone.now())
    week = ReadyTrackFactory.create(finished_at=timezone.now() - timedelta(days=3))
    old = ReadyTrackFactory.create(finished_at=timezone.now() - timedelta(days=30))
    for track in (today, week, old):
        TrackStats.objects.get_or_create(track=track)
    assert set(ids(client.get(URL, {"window": "24h"}))) == {today.pk}
    assert set(ids(client.get(URL, {"window": "7d"}))) == {today.pk, week.pk}
    assert set(ids(client.get(URL, {"window": "all"}))) == {today.pk, week.pk, old.pk}
    assert ids(client.get(URL, {"batch": batch.pk})) == [today.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "best"}, "sort"),
        ({"window": "1y"}, "window"),
        ({"batch": "x"}, "batch"),
        ({"batch": "0"}, "batch"),
        ({"page_size": "101"}, "page_size"),
    ],
)
def test_bad_parameters_get_a_400_in_the_one_error_shape(client, params, field):
    response = client.get(URL, params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] and error["message"]
    assert error["details"]["field"] == field
    if field == "sort":
        assert error["details"]["choices"] == ["top", "trending", "new", "controversial", "arena"]


@pytest.mark.parametrize("sort", ["top", "trending", "new", "controversial", "arena"])
def test_cursor_pages_cover_every_track_once_in_order(client, sort):
    tracks = [
        with_stats(
            rating_count=4, rating_sum=4 + n % 3, stars_1=3 - n % 3, stars_2=n % 3, stars_5=1
        )
        for n in range(7)
    ]
    everything = ids(client.get(URL, {"sort": sort, "page_size": 100}))
    assert sorted(everything) == sorted(t.pk for t in tracks)
    seen, page = [], client.get(URL, {"sort": sort, "page_size": 3})
    assert page.json()["previous"] is None
    pages = []
    while True:
        pages.append(ids(page))
        if not page.json()["next"]:
            break
        page = client.get(page.json()["next"])
    seen = [pk for chunk in pages for pk in chunk]
    assert seen == everything
    assert [len(chunk) for chunk in pages] == [3, 3, 1]
    # And back again through the previous links.
    back = [ids(page)]
    while page.json()["previous"]:
        page = client.get(page.json()["previous"])
        back.insert(0, ids(page))
    assert back == pages


def test_etag_revalidates_until_a_vote_changes_the_page(client):
    track = with_stats()
    first = client.get(URL)
    assert first["Cache-Control"] == "public, max-age=15"
    etag = first["ETag"]
    again = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    person = ListenerFactory.create()
    listen(person, track, 40)
    ratings.rating_submit(listener_id=person.pk, track_id=track.pk, stars=4)
    changed = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["results"][0]["trending"] > 0
    # Trending decays by the minute, so the new page revalidates too.
    assert client.get(URL, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304


def test_query_count_does_not_grow_with_tracks(client, django_assert_num_queries):
    for n in range(3):
        with_stats(rating_count=1, rating_sum=n + 1, **{f"stars_{n + 1}": 1})
    with django_assert_num_queries(2):  # the page, and the site-wide mean
        client.get(URL, {"page_size": 100})
    for _ in range(30):
        with_stats(rating_count=1, rating_sum=5, stars_5=1)
    verdict._prior = None
    with django_assert_num_queries(2):
        client.get(URL, {"page_size": 100})
    with django_assert_num_queries(1):  # the mean is reused for a few seconds
        client.get(URL, {"page_size": 100})


def test_a_cursor_only_works_for_its_own_sort(client):
    for n in range(3):
        with_stats(rating_count=1, rating_sum=n + 1, **{f"stars_{n + 1}": 1})
    top_next = client.get(URL, {"page_size": 1}).json()["next"]
    cursor = top_next.split("cursor=")[1].split("&")[0]
    response = client.get(URL, {"sort": "new", "cursor": cursor})
    assert response.status_code == 404  # DRF's answer to an invalid cursor
    assert response.json()["error"]["code"] == "invalid_cursor"
    garbage = client.get(URL, {"cursor": "not-a-cursor"})
    assert garbage.status_code == 404
    assert garbage.json()["error"]["details"] == {"field": "cursor"}


params_strategy = st.fixed_dictionaries(
    {},
    optional={
        "sort": st.sampled_from(["top", "new", "trending", "controversial", "best", ""]),
        "window": st.sampled_from(["24h", "7d", "all", "1y"]),
        "page_size": st.sampled_from(["0", "1", "20", "100", "101", "x", "-3", "9" * 20]),
        "batch": st.sampled_from(["1", "0", "7", "x", "", "1.5"]),
    },
)


@given(params=params_strategy)
def test_the_fast_parameter_check_follows_the_documented_serializer(params):
    serializer = RankingsApi.InputSerializer(data=params)
    try:
        parsed = _parse(params)
    except ApplicationError as error:
        assert not serializer.is_valid()
        assert error.details["field"] in serializer.errors
    else:
        assert serializer.is_valid(), serializer.errors
        assert parsed == serializer.validated_data


def test_arena_sorts_by_the_bradley_terry_rating_and_lists_only_rated_tracks(client):
    tracks = [with_stats() for _ in range(3)]
    ReadyTrackFactory.create()  # no arena votes yet: not in the arena ranking
    expected = sorted(tracks, key=lambda t: (-t.arena.rating, -t.pk))
    assert ids(client.get(URL, {"sort": "arena"})) == [t.pk for t in expected]
