"""The arena in a real browser: the two tracks play through the site's one player, one at a
time (keys A and B switch), each must be heard before voting (keys 1-4 vote), the vote stops
the music and reveals the names, and the next pair comes in place, with the refit leaderboard."""

from pathlib import Path

import pytest
from django.utils import timezone

from curation.models import ArenaVote
from curation.tasks import refit_arena
from generation.audio import RenderedAudio
from tests.curation.helpers import established
from tests.e2e.test_listening import playable_track, rendered  # noqa: F401  (fixture)
from tests.factories import GenerationBatchFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_required"),
]

# What the page's one player is doing: which track it holds and whether it plays.
PLAYER_STATE = """() => {
  const player = window.albumvote.player;
  return { track: player.track ? player.track.id : null, playing: player.playing };
}"""


def test_one_track_plays_at_a_time_keys_switch_and_vote_and_the_next_pair_comes_in_place(
    browser,
    site: str,
    rendered: RenderedAudio,  # noqa: F811  (the fixture imported above)
    output_dir: Path,
):
    from playwright.sync_api import expect

    # Two tracks: the next pair is the same two, so the player (paused on the vote) holds a
    # track that is again a side of the new pair.
    batch = GenerationBatchFactory.create(finished_at=timezone.now(), count=2)
    titles = ("Copper Jig", "Tin Waltz")
    tracks = {t.pk: t for t in (playable_track(rendered, title=n, batch=batch) for n in titles)}
    problems: list[str] = []
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto(f"{site}/arena/")
    expect(page.get_by_role("heading", name="Arena", exact=True)).to_be_visible()
    for title in titles:
        expect(page.get_by_text(title)).to_have_count(0)  # anonymous until the vote
    page.evaluate("window.albumvote.player.audio.muted = true")
    page.evaluate("window.arenaLoadedOnce = true")  # gone if the page reloads

    side_a, side_b = page.locator("[data-side='a']"), page.locator("[data-side='b']")
    a_id = int(side_a.get_attribute("data-track") or 0)
    b_id = int(side_b.get_attribute("data-track") or 0)
    # The length is known before anything plays (not "0:00 / 0:00").
    for side in (side_a, side_b):
        expect(side.locator("[data-total]")).to_have_text("0:29")
        expect(side.locator("[data-heard]")).to_have_text("Heard 0 of 10 s")
    expect(page.locator("[data-arena] .arena-keys")).to_contain_text("1 A is better")
    better_a = page.get_by_role("button", name="A is better")
    expect(better_a).to_be_disabled()
    expect(better_a).to_have_attribute("aria-keyshortcuts", "1")
    page.screenshot(path=output_dir / "arena-1280-start.png", full_page=True)

    play_a = page.get_by_role("button", name="Play track A")
    play_a.click()
    expect(side_a.locator("[data-arena-play]")).to_have_attribute("aria-label", "Pause track A")
    expect(side_a.locator("[data-heard]")).to_have_text("Heard 10 of 10 s", timeout=25_000)

    # Starting B pauses A: one player, one track.
    page.get_by_role("button", name="Play track B").click()
    expect(side_b.locator("[data-arena-play]")).to_have_attribute("aria-label", "Pause track B")
    expect(side_a.locator("[data-arena-play]")).to_have_attribute("aria-label", "Play track A")
    page.wait_for_function(f"() => window.albumvote.player.track.id === {b_id}")
    assert page.evaluate(PLAYER_STATE) == {"track": b_id, "playing": True}
    expect(side_b.locator("[data-heard]")).to_have_text("Heard 10 of 10 s", timeout=25_000)
    expect(better_a).to_be_enabled()
    page.screenshot(path=output_dir / "arena-1280-unlocked.png", full_page=True)

    # Keys A and B switch which plays; A picks up where it was left, not at 0:00.
    page.keyboard.press("a")
    expect(side_a.locator("[data-arena-play]")).to_have_attribute("aria-label", "Pause track A")
    expect(side_b.locator("[data-arena-play]")).to_have_attribute("aria-label", "Play track B")
    page.wait_for_function(
        f"() => window.albumvote.player.track.id === {a_id}"
        " && window.albumvote.player.playing && window.albumvote.player.audio.currentTime >= 10"
    )
    page.keyboard.press("b")
    expect(side_b.locator("[data-arena-play]")).to_have_attribute("aria-label", "Pause track B")
    page.wait_for_function(
        f"() => window.albumvote.player.playing && window.albumvote.player.track.id === {b_id}"
    )

    # Key 1 votes "A is better": the music stops and the names are revealed.
    page.keyboard.press("1")
    expect(side_a.locator("[data-reveal]")).to_contain_text(f"It was {tracks[a_id].title}")
    expect(side_b.locator("[data-reveal]")).to_contain_text(f"It was {tracks[b_id].title}")
    for side, label in ((side_a, "A"), (side_b, "B")):
        expect(side.locator("[data-arena-play]")).to_have_attribute(
            "aria-label", f"Play track {label}"
        )
    assert page.evaluate(PLAYER_STATE)["playing"] is False
    next_pair = page.get_by_role("link", name="Next pair")
    expect(next_pair).to_be_visible()
    page.screenshot(path=output_dir / "arena-1280-revealed.png", full_page=True)
    vote = ArenaVote.objects.get()
    assert (vote.track_a_id, vote.track_b_id, vote.outcome) == (a_id, b_id, "a")
    # A new listener's verdict is kept, and counts once they have listened a while: as if
    # they had, from here on.
    expect(page.locator("[data-status]")).to_contain_text(
        "Thanks. It is saved, and counts in the crowd's figures once you have listened"
    )
    page.screenshot(path=output_dir / "arena-1280-held-verdict.png", full_page=True)
    established(vote.listener_id)

    # The minute's refit; then key N brings the next pair in place (no page load) with the
    # leaderboard refreshed: A's track on top.
    assert refit_arena() == [batch.pk]
    page.keyboard.press("n")
    expect(side_a.locator("[data-reveal]")).to_have_text("")
    expect(next_pair).to_be_hidden()
    # Tracks heard in an earlier pair count as heard (the server's figure): no need to
    # listen again before voting.
    new_ids = {int(side.get_attribute("data-track") or 0) for side in (side_a, side_b)}
    assert new_ids == {a_id, b_id}
    for side in (side_a, side_b):
        expect(side.locator("[data-heard]")).to_have_text("Heard 10 of 10 s")
    expect(better_a).to_be_enabled()
    expect(page.locator("[data-status]")).to_have_text(
        "Which is better? Vote with the buttons or keys 1 to 4."
    )
    # The player still holds the last pair's track B (paused): no side of this new pair is
    # it, though one side is the same track.
    expect(page.locator("[data-side].is-current")).to_have_count(0)
    expect(page.locator("[data-arena-play].is-playing")).to_have_count(0)
    expect(page.locator(".arena-table tbody tr").first).to_contain_text(tracks[a_id].title)
    assert page.evaluate("window.arenaLoadedOnce") is True
    assert page.url == f"{site}/arena/"
    page.screenshot(path=output_dir / "arena-1280-next.png", full_page=True)

    # The phone layout: the sides stack.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Play track A").click()
    expect(page.locator("[data-side='a'] [data-arena-play]")).to_have_attribute(
        "aria-label", "Pause track A"
    )
    page.screenshot(path=output_dir / "arena-390.png", full_page=True)
    box_a = page.locator("[data-side='a']").bounding_box()
    box_b = page.locator("[data-side='b']").bounding_box()
    assert box_a and box_b and box_b["y"] >= box_a["y"] + box_a["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert problems == []


def test_the_leaderboard_draws_settled_ratings_and_lists_the_rest_as_needing_votes(
    browser, site: str, output_dir: Path
):
    from playwright.sync_api import expect

    from curation.models import ArenaRating
    from tests.factories import ReadyTrackFactory

    batch = GenerationBatchFactory.create(finished_at=timezone.now(), count=4)
    figures = {
        "Copper Jig": (1180, 1090, 1270, 48),
        "Tin Waltz": (1020, 930, 1110, 51),
        "Brass Reel": (800, 700, 905, 45),
        "Lead Lament": (1000, -2108, 4108, 1),  # one vote: says nothing yet
    }
    for title, (rating, low, high, votes) in figures.items():
        ArenaRating.objects.create(
            track=ReadyTrackFactory.create(batch=batch, title=title),
            rating=rating,
            low=low,
            high=high,
            votes=votes,
            computed_at=timezone.now(),
        )
    for width in (1280, 390):
        page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        page.goto(f"{site}/arena/?batch={batch.pk}")
        board = page.locator("[data-arena-board]")
        expect(board.locator(".arena-chart .point")).to_have_count(3)
        expect(board.locator(".arena-chart .tick")).to_have_text(
            ["700", "800", "900", "1000", "1100", "1200"]
        )
        expect(board.locator(".arena-chart .needs-votes")).to_have_count(1)
        expect(board.locator("tbody tr").last).to_contain_text("Lead Lament")
        expect(board.locator("tbody tr").last).to_contain_text("needs more votes")
        expect(board).not_to_contain_text("2108")
        expect(board).to_contain_text("at least 5 counted votes")
        board.screenshot(path=output_dir / f"arena-leaderboard-{width}.png")
        page.context.close()
