"""The journey of a newcomer, as issue 9 walked it: the first-run home page on a phone (one
line of header, each track listed once), the arena (vote, the refit, and reopening the arena
and a producer's track page, which once hung for good after a batch's first vote), and a
published album's page (its cover, play all). Screenshots: test-output/e2e/newcomer-*.png."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from curation.albums import services as album_services
from curation.models import ArenaVote
from curation.tasks import refit_arena
from generation.audio import RenderedAudio
from tests.curation.albums.helpers import album_of
from tests.curation.helpers import established
from tests.e2e.album_steps import crowd_favourite, log_in
from tests.e2e.test_listening import playable_track, rendered  # noqa: F401  (fixture)
from tests.factories import GenerationBatchFactory, ProducerFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_required"),
]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


def watch(page: Any, problems: list[str]) -> None:
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 500 else None,
    )


def test_a_newcomer_listens_votes_in_the_arena_and_opens_an_album(
    browser,
    site: str,
    rendered: RenderedAudio,  # noqa: F811  (the fixture imported above)
    output_dir: Path,
):
    from playwright.sync_api import expect

    problems: list[str] = []
    batch = GenerationBatchFactory.create(finished_at=timezone.now(), count=3)
    titles = ("Copper Jig", "Tin Waltz", "Salt Road")
    tracks = [playable_track(rendered, title=title, batch=batch) for title in titles]

    # 1. The first-run home page on a phone: a one-line header, and each track once.
    phone = browser.new_context(**PHONE).new_page()
    watch(phone, problems)
    phone.goto(f"{site}/")
    header = phone.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 80
    content = phone.locator("main")
    for title in titles:
        expect(content.get_by_role("link", name=title, exact=True)).to_have_count(1)
    phone.get_by_role("button", name="Menu", exact=True).tap()
    expect(phone.get_by_role("navigation", name="Main")).to_be_visible()
    phone.screenshot(path=output_dir / "newcomer-phone-home-menu.png")
    phone.context.close()

    # 2. The arena: both heard (one at a time), a vote, the minute's refit, then the arena
    #    and a producer's page of that batch open again (they once hung for good here).
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    watch(page, problems)
    page.goto(f"{site}/arena/?batch={batch.pk}")
    page.evaluate("window.albumvote.player.audio.muted = true")
    for side in ("A", "B"):
        page.get_by_role("button", name=f"Play track {side}").click()
        expect(page.locator(f"[data-side='{side.lower()}'] [data-heard]")).to_have_text(
            "Heard 10 of 10 s", timeout=25_000
        )
    page.keyboard.press("1")
    expect(page.locator("[data-side='a'] [data-reveal]")).to_contain_text("It was ")
    assert ArenaVote.objects.count() == 1
    # A newcomer's verdict is kept, and counts once they have listened a while: as if they
    # had, from here on.
    expect(page.locator("[data-status]")).to_contain_text("counts in the crowd's figures once")
    established(ArenaVote.objects.get().listener_id)
    assert refit_arena() == [batch.pk]
    page.goto(f"{site}/arena/?batch={batch.pk}", timeout=15_000)
    board = page.locator("[data-arena-board]")
    expect(board).to_contain_text("needs more votes")  # one vote says nothing yet
    expect(board).not_to_contain_text("\u22122")  # no interval running below zero
    page.screenshot(path=output_dir / "newcomer-arena-reopened.png", full_page=True)

    producer = ProducerFactory.create(username="newcomer-producer")
    studio = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    watch(studio, problems)
    log_in(studio, site, "newcomer-producer", f"/producer/tracks/{tracks[0].pk}/")
    expect(studio.get_by_role("heading", name=titles[0], level=1)).to_be_visible(timeout=15_000)
    expect(studio.locator("body")).to_contain_text("needs more votes")
    studio.screenshot(path=output_dir / "newcomer-producer-track.png", full_page=True)

    # 3. A published album: its cover, and play all in the persistent player.
    shared: dict[str, Any] = {"audio": rendered}
    favourites = [
        crowd_favourite("Harbour Lamp", 5, 6, camelot="8A", key="A minor", **shared),
        crowd_favourite("Iron Bloom", 4, 3, camelot="9A", key="E minor", **shared),
    ]
    album = album_of(producer, "Night Ferry", favourites, description="Songs for the crossing.")
    album_services.album_finalize(album_id=album.pk, user=producer)
    page.goto(f"{site}/albums/{album.pk}/")
    expect(page.get_by_role("img", name=re.compile("Cover of Night Ferry"))).to_be_visible()
    page.wait_for_function("document.querySelector('[data-album-cover]').naturalWidth > 0")
    page.get_by_role("button", name="Play all").click()
    expect(page.locator("#player")).to_have_attribute("data-state", "playing")
    expect(page.locator('[data-player="title"]')).to_have_text("Harbour Lamp")
    queued = page.evaluate("window.albumvote.player.queue.map(track => track.id)")
    assert queued == [t.pk for t in favourites]
    page.screenshot(path=output_dir / "newcomer-album-playing.png", full_page=True)
    assert problems == []
