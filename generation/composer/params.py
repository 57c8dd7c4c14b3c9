"""Compose parameters: the frozen request type and strict validation of raw dictionaries."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from .errors import ComposerParamError
from .presets import INSTRUMENTATIONS, PRESETS
from .theory import tonic_pc

SEED_LIMIT = 2**32
TEMPERATURE_RANGE = (0.1, 2.0)
TEMPO_RANGE = (40.0, 220.0)
SECONDS_RANGE = (60.0, 180.0)
MODE_CHOICES = ("major", "minor")


@dataclass(frozen=True)
class ComposeParams:
    """What to compose. None means "let the preset and the seed decide"."""

    preset: str
    seed: int  # 0 <= seed < 2**32
    temperature: float = 1.0  # 0.1..2.0; below 1 is safer, above 1 more adventurous
    tempo_bpm: float | None = None  # quarter notes per minute, 40..220
    mode: str | None = None  # "major" | "minor"
    tonic: str | None = None  # "C", "F#", "Bb", ...
    target_seconds: float | None = None  # 60..180
    instrumentation: str | None = None  # a name in INSTRUMENTATIONS; None: the preset's own


PARAM_NAMES = tuple(f.name for f in fields(ComposeParams))


def _number(field: str, value: Any, low: float, high: float, unit: str = "") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ComposerParamError(
            field, f"must be a number from {low:g} to {high:g}{unit}, got {value!r}"
        )
    if not math.isfinite(value) or not low <= value <= high:
        raise ComposerParamError(field, f"must be from {low:g} to {high:g}{unit}, got {value!r}")
    return float(value)


def _check(params: ComposeParams) -> ComposeParams:
    if not isinstance(params.preset, str) or params.preset not in PRESETS:
        raise ComposerParamError(
            "preset", f"unknown preset {params.preset!r}; choose one of: {', '.join(PRESETS)}"
        )
    seed = params.seed
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ComposerParamError("seed", f"must be an integer from 0 to 2**32-1, got {seed!r}")
    if not 0 <= seed < SEED_LIMIT:
        raise ComposerParamError("seed", f"must be from 0 to {SEED_LIMIT - 1}, got {seed}")
    temperature = _number("temperature", params.temperature, *TEMPERATURE_RANGE)
    tempo = params.tempo_bpm
    if tempo is not None:
        tempo = _number("tempo_bpm", tempo, *TEMPO_RANGE, " quarter notes per minute")
    mode = params.mode
    if mode is not None and mode not in MODE_CHOICES:
        raise ComposerParamError("mode", f"must be 'major', 'minor' or null, got {mode!r}")
    tonic = params.tonic
    if tonic is not None:
        if not isinstance(tonic, str):
            raise ComposerParamError(
                "tonic", f"must be a note name like 'D' or 'F#', got {tonic!r}"
            )
        try:
            tonic_pc(tonic)
        except ValueError:
            raise ComposerParamError(
                "tonic",
                f"must be a note name A-G with optional # or b (e.g. 'F#', 'Bb'), got {tonic!r}",
            ) from None
        tonic = tonic.strip()
        tonic = tonic[0].upper() + tonic[1:].replace("-", "b")
    seconds = params.target_seconds
    if seconds is not None:
        seconds = _number("target_seconds", seconds, *SECONDS_RANGE, " seconds")
    instrumentation = params.instrumentation
    if instrumentation is not None and (
        not isinstance(instrumentation, str) or instrumentation not in INSTRUMENTATIONS
    ):
        raise ComposerParamError(
            "instrumentation",
            f"unknown instrumentation {instrumentation!r}; choose one of: "
            f"{', '.join(INSTRUMENTATIONS)} or null for the preset's own",
        )
    return ComposeParams(
        preset=params.preset,
        seed=seed,
        temperature=temperature,
        tempo_bpm=tempo,
        mode=mode,
        tonic=tonic,
        target_seconds=seconds,
        instrumentation=instrumentation,
    )


def validate_params(params: ComposeParams) -> ComposeParams:
    """The same checks as params_from_dict for an already built ComposeParams."""
    return _check(params)


def params_from_dict(raw: dict[str, Any]) -> ComposeParams:
    """Validated ComposeParams from a JSON-like dict; ComposerParamError says what is wrong."""
    if not isinstance(raw, dict):
        raise ComposerParamError("params", f"must be an object, got {type(raw).__name__}")
    unknown = sorted(k for k in raw if k not in PARAM_NAMES)
    if unknown:
        raise ComposerParamError(
            str(unknown[0]),
            f"unknown parameter(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(PARAM_NAMES)}",
        )
    for required in ("preset", "seed"):
        if required not in raw:
            raise ComposerParamError(required, "is required")
    params = ComposeParams(
        preset=raw["preset"],
        seed=raw["seed"],
        temperature=raw.get("temperature", 1.0),
        tempo_bpm=raw.get("tempo_bpm"),
        mode=raw.get("mode"),
        tonic=raw.get("tonic"),
        target_seconds=raw.get("target_seconds"),
        instrumentation=raw.get("instrumentation"),
    )
    return _check(params)
