"""Objective quality gate: melody statistics of a piece against the training corpus.

Metrics follow Yang & Lerch (2018, "On the evaluation of generative models in music") and
MusPy (Dong et al. 2020): pitch-class histogram (here as a distance to the corpus histogram
of the same mode, measured from the tonic), scale consistency, pitch-class entropy,
groove consistency, plus the mean absolute melodic interval. Each corpus tune is measured
the same way at training time; the gate's bounds are percentiles of those values, widened,
and are stored in the model artifact (docs/composer.md explains the numbers).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .presets import PRESETS
from .theory import METERS, TPQ, tonic_pc

if TYPE_CHECKING:
    from .model import ComposerModel
    from .piece import Piece

Note = tuple[int, int, int]  # onset tick, length in ticks, midi (-1 rest)

METRICS = (
    "pitch_class_histogram_distance",
    "scale_consistency",
    "pitch_entropy",
    "groove_consistency",
    "mean_abs_interval",
)
# Which side of the corpus range each metric is checked on, and how much the percentile
# range is widened (as a fraction of the corpus p5..p95 spread) before a piece is rejected.
BOUND_RULES: dict[str, tuple[bool, bool, float]] = {
    # name: (check low, check high, widening)
    "pitch_class_histogram_distance": (False, True, 0.25),
    "scale_consistency": (True, False, 0.25),
    "pitch_entropy": (True, True, 0.25),
    "groove_consistency": (True, False, 0.25),
    "mean_abs_interval": (True, True, 0.25),
}
LOW_PERCENTILE, HIGH_PERCENTILE = 1.0, 99.0
MIN_NOTES = 24  # corpus tunes shorter than this make noisy statistics and are left out
GRID = 2  # onsets are compared on a 1/12-quarter grid for groove consistency
_MAJOR = (0, 2, 4, 5, 7, 9, 11)


def pitch_class_histogram(notes: Iterable[Note], tonic: int) -> np.ndarray:
    hist = np.zeros(12)
    for _, _, midi in notes:
        if midi >= 0:
            hist[(midi - tonic) % 12] += 1
    total = hist.sum()
    return hist / total if total else hist


def scale_consistency(notes: Sequence[Note]) -> float:
    """Largest share of notes that fit one diatonic (major-scale) collection (MusPy)."""
    pcs = [m % 12 for _, _, m in notes if m >= 0]
    if not pcs:
        return 0.0
    counts = np.bincount(pcs, minlength=12)
    best = 0
    for root in range(12):
        best = max(best, int(sum(counts[(root + s) % 12] for s in _MAJOR)))
    return best / len(pcs)


def pitch_entropy(notes: Sequence[Note]) -> float:
    pcs = [m % 12 for _, _, m in notes if m >= 0]
    if not pcs:
        return 0.0
    probs = np.bincount(pcs, minlength=12) / len(pcs)
    return float(-sum(p * math.log2(p) for p in probs if p > 0))


def groove_consistency(notes: Sequence[Note], bar_len: int, origin: int = 0) -> float:
    """1 - mean Hamming distance between onset patterns of consecutive bars (MusPy)."""
    slots = max(1, bar_len // GRID)
    bars: dict[int, set[int]] = {}
    for onset, _, midi in notes:
        if midi < 0 or onset < origin:
            continue
        bar, pos = divmod(onset - origin, bar_len)
        bars.setdefault(bar, set()).add(pos // GRID)
    if len(bars) < 2:
        return 1.0
    first, last = min(bars), max(bars)
    patterns = [bars.get(b, set()) for b in range(first, last + 1)]
    distances = [len(a ^ b) for a, b in itertools.pairwise(patterns)]
    return 1.0 - float(np.mean(distances)) / slots


def mean_abs_interval(notes: Sequence[Note]) -> float:
    pitches = [m for _, _, m in sorted(notes) if m >= 0]
    if len(pitches) < 2:
        return 0.0
    return float(np.mean(np.abs(np.diff(pitches))))


def tv_distance(a: np.ndarray, b: Sequence[float]) -> float:
    return float(0.5 * np.abs(a - np.asarray(b)).sum())


def reference_key(group: str, mode: str) -> str:
    """Histograms are kept per style group and mode: a chorale is measured against chorales."""
    return f"{group}:{mode}"


def melody_metrics(
    notes: Sequence[Note],
    *,
    tonic: int,
    reference: Sequence[float],
    bar_len: int,
    origin: int = 0,
) -> dict[str, float]:
    hist = pitch_class_histogram(notes, tonic)
    return {
        "pitch_class_histogram_distance": tv_distance(hist, reference),
        "scale_consistency": scale_consistency(notes),
        "pitch_entropy": pitch_entropy(notes),
        "groove_consistency": groove_consistency(notes, bar_len, origin),
        "mean_abs_interval": mean_abs_interval(notes),
    }


Sample = tuple[list[Note], int, str, str, int, int]


def corpus_reference(samples: Sequence[Sample]) -> dict[str, Any]:
    """Reference histograms, and the metric distribution and bounds over corpus tunes.

    samples: (notes, tonic pitch class, group, mode, bar length, first full bar tick).
    """
    usable = [s for s in samples if sum(1 for n in s[0] if n[2] >= 0) >= MIN_NOTES]
    sums: dict[str, np.ndarray] = {}
    for notes, tonic, group, mode, _, _ in usable:
        for key in (mode, reference_key(group, mode)):
            sums[key] = sums.get(key, np.zeros(12)) + pitch_class_histogram(notes, tonic)
    hists = {key: list(total / total.sum()) for key, total in sorted(sums.items())}
    for mode in ("major", "minor"):
        hists.setdefault(mode, [1 / 12] * 12)
    values: dict[str, list[float]] = {name: [] for name in METRICS}
    for notes, tonic, group, mode, bar_len, origin in usable:
        metrics = melody_metrics(
            notes,
            tonic=tonic,
            reference=hists.get(reference_key(group, mode), hists[mode]),
            bar_len=bar_len,
            origin=origin,
        )
        for name in METRICS:
            values[name].append(metrics[name])
    stats: dict[str, dict[str, float]] = {}
    bounds: dict[str, dict[str, float | None]] = {}
    for name in METRICS:
        data = np.asarray(values[name]) if values[name] else np.zeros(1)
        p = {q: float(np.percentile(data, q)) for q in (1, 5, 25, 50, 75, 95, 99)}
        stats[name] = {f"p{q}": v for q, v in p.items()} | {"mean": float(data.mean())}
        check_low, check_high, widen = BOUND_RULES[name]
        margin = widen * (p[95] - p[5])
        bounds[name] = {
            "low": p[int(LOW_PERCENTILE)] - margin if check_low else None,
            "high": p[int(HIGH_PERCENTILE)] + margin if check_high else None,
        }
    return {"hist": hists, "stats": stats, "bounds": bounds, "tunes": len(usable)}


def melody_notes(piece: Piece) -> list[Note]:
    """The melody instrument's notes of a piece, quantised back to ticks from seconds."""
    ticks_per_second = piece.tempo_bpm / 60.0 * TPQ
    notes: list[Note] = []
    for instrument in piece.midi.instruments:
        if instrument.is_drum or not instrument.name.lower().startswith("melody"):
            continue
        for n in instrument.notes:
            onset = round(n.start * ticks_per_second / GRID) * GRID
            length = max(GRID, round((n.end - n.start) * ticks_per_second))
            notes.append((onset, length, int(n.pitch)))
    notes.sort()
    return notes


