"""The whole pipeline, judged from the files it writes: decodable, right length, loud enough,
never clipping, at -14 LUFS, faded at both ends."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pretty_midi
import pyloudnorm
import pytest

from generation.audio import SAMPLE_RATE, AudioError, decode, encoding, probe, render_midi
from generation.audio.synth import TAIL_S
from tests.generation.audio.pieces import dense_piece, held_note


def rms(pcm):
    return float(np.sqrt(np.mean(np.square(pcm, dtype=np.float64))))


@pytest.fixture(scope="module")
def short_render(tmp_path_factory):
    folder = tmp_path_factory.mktemp("render")
    midi = dense_piece(12.0)
    result = render_midi(midi, opus_path=folder / "t.opus", mp3_path=folder / "t.mp3")
    return midi, result


def test_result_describes_the_files(short_render):
    midi, result = short_render
    assert result.opus_path.stat().st_size > 10_000
    assert result.mp3_path.stat().st_size > 10_000
    assert result.duration_s == pytest.approx(midi.get_end_time() + TAIL_S, abs=0.001)
    assert result.loudness_lufs == pytest.approx(-14.0, abs=0.3)
    assert result.peak_dbfs <= -1.0
    assert 0.0 <= result.energy <= 1.0
    assert len(result.peaks) == 800 and max(result.peaks) == 1.0
    assert {"render", "master", "encode", "total"} <= set(result.timings)
    assert all(value >= 0 for value in result.timings.values())
    record = dataclasses.asdict(result)
    record.update(opus_path=str(result.opus_path), mp3_path=str(result.mp3_path))
    json.dumps(record)  # everything the service stores must be JSON-friendly


@pytest.mark.parametrize("attribute", ["opus_path", "mp3_path"])
def test_both_files_decode_to_the_rendered_audio(short_render, attribute):
    midi, result = short_render
    samples, rate = decode(getattr(result, attribute))
    assert rate == SAMPLE_RATE
    assert samples.dtype == np.float32 and samples.shape[1] == 2
    assert len(samples) / rate == pytest.approx(midi.get_end_time() + TAIL_S, abs=0.05)
    assert rms(samples) > 0.05
    assert np.abs(samples).max() < 1.0  # below 0 dBFS after the lossy round trip
    loudness = pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64))
    assert loudness == pytest.approx(-14.0, abs=1.0)
    # Faded in and out: the first and last moments are far quieter than the music, and
    # the fade-out starts while the music is still playing.
    middle = rms(samples[rate * 2 : rate * 4])
    music_end = int(midi.get_end_time() * rate)
    assert rms(samples[: rate // 100]) < 0.2 * middle
    assert rms(samples[music_end - rate // 2 : music_end]) < 0.8 * middle
    assert rms(samples[-rate // 5 :]) < 0.05 * middle


def test_probe_reports_codecs_and_rates(short_render):
    _, result = short_render
    opus, mp3 = probe(result.opus_path), probe(result.mp3_path)
    assert (opus["codec"], opus["format"]) == ("opus", "ogg")
    assert (mp3["codec"], mp3["format"]) == ("mp3", "mp3")
    for facts in (opus, mp3):
        assert facts["sample_rate"] == 48000
        assert facts["channels"] == 2
        assert facts["duration_s"] == pytest.approx(result.duration_s, abs=0.1)
    assert 64_000 <= opus["bitrate"] <= 200_000
    assert mp3["bitrate"] == 192_000


@pytest.mark.slow
def test_a_minute_of_dense_music(tmp_path):
    midi = dense_piece(60.0)
    result = render_midi(midi, opus_path=tmp_path / "m.opus", mp3_path=tmp_path / "m.mp3")
    expected = midi.get_end_time() + TAIL_S
    assert result.duration_s == pytest.approx(expected, abs=0.001)
    assert result.energy > 0.8
    for path in (result.opus_path, result.mp3_path):
        samples, rate = decode(path)
        assert len(samples) / rate == pytest.approx(expected, abs=0.05)
        assert np.abs(samples).max() < 1.0
        meter = pyloudnorm.Meter(rate)
        assert meter.integrated_loudness(samples.astype(np.float64)) == pytest.approx(-14, abs=1)
        # The waveform follows the music: the faded ending sits lowest.
        assert result.peaks[-1] < 0.1 < min(result.peaks[100:700])


def test_output_names_are_taken_literally(tmp_path, monkeypatch):
    # Temporary names need not end in .opus/.mp3, and a relative name that looks like an
    # ffmpeg protocol ("pipe:1" is standard output) must still be a file.
    monkeypatch.chdir(tmp_path)
    opus, mp3 = Path("pipe:1.partial"), Path("track.tmp")
    render_midi(held_note(1.0), opus_path=opus, mp3_path=mp3)
    assert probe(tmp_path / opus)["codec"] == "opus"
    assert probe(tmp_path / mp3)["codec"] == "mp3"


def test_empty_midi_is_an_error(tmp_path):
    with pytest.raises(AudioError, match="no notes"):
        render_midi(
            pretty_midi.PrettyMIDI(), opus_path=tmp_path / "a.opus", mp3_path=tmp_path / "a.mp3"
        )


def test_output_in_a_missing_folder_is_an_error(tmp_path):
    missing = tmp_path / "nowhere" / "a.opus"
    with pytest.raises(AudioError, match="does not exist"):
        render_midi(held_note(1.0), opus_path=missing, mp3_path=tmp_path / "a.mp3")


def test_output_path_that_is_a_folder_is_an_error(tmp_path):
    with pytest.raises(AudioError, match="folder"):
        render_midi(held_note(1.0), opus_path=tmp_path / "a.opus", mp3_path=tmp_path)


def test_ffmpeg_failure_is_an_error_and_leaves_no_files(tmp_path, monkeypatch):
    monkeypatch.setattr(encoding, "OPUS_ARGS", ["-c:a", "libopus", "-b:a", "-5k"])
    opus, mp3 = tmp_path / "a.opus", tmp_path / "a.mp3"
    with pytest.raises(AudioError, match="ffmpeg failed"):
        render_midi(held_note(1.0), opus_path=opus, mp3_path=mp3)
    assert not opus.exists() and not mp3.exists()


def test_silent_midi_is_an_error(tmp_path):
    # Notes exist but the part's volume controller is at zero.
    midi = held_note(1.0)
    midi.instruments[0].control_changes.append(pretty_midi.ControlChange(7, 0, 0.0))
    with pytest.raises(AudioError, match="silent"):
        render_midi(midi, opus_path=tmp_path / "a.opus", mp3_path=tmp_path / "a.mp3")
