"""What the crowd's preference model knows of a track: the parameters it was composed with and
the composed track's own features. One home for the names and how each is read: curation fits
the model on them (curation.steering), and generation scores a steered slot's candidates with
them before rendering one (generation.rerank).

Tonic is left out: twelve pitch classes over the tracks a crowd rates in a week are too many
columns for too little data, and a key's character is mostly its mode, which is in.
"""

from typing import Any

from .composer.presets import PRESETS

PRESET_NAMES = sorted(PRESETS)
# Read from a track's resolved parameters (what the composer used).
PARAMETERS = ("tempo_bpm", "temperature", "target_seconds")
# Read from the composed track: its energy, and the melody metrics the quality gate computes.
COMPOSED = ("energy", "scale_consistency", "pitch_entropy", "mean_abs_interval")
NAMES = [
    *(f"preset:{name}" for name in PRESET_NAMES[1:]),  # the first preset is the baseline
    "minor",
    *PARAMETERS,
    *COMPOSED,
]


def track_features(
    *, preset: str, resolved: dict[str, Any], energy: float | None, metrics: dict[str, Any]
) -> list[float] | None:
    """The features of one composed track in NAMES order, or None when it lacks one (a track
    from before the composer recorded it)."""
    values = [
        *parameter_features(preset=preset, resolved=resolved),
        _number(energy),
        *(_number(metrics.get(name)) for name in COMPOSED[1:]),
    ]
    return None if any(v != v for v in values) else values  # NaN: missing


def parameter_features(*, preset: str, resolved: dict[str, Any]) -> list[float]:
    """The first part of NAMES: what is known before composing."""
    values = [float(preset == name) for name in PRESET_NAMES[1:]]
    values.append(float(resolved.get("mode") == "minor"))
    values.extend(_number(resolved.get(name)) for name in PARAMETERS)
    return values


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return float("nan")
    return float(value)
