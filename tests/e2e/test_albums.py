"""Albums in a real browser: a producer builds an album from the suggestions, moves a track,
finalizes it and opens the public album page; a listener is refused the producer pages."""

import io
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files import File
from django.core.files.base import ContentFile
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


def drag_by_handle(page, source, target) -> None:
    """Presses the source row's handle, moves the pointer in small steps to the top edge of the
    target row and lets go there, as a hand on a mouse does."""
    source.evaluate("row => row.scrollIntoView({block: 'center'})")
    handle = source.locator("[data-handle]").bounding_box()
    goal = target.bounding_box()
    assert handle and goal
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, goal["y"] + 4, steps=15)
    page.mouse.up()


def touch_drag_by_handle(page, source, target) -> None:
    """The same with a finger: touch events as a phone's screen sends them (through the
    DevTools protocol, as Playwright has no touch drag of its own)."""
    source.evaluate("row => row.scrollIntoView({block: 'center'})")
    handle = source.locator("[data-handle]").bounding_box()
    goal = target.bounding_box()
    assert handle and goal
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    end = goal["y"] + 4
    touch = page.context.new_cdp_session(page)
    touch.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]}
    )
    for step in range(1, 16):
        at = y + (end - y) * step / 15
        touch.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": at}]}
        )
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    touch.detach()


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

    # Move the last track to the top by dragging its handle; then one down with the keyboard.
    drag_by_handle(page, rows.nth(2), rows.nth(0))
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

    # Finalize (after saying yes): version 1, recorded with who and when.
    page.get_by_role("button", name="Finalize and publish").click()
    page.get_by_role("dialog").get_by_role("button", name="Publish version 1").click()
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


def album_of(producer, title: str, tracks, **fields) -> Album:
    album = services.album_create(user=producer, title=title, **fields)
    services.album_tracklist_set(album_id=album.pk, user=producer, track_ids=[t.pk for t in tracks])
    return album


def test_rows_move_by_dragging_their_handle_with_a_mouse_or_a_finger(browser, site: str):
    """Dragging is pointer events on the handle, so a mouse, a pen and a finger all move a row;
    the order is saved, announced and kept after a reload."""
    from playwright.sync_api import expect

    producer = ProducerFactory.create()
    tracks = [ReadyTrackFactory.create(title=t) for t in ("One", "Two", "Three", "Four")]
    album = album_of(producer, "Order", tracks)
    problems: list[str] = []

    desk = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = desk.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    log_in(page, site, producer.username, f"/producer/albums/{album.pk}/")
    expect(page.locator("[data-album-workspace]")).to_have_attribute("data-ready", "true")
    rows = page.locator("[data-tracklist] > li")
    drag_by_handle(page, rows.nth(3), rows.nth(0))
    expect(page.locator("[data-status]")).to_have_text("Moved Four to position 1 of 4.")
    assert row_titles(page) == ["Four", "One", "Two", "Three"]
    expect(page.get_by_role("button", name="Move Four (position 1)")).to_be_focused()
    # Downwards too, to just above the last row.
    drag_by_handle(page, rows.nth(0), rows.nth(3))
    expect(page.locator("[data-status]")).to_have_text("Moved Four to position 3 of 4.")
    assert [e.track.title for e in album.entries.select_related("track")] == [
        "One",
        "Two",
        "Four",
        "Three",
    ]
    # A press on the handle that does not move is not a move (nothing is saved).
    saves: list[str] = []
    page.on("request", lambda r: saves.append(r.url) if r.method == "PUT" else None)
    page.locator("[data-tracklist] > li [data-handle]").first.click()
    page.reload()
    expect(page.locator("[data-album-workspace]")).to_have_attribute("data-ready", "true")
    assert row_titles(page) == ["One", "Two", "Four", "Three"] and saves == []

    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
        storage_state=desk.storage_state(),
    )
    small = phone.new_page()
    small.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    small.goto(f"{site}/producer/albums/{album.pk}/")
    expect(small.locator("[data-album-workspace]")).to_have_attribute("data-ready", "true")
    rows = small.locator("[data-tracklist] > li")
    touch_drag_by_handle(small, rows.nth(3), rows.nth(0))
    expect(small.locator("[data-status]")).to_have_text("Moved Three to position 1 of 4.")
    assert row_titles(small) == ["Three", "One", "Two", "Four"]
    assert [e.track.title for e in album.entries.select_related("track")] == row_titles(small)
    phone.close()
    desk.close()
    assert problems == []


