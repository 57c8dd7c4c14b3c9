"""A track whose worker died says "waiting for a worker" on the producer pages, not
"rendering": once nothing has touched its row for longer than a task may run, no worker can
still be on it (issue 11, 3.2). Queued tracks wait anyway; finished ones are left alone."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from generation.models import Track
from tests.factories import GenerationBatchFactory, TrackFactory

pytestmark = pytest.mark.django_db

WAITING = "waiting for a worker"


def status_of(html: str, track: Track) -> str:
    """The status badge's words in the track's row."""
    row = re.search(rf'<tr data-track-row="{track.pk}".*?</tr>', html, flags=re.S)
    assert row, track.pk
    badge = re.search(r"<span [^>]*data-status[^>]*>([^<]*)</span>", row.group(0))
    assert badge, row.group(0)
    return badge.group(1).strip()


@pytest.fixture
def tracks() -> dict[str, Track]:
    """In one running batch: a rendering track nothing has touched for longer than a task
    may run, one a worker has now, and a queued track as old as the first."""
    batch = GenerationBatchFactory.create(count=3)
    dead = TrackFactory.create(batch=batch, position=0, status=Track.Status.RENDERING)
    busy = TrackFactory.create(batch=batch, position=1, status=Track.Status.COMPOSING)
    queued = TrackFactory.create(batch=batch, position=2, status=Track.Status.QUEUED)
    long_ago = timezone.now() - timedelta(seconds=settings.GENERATION_TASK_TIME_LIMIT + 5)
    Track.objects.filter(pk__in=[dead.pk, queued.pk]).update(updated_at=long_ago)
    return {"dead": dead, "busy": busy, "queued": queued}


def test_the_dashboard_says_a_dead_workers_track_waits_for_a_worker(
    producer_client: Client, tracks
):
    html = producer_client.get("/producer/").content.decode()
    assert status_of(html, tracks["dead"]) == WAITING
    assert status_of(html, tracks["busy"]) == "composing"
    assert status_of(html, tracks["queued"]) == "queued"
    # The one a worker has now says when it would count as waiting, for the live script.
    busy = Track.objects.get(pk=tracks["busy"].pk)
    limit = timedelta(seconds=settings.GENERATION_TASK_TIME_LIMIT)
    assert f'data-stalled-at="{(busy.updated_at + limit).isoformat()}"' in html


def test_the_tracks_table_and_the_track_page_say_it_too(producer_client: Client, tracks):
    table = producer_client.get("/producer/tracks/").content.decode()
    assert status_of(table, tracks["dead"]) == WAITING
    assert status_of(table, tracks["busy"]) == "composing"
    assert track_page_status(producer_client, tracks["dead"]) == WAITING
    assert track_page_status(producer_client, tracks["busy"]) == "composing"


def track_page_status(client: Client, track: Track) -> str:
    """The words under the track page's heading, where it says its status."""
    html = client.get(f"/producer/tracks/{track.pk}/").content.decode()
    lede = re.search(r'<h1 id="page-heading">.*?</h1>\s*<p class="lede">(.*?)</p>', html, re.S)
    assert lede, html[:2000]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", lede.group(1))).strip()
