"""The producer's stems page for a track, through the test client: who may see it, what it
says the ZIP holds, asking for the stems, following the job and the download."""

import io
import re
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from curation.albums import jobs
from curation.albums.models import AlbumJob
from generation.models import Track
from tests.factories import ReadyTrackFactory, TrackFactory, UserFactory
from tests.generation.audio.pieces import dense_piece

pytestmark = pytest.mark.django_db(transaction=True)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def track(media_root) -> Track:
    """A ready track whose MIDI is the dense five-part test piece (8 s, so it renders fast)."""
    track = ReadyTrackFactory.create(title="Harbour Lights", soundfont="TimGM6mb.sf2")
    buffer = io.BytesIO()
    dense_piece(8.0).write(buffer)
    track.midi.save("track.mid", ContentFile(buffer.getvalue()), save=True)
    return track


def page_url(track: Track) -> str:
    return reverse("curation:producer-track-stems", args=[track.pk])


def test_only_producers_see_the_page_or_ask_for_stems(track, client, enqueued):
    url = page_url(track)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert client.post(url).status_code == 302
    client.force_login(UserFactory.create())
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert not AlbumJob.objects.exists() and enqueued == []


def test_the_page_lists_the_parts_and_offers_to_render_them(track, producer_client):
    response = producer_client.get(page_url(track))
    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r'<tr data-stem="([^"]+)">', html)
    assert rows == ["01 melody", "02 chords", "03 bass", "04 pad", "05 drums"]
    page = text(html)
    assert "01 melody.flac, 01 melody.mid" in page and "Flute" in page and "drum kit" in page
    assert "Render the stems" in page and "Download the stems" not in page
    assert "within 1% of its RMS" in page and "Rendered with TimGM6mb.sf2" in page


def test_asking_runs_a_job_the_page_follows_then_offers_the_zip(
    track, producer_client, enqueued, media_root
):
    url = page_url(track)
    asked = producer_client.post(url)
    assert asked.status_code == 302 and asked["Location"] == url
    job = AlbumJob.objects.get()
    assert (job.kind, job.track_id, job.album_id, enqueued) == ("stems", track.pk, None, [job.pk])

    waiting = producer_client.get(url).content.decode()
    follow = reverse("api-album-job", args=[job.pk])
    assert f'data-stems-job="{follow}"' in waiting and "<progress" in waiting
    assert "Render the stems" not in text(waiting)
    assert producer_client.post(url).status_code == 302
    assert AlbumJob.objects.count() == 1  # asked again while waiting: the same job

    jobs.job_run(job_id=job.pk)
    ready = producer_client.get(url).content.decode()
    file_url = reverse("curation:album-job-file", args=[job.pk])
    link = re.search(rf'<a [^>]*href="{file_url}"[^>]*>([^<]+)</a>', ready)
    assert link is not None and " download" in link.group(0)
    assert link.group(1).startswith("Download the stems (ZIP, ") and "data-stems-job" not in ready
    download = producer_client.get(file_url)
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        names = {name.removeprefix("Harbour Lights stems/") for name in archive.namelist()}
    assert names == {"mix.flac", "stems.json"} | {
        f"0{n} {part}{suffix}"
        for n, part in enumerate(["melody", "chords", "bass", "pad", "drums"], start=1)
        for suffix in (".flac", ".mid")
    }


def test_a_failed_job_says_why_and_can_be_asked_for_again(track, producer_client, enqueued):
    url = page_url(track)
    producer_client.post(url)
    AlbumJob.objects.update(status="failed", error="the worker ran out of memory")
    page = text(producer_client.get(url).content.decode())
    assert "The last try failed: the worker ran out of memory" in page
    assert "Render the stems" in page
    producer_client.post(url)
    assert AlbumJob.objects.count() == 2 and len(enqueued) == 2


def test_a_track_without_midi_has_no_stems(producer_client, enqueued, media_root):
    queued = TrackFactory.create()
    url = page_url(queued)
    page = text(producer_client.get(url).content.decode())
    assert "has no MIDI yet" in page and "Render the stems" not in page
    refused = producer_client.post(url, follow=True)
    assert "has no MIDI yet" in text(refused.content.decode())
    assert not AlbumJob.objects.exists() and enqueued == []
    assert producer_client.get(page_url(Track(pk=999999))).status_code == 404
    assert producer_client.post(page_url(Track(pk=999999))).status_code == 404


def test_the_track_page_links_to_the_stems_when_there_is_midi(track, producer_client):
    page = producer_client.get(reverse("curation:producer-track", args=[track.pk]))
    html = page.content.decode()
    assert f'href="{page_url(track)}"' in html
    assert "The audio was rendered with TimGM6mb.sf2" in text(html)
    bare = TrackFactory.create()
    html = producer_client.get(reverse("curation:producer-track", args=[bare.pk])).content.decode()
    assert page_url(bare) not in html
