"""A track's page and a batch's through Django's test client: the facts, the rating widget
and the data it starts from, empty states, 404s, and query counts that do not grow."""

import re

import pytest
from django.test import Client

from generation.models import Track
from tests.curation.helpers import play_over_http
from tests.curation.pages import finished_batch, json_script, rate, section, text, titles
from tests.factories import GenerationBatchFactory, ReadyTrackFactory, TrackFactory

pytestmark = pytest.mark.django_db

STAR_NAMES = ["Rate 1 star", "Rate 2 stars", "Rate 3 stars", "Rate 4 stars", "Rate 5 stars"]


def test_a_track_page_shows_the_facts_the_widget_and_the_summary(client: Client):
    batch = finished_batch()
    track = ReadyTrackFactory.create(
        title="Heron at Dusk", preset="waltz", batch=batch, duration_s=95.0, tempo_bpm=88.4
    )
    rate(track, 4)
    rate(track, 5)
    response = client.get(f"/tracks/{track.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Heron at Dusk — AlbumVote</title>" in html
    page = text(html)
    for fact in ["Waltz", "D major", "10B", "88 BPM", "1:35", f"Batch {batch.pk}"]:
        assert fact in page
    assert f'href="/batches/{batch.pk}/"' in html
    assert f'href="/tracks/{track.pk}/track.mid" download' in html
    assert 'aria-label="Play Heron at Dusk"' in html

    for name in STAR_NAMES:
        assert f'<span class="sr-only">{name}</span>' in html
    assert html.count('aria-pressed="false"') == 5
    assert "Remove my rating" in html and "data-remove-rating hidden" in html
    assert 'aria-live="polite"' in section(html, "crowd-heading")
    assert 'role="alert" data-rating-error' in html
    crowd = text(section(html, "crowd-heading"))
    assert "4.5 average from 2 ratings" in crowd
    assert "Listen 20 s more to rate — 0 s of 20 s counted so far." in page
    stars = re.search(r'<div class="stars"[^>]*>', html)
    assert stars and 'aria-label="Listen 20 s more to rate"' in stars.group(0)
    assert "--heard: 0" in stars.group(0)

    summary = json_script(html, "track-summary")
    assert summary["id"] == track.pk and summary["title"] == "Heron at Dusk"
    assert summary["audio"] == {
        "opus": f"/tracks/{track.pk}/audio.opus",
        "mp3": f"/tracks/{track.pk}/audio.mp3",
    }
    rating = json_script(html, "track-rating")
    assert rating["count"] == 2 and rating["distribution"] == {
        "1": 0,
        "2": 0,
        "3": 0,
        "4": 1,
        "5": 1,
    }


def test_a_listeners_own_rating_is_pressed_and_removable(client: Client):
    track = ReadyTrackFactory.create(duration_s=30.0)
    # What the player and the stars do in the browser: report listening, then rate.
    listened = play_over_http(client, track, 10.0, session="page-test")
    assert listened.status_code == 200 and listened.json()["can_rate"] is True
    rated = client.post(
        f"/api/v1/tracks/{track.pk}/rating/", {"stars": 4}, content_type="application/json"
    )
    assert rated.status_code == 201

    html = client.get(f"/tracks/{track.pk}/").content.decode()
    pressed = re.findall(r'data-stars="(\d)"\s+aria-pressed="true"', html)
    assert pressed == ["4"]
    assert "data-remove-rating>" in html  # not hidden
    assert "You rated this track 4 stars." in html
    mine = json_script(html, "track-mine")
    assert mine == {
        "stars": 4,
        "counted": True,
        "listened_s": 10.0,
        "required_s": 9.0,
        "can_rate": True,
    }


def test_a_track_without_ratings_invites_the_first(client: Client):
    track = ReadyTrackFactory.create()
    html = client.get(f"/tracks/{track.pk}/").content.decode()
    assert "No ratings yet — be the first." in html
    assert html.count('class="dist-fill" style="width: 0%"') == 5


@pytest.mark.parametrize(
    "url",
    ["/tracks/999999/", "/batches/999999/", "/tracks/{unpublished}/", "/tracks/{rejected}/"],
)
def test_unknown_or_unpublished_pages_are_404(client: Client, url: str):
    unpublished = TrackFactory.create(status=Track.Status.RENDERING)
    rejected = TrackFactory.create(status=Track.Status.REJECTED)
    response = client.get(url.format(unpublished=unpublished.pk, rejected=rejected.pk))
    assert response.status_code == 404


# --- a batch ----------------------------------------------------------------------------------


def test_a_batch_page_lists_its_published_tracks_and_counts(client: Client):
    batch = finished_batch(count=4)
    ReadyTrackFactory.create(batch=batch, title="Kept One")
    ReadyTrackFactory.create(batch=batch, title="Kept Two")
    TrackFactory.create(batch=batch, status=Track.Status.REJECTED, title="Turned Back")
    TrackFactory.create(batch=batch, status=Track.Status.FAILED)
    ReadyTrackFactory.create(title="Other Batch")

    response = client.get(f"/batches/{batch.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<h1 id="page-heading">Batch {batch.pk}</h1>' in html
    assert sorted(titles(html)) == ["Kept One", "Kept Two"]
    counts = text(html)
    assert "2 ready" in counts and "1 rejected by the quality check" in counts
    assert "1 failed" in counts and "composing" not in counts.split("Published")[0].lower()


def test_a_batch_that_is_still_composing(client: Client):
    batch = GenerationBatchFactory.create(count=3)
    TrackFactory.create(batch=batch, status=Track.Status.COMPOSING)
    TrackFactory.create(batch=batch, status=Track.Status.QUEUED)
    html = client.get(f"/batches/{batch.pk}/").content.decode()
    assert "No tracks published yet — this batch is still composing." in html
    assert "1 composing" in text(html) and "1 queued" in text(html)
    assert f'data-match-batch="{batch.pk}"' in html


def test_track_and_batch_page_queries_do_not_grow(client: Client, django_assert_max_num_queries):
    batch = finished_batch()
    tracks = [ReadyTrackFactory.create(batch=batch) for _ in range(12)]
    for track in tracks[:6]:
        rate(track, 4)
    with django_assert_max_num_queries(3):
        assert client.get(f"/tracks/{tracks[0].pk}/").status_code == 200
    with django_assert_max_num_queries(5):
        html = client.get(f"/batches/{batch.pk}/").content.decode()
    assert len(titles(html)) == 12
