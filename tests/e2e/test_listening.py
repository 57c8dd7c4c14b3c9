"""Two listeners in real browsers: one plays, is refused a too-early rating, listens on and
rates; the other sees the figures change live; the music keeps playing across pages."""

import http.cookiejar
import json
import math
import re
import urllib.request
from pathlib import Path

import pretty_midi
import pytest
from django.core.files import File
from django.utils import timezone

from curation.models import ListenerTrack, ListeningEvent, Rating
from curation.receivers import publish_ready_track
from curation.rules import listen_required_s
from generation.audio import RenderedAudio, render_midi
from generation.models import Track
from tests.curation.helpers import established, server_time_passes
from tests.factories import GenerationBatchFactory, ReadyTrackFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_required"),
]

AUDIO = "document.querySelector('audio[data-player]')"


def arpeggios(seconds: float) -> pretty_midi.PrettyMIDI:
    """A few notes a second on a piano: C, A minor, F, G, round and round."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    piano = pretty_midi.Instrument(program=0)
    chords = [(60, 64, 67, 72), (57, 60, 64, 69), (53, 57, 60, 65), (55, 59, 62, 67)]
    step = 0.25
    for i in range(int(seconds / step)):
        pitch = chords[(i // 8) % 4][i % 4]
        piano.notes.append(pretty_midi.Note(90, pitch, i * step, i * step + step * 0.95))
    midi.instruments.append(piano)
    return midi


@pytest.fixture
def rendered(media_root: Path) -> RenderedAudio:
    """29 s of piano rendered by the real audio pipeline (Opus and MP3). Its length, 28.99 s,
    rounds up but truncates down: a page that writes it two ways shows 0:29 and 0:28."""
    work = media_root / "render"
    work.mkdir()
    audio = render_midi(arpeggios(27.5), opus_path=work / "a.opus", mp3_path=work / "a.mp3")
    assert audio.duration_s % 1 >= 0.5
    return audio


def playable_track(audio: RenderedAudio, **fields) -> Track:
    """A published track whose files are the rendered audio."""
    track = ReadyTrackFactory.create(
        duration_s=audio.duration_s,
        peaks=audio.peaks,
        key="C major",
        camelot="8B",
        tempo_bpm=120.0,
        **fields,
    )
    with audio.opus_path.open("rb") as opus, audio.mp3_path.open("rb") as mp3:
        track.audio_opus.save("a.opus", File(opus), save=False)
        track.audio_mp3.save("a.mp3", File(mp3), save=False)
    track.save()
    return track


def rate_over_http(site: str, track: Track, stars: int) -> None:
    """Another listener (a fresh cookie jar, an established one: its rating counts) listens
    for 25 s and rates, through the API."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{site}/").close()
    token = next(cookie.value or "" for cookie in jar if cookie.name == "csrftoken")

    def post(path: str, body: dict) -> None:
        request = urllib.request.Request(
            f"{site}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": token},
            method="POST",
        )
        opener.open(request).close()

    play = {"type": "play", "position": 0.0, "seq": 1, "t": 1000}
    pause = {"type": "pause", "position": 25.0, "seq": 2, "t": 26000}
    session = f"seed-{track.pk}-{stars}"
    post("/api/v1/listening-events/", {"track": track.pk, "session": session, "events": [play]})
    # 25 s on the server's clock too, without waiting for them.
    heard = ListenerTrack.objects.get(track=track, session=session)
    established(heard.listener_id)
    server_time_passes(heard.listener_id, track.pk, 25)
    post("/api/v1/listening-events/", {"track": track.pk, "session": session, "events": [pause]})
    post(f"/api/v1/tracks/{track.pk}/rating/", {"stars": stars})


def is_refused_rating(response) -> bool:
    """The one error the scenario provokes on purpose: rating before listening enough."""
    return response.status == 403 and response.url.endswith("/rating/")


