"""The home page through Django's test client: what it lists (new, top, the latest batch),
its empty and first-run states, and a query count that does not grow with the data."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from generation.models import Track
from tests.curation.pages import finished_batch, play_button, rate, section, text, titles
from tests.factories import GenerationBatchFactory, ReadyTrackFactory, TrackFactory

pytestmark = pytest.mark.django_db


def test_home_when_there_is_nothing_yet(client: Client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "No tracks yet" in section(html, "new-heading")
    assert "No ratings yet" in section(html, "top-heading")
    assert "No batch has published a track yet" in section(html, "batch-heading")
    assert "is composing" not in html
    assert "disabled" in play_button(html)  # nothing to play


def test_home_while_the_first_batch_is_composing(client: Client):
    batch = GenerationBatchFactory.create(count=4)
    TrackFactory.create(batch=batch, status=Track.Status.COMPOSING)
    TrackFactory.create(batch=batch, status=Track.Status.REJECTED)
    html = client.get("/").content.decode()
    assert "No tracks yet — the first batch is composing" in text(section(html, "new-heading"))
    assert f"Batch {batch.pk} is composing: 1 of 2 tracks done." in text(html)
    assert '<progress class="composing-progress" max="2" value="1"' in html


def test_home_lists_new_top_and_latest_batch_tracks(client: Client):
    old_batch = finished_batch()
    older = ReadyTrackFactory.create(
        title="Old Heron", batch=old_batch, finished_at=timezone.now() - timedelta(days=2)
    )
    latest = finished_batch()
    fresh = ReadyTrackFactory.create(title="Fresh Wren", batch=latest, preset="waltz")
    unrated = ReadyTrackFactory.create(title="Quiet Finch", batch=latest)
    TrackFactory.create(title="Still Composing", batch=latest, status=Track.Status.COMPOSING)
    rate(older, 5)
    rate(fresh, 3)

    html = client.get("/").content.decode()
    assert titles(section(html, "new-heading")) == ["Quiet Finch", "Fresh Wren", "Old Heron"]
    assert titles(section(html, "top-heading")) == ["Old Heron", "Fresh Wren"]
    # The latest batch's tracks are all under "New tracks" already: named, not listed again.
    assert titles(section(html, "batch-heading")) == []
    assert "Its 2 tracks are listed under New tracks above." in text(section(html, "batch-heading"))
    assert f'href="/batches/{latest.pk}/"' in section(html, "batch-heading")
    assert "Still Composing" not in html

    new = section(html, "new-heading")
    assert f'aria-label="Play {fresh.title}"' in new
    assert f'data-opus="/tracks/{fresh.pk}/audio.opus"' in new
    assert f'data-mp3="/tracks/{fresh.pk}/audio.mp3"' in new
    assert f'data-peaks="/tracks/{fresh.pk}/peaks.json"' in new
    assert "Waltz" in new and "D major (10B)" in new and "112 BPM" in new and "2:00" in new
    top = text(section(html, "top-heading"))
    assert "Average 5.0 1 rating" in top and "Average 3.0 1 rating" in top
    assert f'data-track-id="{unrated.pk}"' not in section(html, "top-heading")


def test_first_run_home_lists_each_track_once(client: Client):
    batch = finished_batch(count=6)
    for n in range(6):
        ReadyTrackFactory.create(batch=batch, title=f"First {n}")
    html = client.get("/").content.decode()
    assert len(titles(section(html, "new-heading"))) == 6
    assert titles(section(html, "batch-heading")) == []
    assert len(titles(html)) == 6
    batch_part = text(section(html, "batch-heading"))
    assert (
        f"Batch {batch.pk}" in batch_part
        and "Its 6 tracks are listed under New tracks above." in batch_part
    )


def test_home_lists_the_latest_batch_tracks_new_tracks_leave_out(client: Client):
    latest = finished_batch(count=10)
    ten = [ReadyTrackFactory.create(batch=latest, title=f"Latest {n}") for n in range(10)]
    html = client.get("/").content.decode()
    new = titles(section(html, "new-heading"))
    assert len(new) == 8
    rest = titles(section(html, "batch-heading"))
    assert sorted(rest) == sorted({t.title for t in ten} - set(new))
    assert "2 more of its 10 tracks" in text(section(html, "batch-heading"))


def test_home_queries_do_not_grow_with_tracks(client: Client, django_assert_max_num_queries):
    batch = finished_batch()
    for n in range(3):
        rate(ReadyTrackFactory.create(batch=batch, title=f"Small {n}"), 4)
    with django_assert_max_num_queries(9):
        assert client.get("/").status_code == 200
    for n in range(12):
        rate(ReadyTrackFactory.create(batch=finished_batch(), title=f"More {n}"), 1 + n % 5)
    with django_assert_max_num_queries(9):
        html = client.get("/").content.decode()
    assert len(titles(section(html, "top-heading"))) == 8
