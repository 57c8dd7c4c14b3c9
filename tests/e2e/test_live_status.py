"""Live updates without Redis: the page says, quietly, that they are paused, keeps working,
and keeps trying to reconnect."""

import pytest

from tests.factories import ReadyTrackFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_required"),
]

NOWHERE = "redis://127.0.0.1:9/0"  # the discard port: connections are refused at once


def test_live_updates_pause_quietly_and_retry_when_redis_is_down(browser, start_site):
    from playwright.sync_api import expect

    ReadyTrackFactory.create(title="Quiet Heron")
    site = start_site(REDIS_URL=NOWHERE, TEST_REDIS_URL=NOWHERE)
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))

    page.goto(f"{site}/")
    status = page.locator("#live-status")
    expect(status).to_be_visible(timeout=5000)
    expect(status).to_have_text("Live updates paused — reconnecting…")
    expect(status).to_have_attribute("role", "status")

    # The rest of the page works as ever, in-place navigation included.
    page.get_by_role("link", name="Tracks").first.click()
    page.wait_for_url(f"{site}/tracks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tracks")
    expect(page.get_by_role("button", name="Play Quiet Heron", exact=True)).to_be_visible()

    # It keeps trying (backoff starts at about a second): wait for the next attempt.
    while len(sockets) < 2:
        page.wait_for_event("websocket", timeout=30_000)
    assert all(url.endswith("/ws/live/") for url in sockets)
    expect(status).to_be_visible()
    assert problems == []