def test_two_listeners_rate_and_watch_live_while_the_music_plays_on(
    browser, site: str, rendered: RenderedAudio, output_dir: Path
):
    from playwright.sync_api import expect

    batch = GenerationBatchFactory.create(finished_at=timezone.now(), count=4)
    track = playable_track(rendered, title="Lantern Reel", batch=batch, preset="celtic_reel")
    waltz = playable_track(rendered, title="Harbour Waltz", batch=batch, preset="waltz")
    rate_over_http(site, waltz, 5)
    rate_over_http(
        site, ReadyTrackFactory.create(title="Slow Chorale", preset="chorale", batch=batch), 3
    )
    ReadyTrackFactory.create(title="Night Bus", preset="lofi", batch=batch)
    required = listen_required_s(track.duration_s)
    assert required < 10  # a short track: 30 % of it unlocks rating

    problems: list[str] = []
    shots: list[Path] = []

    def watch(page) -> None:
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on(
            "response",
            lambda response: (
                problems.append(f"HTTP {response.status}: {response.url} (on {page.url})")
                if response.status >= 400 and not is_refused_rating(response)
                else None
            ),
        )

    def shoot(page, name: str, full_page: bool = True) -> None:
        path = output_dir / f"{name}.png"
        page.screenshot(path=path, full_page=full_page)
        shots.append(path)

    url = f"{site}/tracks/{track.pk}/"
    a = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    b = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    for page in (a, b):
        watch(page)
        page.goto(url)
    b.evaluate("window.__loadedOnce = 'B, first load'")
    b.wait_for_function(f"window.albumvote.live.isLive('track:{track.pk}')", timeout=5000)
    expect(b.locator("[data-count-text]")).to_have_text("No ratings yet — be the first.")

    # A presses Play and the music starts.
    play = a.get_by_role("button", name="Play", exact=True)
    expect(play).to_be_enabled()
    play.click()
    a.wait_for_function(f"{AUDIO}.currentTime > 0.5", timeout=10_000)
    expect(a.get_by_role("button", name="Pause", exact=True)).to_be_visible()
    expect(a.get_by_role("button", name="Pause Lantern Reel", exact=True)).to_be_visible()
    assert a.evaluate(f"{AUDIO}.currentSrc").endswith(f"/tracks/{track.pk}/audio.opus")

    # Rating at once is refused, and the page says why.
    star4 = a.get_by_role("button", name="Rate 4 stars", exact=True)
    star4.click()
    refusal = a.locator("[data-rating-error]")
    expect(refusal).to_contain_text("Listen a little longer before rating")
    expect(refusal).to_have_attribute("role", "alert")
    expect(star4).to_have_attribute("aria-pressed", "false")
    expect(a.locator("[data-listen-hint]")).to_contain_text("s more to rate")
    shoot(a, "a-refused")
    # A is an established listener, whose rating counts (the second test rates as a new one).
    established(ListenerTrack.objects.get(track=track).listener_id)

    # After enough real playback the same press is accepted.
    a.wait_for_function(f"{AUDIO}.currentTime > {required + 1}", timeout=(required + 15) * 1000)
    star4.click()
    expect(a.locator("[data-rating-status]")).to_contain_text("you rated this track 4 stars")
    expect(star4).to_have_attribute("aria-pressed", "true")
    expect(refusal).to_be_empty()
    expect(a.get_by_role("button", name="Remove my rating")).to_be_visible()
    shoot(a, "a-rated")

    # B's page follows without a reload.
    expect(b.locator("[data-count-text]")).to_have_text("average from 1 rating", timeout=2000)
    expect(b.locator("[data-average]")).to_have_text("4.0")
    expect(b.locator("[data-dist='4'] [data-dist-count]")).to_have_text("1")
    expect(b.locator("[data-rating-announce]")).to_have_text("Average 4.0 from 1 rating")
    assert b.evaluate("window.__loadedOnce") == "B, first load"
    shoot(b, "b-live-update")

    # A browses on while the music plays: same <audio> element, still advancing.
    a.evaluate(f"{AUDIO}.dataset.e2e = 'the same element'")
    position = a.evaluate(f"{AUDIO}.currentTime")
    a.get_by_role("link", name="All tracks").click()
    a.wait_for_url(f"{site}/tracks/")
    expect(a.get_by_role("heading", level=1)).to_have_text("Tracks")
    assert a.evaluate("document.activeElement.tagName") == "H1"
    assert a.title().startswith("Tracks")
    a.wait_for_function(f"{AUDIO}.currentTime > {position + 1}", timeout=5000)
    assert a.evaluate(f"{AUDIO}.dataset.e2e") == "the same element"
    assert a.evaluate(f"{AUDIO}.paused") is False
    expect(a.locator('[data-player="title"]')).to_have_text("Lantern Reel")
    expect(a.get_by_role("button", name="Pause Lantern Reel", exact=True)).to_be_visible()
    shoot(a, "a-tracks-while-playing")

    # Back goes back in place too, and so does a GET form (the filters).
    a.go_back()
    a.wait_for_url(url)
    expect(a.get_by_role("heading", level=1)).to_have_text("Lantern Reel")
    assert a.evaluate(f"{AUDIO}.paused") is False
    a.get_by_role("navigation", name="Main").get_by_role("link", name="Tracks").click()
    a.wait_for_url(f"{site}/tracks/")
    a.get_by_text("Filters", exact=True).click()
    a.get_by_label("Style").select_option("celtic_reel")
    a.get_by_role("button", name="Apply filters").click()
    a.wait_for_url(f"{site}/tracks/?sort=new&preset=celtic_reel")
    expect(a.locator("li[data-track-id]")).to_have_count(1)
    assert a.evaluate(f"{AUDIO}.dataset.e2e") == "the same element"
    assert a.evaluate(f"{AUDIO}.paused") is False

    # A track is published: B's home page shows it at once, A's list offers to show it.
    b.get_by_role("link", name="Home").click()
    b.wait_for_url(f"{site}/")
    b.wait_for_function("window.albumvote.live.isLive('new')", timeout=5000)
    a.wait_for_function("window.albumvote.live.isLive('new')", timeout=5000)
    fresh = ReadyTrackFactory.create(title="Fresh Arrival", preset="celtic_reel", batch=batch)
    publish_ready_track(sender=None, track=fresh)
    new_list = b.locator("[data-live-new] > li")
    expect(new_list.first).to_have_attribute("data-title", "Fresh Arrival", timeout=2000)
    expect(new_list.first).to_have_class("track-card is-fresh")
    expect(b.get_by_role("button", name="Play Fresh Arrival", exact=True)).to_be_visible()
    shoot(b, "b-home-new-track")
    show = a.get_by_role("button", name="1 new track — show them")
    expect(show).to_be_visible(timeout=2000)
    show.click()
    expect(a.locator("li[data-track-id]").first).to_have_attribute("data-title", "Fresh Arrival")
    assert a.evaluate(f"{AUDIO}.dataset.e2e") == "the same element"

    # The player's waveform is a slider: End seeks to the end, which completes the track.
    slider = a.get_by_role("slider", name="Seek", exact=True)
    slider.focus()
    slider.press("ArrowLeft")
    slider.press("End")
    expect(a.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=5000)
    a.evaluate("window.albumvote.player.reporter.flush()")  # resolves once all are sent

    # Play in a list and that list is the queue: Next skips to the track after it.
    a.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    a.wait_for_url(f"{site}/")
    top = a.get_by_role("region", name="Top tracks")
    top.get_by_role("button", name="Play Harbour Waltz", exact=True).click()
    expect(a.locator('[data-player="title"]')).to_have_text("Harbour Waltz")
    a.wait_for_function(f"{AUDIO}.currentTime > 1", timeout=10_000)
    a.get_by_role("button", name="Next", exact=True).click()
    expect(a.locator('[data-player="title"]')).to_have_text("Lantern Reel")
    expect(top.get_by_role("button", name="Pause Lantern Reel", exact=True)).to_be_visible()
    lantern_audio = f"/tracks/{track.pk}/audio.opus"
    a.wait_for_function(
        f"{AUDIO}.currentSrc.endsWith('{lantern_audio}') && {AUDIO}.currentTime > 0.5",
        timeout=10_000,
    )
    a.get_by_role("button", name="Pause", exact=True).click()
    a.evaluate("window.albumvote.player.reporter.flush()")
    assert ListeningEvent.objects.filter(track=waltz, type="skip").count() == 1

    assert Rating.objects.get(track=track).stars == 4
    heard = ListenerTrack.objects.get(track=track, listener__ratings__track=track)
    assert heard.listened_s >= required
    kinds = set(ListeningEvent.objects.filter(track=track).values_list("type", flat=True))
    assert {"play", "progress", "seek", "complete"} <= kinds

    # A phone-sized screen: nothing sticks out sideways.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    ).new_page()
    watch(phone)
    for path, name in [(url, "phone-track"), (f"{site}/", "phone-home")]:
        phone.goto(path)
        phone.wait_for_load_state("networkidle")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
        shoot(phone, name, full_page=False)
        shoot(phone, f"{name}-full")

    print("screenshots:", *[str(path) for path in shots], sep="\n  ")
    assert problems == []