def test_publishing_asks_first_and_the_crowd_score_reads_the_same_everywhere(
    browser, site: str, output_dir: Path
):
    """The walk-through's complaints: one click published, an unchanged tracklist made a
    version 2, and one track showed two different crowd figures on one screen."""
    from playwright.sync_api import expect

    producer = ProducerFactory.create()
    rated = ReadyTrackFactory.create(title="Rated Three", camelot="8A")
    TrackStats.objects.create(
        track=rated,
        rating_count=1,
        rating_sum=3,
        stars_3=1,
        plays=1,
        unique_listeners=1,
        listen_through_sum=0.5,
    )
    for title in ("Untouched A", "Untouched B"):
        ReadyTrackFactory.create(title=title, camelot="9A")
    album = services.album_create(user=producer, title="Ferry", target_count=2)
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    log_in(page, site, producer.username, f"/producer/albums/{album.pk}/")
    expect(page.locator("[data-album-workspace]")).to_have_attribute("data-ready", "true")

    # Crowd only: the rated track leads the candidates, with the same figure and label it
    # then has in the tracklist.
    page.get_by_label("Crowd weight").fill("1")
    page.get_by_role("button", name="Suggest", exact=True).click()
    candidates = page.locator("[data-candidates] > li")
    expect(candidates).to_have_count(3)
    expect(candidates.first).to_contain_text("Rated Three")
    page.get_by_role("button", name="Use this tracklist").click()
    expect(page.locator("[data-tracklist] > li")).to_have_count(2)

    def figures(where: str) -> dict[str, tuple[str, str]]:
        return dict(
            page.locator(where).evaluate_all(
                """items => items.map(item => {
                    const figure = item.querySelector('.ws-crowd');
                    return [item.dataset.candidate || item.dataset.trackId,
                            [figure.textContent.trim(), figure.title]];
                })"""
            )
        )

    placed = figures("[data-tracklist] > li")
    offered = figures("[data-candidates] > li")
    assert placed and all(offered[track_id] == shown for track_id, shown in placed.items())
    shown = dict(placed.values())
    assert "Crowd score 0.43" in shown and "Crowd score 0.40" in shown
    assert all("0 to 1" in tooltip for tooltip in shown.values())
    expect(candidates.first.locator("[data-suggestion-score]")).to_have_attribute(
        "title", re.compile("rated tracks come first")
    )
    page.screenshot(path=output_dir / "albums-crowd-score.png", full_page=True)

    # Finalizing asks first and says what becomes public; cancelling publishes nothing.
    finalize = page.get_by_role("button", name="Finalize and publish")
    finalize.click()
    dialog = page.get_by_role("dialog", name="Publish version 1?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("public album page")
    expect(dialog).to_contain_text("Ferry")
    expect(dialog).to_contain_text("2 tracks")
    page.screenshot(path=output_dir / "albums-confirm-publish.png")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(finalize).to_be_focused()
    assert not AlbumVersion.objects.exists()
    # Escape cancels too.
    finalize.click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert not AlbumVersion.objects.exists()

    finalize.click()
    dialog.get_by_role("button", name="Publish version 1").click()
    expect(page.locator("[data-status]")).to_contain_text("Finalized version 1")

    # Nothing changed since: no dialog, no version 2, and the page says why.
    finalize.click()
    expect(page.locator("[data-status]")).to_contain_text("Nothing has changed since version 1")
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert list(AlbumVersion.objects.values_list("number", flat=True)) == [1]

    # Had the page not known (another producer's tab), the server refuses and the page says so.
    page.get_by_text("Album details").click()
    page.get_by_label("Title").fill("Ferry (night)")
    page.get_by_role("button", name="Save details").click()
    expect(page.locator("[data-status]")).to_have_text("Album details saved.")
    finalize.click()
    expect(page.get_by_role("dialog", name="Publish version 2?")).to_be_visible()
    services.album_update(album_id=album.pk, user=producer, title="Ferry")  # undone meanwhile
    page.get_by_role("dialog").get_by_role("button", name="Publish version 2").click()
    expect(page.locator("[data-status]")).to_contain_text("Nothing has changed since version 1")
    assert list(AlbumVersion.objects.values_list("number", flat=True)) == [1]
    context.close()
    assert problems == []


def test_the_public_album_page_plays_all_shares_and_offers_the_download(
    browser,
    site: str,
    rendered: RenderedAudio,  # noqa: F811  (the fixture imported above)
    output_dir: Path,
):
    from playwright.sync_api import expect

    producer = ProducerFactory.create()
    shared: dict[str, Any] = {"audio": rendered}
    tracks = [
        crowd_favourite("Copper Sky", 5, 6, camelot="8A", key="A minor", tempo_bpm=100, **shared),
        crowd_favourite("Iron Bloom", 4, 3, camelot="9A", key="E minor", tempo_bpm=104, **shared),
        crowd_favourite("Salt Road", 4, 5, camelot="8B", key="C major", tempo_bpm=98, **shared),
    ]
    album = album_of(producer, "Harbour Lights", tracks, description="Songs for the night ferry.")
    services.album_update(album_id=album.pk, user=producer, allow_download=True)
    services.album_finalize(album_id=album.pk, user=producer)
    version = AlbumVersion.objects.get()
    job = AlbumJob.objects.create(
        album=album,
        version=version,
        kind=AlbumJob.Kind.EXPORT,
        status=AlbumJob.Status.DONE,
        track_ids=[t.pk for t in tracks],
    )
    job.file.save("export.zip", ContentFile(b"PK\x03\x04 an archive"), save=True)

    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.goto(f"{site}/albums/{album.pk}/")
    expect(page.get_by_role("heading", name="Harbour Lights", level=1)).to_be_visible()
    cover = page.get_by_role("img", name=re.compile("Cover of Harbour Lights"))
    expect(cover).to_be_visible()
    page.wait_for_function(
        "document.querySelector('[data-album-cover]').complete"
        " && document.querySelector('[data-album-cover]').naturalWidth > 0"
    )
    page.screenshot(path=output_dir / "albums-public-desktop.png", full_page=True)

    # Play all: the persistent player plays track 1 with the whole album queued.
    page.get_by_role("button", name="Play all").click()
    page.wait_for_function(
        "document.querySelector('[data-player=\"audio\"]').currentTime > 0.3", timeout=10_000
    )
    expect(page.locator("#player")).to_have_attribute("data-state", "playing")
    expect(page.locator('[data-player="title"]')).to_have_text("Copper Sky")
    queued = page.evaluate("window.albumvote.player.queue.map(track => track.id)")
    assert queued == [t.pk for t in tracks]
    expect(page.get_by_role("button", name="Pause Copper Sky", exact=True)).to_be_visible()
    expect(page.locator("[data-play-all]")).to_have_accessible_name("Pause")
    page.locator("[data-play-all]").click()
    expect(page.locator("#player")).to_have_attribute("data-state", "paused")
    # Any one track plays from its own button, with the album still queued.
    page.get_by_role("button", name="Play Salt Road", exact=True).click()
    expect(page.locator('[data-player="title"]')).to_have_text("Salt Road")
    expect(page.locator("#player")).to_have_attribute("data-state", "playing")
    page.get_by_role("button", name="Pause Salt Road", exact=True).click()

    # Share: the canonical link goes to the clipboard.
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("[data-share-status]")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == f"{site}/albums/{album.pk}/"

    # The download is the export archive of this version.
    download = page.get_by_role("link", name=re.compile("Download"))
    expect(download).to_be_visible()
    archive = page.request.get(site + (download.get_attribute("href") or ""))
    assert archive.status == 200 and archive.body()[:2] == b"PK"

    phone = browser.new_context(viewport={"width": 390, "height": 844})
    small = phone.new_page()
    small.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    small.goto(f"{site}/albums/{album.pk}/")
    expect(small.get_by_role("button", name="Play all")).to_be_visible()
    small.wait_for_function("document.querySelector('[data-album-cover]').naturalWidth > 0")
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    small.screenshot(path=output_dir / "albums-public-phone.png", full_page=True)
    small.locator("[data-play-all]").evaluate("button => button.scrollIntoView()")
    small.screenshot(path=output_dir / "albums-public-phone-actions.png")
    phone.close()
    context.close()
    assert problems == []
