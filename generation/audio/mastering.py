"""Mastering: fades, loudness normalisation to -14 LUFS and a look-ahead peak limiter."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from generation.audio.errors import AudioError
from generation.audio.loudness import (
    integrated_loudness,
    loudness_from_energies,
    step_frames,
    weighted_energies,
)

TARGET_LUFS = -14.0
CEILING_DBFS = -1.0
# Loudness may land this far from the target before another gain-and-limit pass is made.
TOLERANCE_LU = 0.2
MAX_PASSES = 8
# Gain the limiter may be driven with beyond plain normalisation. Very peaky music (a
# drum solo) could only reach the target by flattening every hit; it stays quieter instead.
MAX_EXTRA_GAIN_DB = 4.0

FADE_IN_S = 0.05  # hides a click on a hard first downbeat without softening the downbeat
FADE_OUT_S = 3.0

# Limiter shape: the gain ramps down over ATTACK_FAST_S + ATTACK_SLOW_S before an over,
# holds HOLD_S after it and ramps back up over the same time. Two cascaded moving averages
# make the ramps S-shaped rather than linear, so the gain change is not heard as a click.
ATTACK_FAST_S = 0.005
ATTACK_SLOW_S = 0.02
HOLD_S = 0.03

# The limiter curve is computed on blocks of this many frames (0.67 ms at 48 kHz) and
# interpolated between them: 32x less work than per frame, and the ceiling still holds
# because each block's gain is also safe for the block before it (see limiter_knots).
GAIN_BLOCK = 32


@dataclass
class Mastered:
    loudness_lufs: float  # integrated loudness after mastering, measured on the result
    peak_dbfs: float  # sample peak after mastering
    source_loudness_lufs: float  # integrated loudness of the faded synth output
    gain_db: float  # make-up gain before limiting
    # The limiter's gain at the start of each `block` frames (see limiter_knots); None when
    # the plain gain kept every peak under the ceiling. With the fades, this is everything
    # mastering did to the audio, so apply_mastering can do the same to a part of it.
    knots: np.ndarray | None = None
    block: int = GAIN_BLOCK


def master(pcm: np.ndarray, *, sample_rate: int) -> Mastered:
    """Fade, normalise and limit `pcm` (frames, channels) in place and report the result.

    Fades come first (the fade-out is part of the music and counts towards loudness), then
    gain to TARGET_LUFS with the limiter holding sample peaks at or under CEILING_DBFS.
    Limiting lowers loudness, so the gain is raised and the limiter curve recomputed until
    the predicted loudness is within TOLERANCE_LU, or the gain is MAX_EXTRA_GAIN_DB past
    plain normalisation (very peaky music then ends up somewhat under the target).
    Predictions reuse the K-weighted energy of each 32-frame block, scaled by the curve's
    gain squared there, so a pass costs no refiltering; the result is measured properly
    once at the end.
    """
    apply_fades(pcm, sample_rate=sample_rate)
    block = _gain_block(sample_rate)
    energies = weighted_energies(pcm, sample_rate, block=block)
    per_step = step_frames(sample_rate) // block
    source_lufs = loudness_from_energies(energies, per_step, sample_rate)
    if not math.isfinite(source_lufs):
        raise AudioError("the rendered audio is silent (below the -70 LUFS gate)")

    peaks = block_peaks(pcm, block)
    ceiling = 10.0 ** (CEILING_DBFS / 20.0)
    plain_db = gain_db = TARGET_LUFS - source_lufs
    knots: np.ndarray | None = None
    # Loudness gained per dB of make-up gain; the limiter swallows part of each step, more
    # the peakier the music, so it is re-estimated from the last two passes (secant method).
    slope = 1.0
    previous: tuple[float, float] | None = None
    for attempt in range(MAX_PASSES):
        knots = limiter_knots(
            peaks, gain=10.0 ** (gain_db / 20.0), ceiling=ceiling, rate=sample_rate / block
        )
        if knots is None:
            break  # plain gain keeps every peak under the ceiling; loudness is exact
        # Mean of the squared gain over each block, from the straight line between knots.
        start, end = knots[:-1], knots[1:]
        squared = (start * start + start * end + end * end) / 3.0
        predicted = loudness_from_energies(
            energies * squared[: len(energies)], per_step, sample_rate
        )
        miss = TARGET_LUFS - predicted
        if abs(miss) <= TOLERANCE_LU or attempt == MAX_PASSES - 1:
            break
        if previous is not None and gain_db != previous[0]:
            slope = min(max((predicted - previous[1]) / (gain_db - previous[0]), 0.3), 1.0)
        previous = (gain_db, predicted)
        gain_db = min(gain_db + miss / slope, plain_db + MAX_EXTRA_GAIN_DB)
        if previous[0] == gain_db:
            break  # at the cap: this track stays a little under the target

    _apply_gain(pcm, gain_db=gain_db, knots=knots, block=block)
    if knots is None:
        loudness = source_lufs + gain_db
    else:
        # Rounding in the limiter's running sums can leave a frame a hair over the ceiling.
        np.clip(pcm, -ceiling, ceiling, out=pcm)
        loudness = integrated_loudness(pcm, sample_rate)
    peak = float(max(pcm.max(initial=0.0), -pcm.min(initial=0.0)))
    return Mastered(
        loudness_lufs=loudness,
        peak_dbfs=20.0 * math.log10(peak) if peak > 0 else -math.inf,
        source_loudness_lufs=source_lufs,
        gain_db=gain_db,
        knots=knots,
        block=block,
    )


def apply_mastering(pcm: np.ndarray, mastered: Mastered, *, sample_rate: int) -> None:
    """Do to `pcm` in place what master() did to the mix it measured: the same fades and the
    same gain at every instant.

    For stems: mastering is non-linear only in how it chooses the gain (loudness, the
    limiter's reaction to the mix's peaks); once chosen, the gain multiplies every sample,
    so parts given the mix's gain add up to the mastered mix. Mastering each part on its
    own would give each its own loudness and limiting, and their sum would not be the mix.
    """
    apply_fades(pcm, sample_rate=sample_rate)
    _apply_gain(pcm, gain_db=mastered.gain_db, knots=mastered.knots, block=mastered.block)


def _apply_gain(pcm: np.ndarray, *, gain_db: float, knots: np.ndarray | None, block: int) -> None:
    if knots is None:
        pcm *= np.float32(10.0 ** (gain_db / 20.0))
    else:
        apply_knots(pcm, knots, block)


def _gain_block(sample_rate: int) -> int:
    """GAIN_BLOCK, or the largest smaller block that divides the 100 ms loudness step."""
    step = step_frames(sample_rate)
    return next(size for size in range(GAIN_BLOCK, 0, -1) if step % size == 0)


def apply_fades(pcm: np.ndarray, *, sample_rate: int) -> None:
    """Raised-cosine fade-in over FADE_IN_S and fade-out over FADE_OUT_S, in place.

    Fades never take more than a quarter of the audio each, so short clips keep a middle.
    """
    frames = len(pcm)
    fade_in = min(round(FADE_IN_S * sample_rate), frames // 4)
    fade_out = min(round(FADE_OUT_S * sample_rate), frames // 4)
    if fade_in:
        pcm[:fade_in] *= _raised_cosine(fade_in)[:, None]
    if fade_out:
        pcm[frames - fade_out :] *= _raised_cosine(fade_out)[::-1, None]


def _raised_cosine(length: int) -> np.ndarray:
    ramp = np.arange(length, dtype=np.float64) / length
    return (0.5 - 0.5 * np.cos(np.pi * ramp)).astype(np.float32)


def block_peaks(pcm: np.ndarray, block: int) -> np.ndarray:
    """Largest |sample| over all channels in each `block` frames (the last may be partial)."""
    flat = pcm.reshape(-1)
    width = block * (flat.size // max(len(pcm), 1))
    whole = (flat.size // width) * width
    # Max and -min separately: no full-size temporary for abs().
    peaks = np.maximum(
        flat[:whole].reshape(-1, width).max(axis=1), -flat[:whole].reshape(-1, width).min(axis=1)
    )
    if whole < flat.size:
        peaks = np.append(peaks, np.abs(flat[whole:]).max())
    return peaks


def limiter_knots(
    peaks: np.ndarray, *, gain: float, ceiling: float, rate: float
) -> np.ndarray | None:
    """Gain at the start of each block (one extra knot at the end) that applies `gain` but
    keeps every sample at or under `ceiling`; None when `gain` alone already does.

    A look-ahead brickwall built from vector operations: the gain each block needs (ceiling
    over its peak, at most `gain`) goes through a running minimum wide enough to cover the
    attack, hold and both smoothing windows, then through two causal moving averages. Each
    value averaged into knot k is a minimum over a window holding blocks k-1 and k, so knot
    k is safe for both, and a straight line between knots k and k+1 is safe for block k.
    """
    if float(peaks.max(initial=0.0)) * gain <= ceiling:
        return None
    fast = max(round(ATTACK_FAST_S * rate), 1)
    slow = max(round(ATTACK_SLOW_S * rate), 1)
    hold = max(round(HOLD_S * rate), 1)  # at least 1 block: knot k must also cover block k-1
    reach = fast + slow - 2  # how far back a smoothed knot reaches into the minimum
    needed = np.minimum(ceiling / np.maximum(peaks, 1e-9), gain)
    needed = np.append(needed, needed[-1])
    # Window [k - hold, k + reach]; scipy's origin shifts a window of `size` back by
    # size // 2 + origin.
    size = hold + reach + 1
    curve = ndimage.minimum_filter1d(needed, size, mode="nearest", origin=hold - size // 2)
    # Causal moving averages: each output averages the current block and those before it.
    curve = ndimage.uniform_filter1d(curve, fast, mode="nearest", origin=(fast - 1) // 2)
    return ndimage.uniform_filter1d(curve, slow, mode="nearest", origin=(slow - 1) // 2)


def apply_knots(pcm: np.ndarray, knots: np.ndarray, block: int) -> None:
    """Multiply `pcm` in place by the gain interpolated linearly between block knots."""
    frames = len(pcm)
    ramp = np.arange(block, dtype=np.float32) / np.float32(block)
    knots32 = knots.astype(np.float32)
    # 4096 blocks at a time keeps the (blocks, block) gain temporary around 0.5 MB.
    for first in range(0, -(-frames // block), 4096):
        last = min(first + 4096, -(-frames // block))
        start, end = knots32[first:last], knots32[first + 1 : last + 1]
        gains = (start[:, None] + (end - start)[:, None] * ramp[None, :]).reshape(-1)
        segment = pcm[first * block : min(last * block, frames)]
        segment *= gains[: len(segment), None]
