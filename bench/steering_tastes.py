"""The hidden tastes of bench/steering.py: what a simulated crowd truly likes, as the stars an
average listener of it would give a composed track. The code under test never sees these; it
sees only the listening and the ratings they cause.

Each taste reads a track's parameters (preset, tempo, mode, length) and its composed figures
(energy, the melody metrics), and gives stars from 1 to 5. `best_expected` is the best a
planner who knew the taste could expect from the composer: the yardstick of regret.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generation.composer import PRESETS
from generation.composer.params import MODE_CHOICES


@dataclass(frozen=True)
class Composed:
    """What a taste may read of a composed track."""

    preset: str
    tempo: float
    minor: bool
    seconds: float  # the target length asked of the composer
    energy: float
    metrics: dict[str, float]

    @classmethod
    def of(cls, preset: str, resolved: dict[str, Any], energy: float, metrics: dict[str, Any]):
        return cls(
            preset=preset,
            tempo=float(resolved["tempo_bpm"]),
            minor=resolved.get("mode") == "minor",
            seconds=float(resolved["target_seconds"]),
            energy=float(energy),
            metrics={k: float(v) for k, v in metrics.items()},
        )


@dataclass(frozen=True)
class Taste:
    name: str
    stars: Callable[[Composed], float]  # unclipped; true() clips
    about: str

    def true(self, track: Composed) -> float:
        return min(5.0, max(1.0, self.stars(track)))


def _linear(t: Composed) -> float:
    # Faster, more energetic, major and longer tracks please this crowd, in straight lines
    # (centred on what uniform batches hold: energy 0.69 +- 0.15 over presets, 130 BPM).
    return (
        3.0
        + 0.45 * (t.tempo - 130) / 45
        + 0.35 * (t.energy - 0.69) / 0.15
        - 0.35 * t.minor
        + 0.15 * (t.seconds - 120) / 25
    )


# Tempo x preset: the dances please when fast, the calm styles when slow. u is the tempo's
# place in its preset's own range, -1 (slowest) to 1 (fastest).
_PRESET_BASE = {"celtic_reel": 0.2, "irish_jig": 0.0, "waltz": 0.3, "lofi": 0.4, "chorale": -0.3}
_PRESET_TEMPO = {"celtic_reel": 0.9, "irish_jig": 0.6, "waltz": -0.3, "lofi": -0.9, "chorale": -0.6}


def _interaction(t: Composed) -> float:
    low, high = PRESETS[t.preset].tempo_range
    u = 2 * (t.tempo - low) / (high - low) - 1
    return 3.0 + _PRESET_BASE[t.preset] + _PRESET_TEMPO[t.preset] * u


def _peaked(t: Composed) -> float:
    # One favourite tempo (128 BPM), less liked the further away, whatever the style.
    return 4.3 - 2.6 * ((t.tempo - 128) / 60) ** 2


def _melodic(t: Composed) -> float:
    # For the crowd-tuned composer (pending): tunes in key, with varied pitches and stepwise
    # motion please; leaps and wandering out of key do not.
    m = t.metrics
    return (
        3.0
        + 0.6 * (m.get("scale_consistency", 0.99) - 0.99) / 0.01
        + 0.4 * (m.get("pitch_entropy", 2.56) - 2.56) / 0.12
        - 0.4 * (m.get("mean_abs_interval", 2.7) - 2.7) / 0.4
    )


LINEAR = Taste("linear", _linear, "tempo, energy, major mode and length, each in a straight line")
INTERACTION = Taste("interaction", _interaction, "tempo x preset: fast dances, slow calm styles")
PEAKED = Taste("peaked", _peaked, "single-peaked in tempo, at 128 BPM")
# The drift crowd: from the flip on, what the linear crowd liked is what it dislikes.
FLIPPED = Taste("flipped", lambda t: 6.0 - _linear(t), "the linear taste turned upside down")
MELODIC = Taste("melodic", _melodic, "melody metrics: in key, varied pitches, stepwise")
STATIONARY = (LINEAR, INTERACTION, PEAKED)


def parameter_grid(*, tempo_step: int, seconds_step: int) -> list[dict[str, Any]]:
    """What a planner may ask of the composer: every preset over its own tempo and length
    ranges, both modes (temperature left at 1.0: no taste here reads it)."""
    grid = []
    for name, preset in sorted(PRESETS.items()):
        low, high = preset.tempo_range
        tempos = sorted({*range(low, high + 1, tempo_step), high})
        low_s, high_s = preset.seconds_range
        lengths = sorted({*range(low_s, high_s + 1, seconds_step), high_s})
        for tempo, mode, seconds in itertools.product(tempos, MODE_CHOICES, lengths):
            grid.append(
                {"preset": name, "tempo_bpm": float(tempo), "mode": mode, "target_seconds": seconds}
            )
    return grid


def best_expected(
    tastes: list[Taste],
    compose: Callable[[dict[str, Any], int], Composed | None],
    *,
    tempo_step: int,
    seconds_step: int,
    finalists: int = 8,
    seeds: int = 5,
) -> dict[str, float]:
    """Each taste's best expected stars over the composer's parameters: every grid point
    composed once, the `finalists` best composed again with more seeds, the best mean kept
    (a composed track's figures vary with the seed; one lucky seed is not a choice)."""
    grid = parameter_grid(tempo_step=tempo_step, seconds_step=seconds_step)
    once = [(params, compose(params, 0)) for params in grid]
    best = {}
    for taste in tastes:
        ranked = sorted((taste.true(c), n) for n, (_, c) in enumerate(once) if c is not None)[
            -finalists:
        ]
        means = []
        for _, n in ranked:
            params = once[n][0]
            found = [c for seed in range(seeds) if (c := compose(params, seed)) is not None]
            if found:
                means.append(statistics.fmean(taste.true(c) for c in found))
        best[taste.name] = max(means) if means else math.nan
    return best
