"""The producer dashboard in a real browser: per-track progress arrives over the websocket
while a batch composes, a failure shows its error and a retry button, and the track page
draws its charts."""

import threading
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from curation.models import ArenaRating, ListenerTrack, Rating, TrackStats
from generation import events
from generation.models import GenerationBatch, Track
from tests.e2e.test_albums import log_in
from tests.factories import (
    GenerationBatchFactory,
    ListenerFactory,
    ProducerFactory,
    ReadyTrackFactory,
    TrackFactory,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_required", "redis_channel_layer"),
]


def set_status(track: Track, status: str, **fields) -> None:
    """What the worker's services do: change the row, then announce it after the commit. On
    a thread of its own, as in a worker: Playwright's event loop runs on the test's thread."""

    def work() -> None:
        with transaction.atomic():
            Track.objects.filter(pk=track.pk).update(status=status, **fields)
            events.send_track_status(track)
        connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=30)


def test_a_producer_watches_a_batch_compose_live_and_reads_the_charts(
    browser, site: str, output_dir: Path
):
    from playwright.sync_api import expect

    batch = GenerationBatchFactory.create(count=3)
    tracks = [TrackFactory.create(batch=batch, position=i, title="") for i in range(3)]
    rated = ReadyTrackFactory.create(
        title="Charted Reel",
        resolved_params={"preset": "celtic_reel", "seed": 1234, "temperature": 1.0},
    )
    stats = {f"stars_{k}": n for k, n in zip(range(1, 6), [1, 0, 2, 5, 4], strict=True)}
    TrackStats.objects.create(track=rated, rating_count=12, rating_sum=47, **stats)
    for stars, heard in ((5, 120.0), (4, 80.0), (4, 30.0)):
        listener = ListenerFactory.create()
        Rating.objects.create(listener=listener, track=rated, stars=stars)
        ListenerTrack.objects.create(
            listener=listener, track=rated, plays=1, listened_s=heard, max_position_s=heard
        )
    ArenaRating.objects.create(
        track=rated, rating=1040, low=980, high=1100, votes=12, computed_at=timezone.now()
    )
    producer = ProducerFactory.create()

    problems: list[str] = []
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    log_in(page, site, producer.username, "/producer/")
    expect(page.get_by_role("heading", name="Producer dashboard")).to_be_visible()
    block = page.locator(f'[data-batch-id="{batch.pk}"]')
    expect(block).to_be_visible()
    expect(block.locator("[data-done]")).to_have_text("0")
    page.wait_for_function(
        "document.querySelector('[data-producer-live] [data-live-status]')"
        "?.dataset.state === 'live'",
        timeout=10_000,
    )

    # The worker composes one track, finishes another and fails the third.
    set_status(tracks[0], Track.Status.COMPOSING)
    row = page.locator(f'[data-track-row="{tracks[0].pk}"]')
    expect(row.locator("[data-status]")).to_have_text("composing", timeout=10_000)
    set_status(
        tracks[1],
        Track.Status.READY,
        title="Quay Lights",
        duration_s=90.0,
        finished_at=timezone.now(),
    )
    expect(page.locator(f'[data-track-row="{tracks[1].pk}"] [data-title]')).to_have_text(
        "Quay Lights", timeout=10_000
    )
    set_status(tracks[2], Track.Status.FAILED, error="Renderer crashed: out of memory")
    failed = page.locator(f'[data-track-row="{tracks[2].pk}"]')
    expect(failed.locator("[data-error]")).to_have_text("Renderer crashed: out of memory")
    expect(failed.get_by_role("button", name="Retry")).to_be_visible()
    expect(block.locator("[data-done]")).to_have_text("2")
    page.screenshot(path=output_dir / "producer-dashboard-live.png", full_page=True)

    # The tracks table and a track's charts.
    page.goto(f"{site}/producer/tracks/?sort=crowd")
    expect(page.get_by_role("heading", name="Tracks table")).to_be_visible()
    page.screenshot(path=output_dir / "producer-tracks.png", full_page=True)
    page.goto(f"{site}/producer/tracks/{rated.pk}/")
    charts = page.locator("section[aria-labelledby='charts-heading'] figure")
    expect(charts).to_have_count(4)
    for n in range(4):
        expect(charts.nth(n).locator("svg").first).to_be_visible()
    page.screenshot(path=output_dir / "producer-track-charts.png", full_page=True)

    # Remix it at another tempo: a small batch linked to the track, listed beside it.
    remix = page.locator("[data-remix]")
    remix.get_by_label("Tempo").check()
    remix.get_by_label("Quarter notes per minute").fill("140")
    remix.get_by_role("button", name="Queue remixes").click()
    expect(remix.locator("[data-remix-status]")).to_contain_text("1 remix", timeout=10_000)
    batch = GenerationBatch.objects.get(remix_of=rated)
    assert batch.count == 1
    assert batch.tracks.get().params["tempo_bpm"] == 140
    expect(remix.locator(f'[data-remix-batch="{batch.pk}"]')).to_be_visible()
    page.screenshot(path=output_dir / "producer-remix.png", full_page=False)
    assert problems == []
