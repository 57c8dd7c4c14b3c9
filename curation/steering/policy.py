"""Steering a batch: each track's parameters drawn by Thompson sampling from the current
preference model (curation.steering.services), with a share left to explore.

For a steered slot, one draw of the effects from the posterior scores every combination of
preset, mode, tempo, temperature and length (the composed track's own features are not known
before composing: they are taken at the fitted tracks' mean), and the best is composed: as the
best of K candidates, scored by the same draw on their own features (generation.rerank; the draw
travels with the slot as plain data). Each slot draws afresh, so a batch spreads over what the
posterior still finds plausible. Exploration slots are composed as an unsteered batch is (one
candidate), each in the preset with the fewest tracks lately, so changes in taste are noticed
and no style dies out. Pinned parameters hold in every slot.
"""

from collections import Counter
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import numpy as np

from curation.steering.models import PreferenceModel
from curation.steering.services import preference_predict
from generation.composer.params import MODE_CHOICES
from generation.composer.presets import PRESETS
from generation.features import PARAMETERS, PRESET_NAMES, parameter_features
from generation.planning import EXPLORATION
from generation.rerank import CANDIDATES

TEMPERATURES = (0.8, 1.0, 1.2)
TEMPO_STEP = 4
SECONDS_STEP = 15
PINNABLE = ("preset", "mode", *PARAMETERS)


@dataclass(frozen=True)
class Draw:
    """One slot of a batch: what to compose, and why."""

    params: dict[str, Any]  # for the composer; absent keys are left to the preset and seed
    steered: bool
    policy_version: int | None = None
    predicted: float | None = None  # the crowd score predicted for the choice
    sd: float | None = None
    sampled: dict[str, float] = field(default_factory=dict)  # the drawn effects, by feature
    # How the composer reranks the slot's candidates (generation.rerank.Spec, as plain data);
    # None: it composes one, as an unsteered batch does.
    rerank: dict[str, Any] | None = None


def draw_batch(
    *,
    version: PreferenceModel | None,
    count: int,
    seed: int,
    exploration: float = EXPLORATION,
    pins: dict[str, Any] | None = None,
    candidates: int = CANDIDATES,
    recent: dict[str, int] | None = None,
) -> list[Draw]:
    """The parameters of each of `count` tracks, a steered one composed as the best of
    `candidates`. Without a fitted version every slot explores (a batch is composed as today).
    `recent`: tracks per preset in the latest steered batches. The same version, seed, pins
    and recent counts give the same draws."""
    pins = dict(pins or {})
    if version is None:
        return [Draw(params=dict(pins), steered=False) for _ in range(count)]
    rng = np.random.default_rng(seed)
    explore = set(rng.permutation(count)[: round(count * exploration)].tolist())
    options = _options(pins)
    centre = np.array(version.centre)
    features = [_features(option, centre) for option in options]
    standardised = (np.array(features) - centre) / np.array(version.scale)
    draws: dict[int, Draw] = {
        slot: _steer(version, options, features, standardised, rng, candidates)
        for slot in range(count)
        if slot not in explore
    }
    # Each exploring slot goes to the preset with the fewest tracks in the latest steered
    # batches and this one so far (`recent`: curation.steering.selectors.recent_presets), so
    # no style dies out however sure the model is, and a style the quality gate turned away
    # last time is made up for now (bench/steering.py: presets_kept). The rest of an
    # exploring slot is composed as an unsteered batch is.
    counts = Counter(recent or {})
    counts.update(draw.params["preset"] for draw in draws.values())
    turn = seed % len(PRESET_NAMES)
    order = PRESET_NAMES[turn:] + PRESET_NAMES[:turn]  # equals: a batch's seed takes turns
    for slot in sorted(explore):
        params = dict(pins)
        if "preset" not in pins:
            params["preset"] = min(order, key=lambda name: counts[name])
            counts[params["preset"]] += 1
        draws[slot] = Draw(params=params, steered=False)
    return [draws[slot] for slot in range(count)]


def _steer(
    version: PreferenceModel,
    options: list[dict[str, Any]],
    features: list[list[float]],
    standardised: np.ndarray,
    rng: np.random.Generator,
    candidates: int,
) -> Draw:
    mean = np.array(version.coefficients)
    covariance = version.noise * np.array(version.covariance)
    effects = rng.multivariate_normal(mean, covariance, method="cholesky")
    best = int(np.argmax(standardised @ effects))  # the first of equals
    predicted, sd = preference_predict(version, features[best])
    return Draw(
        params=dict(options[best]),
        steered=True,
        policy_version=version.pk,
        predicted=predicted,
        sd=sd,
        sampled=dict(zip(version.features, effects.tolist(), strict=True)),
        rerank={
            "candidates": candidates,
            "features": version.features,
            "centre": version.centre,
            "scale": version.scale,
            "weights": effects.tolist(),
            "intercept": version.intercept,
        },
    )


def _options(pins: dict[str, Any]) -> list[dict[str, Any]]:
    """Every combination the policy chooses among, within each preset's own ranges."""
    presets = [pins["preset"]] if "preset" in pins else sorted(PRESETS)
    found = []
    for name in presets:
        preset = PRESETS[name]
        low, high = preset.tempo_range
        tempos = [pins["tempo_bpm"]] if "tempo_bpm" in pins else range(low, high + 1, TEMPO_STEP)
        low, high = preset.seconds_range
        lengths = (
            [pins["target_seconds"]]
            if "target_seconds" in pins
            else range(low, high + 1, SECONDS_STEP)
        )
        modes = [pins["mode"]] if "mode" in pins else MODE_CHOICES
        temperatures = [pins["temperature"]] if "temperature" in pins else TEMPERATURES
        for mode, tempo, temperature, seconds in product(modes, tempos, temperatures, lengths):
            found.append(
                {
                    **pins,
                    "preset": name,
                    "mode": mode,
                    "tempo_bpm": float(tempo),
                    "temperature": float(temperature),
                    "target_seconds": float(seconds),
                }
            )
    return found


def _features(option: dict[str, Any], centre: np.ndarray) -> list[float]:
    """An option's features, the composed track's own taken at the fitted tracks' mean."""
    known = parameter_features(preset=option["preset"], resolved=option)
    return [*known, *centre[len(known) :].tolist()]
