"""Candidate reranking: a steered slot composes K candidates and renders only the best.

Composing MIDI takes a fraction of a second; rendering it takes seconds (bench/rerank.py
measures both). So for a steered slot the composer writes K candidates, each from a seed
derived from the track's own with the same parameters, scores each with the crowd's
preference model and checks it with the quality gate, and the service renders only the
best: the highest score among those that pass the gate, or, when none passes, the highest
score (which the gate then rejects, as it would any track). Same seed and parameters, same
choice.

The model lives in curation, and generation never imports curation: the steered launcher
puts what scoring needs into the track's params as plain data under SPEC_KEY (the model's
feature names, standardisation, intercept and the slot's Thompson-drawn effects). A track
without it (an unsteered batch, an exploring slot, a remix) is composed once, as always.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, TypeGuard

from . import composer
from .composer.params import SEED_LIMIT
from .features import NAMES, track_features

SPEC_KEY = "rerank"  # where the spec travels in a track's params
CANDIDATES = 8  # K, unless the launcher asks for another
MAX_CANDIDATES = 32
# Candidate i's seed is the track's seed plus i strides (mod 2**32): candidate 0 is the piece
# an unreranked track with these params would be, and the others land far from it and from
# the neighbouring tracks' seeds (generation.services.track_seed steps by 7,919).
SEED_STRIDE = 2_654_435_761  # 2**32 over the golden ratio, Knuth's multiplicative hash


@dataclass(frozen=True)
class Spec:
    """How a steered slot scores its candidates: a linear model on standardised features."""

    candidates: int
    features: list[str]
    centre: list[float]
    scale: list[float]
    weights: list[float]
    intercept: float

    def score(self, *, piece: composer.Piece, metrics: dict[str, float]) -> float:
        """The candidate's predicted crowd score under the slot's drawn effects."""
        centre = dict(zip(self.features, self.centre, strict=True))
        # Energy is measured on the rendered audio, which a candidate does not have yet: it
        # is taken at the fitted tracks' mean, so it moves no candidate's score.
        values = track_features(
            preset=piece.params["preset"],
            resolved=piece.params,
            energy=centre.get("energy", 0.0),
            metrics=metrics,
        )
        known = dict(zip(NAMES, values or [], strict=False))
        # A feature this composer no longer computes counts as average.
        return self.intercept + sum(
            weight * (known.get(name, mean) - mean) / spread
            for name, mean, spread, weight in zip(
                self.features, self.centre, self.scale, self.weights, strict=True
            )
        )


@dataclass(frozen=True)
class Composed:
    """The piece to keep, its gate figures, and the record of the choice (Track.candidates;
    empty when the track was composed alone)."""

    piece: composer.Piece
    metrics: dict[str, float]
    reasons: list[str]
    candidates: dict[str, Any]


def compose_best(model: composer.ComposerModel, raw: dict[str, Any]) -> Composed:
    """Compose a track from its stored params: the best of K candidates when they carry a
    rerank spec, else the one piece. Raises ComposerError (ComposerParamError names the bad
    parameter, SPEC_KEY for a bad spec)."""
    params, spec = compose_request(raw)
    if spec is None:
        piece = composer.compose(model, params)
        metrics = composer.quality_metrics(piece, model)
        return Composed(piece, metrics, composer.quality_gate(metrics, model), {})
    kept: Composed | None = None
    scored: list[dict[str, Any]] = []
    chosen = 0
    for index, seed in enumerate(candidate_seeds(params.seed, spec.candidates)):
        piece = composer.compose(model, replace(params, seed=seed))
        metrics = composer.quality_metrics(piece, model)
        reasons = composer.quality_gate(metrics, model)
        score = round(spec.score(piece=piece, metrics=metrics), 4)
        scored.append({"seed": seed, "predicted": score, "passed": not reasons})
        # Passing the gate first, then the score; the first of equals.
        if kept is None or (not reasons, score) > (not kept.reasons, scored[chosen]["predicted"]):
            kept, chosen = Composed(piece, metrics, reasons, {}), index
    assert kept is not None  # a spec asks for at least one candidate
    rank = 1 + sum(c["predicted"] > scored[chosen]["predicted"] for c in scored)
    return replace(kept, candidates={"chosen": chosen, "rank": rank, "candidates": scored})


def compose_request(raw: dict[str, Any]) -> tuple[composer.ComposeParams, Spec | None]:
    """A track's stored params, checked: what to compose, and how to rerank (None: don't)."""
    if not isinstance(raw, dict):
        raise composer.ComposerParamError("params", f"must be an object, got {type(raw).__name__}")
    rest = {key: value for key, value in raw.items() if key != SPEC_KEY}
    params = composer.params_from_dict(rest)
    return params, (spec_from_dict(raw[SPEC_KEY]) if SPEC_KEY in raw else None)


def candidate_seeds(seed: int, count: int) -> list[int]:
    return [(seed + index * SEED_STRIDE) % SEED_LIMIT for index in range(count)]


def spec_from_dict(raw: object) -> Spec:
    """A checked Spec from its plain-data form; ComposerParamError says what is wrong."""
    if not isinstance(raw, dict):
        raise _bad(f"must be an object, got {type(raw).__name__}")
    count = raw.get("candidates", CANDIDATES)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_CANDIDATES:
        raise _bad(f"candidates must be a whole number from 1 to {MAX_CANDIDATES}, got {count!r}")
    features = raw.get("features")
    if not isinstance(features, list) or not all(isinstance(name, str) for name in features):
        raise _bad("features must be a list of feature names")
    columns: dict[str, list[float]] = {}
    for name in ("centre", "scale", "weights"):
        values = raw.get(name)
        if not isinstance(values, list) or len(values) != len(features):
            raise _bad(f"{name} must be a list of {len(features)} numbers, one per feature")
        if not all(_finite(value) for value in values):
            raise _bad(f"{name} must hold only finite numbers")
        columns[name] = [float(value) for value in values]
    if not all(value > 0 for value in columns["scale"]):
        raise _bad("scale must be positive")
    intercept = raw.get("intercept")
    if not _finite(intercept):
        raise _bad(f"intercept must be a finite number, got {intercept!r}")
    return Spec(
        candidates=count,
        features=list(features),
        centre=columns["centre"],
        scale=columns["scale"],
        weights=columns["weights"],
        intercept=float(intercept),
    )


@dataclass(frozen=True)
class Choice:
    """What a reranked track's record says, for pages: K, the one rendered and the rest."""

    count: int
    index: int
    seed: int
    rank: int  # 1: it scored best of all K; more when better ones failed the quality gate
    predicted: float
    passed: bool
    others_low: float | None
    others_high: float | None


def choice_of(record: dict[str, Any]) -> Choice | None:
    """A track's Track.candidates read back; None when it was composed alone."""
    candidates = record.get("candidates") if record else None
    if not candidates:
        return None
    index = record["chosen"]
    chosen = candidates[index]
    others = [c["predicted"] for i, c in enumerate(candidates) if i != index]
    return Choice(
        count=len(candidates),
        index=index,
        seed=chosen["seed"],
        rank=record["rank"],
        predicted=chosen["predicted"],
        passed=chosen["passed"],
        others_low=min(others) if others else None,
        others_high=max(others) if others else None,
    )


def _finite(value: object) -> TypeGuard[int | float]:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def _bad(message: str) -> composer.ComposerParamError:
    return composer.ComposerParamError(SPEC_KEY, message)
