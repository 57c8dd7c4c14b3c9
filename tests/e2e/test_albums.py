"""Albums in a real browser: a producer builds an album from the suggestions, moves a track,
finalizes it, exports it (with or without the stems) and opens the public album page, which
plays, shares and offers the download; a listener is refused the producer pages. Moving rows
and publishing are in test_album_workspace.py."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from curation.albums import services
from curation.albums.models import Album, AlbumJob, AlbumVersion
from generation.audio import RenderedAudio
from generation.templatetags.formats import duration
from tests.curation.albums.helpers import export_of, published_album
from tests.e2e.album_steps import (
    crowd_favourite,
    drag_by_handle,
    log_in,
    open_workspace,
    row_titles,
    run_job,
    watch,
)
from tests.e2e.test_listening import rendered  # noqa: F401  (fixture)
from tests.factories import GenerationBatchFactory, ProducerFactory, ReadyTrackFactory, UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_required"),
]


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
    page = watch(context.new_page(), problems)

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
    # The totals' length (to a tenth of a second), written by the site's one rule.
    expect(page.locator('[data-total="length"]')).to_have_text(
        duration(round(3 * rendered.duration_s, 1))
    )
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
    assert not run_job("export").include_stems  # the stems only when asked for
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
    album = published_album(
        producer, "Harbour Lights", tracks, description="Songs for the night ferry."
    )
    services.album_update(album_id=album.pk, user=producer, allow_download=True)
    export_of(album, 1)

    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    page = watch(context.new_page(), problems)
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
    small = watch(phone.new_page(), problems, responses=False)
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


def test_an_export_can_include_the_stems_and_the_workspace_says_so(
    browser, site: str, output_dir: Path
):
    """Beside each version's export button, "Include stems": off by default, explained, kept
    while the page redraws, and sent with the export; the job then says it has the stems."""
    from playwright.sync_api import expect

    producer = ProducerFactory.create()
    album = published_album(producer, "Stems", [ReadyTrackFactory.create(title=t) for t in "AB"])
    problems: list[str] = []
    context, page = open_workspace(browser, site, producer, album, problems)

    stems = page.get_by_role("checkbox", name="Include stems")
    expect(stems).to_have_count(1)
    expect(stems).not_to_be_checked()
    expect(stems).to_have_accessible_description(re.compile("24-bit FLAC and a MIDI file"))
    expect(stems).to_have_accessible_description(re.compile("several times larger"))
    stems.check()
    # Saving the details redraws the version history; the choice stays.
    page.get_by_text("Album details").click()
    page.get_by_role("button", name="Save details").click()
    expect(page.locator("[data-status]")).to_have_text("Album details saved.")
    expect(stems).to_be_checked()

    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/versions/1/export/")
    ) as answered:
        page.get_by_role("button", name="Export version 1").click()
    assert answered.value.status == 202
    assert answered.value.request.post_data_json == {"stems": True}
    assert AlbumJob.objects.get().include_stems
    expect(page.locator('[data-job="export-1"] progress')).to_have_accessible_name(
        "Export of version 1 with stems progress"
    )
    expect(page.locator("[data-status]")).to_have_text("Export of version 1 with stems started.")
    page.locator("[data-versions]").scroll_into_view_if_needed()
    page.screenshot(path=output_dir / "albums-export-stems.png", full_page=True)

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, storage_state=context.storage_state()
    )
    small = watch(phone.new_page(), problems, responses=False)
    small.goto(f"{site}/producer/albums/{album.pk}/")
    expect(small.locator("[data-album-workspace]")).to_have_attribute("data-ready", "true")
    expect(small.get_by_role("checkbox", name="Include stems")).to_be_visible()
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    small.locator("[data-versions]").scroll_into_view_if_needed()
    small.screenshot(path=output_dir / "albums-export-stems-phone.png")
    phone.close()
    context.close()
    assert problems == []