# Every figure the server answered the page's listening reports with, in order.
RECORD_HEARD = """
window.__heard = [];
document.addEventListener("albumvote:listened", (event) => window.__heard.push(event.detail));
"""
STARS = "[data-stars-group]"
# The share of the needed listening the stars show as filled (the glide towards it aside).
HEARD_SHARE = f"parseFloat(document.querySelector('{STARS}').style.getPropertyValue('--heard'))"
# Confirmations of a rating the listener can see in the rating panel.
CONFIRMATIONS = """
[...document.querySelectorAll('[data-rating-widget] p')]
  .filter((p) => p.checkVisibility() && /rated this track/i.test(p.textContent)).length
"""


def test_the_stars_fill_with_counted_listening_and_a_rating_is_confirmed_once(
    browser, site: str, rendered: RenderedAudio, output_dir: Path
):
    from playwright.sync_api import expect

    track = playable_track(rendered, title="Counting Heron", preset="waltz")
    required = listen_required_s(track.duration_s)
    needed = math.ceil(required)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script(RECORD_HEARD)
    page.goto(f"{site}/tracks/{track.pk}/")

    stars = page.locator(STARS)
    hint = page.locator("[data-listen-hint]")
    refusal = page.locator("[data-rating-error]")
    status = page.locator("[data-rating-status]")
    expect(stars).to_have_attribute("aria-label", f"Listen {needed} s more to rate")
    expect(hint).to_have_text(f"Listen {needed} s more to rate — 0 s of {needed} s counted so far.")

    page.get_by_role("button", name="Play Counting Heron", exact=True).click()
    page.wait_for_function(f"{AUDIO}.currentTime > 0.5", timeout=10_000)
    page.get_by_role("button", name="Rate 4 stars", exact=True).click()
    expect(refusal).to_contain_text("Listen a little longer before rating")
    assert not re.search(r"\d", refusal.text_content() or "")  # no figure to go stale in it

    # While locked, the stars fill with what the server has counted, and the words say so.
    page.wait_for_function(f"{HEARD_SHARE} > 0.25 && {HEARD_SHARE} < 1", timeout=10_000)
    shown = re.search(r"— (\d+) s of (\d+) s counted so far", hint.text_content() or "")
    assert shown, hint.text_content()
    answered = {math.floor(heard["listened_s"]) for heard in page.evaluate("window.__heard")}
    assert int(shown.group(1)) in answered  # the server's figure, not a guess from the player
    assert int(shown.group(2)) == needed
    assert (
        stars.get_attribute("aria-label") == f"Listen {needed - int(shown.group(1))} s more to rate"
    )
    page.screenshot(path=output_dir / "stars-counting.png")

    # Enough is heard: the refusal goes at once, the stars are full and say "Rate this track".
    expect(stars).to_have_attribute("aria-label", "Rate this track", timeout=(required + 15) * 1000)
    expect(refusal).to_be_empty()
    expect(status).to_have_text("You can rate this track now.")
    assert page.evaluate(HEARD_SHARE) == 1
    assert page.evaluate(CONFIRMATIONS) == 0
    assert page.evaluate("window.__heard.at(-1).can_rate") is True
    page.screenshot(path=output_dir / "stars-unlocked.png")

    page.get_by_role("button", name="Rate 4 stars", exact=True).click()
    expect(status).to_contain_text("you rated this track 4 stars")
    # A new listener: the rating is theirs, and counts once they have listened a while.
    expect(status).to_contain_text("It is saved, and counts in the crowd's figures once you")
    expect(page.locator("[data-count-text]")).to_have_text("No ratings yet — be the first.")
    expect(page.get_by_role("button", name="Rate 4 stars", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    assert page.evaluate(CONFIRMATIONS) == 1
    expect(refusal).to_be_empty()
    page.screenshot(path=output_dir / "stars-rated.png")

    # One way of writing a length: the page, the player bar and the list agree.
    length = page.locator(".facts div", has_text="Length").locator("dd")
    expect(length).to_have_text("0:29")
    expect(page.locator('[data-player="total"]')).to_have_text("0:29")
    page.get_by_role("link", name="All tracks").click()
    card = page.locator(f"li[data-track-id='{track.pk}'] .track-card-meta")
    expect(card).to_contain_text("0:29")
    expect(page.locator('[data-player="total"]')).to_have_text("0:29")
    assert problems == []
