"""The track list through Django's test client: sorts, filters and their messages, empty
states, pages, and query counts that do not grow with the data."""

import pytest
from django.test import Client

from tests.curation.pages import finished_batch, rate, text, titles
from tests.factories import GenerationBatchFactory, ReadyTrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_tracks():
    batch = finished_batch()
    reel = ReadyTrackFactory.create(
        title="Reel Fast", preset="celtic_reel", tempo_bpm=150.0, batch=batch, key="D major"
    )
    waltz = ReadyTrackFactory.create(
        title="Waltz Slow",
        preset="waltz",
        tempo_bpm=90.0,
        batch=batch,
        key="A minor",
        camelot="8A",
    )
    chorale = ReadyTrackFactory.create(
        title="Chorale Mid", preset="chorale", tempo_bpm=110.0, batch=finished_batch()
    )
    return reel, waltz, chorale


def test_track_list_shows_everything_with_sorts_and_a_filter_form(client: Client, mixed_tracks):
    response = client.get("/tracks/")
    html = response.content.decode()
    assert response.status_code == 200
    assert set(titles(html)) == {"Reel Fast", "Waltz Slow", "Chorale Mid"}
    assert "3 tracks" in text(html)
    for sort, label in [("new", "Newest"), ("top", "Top rated"), ("trending", "Trending")]:
        assert f'href="/tracks/?sort={sort}"' in html and f">{label}<" in html
    assert '<form class="filter-form" method="get" action="/tracks/">' in html
    assert '<option value="waltz">Waltz</option>' in html
    assert '<option value="A minor">A minor</option>' in html


def test_the_preset_filter_hides_other_presets(client: Client, mixed_tracks):
    html = client.get("/tracks/", {"preset": "waltz"}).content.decode()
    assert titles(html) == ["Waltz Slow"]
    assert '<option value="waltz" selected>' in html
    assert "1 track match your filters" in text(html)
    assert "Clear filters" in html
    # Sort links keep the filters.
    assert 'href="/tracks/?sort=top&amp;preset=waltz"' in html


def test_key_and_tempo_filters(client: Client, mixed_tracks):
    assert titles(client.get("/tracks/", {"key": "8A"}).content.decode()) == ["Waltz Slow"]
    html = client.get("/tracks/", {"tempo_min": "100", "tempo_max": "120"}).content.decode()
    assert titles(html) == ["Chorale Mid"]
    assert 'name="tempo_min" type="number"' in html and 'value="100"' in html


def test_top_sort_puts_the_best_rated_first(client: Client, mixed_tracks):
    reel, waltz, _ = mixed_tracks
    rate(waltz, 5)
    rate(waltz, 5)
    rate(reel, 1)
    html = client.get("/tracks/", {"sort": "top"}).content.decode()
    assert titles(html) == ["Waltz Slow", "Chorale Mid", "Reel Fast"]
    assert 'aria-current="page">Top rated<' in html


def test_a_bad_tempo_is_a_message_not_an_error(client: Client, mixed_tracks):
    response = client.get("/tracks/", {"tempo_min": "fast", "sort": "loudest"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lowest tempo must be a number; &#x27;fast&#x27; was ignored." in html
    assert "Unknown sort &#x27;loudest&#x27;; showing the newest tracks." in html
    assert 'class="message message-warning" role="alert"' in html
    assert len(titles(html)) == 3


def test_filters_that_match_nothing_say_so(client: Client, mixed_tracks):
    html = client.get("/tracks/", {"preset": "lofi"}).content.decode()
    assert titles(html) == []
    assert "No tracks match these filters." in html
    assert 'href="/tracks/?sort=new">Clear filters<' in html


def test_track_list_empty_states(client: Client):
    assert "No tracks yet. When a producer" in client.get("/tracks/").content.decode()
    GenerationBatchFactory.create()
    html = client.get("/tracks/").content.decode()
    assert "No tracks yet — the first batch is composing" in html


def test_track_list_pages(client: Client):
    batch = finished_batch()
    for n in range(31):
        ReadyTrackFactory.create(batch=batch, title=f"T{n:02d}")
    first = client.get("/tracks/", {"preset": "celtic_reel"}).content.decode()
    assert len(titles(first)) == 30
    assert "Page 1 of 2" in first
    assert 'href="?preset=celtic_reel&amp;page=2"' in first
    second = client.get("/tracks/", {"preset": "celtic_reel", "page": "2"}).content.decode()
    assert len(titles(second)) == 1
    assert 'href="?preset=celtic_reel&amp;page=1"' in second
    assert '<ol class="track-list" data-queue start="31">' in second


def test_track_list_queries_do_not_grow_with_tracks(client: Client, django_assert_max_num_queries):
    batch = finished_batch()
    for _ in range(2):
        rate(ReadyTrackFactory.create(batch=batch), 3)
    with django_assert_max_num_queries(7):
        assert client.get("/tracks/", {"sort": "top"}).status_code == 200
    for n in range(25):
        track = ReadyTrackFactory.create(batch=finished_batch(), key=f"K{n}")
        rate(track, 1 + n % 5)
        if n % 2:
            rate(track, 5 - n % 5)  # a second, opposite rating: controversial
    for sort, count in (("new", 27), ("top", 27), ("trending", 27), ("controversial", 10)):
        with django_assert_max_num_queries(7):
            html = client.get("/tracks/", {"sort": sort}).content.decode()
        assert len(titles(html)) == count, sort
