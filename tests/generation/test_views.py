"""The minimal home page and the track file downloads."""

import pytest
from django.core.files.base import ContentFile

from generation.models import Track
from tests.factories import GenerationBatchFactory, TrackFactory

pytestmark = pytest.mark.django_db


def ready_track(**fields) -> Track:
    track = TrackFactory.create(
        status=Track.Status.READY,
        key="D major",
        camelot="10B",
        tempo_bpm=112.0,
        duration_s=95.4,
        **fields,
    )
    track.audio_mp3.save("audio.mp3", ContentFile(b"ID3" + b"\0" * 2000))
    track.audio_opus.save("audio.opus", ContentFile(b"OggS" + b"\0" * 2000))
    track.midi.save("track.mid", ContentFile(b"MThd"))
    return track


def test_the_home_page_lists_ready_tracks_with_a_player_each(client, django_assert_max_num_queries):
    tracks = [ready_track(title=f"Reel number {n}") for n in range(3)]
    TrackFactory.create(status=Track.Status.RENDERING, title="Still rendering")
    TrackFactory.create(status=Track.Status.FAILED, title="Broken one")
    with django_assert_max_num_queries(4):
        page = client.get("/").content.decode()
    for track in tracks:
        assert track.title in page
        assert f"/tracks/{track.pk}/audio.opus" in page
        assert f"/tracks/{track.pk}/audio.mp3" in page
        assert f"/tracks/{track.pk}/track.mid" in page
    assert page.count("<audio") == 3
    assert "D major (10B)" in page and "112 BPM" in page and "1:35" in page
    assert "Still rendering" not in page and "Broken one" not in page


def test_the_empty_home_page_says_the_first_batch_is_composing(client):
    TrackFactory.create(batch=GenerationBatchFactory.create(count=2), status=Track.Status.QUEUED)
    page = client.get("/").content.decode()
    assert "No tracks yet" in page
    assert "first batch is composing" in page


def test_track_files_are_served_with_their_types(client):
    track = ready_track()
    mp3 = client.get(f"/tracks/{track.pk}/audio.mp3")
    assert mp3.status_code == 200 and mp3["Content-Type"] == "audio/mpeg"
    opus = client.get(f"/tracks/{track.pk}/audio.opus")
    assert opus["Content-Type"] == "audio/ogg"
    midi = client.get(f"/tracks/{track.pk}/track.mid")
    assert midi["Content-Type"] == "audio/midi"
    assert "attachment" in midi["Content-Disposition"]


@pytest.mark.parametrize("path", ["/tracks/999/audio.mp3", "/tracks/1/audio.wav"])
def test_unknown_tracks_and_kinds_are_404(client, path):
    assert client.get(path).status_code == 404
