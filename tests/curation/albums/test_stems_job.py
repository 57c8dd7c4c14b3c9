"""A track's stems as a job: producers only, a ZIP of each part's audio and MIDI that adds up
to the track's mix, progress while it renders, and refusals. Tracks are really rendered."""

import io
import json
import zipfile

import numpy as np
import pretty_midi
import pytest
from django.urls import reverse

from curation.albums import jobs
from curation.albums.models import AlbumAudit, AlbumJob
from generation import stems as generation_stems
from generation.audio import decode
from generation.audio import stems as stems_module
from generation.models import Track
from tests.curation.albums.helpers import JOB_KEYS, client_for, job_row, render_tracks
from tests.factories import TrackFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tracks(rendering) -> list[Track]:
    return render_tracks(2)


def test_a_tracks_stems_are_a_producer_only_job_with_a_zip_of_audio_and_midi_per_part(
    tracks, producer, enqueued, client, media_root, tmp_path
):
    track = tracks[0]
    url = reverse("api-track-stems", args=[track.pk])
    assert client_for().post(url).status_code in (401, 403)
    assert client_for(UserFactory()).post(url).status_code == 403
    assert not AlbumJob.objects.exists()

    api = client_for(producer)
    accepted = api.post(url)
    assert accepted.status_code == 202
    body = accepted.json()
    assert set(body) == JOB_KEYS
    assert (body["kind"], body["track_id"], body["album_id"]) == ("stems", track.pk, None)
    assert enqueued == [body["id"]]
    assert api.post(url).json()["id"] == body["id"]  # asked again while queued: the same job

    seen: list[float] = []
    job_run_progress(body["id"], seen)
    assert seen == sorted(seen) and seen[-1] > seen[0]
    done = api.get(reverse("api-album-job", args=[body["id"]])).json()
    assert (done["status"], done["error"]) == ("done", "")
    assert api.post(url).json()["id"] == body["id"]  # built: reused, not rendered again
    assert not AlbumAudit.objects.exists()  # no album, nothing to audit

    client.force_login(producer)
    download = client.get(done["file_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    folder_name = f"{track.title} stems"
    assert download["Content-Disposition"].startswith("attachment;")
    assert f"{folder_name}.zip" in download["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path)
    # One folder, named after the track: per part its audio and its MIDI, and the mix.
    assert {name.split("/")[0] for name in names} == {folder_name}
    folder = tmp_path / folder_name
    manifest = json.loads((folder / "stems.json").read_text())
    parts = [i for i in pretty_midi.PrettyMIDI(track.midi.path).instruments if i.notes]
    assert [s["program"] for s in manifest["stems"]] == [p.program for p in parts]
    for stem, part in zip(manifest["stems"], parts, strict=True):
        (alone,) = pretty_midi.PrettyMIDI(str(folder / stem["midi"])).instruments
        assert (alone.program, alone.is_drum, len(alone.notes)) == (
            part.program, part.is_drum, len(part.notes),
        )  # fmt: skip
    mix_pcm, _ = decode(folder / "mix.flac")
    total = np.sum([decode(folder / stem["audio"])[0] for stem in manifest["stems"]], axis=0)
    assert stems_module.mix_error(total, mix_pcm) <= stems_module.SUM_TOLERANCE

    client.force_login(UserFactory())
    assert client.get(done["file_url"]).status_code == 403


def job_run_progress(job_id: int, seen: list[float]) -> None:
    """Run the job, noting the progress a poller would see at each rendered part."""
    original = stems_module.write_stems

    def spying(*args, **kwargs):
        report = kwargs.pop("on_progress")

        def on_progress(done: float) -> None:
            report(done)
            seen.append(job_row(job_id).progress)

        return original(*args, on_progress=on_progress, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(generation_stems.audio, "write_stems", spying)
        jobs.job_run(job_id=job_id)


def test_stems_of_a_missing_track_or_one_without_midi_are_refused(producer, enqueued):
    api = client_for(producer)
    missing = api.post(reverse("api-track-stems", args=[999999]))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    queued = TrackFactory.create()  # not composed yet: no MIDI
    refused = api.post(reverse("api-track-stems", args=[queued.pk]))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_midi"
    assert not AlbumJob.objects.exists() and enqueued == []
