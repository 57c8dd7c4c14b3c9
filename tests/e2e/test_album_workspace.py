"""The album workspace in a real browser: rows move by dragging their handle (mouse or
finger), publishing asks first and refuses an unchanged album, and a track's crowd score reads
the same in the tracklist and the suggestions."""

import re
from pathlib import Path

import pytest

from curation.albums import services
from curation.albums.models import AlbumVersion
from tests.curation.albums.helpers import album_of, rated_once_heard_half
from tests.e2e.album_steps import (
    drag_by_handle,
    open_workspace,
    row_titles,
    touch_drag_by_handle,
    watch,
)
from tests.factories import ProducerFactory, ReadyTrackFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_required"),
]


def test_rows_move_by_dragging_their_handle_with_a_mouse_or_a_finger(browser, site: str):
    """Dragging is pointer events on the handle, so a mouse, a pen and a finger all move a row;
    the order is saved, announced and kept after a reload."""
    from playwright.sync_api import expect

    producer = ProducerFactory.create()
    tracks = [ReadyTrackFactory.create(title=t) for t in ("One", "Two", "Three", "Four")]
    album = album_of(producer, "Order", tracks)
    problems: list[str] = []
    desk, page = open_workspace(browser, site, producer, album, problems, responses=False)
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
    small = watch(phone.new_page(), problems, responses=False)
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
    rated_once_heard_half(ReadyTrackFactory.create(title="Rated Three", camelot="8A"))
    for title in ("Untouched A", "Untouched B"):
        ReadyTrackFactory.create(title=title, camelot="9A")
    album = services.album_create(user=producer, title="Ferry", target_count=2)
    problems: list[str] = []
    # Only script errors count: the page is refused a publish (409) on purpose below.
    context, page = open_workspace(browser, site, producer, album, problems, responses=False)

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
