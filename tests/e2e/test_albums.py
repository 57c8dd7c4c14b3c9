"""Albums in a real browser: a producer builds an album from the suggestions, moves a track,
finalizes it and opens the public album page; a listener is refused the producer pages."""

import io
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files import File
from django.utils import timezone

from curation.albums import jobs, services
from curation.albums.models import Album, AlbumJob, AlbumVersion
from curation.models import TrackStats
from generation.audio import RenderedAudio
from tests.e2e.test_listening import arpeggios, rendered  # noqa: F401  (fixture)
from tests.factories import GenerationBatchFactory, ProducerFactory, ReadyTrackFactory, UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_required"),
]

PASSWORD = "pass-word-123"  # what the user factories set


def crowd_favourite(
    title: str, stars: int, count: int, audio: RenderedAudio | None = None, **fields
):
    """A ready track the crowd rated `count` times `stars`, playable if given audio."""
    track = ReadyTrackFactory.create(title=title, **fields)
    if audio is not None:
        track.duration_s, track.peaks = audio.duration_s, audio.peaks
        with audio.opus_path.open("rb") as opus, audio.mp3_path.open("rb") as mp3:
            track.audio_opus.save("a.opus", File(opus), save=False)
            track.audio_mp3.save("a.mp3", File(mp3), save=False)
        midi = io.BytesIO()
        arpeggios(audio.duration_s).write(midi)
        track.midi.save("a.mid", File(midi), save=False)
        track.save()
    TrackStats.objects.create(
        track=track, rating_count=count, rating_sum=stars * count, **{f"stars_{stars}": count}
    )
    return track


