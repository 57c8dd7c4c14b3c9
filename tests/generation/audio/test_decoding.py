"""Reading files back: probe() from ffmpeg's description, decode() through pydub."""

import subprocess

import numpy as np
import pytest
from scipy.io import wavfile

from generation.audio import AudioError, decode, probe
from generation.audio.ffmpeg import ffmpeg_exe


def test_decode_scales_16_bit_pcm_to_plus_minus_one(tmp_path):
    samples = np.array([[0, 16384], [-32768, 32767], [8192, -8192]] * 1000, dtype=np.int16)
    path = tmp_path / "known.wav"
    wavfile.write(path, 22050, samples)
    decoded, rate = decode(path)
    assert rate == 22050
    assert decoded.dtype == np.float32 and decoded.shape == (3000, 2)
    np.testing.assert_allclose(decoded[:3], [[0, 0.5], [-1, 32767 / 32768], [0.25, -0.25]])


def test_decode_and_probe_a_mono_flac(tmp_path):
    path = tmp_path / "tone.flac"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=2.5",
         "-ar", "32000", "-ac", "1", str(path)],
        check=True,
    )  # fmt: skip
    facts = probe(path)
    assert facts["codec"] == "flac"
    assert facts["sample_rate"] == 32000
    assert facts["channels"] == 1
    assert facts["duration_s"] == pytest.approx(2.5, abs=0.01)
    decoded, rate = decode(path)
    assert rate == 32000 and decoded.shape == (80000, 1)
    assert np.abs(decoded).max() == pytest.approx(1 / 8, abs=0.01)  # lavfi sine is at -18 dB


def test_probe_of_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(AudioError, match="no such file"):
        probe(tmp_path / "missing.opus")


def test_probe_and_decode_of_a_file_that_is_not_audio_are_errors(tmp_path):
    path = tmp_path / "notes.opus"
    path.write_text("these are not the sounds you are looking for")
    with pytest.raises(AudioError):
        probe(path)
    with pytest.raises(AudioError):
        decode(path)