def quality_metrics(piece: Piece, model: ComposerModel) -> dict[str, float]:
    """Corpus-referenced melody metrics of a piece (keys: quality.METRICS)."""
    meter = str(piece.params.get("meter", "4/4"))
    bar_len = METERS.get(meter, METERS["4/4"])[0]
    mode = piece.mode if piece.mode in ("major", "minor") else "major"
    preset = PRESETS.get(str(piece.params.get("preset", "")))
    hists = model.reference["hist"]
    reference = hists.get(reference_key(preset.group, mode), hists[mode]) if preset else hists[mode]
    return melody_metrics(
        melody_notes(piece), tonic=tonic_pc(piece.tonic), reference=reference, bar_len=bar_len
    )


def quality_gate(metrics: dict[str, float], model: ComposerModel) -> list[str]:
    """Reasons a piece falls outside the corpus bounds; an empty list means it passes."""
    reasons: list[str] = []
    bounds = model.reference["bounds"]
    for name in METRICS:
        if name not in metrics:
            reasons.append(f"{name} is missing")
            continue
        value = metrics[name]
        low, high = bounds[name]["low"], bounds[name]["high"]
        if not math.isfinite(value):
            reasons.append(f"{name} is not a number")
        elif low is not None and value < low:
            reasons.append(f"{name} {value:.3f} is below the corpus bound {low:.3f}")
        elif high is not None and value > high:
            reasons.append(f"{name} {value:.3f} is above the corpus bound {high:.3f}")
    return reasons
