"""What the crowd's preference model knows of a track: the parameters it was composed with and
the composed track's own features. One home for the names and how each is read: curation fits
the model on them (curation.steering), and generation scores a steered slot's candidates with
them before rendering one (generation.rerank).

Tonic is left out: twelve pitch classes over the tracks a crowd rates in a week are too many
columns for too little data, and a key's character is mostly its mode, which is in.

Tempo is read from the middle of the track's preset's own tempo range, twice: once with a
slope every preset shares, and once with each preset's own (0 for the other presets). The
presets' ranges barely overlap, so a preset's level and its absolute tempo would be one figure
read twice; and a crowd may like its dances fast and its chorales slow, which one slope for
all cannot say (bench/steering.py's tempo x preset taste: regret 0.51 with one slope). The
prior shrinks each preset's own slope towards the shared one, so a crowd that likes every
style faster needs no more data than before.
"""

from typing import Any

from .composer.presets import PRESETS

PRESET_NAMES = sorted(PRESETS)
# Read from a track's resolved parameters (what the composer used); tempo from its preset's
# middle.
PARAMETERS = ("tempo_bpm", "temperature", "target_seconds")
# Within each preset: "tempo_bpm:<preset>", that preset's tempo less its range's middle.
TEMPO_WITHIN = "tempo_bpm:"
# Read from the composed track: its energy, and the melody metrics the quality gate computes.
COMPOSED = ("energy", "scale_consistency", "pitch_entropy", "mean_abs_interval")
NAMES = [
    *(f"preset:{name}" for name in PRESET_NAMES[1:]),  # the first preset is the baseline
    "minor",
    *PARAMETERS,
    *(f"{TEMPO_WITHIN}{name}" for name in PRESET_NAMES),
    *COMPOSED,
]


def unvaried_scale(name: str) -> float:
    """What a feature is standardised by when no fitted track varied it, so that the prior
    lets its effect be as large as any other's: a preset's own tempo slope, over that preset's
    range (the spread of tempos drawn evenly over it); anything else is read over 1 (a preset
    or the minor mode: on or off)."""
    if name.startswith(TEMPO_WITHIN):
        low, high = PRESETS[name.removeprefix(TEMPO_WITHIN)].tempo_range
        return (high - low) / 12**0.5
    return 1.0


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
    tempo = _number(resolved.get("tempo_bpm")) - tempo_middle(preset)
    values.extend(
        tempo if name == "tempo_bpm" else _number(resolved.get(name)) for name in PARAMETERS
    )
    values.extend(tempo if preset == name else 0.0 for name in PRESET_NAMES)
    return values


def tempo_middle(preset: str) -> float:
    """The middle of a preset's tempo range: where tempo is read from (NaN for a preset the
    composer no longer has)."""
    if preset not in PRESETS:
        return float("nan")
    low, high = PRESETS[preset].tempo_range
    return (low + high) / 2


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return float("nan")
    return float(value)
