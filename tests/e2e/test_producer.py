"""The producer dashboard in a real browser: per-track progress arrives over the websocket
while a batch composes, a failure shows its error and a retry button, and the track page
draws its charts."""

import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from curation.albums import services as album_services
from curation.models import ArenaRating, ListenerTrack, Rating, TrackStats
from generation import dispatch, events, services
from generation.models import GenerationBatch, Track
from tests.e2e.album_steps import log_in
from tests.factories import (
    GenerationBatchFactory,
    ListenerFactory,
    ProducerFactory,
    ReadyTrackFactory,
    TrackFactory,
    UserFactory,
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


def in_thread(work: Callable[[], object]) -> None:
    """Run a service on a thread of its own, as a worker would (see set_status)."""

    def run() -> None:
        work()
        connection.close()

    thread = threading.Thread(target=run)
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

    # The last track gives up through the services, which close the batch in the same
    # transaction: the batch moves from Running to Recent at once, without a reload.
    in_thread(lambda: services.track_mark_failed(track_id=tracks[0].pk, error="Worker lost"))
    recent = page.locator(f'[data-recent] [data-batch-id="{batch.pk}"]')
    expect(recent).to_be_visible(timeout=10_000)
    expect(page.locator(f'[data-running] [data-batch-id="{batch.pk}"]')).to_have_count(0)
    expect(recent.locator("[data-done]")).to_have_text("3")
    expect(recent.locator("[data-finished]")).to_contain_text("finished")
    page.screenshot(path=output_dir / "producer-dashboard-finished.png", full_page=True)
    # A fresh load agrees with the page the events built.
    page.reload()
    expect(page.locator(f'[data-recent] [data-batch-id="{batch.pk}"]')).to_be_visible()
    expect(page.locator(f'[data-running] [data-batch-id="{batch.pk}"]')).to_have_count(0)
    page.wait_for_function(
        "document.querySelector('[data-producer-live] [data-live-status]')"
        "?.dataset.state === 'live'",
        timeout=10_000,
    )
    # Retried elsewhere (the admin, say), a failed track reopens its batch: back to Running.
    in_thread(lambda: services.tracks_retry(track_ids=[tracks[2].pk]))
    running = page.locator(f'[data-running] [data-batch-id="{batch.pk}"]')
    expect(running).to_be_visible(timeout=10_000)
    expect(running.locator(f'[data-track-row="{tracks[2].pk}"] [data-status]')).to_have_text(
        "queued"
    )
    expect(running.locator("[data-finished]")).to_have_text("")

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


def test_the_dashboard_says_who_launched_a_batch_and_which_tracks_wait_for_a_worker(
    browser, site: str, output_dir: Path, monkeypatch
):
    """A batch launched while the page is open names its producer, as a reloaded page does;
    a track no worker can still be on says so, at load and live, once its time is up."""
    from playwright.sync_api import expect

    monkeypatch.setattr(dispatch, "generate_tracks", lambda ids: None)
    producer = ProducerFactory.create(username="curator")
    batch = GenerationBatchFactory.create(count=2)
    dead = TrackFactory.create(batch=batch, position=0, status=Track.Status.RENDERING)
    later = TrackFactory.create(batch=batch, position=1, status=Track.Status.QUEUED)
    limit_s = settings.GENERATION_TASK_TIME_LIMIT
    Track.objects.filter(pk=dead.pk).update(
        updated_at=timezone.now() - timedelta(seconds=limit_s + 5)
    )

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.clock.install()  # the page's timers run on a clock the test can move on
    log_in(page, site, producer.username, "/producer/")
    status = page.locator(f'[data-track-row="{dead.pk}"] [data-status]')
    expect(status).to_have_text("waiting for a worker")
    page.wait_for_function(
        "document.querySelector('[data-producer-live] [data-live-status]')"
        "?.dataset.state === 'live'",
        timeout=10_000,
    )

    # A worker takes the other track; it is rendering until its task's time is up.
    set_status(later, Track.Status.RENDERING)
    status = page.locator(f'[data-track-row="{later.pk}"] [data-status]')
    expect(status).to_have_text("rendering", timeout=10_000)
    page.clock.fast_forward((limit_s + 1) * 1000)
    expect(status).to_have_text("waiting for a worker")

    params = services.batch_params_validate({"count": 1, "seed": 5})
    in_thread(
        lambda: services.batch_launch(
            params=params, source=GenerationBatch.Source.DASHBOARD, launched_by=producer
        )
    )
    launched = GenerationBatch.objects.latest("pk")
    meta = page.locator(f'[data-batch-id="{launched.pk}"] .batch-meta')
    expect(meta).to_contain_text("Dashboard by curator", timeout=10_000)
    page.screenshot(path=output_dir / "producer-dashboard-waiting.png", full_page=True)
    page.reload()
    expect(meta).to_contain_text("Dashboard by curator")

    # A listener is refused with the site's page, and none of it.
    for width, height in ((1280, 800), (390, 844)):
        other = browser.new_context(viewport={"width": width, "height": height}).new_page()
        log_in(other, site, UserFactory.create().username, "/producer/")
        expect(other.get_by_role("heading", name="Producers only")).to_be_visible()
        expect(other.locator("main")).not_to_contain_text("curator")
        other.screenshot(path=output_dir / f"producer-listener-refused-{width}.png")
        other.context.close()


def fits(page) -> dict[str, int]:
    """Widths of the tracks table, its container and the page, as the browser lays them out."""
    return page.evaluate(
        """() => {
          const table = document.querySelector('.tracks-table');
          return {
            table: table.scrollWidth,
            container: table.parentElement.clientWidth,
            page: document.documentElement.scrollWidth,
            viewport: document.documentElement.clientWidth,
          };
        }"""
    )


def test_the_tracks_table_fits_a_desktop_and_a_phone(browser, site: str, output_dir: Path):
    from playwright.sync_api import expect

    producer = ProducerFactory.create()
    batch = GenerationBatchFactory.create(count=5)
    metrics = {"pitch_range": 14.0, "note_density": 3.21, "repetition": 0.42, "scale_fit": 0.97}
    rated = ReadyTrackFactory.create(
        batch=batch,
        title="The Long Road Home Through Killarney",
        preset="irish_jig",
        metrics=metrics,
    )
    stats = {f"stars_{k}": n for k, n in zip(range(1, 6), [1, 0, 2, 5, 4], strict=True)}
    TrackStats.objects.create(track=rated, rating_count=12, rating_sum=47, plays=30, **stats)
    ArenaRating.objects.create(
        track=rated, rating=1040, low=980, high=1100, votes=60, computed_at=timezone.now()
    )
    unsettled = ReadyTrackFactory.create(batch=batch, title="Lofi Dawn", preset="lofi")
    ArenaRating.objects.create(
        track=unsettled, rating=1010, low=-350, high=2400, votes=2, computed_at=timezone.now()
    )
    TrackFactory.create(
        batch=batch,
        title="Broken Waltz",
        preset="waltz",
        status=Track.Status.FAILED,
        error="Rendering failed: fluidsynth exited with status 1 after 300 s (out of memory)",
    )
    TrackFactory.create(
        batch=batch,
        title="Too Busy Chorale",
        preset="chorale",
        status=Track.Status.REJECTED,
        rejection_reasons=["pitch_range 40.000 is above the corpus bound 30.000"],
    )
    album_services.pick_update(
        track_id=rated.pk, user=producer, shortlisted=True, tags=["opener", "calm", "strings"]
    )
    album_services.pick_update(track_id=unsettled.pk, user=producer, vetoed=True)

    # A desktop, the narrowest screen that still gets the table, and a phone.
    for width, height in ((1280, 900), (900, 800), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        log_in(page, site, producer.username, "/producer/tracks/")
        expect(page.get_by_role("heading", name="Tracks table")).to_be_visible()
        row = page.locator(f'[data-track-row="{rated.pk}"]')
        expect(row).to_contain_text("Irish jig")
        expect(page.locator(f'[data-track-row="{unsettled.pk}"]')).to_contain_text(
            "needs more votes"
        )
        sizes = fits(page)
        assert sizes["table"] <= sizes["container"], (width, sizes)
        assert sizes["page"] <= sizes["viewport"], (width, sizes)
        page.screenshot(path=output_dir / f"producer-tracks-{width}.png", full_page=True)
        # Opening a row's other figures and the legend keeps everything inside the page.
        row.get_by_text("More figures").click()
        expect(row.get_by_text("pitch_range 14.00")).to_be_visible()
        page.get_by_text("What the columns mean").click()
        sizes = fits(page)
        assert sizes["table"] <= sizes["container"], (width, sizes)
        assert sizes["page"] <= sizes["viewport"], (width, sizes)
        page.screenshot(path=output_dir / f"producer-tracks-{width}-open.png", full_page=True)
        for name, url in (("dashboard", "/producer/"), ("track", f"/producer/tracks/{rated.pk}/")):
            page.goto(f"{site}{url}")
            width_now = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=output_dir / f"producer-{name}-{width}.png", full_page=True)
            assert width_now <= page.evaluate("document.documentElement.clientWidth"), name
        context.close()
