"""A producer gets a track's stems in a real browser: from the track page to the stems page,
asks for them, watches the job's progress, and the page offers the ZIP once it is built."""

import io
import threading
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from curation.albums import jobs
from curation.albums.models import AlbumJob
from tests.e2e.album_steps import log_in
from tests.factories import ProducerFactory, ReadyTrackFactory
from tests.generation.audio.pieces import dense_piece

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_required"),
]


def test_a_producer_renders_and_downloads_a_tracks_stems(browser, site: str, output_dir: Path):
    from playwright.sync_api import expect

    producer = ProducerFactory.create()
    track = ReadyTrackFactory.create(title="Harbour Lights", soundfont="TimGM6mb.sf2")
    buffer = io.BytesIO()
    dense_piece(8.0).write(buffer)
    track.midi.save("track.mid", ContentFile(buffer.getvalue()), save=True)

    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        log_in(page, site, producer.username, f"/producer/tracks/{track.pk}/")
        stems = page.get_by_role("region", name="Stems")
        expect(stems).to_contain_text("TimGM6mb.sf2")
        stems.screenshot(path=str(output_dir / f"stems-{width}-track-page.png"))
        stems.get_by_role("link", name="stems of this track").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Stems of Harbour Lights")
        rows = page.locator("tr[data-stem]")
        expect(rows).to_have_count(5)
        expect(rows.first).to_contain_text("01 melody.flac, 01 melody.mid")
        page.screenshot(path=str(output_dir / f"stems-{width}-ask.png"), full_page=True)

        if width == 1280:
            page.get_by_role("button", name="Render the stems").click()
            expect(page.get_by_role("status")).to_contain_text("Waiting for a worker")
            page.screenshot(path=str(output_dir / f"stems-{width}-waiting.png"), full_page=True)
            job = AlbumJob.objects.get(kind=AlbumJob.Kind.STEMS)
            run_in_thread(job.pk)  # as the worker would; the page follows it and reloads
        download = page.get_by_role("link", name="Download the stems")
        expect(download).to_be_visible(timeout=30_000)
        expect(download).to_contain_text("ZIP, ")
        page.screenshot(path=str(output_dir / f"stems-{width}-ready.png"), full_page=True)
        with page.expect_download() as caught:
            download.click()
        assert caught.value.suggested_filename == "Harbour Lights stems.zip"
        context.close()


def run_in_thread(job_id: int) -> None:
    """Playwright's event loop owns the test's thread; the job runs on its own, as a worker."""

    def work() -> None:
        jobs.job_run(job_id=job_id)
        connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=120)
    assert AlbumJob.objects.get(pk=job_id).status == AlbumJob.Status.DONE
