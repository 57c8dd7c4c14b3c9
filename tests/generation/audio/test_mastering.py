"""Loudness measurement, the limiter's ceiling, fades and the mastering loop."""

import math

import numpy as np
import pyloudnorm
import pytest

from generation.audio import AudioError
from generation.audio.loudness import integrated_loudness
from generation.audio.mastering import (
    CEILING_DBFS,
    MAX_EXTRA_GAIN_DB,
    TARGET_LUFS,
    apply_fades,
    apply_knots,
    block_peaks,
    limiter_knots,
    master,
)

RATE = 48000


def sine(seconds, hz=997.0, amplitude=1.0, rate=RATE):
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def stereo(left, right=None):
    return np.stack([left, left if right is None else right], axis=1)


@pytest.mark.parametrize("rate", [44100, 48000])
def test_full_scale_sine_in_one_channel_reads_minus_3_lufs(rate):
    # The calibration point of ITU-R BS.1770: a 0 dBFS 997 Hz sine in one channel.
    tone = sine(5.0, rate=rate)
    pcm = stereo(tone, np.zeros_like(tone))
    assert integrated_loudness(pcm, rate) == pytest.approx(-3.01, abs=0.02)


def test_loudness_agrees_with_pyloudnorm_on_music_like_noise():
    rng = np.random.default_rng(3)
    envelope = np.repeat(rng.uniform(0.05, 1.0, 40), RATE // 4)
    pcm = (rng.standard_normal((len(envelope), 2)) * 0.1 * envelope[:, None]).astype(np.float32)
    ours = integrated_loudness(pcm, RATE)
    # pyloudnorm's high-pass differs from the standard's by a few hundredths of a dB.
    assert ours == pytest.approx(pyloudnorm.Meter(RATE).integrated_loudness(pcm), abs=0.1)


def test_silence_is_gated_out_of_integrated_loudness():
    tone = stereo(sine(5.0, amplitude=0.5))
    with_silence = np.concatenate([tone, np.zeros_like(tone)])
    # Ungated, half the time silent would read 3 dB lower; gated, only the few blocks that
    # straddle the edge pull it down a little.
    assert integrated_loudness(with_silence, RATE) == pytest.approx(
        integrated_loudness(tone, RATE), abs=0.2
    )
    assert integrated_loudness(np.zeros((RATE, 2), np.float32), RATE) == -math.inf


@pytest.mark.parametrize("seed", range(6))
def test_limiter_curve_alone_keeps_every_sample_under_the_ceiling(seed):
    # Checked before master()'s final safety clip, so a wrong window would show here.
    rng = np.random.default_rng(seed)
    pcm = (rng.standard_normal((RATE * 3 + 17, 2)) * 0.1).astype(np.float32)
    spikes = rng.integers(0, len(pcm), 40)
    pcm[spikes] = rng.uniform(-1.0, 1.0, (40, 2)) * 8  # isolated overs of up to +18 dB
    ceiling = 10 ** (CEILING_DBFS / 20)
    knots = limiter_knots(block_peaks(pcm, 32), gain=2.0, ceiling=ceiling, rate=RATE / 32)
    assert knots is not None
    apply_knots(pcm, knots, 32)
    assert np.abs(pcm).max() <= ceiling * (1 + 1e-6)
    # ...while away from the spikes the requested gain of 2 is applied in full.
    assert knots.max() == pytest.approx(2.0, rel=1e-3)


def test_limiter_leaves_quiet_audio_alone():
    assert limiter_knots(np.full(100, 0.1), gain=2.0, ceiling=0.89, rate=1500.0) is None


def test_fades_start_and_end_at_silence():
    pcm = np.ones((RATE * 10, 2), np.float32)
    apply_fades(pcm, sample_rate=RATE)
    assert pcm[0, 0] == 0.0
    assert pcm[-1, 0] < 1e-3
    assert pcm[RATE * 5, 0] == 1.0
    assert 0.1 < pcm[-RATE * 1, 0] < 0.9  # one second before the end: mid fade


def test_master_reaches_target_loudness_under_the_ceiling():
    rng = np.random.default_rng(5)
    # A quiet piece with sharp transients, so reaching -14 LUFS needs real limiting.
    tone = sine(20.0, hz=220.0, amplitude=0.02)
    tone[:: RATE // 4] += 0.5
    pcm = stereo(tone) + (rng.standard_normal((len(tone), 2)) * 0.002).astype(np.float32)
    result = master(pcm, sample_rate=RATE)
    assert result.loudness_lufs == pytest.approx(TARGET_LUFS, abs=0.25)
    assert integrated_loudness(pcm, RATE) == pytest.approx(result.loudness_lufs, abs=0.01)
    assert result.peak_dbfs <= CEILING_DBFS + 1e-4
    assert 20 * np.log10(np.abs(pcm).max()) == pytest.approx(result.peak_dbfs, abs=1e-3)
    assert result.gain_db > 10


def test_master_will_not_flatten_very_peaky_music_to_reach_the_target():
    # Short noise bursts in silence: every extra dB of loudness costs a dB of limiting.
    rng = np.random.default_rng(9)
    pcm = np.zeros((RATE * 20, 2), np.float32)
    decay = np.exp(-np.arange(RATE // 20) / (RATE * 0.004))[:, None]
    for start in range(0, len(pcm) - RATE // 20, RATE // 2):
        pcm[start : start + RATE // 20] = rng.standard_normal((RATE // 20, 2)) * 0.3 * decay
    result = master(pcm, sample_rate=RATE)
    plain = TARGET_LUFS - result.source_loudness_lufs
    assert result.gain_db == pytest.approx(plain + MAX_EXTRA_GAIN_DB)
    assert result.loudness_lufs < TARGET_LUFS - 0.5
    assert result.peak_dbfs <= CEILING_DBFS + 1e-4


def test_master_turns_a_loud_source_down_without_limiting():
    pcm = stereo(sine(10.0, amplitude=0.5))
    faded = pcm.copy()
    apply_fades(faded, sample_rate=RATE)
    result = master(pcm, sample_rate=RATE)
    assert result.source_loudness_lufs == pytest.approx(integrated_loudness(faded, RATE))
    assert result.gain_db == pytest.approx(TARGET_LUFS - result.source_loudness_lufs)
    assert result.loudness_lufs == pytest.approx(TARGET_LUFS, abs=0.01)
    assert integrated_loudness(pcm, RATE) == pytest.approx(TARGET_LUFS, abs=0.02)
    # Plain gain: the waveform keeps its shape.
    np.testing.assert_allclose(pcm, faded * 10 ** (result.gain_db / 20), atol=1e-6)


def test_master_refuses_silence():
    with pytest.raises(AudioError, match="silent"):
        master(np.zeros((RATE * 2, 2), np.float32), sample_rate=RATE)
