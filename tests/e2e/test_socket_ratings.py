"""Ratings over the page's open socket (issue 13): the page rates over /ws/live/ when the
socket can carry it and over HTTP when it cannot (it connected before the listener existed, or
it is reconnecting), and a rating sent as the socket drops is neither lost nor doubled."""

from pathlib import Path

import pytest

from curation.models import ListenerTrack, Rating, TrackStats
from curation.rules import listen_required_s
from generation.audio import RenderedAudio
from tests.curation.helpers import established
from tests.e2e.test_listening import AUDIO, playable_track, rendered  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_required"),
]

RATING_POSTS = "/rating/"


def test_ratings_go_over_the_socket_and_over_http_when_it_cannot_carry_them(
    browser,
    site: str,
    rendered: RenderedAudio,  # noqa: F811  (the fixture imported above)
    output_dir: Path,
):
    from playwright.sync_api import expect

    track = playable_track(rendered, title="Socket Heron")
    topic = f"track:{track.pk}"
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    posts: list[int] = []
    page.on(
        "response",
        lambda r: (
            posts.append(r.status) if RATING_POSTS in r.url and r.request.method == "POST" else None
        ),
    )
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: frames.append(str(payload))))
    page.goto(f"{site}/tracks/{track.pk}/")
    page.wait_for_function(f"window.albumvote.live.isLive('{topic}')", timeout=10_000)
    status = page.locator("[data-rating-status]")

    # Listen long enough to rate (the listener is made by the first listening report).
    page.get_by_role("button", name="Play Socket Heron", exact=True).click()
    required = listen_required_s(track.duration_s)
    page.wait_for_function(f"{AUDIO}.currentTime > {required + 1}", timeout=(required + 20) * 1000)
    established(ListenerTrack.objects.get(track=track).listener_id)

    def rate(stars: int) -> None:
        page.get_by_role("button", name=f"Rate {stars} stars", exact=True).click()
        expect(status).to_contain_text(f"you rated this track {stars} stars")

    def rate_frames() -> int:
        return sum('"type": "rate"' in f or '"type":"rate"' in f for f in frames)

    # 1. The socket connected before this listener existed: it says so, the page rates over
    #    HTTP, and reconnects so that it knows them.
    rate(4)
    assert posts == [201] and rate_frames() == 1
    live = "window.albumvote.live"
    page.wait_for_function(
        f"{live}.socket?.readyState === 1 && {live}.isLive('{topic}')", timeout=15_000
    )

    # 2. Now the socket carries it, answered once committed: no HTTP at all.
    rate(3)
    assert posts == [201] and rate_frames() == 2
    assert Rating.objects.get(track=track).stars == 3

    # 3. While the socket reconnects, the page rates over HTTP: not lost.
    page.evaluate("window.albumvote.live.socket.close()")
    rate(5)
    assert posts == [201, 200] and rate_frames() == 2
    page.wait_for_function(f"window.albumvote.live.isLive('{topic}')", timeout=15_000)

    # 4. Sent, then the socket drops before any answer can come back: the page sends it
    #    again over HTTP, and it is still one rating, counted once.
    page.evaluate(
        """() => {
          const socket = window.albumvote.live.socket;
          const send = socket.send.bind(socket);
          socket.send = (text) => { send(text); socket.close(); };
        }"""
    )
    rate(2)
    assert rate_frames() == 3
    assert Rating.objects.filter(track=track).count() == 1
    assert Rating.objects.get(track=track).stars == 2
    stats = TrackStats.objects.get(track=track)
    assert stats.rating_count == 1 and stats.rating_sum == 2
    expect(page.locator("[data-count-text]")).to_contain_text("from 1 rating")
    page.screenshot(path=output_dir / "socket-rating-390.png")
    assert problems == []
