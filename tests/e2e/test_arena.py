"""The arena in a real browser: both tracks must be heard before voting, the vote reveals the
names, and the refit puts the winner on top of the leaderboard."""

from pathlib import Path

import pytest
from django.utils import timezone

from curation.models import ArenaVote
from curation.tasks import refit_arena
from generation.audio import RenderedAudio
from tests.e2e.test_listening import playable_track, rendered  # noqa: F401  (fixture)
from tests.factories import GenerationBatchFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_required"),
]


def test_a_listener_hears_both_votes_and_sees_the_names(
    browser,
    site: str,
    rendered: RenderedAudio,  # noqa: F811  (the fixture imported above)
    output_dir: Path,
):
    from playwright.sync_api import expect

    batch = GenerationBatchFactory.create(finished_at=timezone.now(), count=2)
    tracks = {
        t.pk: t
        for t in (
            playable_track(rendered, title="Copper Jig", batch=batch),
            playable_track(rendered, title="Tin Waltz", batch=batch),
        )
    }
    problems: list[str] = []
    page = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto(f"{site}/arena/")
    expect(page.get_by_role("heading", name="Arena", exact=True)).to_be_visible()
    for title in ("Copper Jig", "Tin Waltz"):
        expect(page.get_by_text(title)).to_have_count(0)  # anonymous until the vote
    better_a = page.get_by_role("button", name="A is better")
    expect(better_a).to_be_disabled()

    # Both tracks play (side by side, muted); the verdicts unlock after 10 s of each.
    page.evaluate(
        "document.querySelectorAll('[data-arena-audio]')"
        ".forEach(a => { a.muted = true; a.play(); })"
    )
    expect(page.locator("[data-side='a'] [data-heard]")).to_have_text(
        "Heard 10 of 10 s", timeout=25_000
    )
    expect(page.locator("[data-side='b'] [data-heard]")).to_have_text(
        "Heard 10 of 10 s", timeout=10_000
    )
    expect(better_a).to_be_enabled()
    page.screenshot(path=output_dir / "arena-unlocked.png", full_page=True)
    a_track = int(page.locator("[data-side='a']").get_attribute("data-track") or 0)

    better_a.click()
    expect(page.locator("[data-side='a'] [data-reveal]")).to_contain_text(
        f"It was {tracks[a_track].title}"
    )
    expect(page.get_by_role("link", name="Next pair")).to_be_visible()
    page.screenshot(path=output_dir / "arena-revealed.png", full_page=True)
    vote = ArenaVote.objects.get()
    assert (vote.track_a_id, vote.outcome) == (a_track, "a")

    # The minute's refit rates the batch; the leaderboard puts A's track first.
    assert refit_arena() == [batch.pk]
    page.get_by_role("link", name="Next pair").click()
    first_row = page.locator(".arena-table tbody tr").first
    expect(first_row).to_contain_text(tracks[a_track].title)
    page.screenshot(path=output_dir / "arena-leaderboard.png", full_page=True)
    assert problems == []
