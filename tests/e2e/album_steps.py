"""What the album browser tests do again and again: tracks the crowd rated (playable if
given audio), watching a page for errors, logging in (to the workspace), running the job a
page asked for, and moving rows by their handle with a mouse or a finger."""

import io

from django.core.files import File

from curation.albums import jobs
from curation.albums.models import AlbumJob
from generation.audio import RenderedAudio
from tests.curation.albums.helpers import rated
from tests.e2e.test_listening import arpeggios
from tests.waiting import wait_for

PASSWORD = "pass-word-123"  # what the user factories set


def crowd_favourite(
    title: str, stars: int, count: int, audio: RenderedAudio | None = None, **fields
):
    """A ready track the crowd rated `count` times `stars`, playable if given audio."""
    track = rated(stars, count, title=title, **fields)
    if audio is not None:
        track.duration_s, track.peaks = audio.duration_s, audio.peaks
        with audio.opus_path.open("rb") as opus, audio.mp3_path.open("rb") as mp3:
            track.audio_opus.save("a.opus", File(opus), save=False)
            track.audio_mp3.save("a.mp3", File(mp3), save=False)
        midi = io.BytesIO()
        arpeggios(audio.duration_s).write(midi)
        track.midi.save("a.mid", File(midi), save=False)
        track.save()
    return track


def watch(page, problems: list[str], *, responses: bool = True):
    """Notes on `problems` every script error on the page and, with `responses`, every answer
    of 400 or more; a test ends by asserting that there were none."""
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    if responses:
        page.on(
            "response",
            lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
    return page


def log_in(page, site: str, username: str, next_path: str) -> None:
    page.goto(f"{site}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def open_workspace(browser, site: str, producer, album, problems: list[str], **watching):
    """A desktop window where the producer has logged in to the album's workspace and its
    script has loaded the album: (the browser context, the page)."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = watch(context.new_page(), problems, **watching)
    log_in(page, site, producer.username, f"/producer/albums/{album.pk}/")
    expect(page.locator("[data-album-workspace]")).to_have_attribute("data-ready", "true")
    return context, page


def run_job(kind: str) -> AlbumJob:
    """Builds the job the page asked for, as the Celery worker would (the task's service)."""
    wait_for(lambda: AlbumJob.objects.filter(kind=kind).exists(), f"the page to ask for a {kind}")
    job = AlbumJob.objects.get(kind=kind)
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
