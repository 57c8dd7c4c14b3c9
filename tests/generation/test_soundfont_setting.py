"""The SOUNDFONT_PATH setting: a track is rendered with the configured soundfont when it is a
file, with the best installed one when it is not, and records which on the row; its stems use
the soundfont it was rendered with when that is still installed."""

import shutil

import pytest
from django.core.files.base import ContentFile

from generation import audio, composer, services
from generation.audio.soundfont import FALLBACK
from generation.models import GenerationBatch, Track
from generation.stems import track_soundfont
from generation.tasks import generate_track
from tests.factories import ReadyTrackFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def other_soundfont(tmp_path):
    path = tmp_path / "Other_GM.sf2"
    shutil.copyfile(FALLBACK, path)
    return path


def render_one() -> Track:
    """The track tests/generation/test_services renders (it passes the quality gate)."""
    preset = sorted(composer.PRESETS)[0]
    params = services.batch_params_validate({"count": 1, "seed": 11, "preset": preset})
    batch = services.batch_launch(params=params, source=GenerationBatch.Source.COMMAND)
    track = batch.tracks.get()
    Track.objects.filter(pk=track.pk).update(params={**track.params, "target_seconds": 60})
    generate_track(track_id=track.pk)
    track.refresh_from_db()
    assert track.status == Track.Status.READY, track.error
    return track


def test_a_configured_soundfont_renders_the_track_and_is_recorded(
    model_settings, queued, media_root, other_soundfont
):
    model_settings.SOUNDFONT_PATH = str(other_soundfont)
    assert render_one().soundfont == "Other_GM.sf2"


def test_a_missing_configured_soundfont_falls_back_to_the_best_installed(
    model_settings, queued, media_root, tmp_path
):
    model_settings.SOUNDFONT_PATH = str(tmp_path / "nowhere" / "FluidR3_GM.sf2")
    track = render_one()
    assert track.soundfont == audio.soundfont_choose().name
    assert track.soundfont in {"FluidR3_GM.sf2", "TimGM6mb.sf2"}


def test_stems_use_the_soundfont_the_track_was_rendered_with(settings, other_soundfont, media_root):
    track = ReadyTrackFactory.create(soundfont="Other_GM.sf2")
    track.midi.save("t.mid", ContentFile(b""), save=True)
    settings.SOUNDFONT_PATH = str(other_soundfont)
    assert track_soundfont(track) == other_soundfont
    # No longer installed anywhere: the one new tracks get.
    settings.SOUNDFONT_PATH = ""
    assert track_soundfont(track) == audio.soundfont_choose()
    track.soundfont = "TimGM6mb.sf2"
    assert track_soundfont(track) == FALLBACK
