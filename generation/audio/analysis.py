"""Figures about a rendered track: waveform peaks for the player, energy score and tempo."""

from __future__ import annotations

import math

import numpy as np
import pretty_midi

PEAK_BUCKETS = 800

# Energy calibration (see energy()). Synth loudness below QUIET_LUFS counts as 0 and above
# LOUD_LUFS as 1: a soft, sparse solo piano renders near -38 LUFS, a dense five-part band
# near -9.
QUIET_LUFS = -40.0
LOUD_LUFS = -8.0
# Note rate (notes per second, all parts) at which the density term reaches 1 - 1/e.
DENSITY_SCALE = 12.0


def waveform_peaks(pcm: np.ndarray, buckets: int = PEAK_BUCKETS) -> list[float]:
    """`buckets` peak amplitudes over equal slices of the audio, scaled so the loudest is 1.

    Each bucket holds the largest |sample| over all channels in its slice, divided by the
    largest in the track (so the player draws every track at full height) and rounded to
    3 decimals for compact JSON. Silence gives all zeros.
    """
    frames = len(pcm)
    if not frames:
        return [0.0] * buckets
    flat = pcm.reshape(-1)
    channels = flat.size // frames
    # Bucket b covers frames [edges[b], edges[b + 1]); with fewer frames than buckets some
    # buckets repeat a frame rather than come out empty. Interleaved channels make a
    # bucket one contiguous run of samples, so no per-frame reduction is needed.
    edges = np.minimum((np.arange(buckets) * frames) // buckets, frames - 1) * channels
    highs = np.maximum.reduceat(flat, edges)
    lows = np.minimum.reduceat(flat, edges)
    peaks = np.maximum(highs, -lows).astype(np.float64)
    top = float(peaks.max())
    if top <= 0:
        return [0.0] * buckets
    return [round(float(value), 3) for value in peaks / top]


def energy(
    *, source_loudness_lufs: float, midi: pretty_midi.PrettyMIDI, duration_s: float
) -> float:
    """A 0..1 score of how energetic a track is, rounded to 3 decimals.

        energy = 0.5 * loudness + 0.5 * density
        loudness = clip((L - QUIET_LUFS) / (LOUD_LUFS - QUIET_LUFS), 0, 1)
        density = 1 - exp(-notes_per_second / DENSITY_SCALE)

    L is the integrated loudness of the synth output before mastering: the synth runs at
    a fixed gain, so L rises with velocities and with the number of parts playing at once
    (after mastering every track sits at -14 LUFS and loudness says nothing).
    notes_per_second counts every note onset of every part, drums included, over the
    track's duration; the exponential saturates so that busy and very busy tracks both
    score high without one runaway hi-hat part dominating.
    """
    if math.isfinite(source_loudness_lufs):
        loudness = (source_loudness_lufs - QUIET_LUFS) / (LOUD_LUFS - QUIET_LUFS)
    else:
        loudness = 0.0
    notes = sum(len(inst.notes) for inst in midi.instruments)
    rate = notes / duration_s if duration_s > 0 else 0.0
    density = 1.0 - math.exp(-rate / DENSITY_SCALE)
    score = 0.5 * min(max(loudness, 0.0), 1.0) + 0.5 * density
    return round(score, 3)


def midi_tempo(midi: pretty_midi.PrettyMIDI) -> float:
    """The tempo (quarter notes per minute) in force for the longest time, to 0.01 BPM.

    A piece with a ritardando at the end reports its main tempo, not a blend of both.
    Without any tempo event pretty_midi reports 120, as the MIDI standard says.
    """
    times, tempi = midi.get_tempo_changes()
    if not len(tempi):
        try:
            return round(float(midi.estimate_tempo()), 2)
        except ValueError:  # fewer than two notes to estimate from
            return 120.0
    end = max(float(midi.get_end_time()), float(times[-1]))
    spans = np.diff(np.append(times, end))
    if not spans.any():
        return round(float(tempi[-1]), 2)
    return round(float(tempi[int(np.argmax(spans))]), 2)