def log_in(page, site: str, username: str, next_path: str) -> None:
    page.goto(f"{site}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def run_job(kind: str) -> AlbumJob:
    """Builds the job the page asked for, as the Celery worker would (the task's service)."""
    deadline = time.monotonic() + 10
    while not (job := AlbumJob.objects.filter(kind=kind).first()):
        assert time.monotonic() < deadline, f"no {kind} job was asked for"
        time.sleep(0.1)
    jobs.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == AlbumJob.Status.DONE, job.error
    return job


def row_titles(page) -> list[str]:
    return page.locator("[data-tracklist] > li").evaluate_all(
        "rows => rows.map(row => row.dataset.title)"
    )


def test_a_producer_builds_moves_finalizes_and_publishes_an_album(
    browser,
    site: str,
    rendered: RenderedAudio,  # noqa: F811  (the fixture imported above)
    output_dir: Path,
):
    from playwright.sync_api import expect

    batch = GenerationBatchFactory.create(finished_at=timezone.now(), count=6)
    shared: dict[str, Any] = {"batch": batch, "audio": rendered}
    crowd_favourite("Copper Sky", 5, 6, camelot="8A", key="A minor", tempo_bpm=100, **shared)
    crowd_favourite("Iron Bloom", 5, 5, camelot="9A", key="E minor", tempo_bpm=104, **shared)
    crowd_favourite("Salt Road", 4, 5, camelot="8B", key="C major", tempo_bpm=98, **shared)
    crowd_favourite("Low Lantern", 2, 5, camelot="3A", key="Bb minor", tempo_bpm=150, **shared)
    vetoed = crowd_favourite("Vetoed Gem", 5, 9, camelot="8A", key="A minor", **shared)
    producer = ProducerFactory.create()
    services.pick_update(track_id=vetoed.pk, user=producer, vetoed=True, notes="clips")
    listener = UserFactory.create()

    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )

    # Log in, start an album of three tracks.
    log_in(page, site, producer.username, "/producer/albums/")
    expect(page.get_by_role("heading", name="Albums in the making")).to_be_visible()
    expect(page.get_by_text("No albums yet.")).to_be_visible()
    page.get_by_label("Title").fill("Harbour Lights")
    page.get_by_label("Concept / description").fill("Songs for the night ferry.")
    page.get_by_label("Target track count").fill("3")
    page.get_by_role("button", name="Create album").click()
    expect(page.get_by_role("heading", name="Harbour Lights")).to_be_visible()
    album = Album.objects.get()
    assert page.url.endswith(f"/producer/albums/{album.pk}/")
    expect(page.get_by_text("No tracks yet.")).to_be_visible()
    expect(page.locator("[data-album-workspace]")).to_have_attribute("data-ready", "true")

    # Suggestions: crowd only, three tracks, sequenced; the vetoed track never appears.
    page.get_by_label("Crowd weight").fill("1")
    expect(page.locator("[data-weight-value]")).to_have_text("1.00")
    page.get_by_role("button", name="Suggest", exact=True).click()
    order = page.locator("[data-suggestion-order] > li")
    expect(order).to_have_count(3)
    expect(page.locator("[data-candidates]")).to_contain_text("Copper Sky")
    expect(page.locator("[data-candidates]")).not_to_contain_text("Vetoed Gem")
    expect(page.locator("[data-suggestion-order]")).not_to_contain_text("Low Lantern")
    expect(page.locator("[data-suggestion-order] [data-transition]").first).to_contain_text("→")
    page.get_by_role("button", name="Use this tracklist").click()
    rows = page.locator("[data-tracklist] > li")
    expect(rows).to_have_count(3)
    suggested = row_titles(page)
    assert set(suggested) == {"Copper Sky", "Iron Bloom", "Salt Road"}
    expect(page.locator('[data-total="count"]')).to_have_text("3 of 3")
    whole = round(round(3 * rendered.duration_s, 1))
    expect(page.locator('[data-total="length"]')).to_have_text(f"{whole // 60}:{whole % 60:02d}")
    expect(page.locator("[data-tracklist] [data-transition]")).to_have_count(2)
    page.screenshot(path=output_dir / "albums-workspace-suggested.png", full_page=True)

    # Move the last track to the top by dragging it; then one down with the keyboard.
    rows.nth(2).drag_to(rows.nth(0), target_position={"x": 40, "y": 5})
    moved = [suggested[2], suggested[0], suggested[1]]
    expect(page.locator("[data-status]")).to_have_text(f"Moved {suggested[2]} to position 1 of 3.")
    assert row_titles(page) == moved
    handle = page.get_by_role("button", name=f"Move {suggested[2]} (position 1)")
    handle.focus()
    page.keyboard.press("Alt+ArrowDown")
    expect(page.locator("[data-status]")).to_have_text(f"Moved {suggested[2]} to position 2 of 3.")
    final = [suggested[0], suggested[2], suggested[1]]
    assert row_titles(page) == final
    # Focus stays on the moved row's handle, so it can be moved on.
    expect(page.get_by_role("button", name=f"Move {suggested[2]} (position 2)")).to_be_focused()
    assert [e.track.title for e in album.entries.select_related("track")] == final
    page.screenshot(path=output_dir / "albums-workspace-moved.png", full_page=True)

    # Preview: the whole album as one mix, built by a job whose progress the page follows.
    page.get_by_role("button", name="Preview the mix").click()
    expect(page.locator('[data-job="preview"] progress')).to_be_visible()
    expect(page.get_by_role("button", name="Preview the mix")).to_be_disabled()
    preview = run_job("preview")
    assert preview.track_ids == [
        t.pk for t in (album.entries.get(position=p).track for p in (1, 2, 3))
    ]
    mix = page.locator("[data-preview-audio]")
    expect(mix).to_be_visible(timeout=10_000)
    assert page.request.get(site + (mix.get_attribute("src") or "")).status == 200
    expect(page.get_by_role("button", name="Preview the mix")).to_be_enabled()

    # Finalize: version 1, recorded with who and when.
    page.get_by_role("button", name="Finalize and publish").click()
    expect(page.locator("[data-status]")).to_contain_text("Finalized version 1")
    expect(page.locator("[data-versions]")).to_contain_text("Version 1")
    expect(page.locator("[data-versions]")).to_contain_text(f"by {producer.username}")
    version = AlbumVersion.objects.get()
    assert version.finalized_by == producer
    assert [row["title"] for row in version.tracklist] == final

    # Export the version: a job, then a download link to the archive.
    page.get_by_role("button", name="Export version 1").click()
    expect(page.locator('[data-job="export-1"] progress')).to_be_visible()
    run_job("export")
    download = page.locator('[data-job="export-1"] [data-download]')
    expect(download).to_be_visible(timeout=10_000)
    archive = page.request.get(site + (download.get_attribute("href") or ""))
    assert archive.status == 200 and archive.body()[:2] == b"PK"
    page.screenshot(path=output_dir / "albums-workspace-finalized.png", full_page=True)

    # The public album page, in that order.
    page.get_by_role("link", name="public page").click()
    expect(page.get_by_role("heading", name="Harbour Lights", level=1)).to_be_visible()
    expect(page.get_by_text("Version 1, finalized")).to_be_visible()
    public_rows = page.locator("[data-album-tracklist] > li")
    expect(public_rows).to_have_count(3)
    assert public_rows.evaluate_all("rows => rows.map(row => row.dataset.title)") == final
    expect(page.locator("main")).not_to_contain_text("clips")
    page.screenshot(path=output_dir / "albums-public.png", full_page=True)
    page.get_by_role("link", name="Albums", exact=True).first.click()
    expect(page.locator(".album-card")).to_contain_text("Harbour Lights")

    # On a phone the workspace still fits.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, storage_state=context.storage_state()
    )
    small = phone.new_page()
    small.goto(f"{site}/producer/albums/")
    small.evaluate("window.stayedOnPage = true")
    small.get_by_role("link", name="Harbour Lights").click()  # in-place navigation
    expect(small.locator("[data-album-workspace]")).to_have_attribute("data-ready", "true")
    assert small.evaluate("window.stayedOnPage") is True  # the workspace started without a reload
    expect(small.locator("[data-tracklist] > li")).to_have_count(3)
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    small.screenshot(path=output_dir / "albums-workspace-phone.png", full_page=True)
    phone.close()
    assert problems == []

    # A listener is refused the producer pages (and the API behind them).
    other = browser.new_context().new_page()
    log_in(other, site, listener.username, "/producer/albums/")
    expect(other.get_by_role("heading", name="Producers only")).to_be_visible()
    other.goto(f"{site}/producer/albums/{album.pk}/")
    expect(other.get_by_role("heading", name="Producers only")).to_be_visible()
    expect(other.locator("main")).not_to_contain_text("Harbour Lights")
    other.screenshot(path=output_dir / "albums-listener-refused.png", full_page=True)
    response = other.request.get(f"{site}/api/v1/albums/{album.pk}/workspace/")
    assert response.status == 403
    assert response.json()["error"]["code"]
